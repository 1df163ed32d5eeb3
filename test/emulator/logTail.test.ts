// The Logging filter subset the extension sends, live tails ended by the server (DropTails), and the
// extension's own CloudLoggingApi and TailSession against the emulator through the real client.
import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import type { protos } from '@google-cloud/logging';
import { buildFilter, CloudLogEntry, TailFilter } from '../../src/core/logEntries';
import { GoogleCloudLogging } from '../../src/gcp/cloudLoggingClient';
import { TailSession } from '../../src/logs/tailSession';
import { compileFilter, parseRfc3339Nanos } from '../../emulator/logFilter';
import { PROJECT, startHarness, type Harness } from './fixture';

type LogEntry = protos.google.logging.v2.ILogEntry;
const STDOUT = `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`;
const REQUESTS = `projects/${PROJECT}/logs/run.googleapis.com%2Frequests`;
const target = { project: PROJECT, region: 'us-central1', service: 'api' };

function entry(text: string, fields: Partial<LogEntry> & { revision?: string; service?: string; location?: string } = {}): LogEntry {
  const { revision = 'api-00001-aaa', service = 'api', location = 'us-central1', ...rest } = fields;
  return {
    logName: STDOUT,
    resource: { type: 'cloud_run_revision', labels: { service_name: service, revision_name: revision, location } },
    severity: 'INFO', textPayload: text, ...rest,
  };
}

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('emulator: the Logging filter subset the extension uses', () => {
  it('compares timestamps at nanosecond precision and accepts offsets and dates', () => {
    assert.equal(parseRfc3339Nanos('2030-01-01T00:00:00.000000001Z'), 1_893_456_000_000_000_001n);
    assert.equal(parseRfc3339Nanos('2030-01-01T01:00:00+01:00'), 1_893_456_000_000_000_000n);
    assert.equal(parseRfc3339Nanos('2030-01-01'), 1_893_456_000_000_000_000n);
    assert.equal(parseRfc3339Nanos('soon'), undefined);
    const at = (nanos: number) => ({ timestamp: { seconds: '1893456000', nanos } });
    const since = compileFilter('timestamp>="2030-01-01T00:00:00.000001500Z"');
    assert.deepEqual([1000, 1500, 1501, 2000].map((n) => since(at(n))), [false, true, true, true]);
    assert.equal(compileFilter('timestamp<"2030-01-01T00:00:00.0000015Z"')(at(1499)), true);
  });

  it('finds a service by name in a global search (resource labels are fields too)', () => {
    const e = { textPayload: 'x', resource: { type: 'cloud_run_revision', labels: { service_name: 'payments-api' } } };
    assert.equal(compileFilter('"payments"')(e), true);
    assert.equal(compileFilter('"billing"')(e), false);
  });
});

