import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import type { protos } from '@google-cloud/logging';
import { PROJECT, rejectsWith, startHarness, type Harness } from '../emulator/fixture';

type LogEntry = protos.google.logging.v2.ILogEntry;
const RESOURCE_NAMES = [`projects/${PROJECT}`];
const STDOUT = `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`;
const base = Date.parse('2030-01-01T00:00:00Z');

function entry(service: string, revision: string, severity: string, minute: number, text: string): LogEntry {
  return {
    logName: STDOUT,
    resource: { type: 'cloud_run_revision', labels: { service_name: service, revision_name: revision, location: 'us-central1' } },
    severity: severity as LogEntry['severity'],
    timestamp: { seconds: Math.floor((base + minute * 60_000) / 1000), nanos: 0 },
    textPayload: text,
  };
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('emulator: Cloud Logging through the real clients', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.logging.loggingService.writeLogEntries({
      entries: [
        entry('api', 'api-00001-aaa', 'INFO', 1, 'started'),
        entry('api', 'api-00001-aaa', 'WARNING', 2, 'slow upstream'),
        entry('api', 'api-00002-bbb', 'ERROR', 3, 'Traceback: KeyError'),
        entry('worker', 'worker-00001-ccc', 'ERROR', 4, 'exit(1)'),
        entry('api', 'api-00002-bbb', 'CRITICAL', 5, 'out of memory'),
        entry('api', 'api-00002-bbb', 'DEBUG', 6, 'tick'),
      ],
    });
  });
  after(async () => { await h.close(); });

  async function texts(filter: string, orderBy = 'timestamp asc', pageSize = 50): Promise<string[]> {
    const [entries] = await h.logging.loggingService.listLogEntries(
      { resourceNames: RESOURCE_NAMES, filter, orderBy, pageSize }, { autoPaginate: false });
    return entries.map((e: LogEntry) => e.textPayload ?? '');
  }

  it('filters by resource labels, severity, timestamp, logName and text', async () => {
    assert.deepEqual(await texts('resource.type="cloud_run_revision" resource.labels.service_name="api" severity>=ERROR'),
      ['Traceback: KeyError', 'out of memory']);
    assert.deepEqual(await texts('resource.labels.revision_name="api-00001-aaa"'), ['started', 'slow upstream']);
    assert.deepEqual(await texts(`timestamp>="2030-01-01T00:05:00Z" AND logName="${STDOUT}"`), ['out of memory', 'tick']);
    assert.deepEqual(await texts('textPayload:"keyerror"'), ['Traceback: KeyError']);
    assert.deepEqual(await texts('severity=ERROR OR severity=CRITICAL resource.labels.service_name="api"'),
      ['Traceback: KeyError', 'out of memory']);
    assert.deepEqual(await texts('NOT resource.labels.service_name="api"'), ['exit(1)']);
  });

  it('orders newest first on request and pages with tokens', async () => {
    assert.deepEqual(await texts('resource.labels.service_name="api"', 'timestamp desc'),
      ['tick', 'out of memory', 'Traceback: KeyError', 'slow upstream', 'started']);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [entries, , raw] = await h.logging.loggingService.listLogEntries(
        { resourceNames: RESOURCE_NAMES, orderBy: 'timestamp desc', pageSize: 4, pageToken }, { autoPaginate: false });
      seen.push(...entries.map((e: LogEntry) => e.textPayload ?? ''));
      pageToken = raw?.nextPageToken || undefined;
      pages++;
    } while (pageToken);
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['tick', 'out of memory', 'exit(1)', 'Traceback: KeyError', 'slow upstream', 'started']);
  });

  it('rejects page_size over 1000, bad filters and bad order_by', async () => {
    await rejectsWith(h.logging.loggingService.listLogEntries({ resourceNames: RESOURCE_NAMES, pageSize: 1001 }, { autoPaginate: false }),
      grpc.status.INVALID_ARGUMENT, /page_size 1001/);
    await rejectsWith(h.logging.loggingService.listLogEntries({ resourceNames: RESOURCE_NAMES, filter: 'severity>=(' }, { autoPaginate: false }),
      grpc.status.INVALID_ARGUMENT, /Unparseable filter/);
    await rejectsWith(h.logging.loggingService.listLogEntries({ resourceNames: RESOURCE_NAMES, orderBy: 'severity' }, { autoPaginate: false }),
      grpc.status.INVALID_ARGUMENT, /order_by/);
  });

  it('writes and reads back through the high-level Logging API', async () => {
    const log = h.logging.log('run.googleapis.com/stderr');
    await log.write(log.entry({
      resource: { type: 'cloud_run_revision', labels: { service_name: 'api', revision_name: 'api-00002-bbb' } },
      severity: 'ERROR',
    }, { message: 'payment failed', order: 42 }));
    const [entries] = await h.logging.getEntries({
      filter: 'jsonPayload.message="payment failed" severity>=ERROR', autoPaginate: false,
    });
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0].data, { message: 'payment failed', order: 42 });
    assert.equal(entries[0].metadata.logName, `projects/${PROJECT}/logs/run.googleapis.com%2Fstderr`);
    const [logs] = await h.logging.loggingService.listLogs({ parent: `projects/${PROJECT}` }, { autoPaginate: false });
    assert.ok(logs.includes(STDOUT), `ListLogs returned ${logs.join(', ')}`);
  });

  it('tails entries written after the tail started (logging.tailEntries)', async () => {
    const stream = h.logging.tailEntries({ filter: 'resource.labels.service_name="tail-me"' });
    const received = new Promise<string[]>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (resp: { entries: { data: unknown }[] }) => resolve(resp.entries.map((e) => String(e.data))));
    });
    await until(() => h.emulator.logging.openTails === 1, 'the tail session to open');
    await h.logging.loggingService.writeLogEntries({
      entries: [entry('other', 'other-00001-aaa', 'INFO', 7, 'not me'), entry('tail-me', 'tail-me-00001-aaa', 'INFO', 8, 'hello tail')],
    });
    assert.deepEqual(await received, ['hello tail']);
    stream.end();
    await until(() => h.emulator.logging.openTails === 0, 'the tail session to close');
  });

  it('tails through the gapic client with a short buffer window, oldest first, and ends cleanly', async () => {
    const stream = h.logging.loggingService.tailLogEntries();
    const batches: string[][] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (resp: protos.google.logging.v2.ITailLogEntriesResponse) =>
        batches.push((resp.entries ?? []).map((e) => e.textPayload ?? '')));
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    stream.write({ resourceNames: RESOURCE_NAMES, filter: 'severity>=WARNING', bufferWindow: { nanos: 100_000_000 } });
    await until(() => h.emulator.logging.openTails === 1, 'the tail session to open');
    await h.logging.loggingService.writeLogEntries({
      entries: [entry('api', 'api-00003-ddd', 'ERROR', 20, 'second'), entry('api', 'api-00003-ddd', 'INFO', 9, 'ignored'),
        entry('api', 'api-00003-ddd', 'WARNING', 10, 'first')],
    });
    await until(() => batches.length > 0, 'a tail batch');
    assert.deepEqual(batches[0], ['first', 'second']);
    stream.end();
    await ended;
    assert.equal(h.emulator.logging.openTails, 0);
  });
});
