import * as assert from 'node:assert/strict';
import { LineBatcher, OutputLine } from '../../src/logs/lineBatcher';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('line batcher', () => {
  it('writes lines in timed batches of bounded size, in order, yielding between batches', async () => {
    const batches: OutputLine[][] = [];
    const batcher = new LineBatcher((lines) => batches.push(lines), { intervalMs: 20, maxLinesPerFlush: 400 });
    for (let i = 0; i < 1000; i++) batcher.push({ level: 'info', text: `line ${i}` });
    assert.equal(batches.length, 0, 'nothing is written synchronously');
    const deadline = Date.now() + 2000;
    while (batcher.written < 1000 && Date.now() < deadline) await tick(5);
    assert.deepEqual(batches.map((b) => b.length), [400, 400, 200]);
    assert.deepEqual(batches.flat().map((l) => l.text), Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    assert.equal(batcher.written, 1000);
    assert.equal(batcher.pending, 0);
  });

  it('flushes everything at once on demand and writes nothing after dispose', async () => {
    const written: string[] = [];
    const batcher = new LineBatcher((lines) => written.push(...lines.map((l) => l.text)), { intervalMs: 1000, maxLinesPerFlush: 2 });
    ['a', 'b', 'c'].forEach((text) => batcher.push({ level: 'warn', text }));
    batcher.flushAll();
    assert.deepEqual(written, ['a', 'b', 'c']);
    batcher.dispose();
    batcher.push({ level: 'info', text: 'late' });
    await tick(30);
    assert.deepEqual(written, ['a', 'b', 'c']);
  });
});