describe('emulator: tails and the extension\'s Logging client', () => {
  let h: Harness;
  let api: GoogleCloudLogging;
  before(async () => {
    h = await startHarness();
    api = await GoogleCloudLogging.connect({ project: PROJECT, region: 'us-central1', apiEndpoint: h.emulator.address });
  });
  after(async () => {
    await api.close();
    await h.close();
  });

  const write = (entries: LogEntry[]) => h.logging.loggingService.writeLogEntries({ entries });

  it('selects by service, location, revision, severity, text and resume time, like Google', async () => {
    const base = Date.parse('2031-01-01T00:00:00Z') / 1000;
    await write([
      entry('one', { timestamp: { seconds: base + 1, nanos: 500 } }),
      entry('two WARN', { severity: 'WARNING', revision: 'api-00002-bbb', timestamp: { seconds: base + 2 } }),
      entry('three', { severity: 'ERROR', timestamp: { seconds: base + 3 }, textPayload: undefined,
        jsonPayload: { fields: { message: { stringValue: 'Payment Declined' } } } }),
      entry('other service', { service: 'api-v2', severity: 'ERROR', timestamp: { seconds: base + 4 } }),
      entry('other region', { location: 'europe-west1', severity: 'ERROR', timestamp: { seconds: base + 5 } }),
      { ...entry('', { timestamp: { seconds: base + 6 } }), logName: REQUESTS, textPayload: undefined,
        httpRequest: { requestMethod: 'GET', requestUrl: 'https://api.run.app/api/checkout?x=1', status: 502, latency: { nanos: 3_000_000 } } },
    ]);
    const texts = async (filter: TailFilter, since?: string) =>
      (await api.listEntries({ filter: buildFilter(target, filter, since), orderBy: 'timestamp asc', pageSize: 100 }))
        .filter((e) => e.timestamp >= '2031').map((e) => e.request ? `${e.request.method} ${e.request.status} ${e.request.path}` : e.text);
    assert.deepEqual(await texts({}), ['one', 'two WARN', 'Payment Declined', 'GET 502 /api/checkout?x=1']);
    assert.deepEqual(await texts({ minSeverity: 'WARNING' }), ['two WARN', 'Payment Declined']);
    assert.deepEqual(await texts({ revision: 'api-00002-bbb' }), ['two WARN']);
    assert.deepEqual(await texts({ text: 'payment declined' }), ['Payment Declined'], 'message of a JSON payload, any case');
    assert.deepEqual(await texts({ text: '/api/checkout' }), ['GET 502 /api/checkout?x=1'], 'request URL');
    assert.deepEqual(await texts({}, '2031-01-01T00:00:01.000000500Z'), ['one', 'two WARN', 'Payment Declined', 'GET 502 /api/checkout?x=1']);
    assert.deepEqual(await texts({}, '2031-01-01T00:00:01.000000501Z'), ['two WARN', 'Payment Declined', 'GET 502 /api/checkout?x=1']);
  });

  it('keeps write order for entries with the same timestamp (a traceback printed within one millisecond)', async () => {
    const ts = { seconds: 1_960_000_000, nanos: 0 };
    const lines = ['Traceback (most recent call last):', '  File "/app/main.py", line 3, in f', '    x()', 'ValueError: boom'];
    const controller = new AbortController();
    const tailed: string[] = [];
    const tail = api.tail({ filter: buildFilter({ ...target, service: 'same-ms' }), bufferWindowMs: 100 },
      (entries) => tailed.push(...entries.map((e) => e.text)), () => undefined, controller.signal);
    await until('the tail to open', () => h.emulator.logging.openTails === 1);
    for (let round = 0; round < 5; round++) await write(lines.map((line) => entry(line, { service: 'same-ms', timestamp: ts })));
    const listed = await api.listEntries({ filter: buildFilter({ ...target, service: 'same-ms' }), orderBy: 'timestamp asc', pageSize: 100 });
    const expected = Array.from({ length: 5 }, () => lines).flat();
    assert.deepEqual(listed.map((e) => e.text), expected);
    await until('the tail batch', () => tailed.length === expected.length);
    assert.deepEqual(tailed, expected);
    controller.abort();
    await tail;
  });

  it('pages list results up to maxEntries, newest first on request', async () => {
    await write(Array.from({ length: 30 }, (_, i) => entry(`page ${i}`, { service: 'paged', timestamp: { seconds: 1_950_000_000 + i } })));
    const newest = await api.listEntries({ filter: buildFilter({ ...target, service: 'paged' }), orderBy: 'timestamp desc', pageSize: 7, maxEntries: 20 });
    assert.equal(newest.length, 20);
    assert.equal(newest[0].text, 'page 29');
    assert.equal(newest[19].text, 'page 10');
  });

  it('DropTails ends every open tail with UNAVAILABLE and says how many', async () => {
    const controller = new AbortController();
    const received: string[] = [];
    const tail = api.tail({ filter: buildFilter({ ...target, service: 'dropped' }), bufferWindowMs: 50 },
      (entries) => received.push(...entries.map((e) => e.text)), () => undefined, controller.signal);
    await until('the tail to open', () => h.emulator.logging.openTails === 1);
    await write([entry('before drop', { service: 'dropped' })]);
    await until('the entry', () => received.length === 1);
    assert.equal(await h.control.dropTails(), 1);
    await assert.rejects(tail, (err: { code?: number; details?: string }) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.match(err.details ?? '', /tail session was closed/);
      return true;
    });
    assert.equal(h.emulator.logging.openTails, 0);
    assert.equal(await h.control.dropTails(), 0);
    assert.deepEqual(received, ['before drop']);
  });

  it('an aborted tail resolves and closes its server session', async () => {
    const controller = new AbortController();
    const tail = api.tail({ filter: buildFilter(target), bufferWindowMs: 0 }, () => undefined, () => undefined, controller.signal);
    await until('the tail to open', () => h.emulator.logging.openTails === 1);
    controller.abort();
    await tail;
    await until('the server to close it', () => h.emulator.logging.openTails === 0);
  });

  it('a TailSession survives dropped streams with nothing lost or doubled', async function () {
    this.timeout(30_000);
    const shown: CloudLogEntry[] = [];
    const session = new TailSession({ ...target, service: 'steady' }, async () => api, {
      entries: (entries) => shown.push(...entries), notice: () => undefined, status: () => undefined,
    }, { backfill: 0, bufferWindowMs: 50, settleMs: 300, backoff: { initialMs: 100, maxMs: 400, stableMs: 60_000, jitter: 0 } });
    session.start();
    await until('live', () => session.status.state === 'live');
    let n = 0;
    const writer = (async () => {
      for (let round = 0; round < 30; round++) {
        await write(Array.from({ length: 10 }, () => entry(`steady ${n++}`, { service: 'steady' })));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for (let drop = 0; drop < 3; drop++) {
      await new Promise((r) => setTimeout(r, 100));
      await until('the stream to be back', () => session.status.state === 'live' && h.emulator.logging.openTails === 1);
      assert.equal(await h.control.dropTails(), 1);
    }
    await writer;
    await until('all 300 entries', () => shown.length >= 300, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // late settle catch-ups must not add duplicates
    await session.stop();
    const texts = shown.map((e) => e.text);
    assert.equal(new Set(texts).size, texts.length, 'no duplicates');
    assert.equal(texts.length, 300);
    assert.equal(session.status.streamFailures, 3);
    assert.ok(n === 300 && session.status.reconnects === 3);
  });
});
