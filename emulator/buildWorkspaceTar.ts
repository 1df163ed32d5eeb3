// The two tar shapes the build executor exchanges with the engine, written and read without a dependency:
// putArchive takes a tar (the step's /builder/outputs directory and its script file), getArchive answers with
// one (the step's $BUILDER_OUTPUT/output). Plain ustar: names here are short, so no pax/GNU extensions.
import type { Readable } from 'node:stream';

export interface TarEntry {
  /** Relative path inside the archive ("builder/outputs/"). */
  name: string;
  type: 'file' | 'dir';
  mode: number;
  data?: Buffer;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(entry: TarEntry, size: number): Buffer {
  const name = entry.type === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid root: step images usually run as root, like Cloud Build's
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  h.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  h.write(entry.type === 'dir' ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** A tar archive of `entries`, in order, with the two zero blocks that end it. */
export function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? entry.data ?? Buffer.alloc(0) : Buffer.alloc(0);
    parts.push(header(entry, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/**
 * The content of the first regular file in a tar stream (what getArchive answers for a file path), at most
 * `maxBytes` of it; the stream is destroyed as soon as that much was read. undefined if there is none.
 */
export async function readFirstFile(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  let buffer = Buffer.alloc(0);
  let skip = 0; // bytes of a non-file entry (pax header, directory) still to skip
  try {
    for await (const chunk of stream) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      for (;;) {
        if (skip) {
          const n = Math.min(skip, buffer.length);
          buffer = buffer.subarray(n);
          skip -= n;
          if (skip) break;
        }
        if (buffer.length < BLOCK) break;
        const h = buffer.subarray(0, BLOCK);
        if (h.every((b) => b === 0)) return undefined; // end of archive
        const size = parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
        const type = String.fromCharCode(h[156]);
        buffer = buffer.subarray(BLOCK);
        if (type === '0' || type === '\0') {
          const wanted = Math.min(size, maxBytes);
          if (buffer.length >= wanted) return Buffer.from(buffer.subarray(0, wanted));
          // read on until `wanted` bytes are there
          for await (const more of stream) {
            buffer = Buffer.concat([buffer, more as Buffer]);
            if (buffer.length >= wanted) return Buffer.from(buffer.subarray(0, wanted));
          }
          return Buffer.from(buffer);
        }
        skip = Math.ceil(size / BLOCK) * BLOCK;
      }
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}
