import * as assert from 'node:assert/strict';
import { Demuxer, LineSplitter, formatIpv6, parseProcNetTcp, type StreamName } from '../../src/docker/streams';

function frame(type: number, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

// Captured in a python:3.11-slim container with a socket on [::]:8080 (v6 only), one on 127.0.0.1:8000
// and a connection from the container to itself (state 01 = ESTABLISHED, must be ignored).
const PROC_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 170349 2 00000000f81326c8 100 0 0 10 0
   1: 0100007F:8E84 0100007F:1F40 01 00000000:00000000 00:00000000 00000000     0        0 170350 2 00000000d8a670d4 20 0 0 10 -1
   2: 0100007F:1F40 0100007F:8E84 01 00000000:00000000 00:00000000 00000000     0        0 0 1 000000009edee7c0 20 0 0 10 -1
`;
const PROC_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 170348 1 0000000074c3f61d 100 0 0 10 0
`;

describe('Docker stream helpers', () => {
  describe('Demuxer', () => {
    it('splits frames into stdout and stderr, also when headers and payloads are cut across chunks', () => {
      const got: [StreamName, string][] = [];
      const demuxer = new Demuxer((stream, data) => got.push([stream, data.toString()]));
      const bytes = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(1, '')]);
      for (let i = 0; i < bytes.length; i += 3) demuxer.push(bytes.subarray(i, i + 3)); // 3-byte chunks
      // adjacent pieces of the same stream belong together
      const merged: [StreamName, string][] = [];
      for (const [stream, text] of got) {
        const last = merged[merged.length - 1];
        if (last && last[0] === stream) last[1] += text;
        else merged.push([stream, text]);
      }
      assert.deepEqual(merged, [['stdout', 'hello '], ['stderr', 'oops\n'], ['stdout', 'world\n']]);
      assert.equal(demuxer.pending, 0);
    });

    it('passes a non-multiplexed (TTY) stream through as stdout', () => {
      const got: string[] = [];
      const demuxer = new Demuxer((stream, data) => got.push(`${stream}:${data.toString()}`));
      demuxer.push(Buffer.from('INFO: plain tty output\n'));
      demuxer.push(Buffer.from('more'));
      assert.deepEqual(got, ['stdout:INFO: plain tty output\n', 'stdout:more']);
    });

    it('waits for a frame that is announced but not complete yet', () => {
      const got: string[] = [];
      const demuxer = new Demuxer((_s, data) => got.push(data.toString()));
      const whole = frame(1, 'abcdef');
      demuxer.push(whole.subarray(0, 10));
      assert.deepEqual(got, []);
      assert.equal(demuxer.pending, 10);
      demuxer.push(whole.subarray(10));
      assert.deepEqual(got, ['abcdef']);
    });
  });

  describe('LineSplitter', () => {
    it('keeps partial lines, drops CR of CRLF, decodes UTF-8 split across chunks, flushes the rest', () => {
      const lines: string[] = [];
      const splitter = new LineSplitter((l) => lines.push(l));
      const euro = Buffer.from('price: 5 €\r\n');
      splitter.push(euro.subarray(0, euro.length - 3)); // cuts inside the 3-byte €
      splitter.push(euro.subarray(euro.length - 3));
      splitter.push(Buffer.from('INFO:     Uvicorn running'));
      assert.deepEqual(lines, ['price: 5 €']);
      splitter.push(Buffer.from(' on http://0.0.0.0:8080\n\nlast without newline'));
      assert.deepEqual(lines, ['price: 5 €', 'INFO:     Uvicorn running on http://0.0.0.0:8080', '']);
      splitter.flush();
      assert.deepEqual(lines.slice(3), ['last without newline']);
      splitter.flush();
      assert.equal(lines.length, 4);
    });
  });

  describe('parseProcNetTcp', () => {
    it('returns only LISTEN sockets of /proc/net/tcp and tcp6 with readable addresses', () => {
      assert.deepEqual(parseProcNetTcp(PROC_TCP + PROC_TCP6), [
        { address: '127.0.0.1', port: 8000 },
        { address: '::', port: 8080 },
      ]);
    });

    it('reads 0.0.0.0, ::1, IPv4-mapped and global IPv6 addresses; ignores junk; dedupes', () => {
      const text = [
        'header line',
        '   0: 00000000:1F90 00000000:0000 0A 0 0 0 0 0 1 1',
        '   1: 00000000:1F90 00000000:0000 0A 0 0 0 0 0 2 1', // a second worker on the same socket
        '   2: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0 0',
        '   3: 0000000000000000FFFF00000100007F:1F41 00000000000000000000000000000000:0000 0a 0 0',
        '   4: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 0 0',
        '   5: ZZZZ:1F90 00000000:0000 0A',
        '   6: 0100007F:1F90 00000000:0000 06 0 0', // TIME_WAIT
        '',
      ].join('\n');
      assert.deepEqual(parseProcNetTcp(text), [
        { address: '::1', port: 80 },
        { address: '2001:db8::1', port: 443 },
        { address: '::ffff:127.0.0.1', port: 8001 },
        { address: '0.0.0.0', port: 8080 },
      ]);
      assert.deepEqual(parseProcNetTcp(''), []);
    });

    it('formats IPv6 like RFC 5952 (longest zero run compressed, single zero group kept)', () => {
      const bytes = (groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);
      assert.equal(formatIpv6(bytes([0, 0, 0, 0, 0, 0, 0, 0])), '::');
      assert.equal(formatIpv6(bytes([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])), '2001:db8:0:1::1');
      assert.equal(formatIpv6(bytes([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])), '2001:db8::1:0:0:1');
      assert.equal(formatIpv6(bytes([0xfe80, 1, 2, 3, 4, 5, 6, 7])), 'fe80:1:2:3:4:5:6:7');
    });
  });
});
