import * as assert from 'node:assert/strict';
import { relativeTime, shortDigest } from '../../src/core/format';

describe('formatting', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  it('formats relative times', () => {
    assert.equal(relativeTime(new Date('2026-11-26T11:59:50Z'), now), 'just now');
    assert.equal(relativeTime(new Date('2026-11-26T11:55:00Z'), now), '5 minutes ago');
    assert.equal(relativeTime(new Date('2026-11-26T09:00:00Z'), now), '3 hours ago');
    assert.equal(relativeTime(new Date('2026-11-25T12:00:00Z'), now), 'yesterday');
    assert.equal(relativeTime(new Date('2026-11-12T12:00:00Z'), now), '2 weeks ago');
  });
  it('shortens digests', () => {
    assert.equal(shortDigest('sha256:0123456789abcdef0123'), 'sha256:0123456789ab');
    assert.equal(shortDigest('0123456789abcdef0123'), 'sha256:0123456789ab');
  });
});
