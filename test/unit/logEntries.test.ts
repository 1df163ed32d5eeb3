import * as assert from 'node:assert/strict';
import {
  Backoff, CloudLogEntry, Deduper, buildFilter, canonicalTimestamp, describeFilter, formatEntry, formatLatency,
  isRetryableStreamError, quote, severityLevel, streamOf, toCanonicalTimestamp, toSeverity,
} from '../../src/core/logEntries';

const target = { project: 'mentor-demo', region: 'us-central1', service: 'api' };

function entry(fields: Partial<CloudLogEntry>): CloudLogEntry {
  return {
    insertId: 'id1', timestamp: '2026-11-26T05:01:02.123456789Z', severity: 'INFO', logName: 'projects/p/logs/run.googleapis.com%2Fstdout',
    stream: 'stdout', text: '', ...fields,
  };
}

describe('log entries: severities, format, filters', () => {
  it('reads severities as names or numbers and maps them to output levels', () => {
    assert.equal(toSeverity('error'), 'ERROR');
    assert.equal(toSeverity(400), 'WARNING');
    assert.equal(toSeverity('500'), 'ERROR');
    assert.equal(toSeverity(450), 'WARNING', 'between two severities rounds down');
    assert.equal(toSeverity('LOUD'), 'DEFAULT');
    assert.equal(toSeverity(undefined), 'DEFAULT');
    assert.deepEqual(['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'EMERGENCY'].map((s) => severityLevel(toSeverity(s))),
      ['info', 'debug', 'info', 'info', 'warn', 'error', 'error', 'error']);
  });

  it('keeps timestamps at nanosecond precision in a form that sorts as text', () => {
    assert.equal(canonicalTimestamp('1795669262', 123_000_000), '2026-11-26T05:01:02.123000000Z');
    assert.equal(toCanonicalTimestamp('2026-11-26T06:01:02.5+01:00'), '2026-11-26T05:01:02.500000000Z');
    assert.equal(toCanonicalTimestamp('2026-11-26T05:01:02Z'), '2026-11-26T05:01:02.000000000Z');
    assert.equal(toCanonicalTimestamp('yesterday'), undefined);
    const a = canonicalTimestamp(1795669262, 999_999_999);
    const b = canonicalTimestamp(1795669263, 0);
    assert.ok(a < b);
  });

  it('formats request logs as method, status, latency and path, other entries as their message', () => {
    assert.equal(formatEntry(entry({ revision: 'rev-00002-abc', stream: 'requests',
      request: { method: 'GET', status: 200, latencyMs: 12.4, path: '/api/x' } })),
    '2026-11-26T05:01:02.123Z [rev-00002-abc] GET 200 12ms /api/x');
    assert.equal(formatEntry(entry({ text: 'hello\n' })), '2026-11-26T05:01:02.123Z hello');
    assert.equal(formatEntry(entry({ revision: 'r', request: { method: 'POST', status: 0, path: '/' } })),
      '2026-11-26T05:01:02.123Z [r] POST - /');
    assert.deepEqual([0.42, 3, 950, 1905].map(formatLatency), ['0.4ms', '3ms', '950ms', '1.91s']);
  });

  it('knows the Cloud Run logs by name', () => {
    assert.equal(streamOf('projects/p/logs/run.googleapis.com%2Frequests'), 'requests');
    assert.equal(streamOf('projects/p/logs/run.googleapis.com%2Fstderr'), 'stderr');
    assert.equal(streamOf('projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem'), 'system');
    assert.equal(streamOf('projects/p/logs/my-app'), 'other');
  });

  it('builds the Cloud Logging filter for a tail, its options and a resume point', () => {
    assert.equal(buildFilter(target),
      'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND resource.labels.location="us-central1"');
    const full = buildFilter(target, { minSeverity: 'WARNING', text: 'say "hi"', revision: 'api-00002-abc' }, '2026-11-26T05:01:02.123456789Z');
    assert.equal(full, 'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND ' +
      'resource.labels.location="us-central1" AND resource.labels.revision_name="api-00002-abc" AND severity>=WARNING AND ' +
      '(textPayload:"say \\"hi\\"" OR jsonPayload.message:"say \\"hi\\"" OR httpRequest.requestUrl:"say \\"hi\\"") AND ' +
      'timestamp>="2026-11-26T05:01:02.123456789Z"');
    assert.equal(buildFilter(target, { minSeverity: 'DEFAULT', text: '  ' }), buildFilter(target));
    assert.equal(quote('a\\b'), '"a\\\\b"');
    assert.equal(describeFilter({ minSeverity: 'ERROR', text: 'boom' }), 'severity ≥ ERROR, text "boom"');
    assert.equal(describeFilter({}), 'all entries');
  });
});

describe('log entries: de-duplication and backoff', () => {
  it('drops an entry seen before (same insertId and timestamp) and keeps distinct ones', () => {
    const d = new Deduper();
    assert.equal(d.add({ insertId: 'a', timestamp: '2026-01-01T00:00:00.000000000Z' }), true);
    assert.equal(d.add({ insertId: 'a', timestamp: '2026-01-01T00:00:00.000000000Z' }), false);
    assert.equal(d.add({ insertId: 'a', timestamp: '2026-01-01T00:00:00.000000001Z' }), true, 'same insertId, other time');
    assert.equal(d.add({ insertId: 'b', timestamp: '2026-01-01T00:00:00.000000000Z' }), true);
  });

  it('stays bounded: forgets entries outside its time window and beyond its size', () => {
    const d = new Deduper(60_000, 1000);
    for (let i = 0; i < 5000; i++) d.add({ insertId: `e${i}`, timestamp: canonicalTimestamp(1_800_000_000, i) });
    assert.equal(d.size, 1000);
    d.add({ insertId: 'late', timestamp: canonicalTimestamp(1_800_000_000 + 120, 0) });
    assert.equal(d.size, 1, 'everything older than the window before the newest is forgotten');
    assert.equal(d.add({ insertId: 'late', timestamp: canonicalTimestamp(1_800_000_000 + 120, 0) }), false);
  });

  it('backs off exponentially with jitter, resets after a stable stream, and reconnects at once after a clean end', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 8000, stableMs: 30_000, jitter: 0.2 }, () => 0.5);
    assert.deepEqual([b.failed(10), b.failed(10), b.failed(10), b.failed(10), b.failed(10)], [1000, 2000, 4000, 8000, 8000]);
    assert.equal(b.consecutiveFailures, 5);
    assert.equal(b.failed(60_000), 1000, 'a stream that stayed up long enough starts over');
    assert.equal(b.ended(), 0);
    assert.equal(b.consecutiveFailures, 0);
    const jittered = new Backoff({ initialMs: 1000, maxMs: 8000, stableMs: 30_000, jitter: 0.2 }, () => 1);
    assert.equal(jittered.failed(0), 1200);
  });

  it('retries transient stream errors but not ones a retry cannot fix', () => {
    assert.equal(isRetryableStreamError({ code: 14 }), true);
    assert.equal(isRetryableStreamError({ code: 4 }), true);
    assert.equal(isRetryableStreamError({ code: 8 }), true, 'RESOURCE_EXHAUSTED: too many sessions, wait and retry');
    assert.equal(isRetryableStreamError(new Error('socket hang up')), true);
    assert.equal(isRetryableStreamError({ code: 7 }), false);
    assert.equal(isRetryableStreamError({ code: 3 }), false);
    assert.equal(isRetryableStreamError({ code: 16 }), false);
  });
});
