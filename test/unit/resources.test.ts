import * as assert from 'node:assert/strict';
import { parseCpu, parseMemory } from '../../src/core/resources';

describe('resource settings', () => {
  it('parses Cloud Run memory within limits', () => {
    assert.equal(parseMemory('2Gi'), 2 * 2 ** 30);
    assert.equal(parseMemory('512Mi'), 512 * 2 ** 20);
    assert.throws(() => parseMemory('64Mi'), /outside Cloud Run's range/);
    assert.throws(() => parseMemory('2GB'), /not like 512Mi/);
  });
  it('parses Cloud Run CPU within limits', () => {
    assert.equal(parseCpu('2'), 2e9);
    assert.equal(parseCpu(0.5), 5e8);
    assert.throws(() => parseCpu('1.5'), /whole number/);
    assert.throws(() => parseCpu('16'), /whole number up to 8/);
  });
});
