// Pure helpers for container output: the engine's stdout/stderr multiplexing, splitting into lines,
// and reading listening sockets from /proc/net/tcp{,6}. No I/O.

import { StringDecoder } from 'node:string_decoder';

export type StreamName = 'stdout' | 'stderr';

/**
 * Demultiplexes the engine's attach/logs/exec format for containers without a TTY: frames of an 8-byte
 * header (stream type 0/1/2, three zero bytes, big-endian payload length) followed by the payload.
 * Frames may be split across chunks. If a header is not valid the stream is not multiplexed (a TTY
 * container), and everything from there on is passed through as stdout.
 */
export class Demuxer {
  private buffer: Buffer = Buffer.alloc(0);
  private raw = false;

  constructor(private readonly onData: (stream: StreamName, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (this.raw) {
      this.onData('stdout', chunk);
      return;
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const type = this.buffer[0];
      if (type > 2 || this.buffer[1] !== 0 || this.buffer[2] !== 0 || this.buffer[3] !== 0) {
        this.raw = true;
        const rest = this.buffer;
        this.buffer = Buffer.alloc(0);
        this.onData('stdout', rest);
        return;
      }
      const length = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + length) return;
      const payload = this.buffer.subarray(8, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      if (length > 0) this.onData(type === 2 ? 'stderr' : 'stdout', payload);
    }
  }

  /** Bytes of an incomplete frame left when the stream ended (normally none). */
  get pending(): number {
    return this.buffer.length;
  }
}

/**
 * Splits one stream's bytes into lines: keeps partial lines until their newline arrives, decodes UTF-8
 * sequences split across chunks, drops the "\r" of "\r\n". `flush()` emits a last line without newline.
 */
export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(data: Buffer | string): void {
    this.partial += typeof data === 'string' ? data : this.decoder.write(data);
    let newline: number;
    while ((newline = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, newline);
      this.partial = this.partial.slice(newline + 1);
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }

  flush(): void {
    this.partial += this.decoder.end();
    if (this.partial) {
      const line = this.partial;
      this.partial = '';
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }
}

export interface ListeningSocket {
  address: string;
  port: number;
}

const TCP_LISTEN = '0A';

/**
 * Parses the text of /proc/net/tcp and /proc/net/tcp6 (concatenated in any order, header lines included)
 * and returns the sockets in state LISTEN, deduplicated, sorted by port then address.
 * Addresses: "0.0.0.0", "127.0.0.1", "::", "::1", "::ffff:127.0.0.1", …
 */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const seen = new Map<string, ListeningSocket>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // "sl local_address rem_address st ..." -> fields[1] = local, fields[3] = state
    if (fields.length < 4 || !/^\d+:$/.test(fields[0])) continue;
    if (fields[3].toUpperCase() !== TCP_LISTEN) continue;
    const [hexAddress, hexPort] = fields[1].split(':');
    if (!hexAddress || !hexPort) continue;
    const port = parseInt(hexPort, 16);
    const address = hexAddress.length === 8 ? ipv4FromProc(hexAddress) : hexAddress.length === 32 ? ipv6FromProc(hexAddress) : undefined;
    if (address === undefined || !Number.isFinite(port)) continue;
    seen.set(`${address}|${port}`, { address, port });
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

/** /proc prints each 32-bit word of an address in host byte order (little-endian on x86 and arm64). */
function wordBytes(hexWord: string): number[] {
  const value = parseInt(hexWord, 16);
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function ipv4FromProc(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  return wordBytes(hex).join('.');
}

function ipv6FromProc(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  return formatIpv6(bytes);
}

export function formatIpv6(bytes: number[]): string {
  // IPv4-mapped ::ffff:a.b.c.d
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // RFC 5952: compress the longest run (first if tied) of two or more zero groups
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
