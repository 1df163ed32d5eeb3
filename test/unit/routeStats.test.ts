// Per-route numbers from one request-log listing (src/core/routeStats.ts): counts, rate, p95, 5xx, last
// error, a capped listing's lower bounds, the lens text, and the filter that lists the request logs.
import * as assert from 'node:assert/strict';
import { compileFilter } from '../../emulator/logFilter';
import { CloudLogEntry } from '../../src/core/logEntries';
import { RouteMatcher } from '../../src/core/routeMatch';
import {
  NO_TRAFFIC, RequestSample, formatAgo, formatMs, formatRate, lensText, percentile, requestLogFilter, routeStats, toSample,
} from '../../src/core/routeStats';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const matcher = new RouteMatcher([
  { id: 'GET /items/{item_id}', path: '/items/{item_id}', methods: ['GET'] },
  { id: 'GET /health', path: '/health', methods: ['GET'] },
]);
const sample = (minutesAgo: number, url: string, status = 200, latencyMs = 10, method = 'GET'): RequestSample =>
  ({ timeMs: NOW - minutesAgo * 60_000, method, url, status, latencyMs });

describe('route stats', () => {
  it('counts requests, 5xx and the last error per route over the hour; p95 by nearest rank', () => {
    const samples = [
      ...Array.from({ length: 19 }, (_, i) => sample(50 - i, `/items/${i}`, 200, 10 + i)),
      sample(5, '/items/x', 500, 900), sample(3, '/items/y', 503, 100), sample(2, '/items/z', 404, 5),
      sample(1, '/health'), sample(0.5, '/nowhere', 500),
      sample(61, '/items/old', 500), // before the window
    ];
    const stats = routeStats(matcher, { samples, fromMs: NOW - HOUR, toMs: NOW, capped: false });
    const items = stats.get('GET /items/{item_id}')!;
    assert.equal(items.requests, 22);
    assert.equal(items.errors, 2, '5xx only: a 404 is not an error here');
    assert.equal(items.lastErrorMs, NOW - 3 * 60_000);
    assert.equal(items.lastRequestMs, NOW - 2 * 60_000);
    assert.equal(items.perMinute, 22 / 60);
    assert.equal(items.p95Ms, 100, 'the 21st of 22 sorted latencies');
    assert.equal(items.atLeast, false);
    assert.equal(stats.get('GET /health')!.requests, 1);
    assert.equal(stats.get('GET /health')!.errors, 0);
    assert.equal(stats.size, 2, 'unmatched paths belong to no route');
  });

  it('a capped listing gives lower bounds and a rate over the part of the hour it covers', () => {
    // The newest 100 entries reach back 10 minutes: 10 a minute, not 100/60.
    const samples = Array.from({ length: 100 }, (_, i) => sample((i + 1) * 0.1, '/health'));
    const stats = routeStats(matcher, { samples, fromMs: NOW - HOUR, toMs: NOW, capped: true }).get('GET /health')!;
    assert.equal(stats.atLeast, true);
    assert.ok(Math.abs(stats.perMinute - 10) < 1e-6, `${stats.perMinute}`);
    assert.match(lensText(stats, NOW), /^10 req\/min \(≥100 in 1 h\)/);
  });

  it('writes the lens line', () => {
    assert.equal(lensText(undefined, NOW), NO_TRAFFIC);
    assert.equal(lensText({ requests: 720, errors: 3, perMinute: 12, p95Ms: 84.2, lastErrorMs: NOW - 4 * 60_000, atLeast: false }, NOW),
      '12 req/min (720 in 1 h) · p95 84 ms · 3 errors/h · last error 4 min ago');
    assert.equal(lensText({ requests: 5, errors: 0, perMinute: 5 / 60, p95Ms: 1234, atLeast: false }, NOW),
      '0.08 req/min (5 in 1 h) · p95 1.23 s · no errors');
    assert.equal(lensText({ requests: 1, errors: 1, perMinute: 1 / 60, lastErrorMs: NOW - 2000, atLeast: false }, NOW),
      '0.02 req/min (1 in 1 h) · 1 error/h · last error just now');
  });

  it('formats rates, durations and ages', () => {
    assert.deepEqual([formatRate(123.4), formatRate(2.25), formatRate(0.004)], ['123', '2.3', '<0.01']);
    assert.deepEqual([formatMs(3.21), formatMs(84.6), formatMs(12_345)], ['3.2 ms', '85 ms', '12.3 s']);
    assert.deepEqual([formatAgo(NOW - 40_000, NOW), formatAgo(NOW - 4 * 60_000, NOW), formatAgo(NOW - 3 * HOUR, NOW)],
      ['40 s ago', '4 min ago', '3 h ago']);
    assert.equal(percentile([], 0.95), undefined);
    assert.equal(percentile([5], 0.95), 5);
  });

  it('turns request log entries into samples and skips the others', () => {
    const base: CloudLogEntry = { insertId: 'a', timestamp: '2026-12-01T11:59:00.000000000Z', severity: 'ERROR', logName: 'x', stream: 'requests', text: '' };
    assert.deepEqual(toSample({ ...base, request: { method: 'GET', status: 500, latencyMs: 12, path: '/items/1?x=2' } }),
      { timeMs: NOW - 60_000, method: 'GET', url: '/items/1?x=2', status: 500, latencyMs: 12 });
    assert.equal(toSample(base), undefined);
  });

  it('lists only the service\'s request logs since the window start (the emulator\'s filter engine)', () => {
    const filter = compileFilter(requestLogFilter({ project: 'p', region: 'us-central1', service: 'svc' }, NOW - HOUR));
    const entry = (logName: string, service: string, iso: string) => ({
      logName, timestamp: { seconds: String(Date.parse(iso) / 1000), nanos: 0 },
      resource: { type: 'cloud_run_revision', labels: { service_name: service, location: 'us-central1' } },
    });
    assert.equal(filter(entry('projects/p/logs/run.googleapis.com%2Frequests', 'svc', '2026-12-01T11:30:00Z')), true);
    assert.equal(filter(entry('projects/p/logs/run.googleapis.com%2Fstdout', 'svc', '2026-12-01T11:30:00Z')), false);
    assert.equal(filter(entry('projects/p/logs/run.googleapis.com%2Frequests', 'other', '2026-12-01T11:30:00Z')), false);
    assert.equal(filter(entry('projects/p/logs/run.googleapis.com%2Frequests', 'svc', '2026-12-01T10:30:00Z')), false);
  });
});
