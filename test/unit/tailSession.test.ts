import * as assert from 'node:assert/strict';
import { CloudLogEntry, Severity, canonicalTimestamp, severityNumber } from '../../src/core/logEntries';
import type { CloudLoggingApi, ListEntriesRequest, Suppression, TailRequest } from '../../src/gcp/cloudLogging';
import { TailSession, TailStatus } from '../../src/logs/tailSession';

interface OpenTail {
  request: TailRequest;
  onEntries: (entries: CloudLogEntry[]) => void;
  onSuppression: (s: Suppression) => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A Logging API over an in-memory store that understands the filters TailSession builds. */
class FakeLogging implements CloudLoggingApi {
  readonly target = { project: 'p', region: 'us-central1', apiEndpoint: '' };
  readonly endpoint = undefined;
  readonly store: CloudLogEntry[] = [];
  readonly lists: ListEntriesRequest[] = [];
  tails: OpenTail[] = [];
  tailRequests: TailRequest[] = [];
  openDelayMs = 0;
  private seq = 0;

  matches(filter: string, e: CloudLogEntry): boolean {
    const severity = /severity>=(\w+)/.exec(filter)?.[1] as Severity | undefined;
    const since = /timestamp>="([^"]+)"/.exec(filter)?.[1];
    return (!severity || severityNumber(e.severity) >= severityNumber(severity)) && (!since || e.timestamp >= since);
  }

  async listEntries(req: ListEntriesRequest): Promise<CloudLogEntry[]> {
    this.lists.push(req);
    const hits = this.store.filter((e) => this.matches(req.filter, e)).sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    if (req.orderBy === 'timestamp desc') hits.reverse();
    return hits.slice(0, req.maxEntries ?? req.pageSize).map((e) => ({ ...e }));
  }

  tail(request: TailRequest, onEntries: OpenTail['onEntries'], onSuppression: OpenTail['onSuppression'], signal: AbortSignal): Promise<void> {
    this.tailRequests.push(request);
    return new Promise((resolve, reject) => {
      const open: OpenTail = { request, onEntries, onSuppression, resolve, reject };
      // Like a server that takes a moment to open the session: entries written meanwhile are not streamed.
      if (this.openDelayMs) setTimeout(() => this.tails.push(open), this.openDelayMs);
      else this.tails.push(open);
      signal.addEventListener('abort', () => this.detach(open, resolve));
    });
  }

  /** Writes entries: stored, and streamed to the open tails whose filter matches. */
  write(severity: Severity, ...texts: string[]): CloudLogEntry[] {
    const written = texts.map((text) => {
      const ms = 1_800_000_000_000 + ++this.seq;
      const e: CloudLogEntry = { insertId: `e${this.seq}`, timestamp: canonicalTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1e6),
        severity, logName: 'projects/p/logs/run.googleapis.com%2Fstdout', stream: 'stdout', service: 'api', text };
      this.store.push(e);
      return e;
    });
    for (const t of this.tails) {
      const matching = written.filter((e) => this.matches(t.request.filter, e));
      if (matching.length) t.onEntries(matching.map((e) => ({ ...e })));
    }
    return written;
  }

  failTails(error: unknown): void {
    for (const t of this.tails.splice(0)) t.reject(error);
  }

  endTails(): void {
    for (const t of this.tails.splice(0)) t.resolve();
  }

  private detach(open: OpenTail, resolve: () => void): void {
    this.tails = this.tails.filter((t) => t !== open);
    resolve();
  }

  async close(): Promise<void> {}
}

interface Recorder {
  texts: string[];
  notices: string[];
  states: TailStatus['state'][];
}

async function until(what: string, condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function session(api: FakeLogging, backfill = 3): { s: TailSession; r: Recorder } {
  const r: Recorder = { texts: [], notices: [], states: [] };
  const s = new TailSession({ project: 'p', region: 'us-central1', service: 'api' }, async () => api, {
    entries: (entries) => r.texts.push(...entries.map((e) => e.text)),
    notice: (level, text) => r.notices.push(`${level}: ${text}`),
    status: (status) => { if (r.states[r.states.length - 1] !== status.state) r.states.push(status.state); },
  }, { backfill, settleMs: 30, backoff: { initialMs: 10, maxMs: 40, stableMs: 10_000, jitter: 0 } });
  return { s, r };
}

describe('tail session', () => {
  it('backfills the last N entries oldest first, then streams new ones', async () => {
    const api = new FakeLogging();
    api.write('INFO', 'old1', 'old2', 'old3', 'old4', 'old5');
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    assert.deepEqual(r.texts, ['old3', 'old4', 'old5']);
    assert.equal(api.lists[0].orderBy, 'timestamp desc');
    assert.match(api.tailRequests[0].filter, /service_name="api"/);
    api.write('ERROR', 'new1');
    assert.deepEqual(r.texts.slice(3), ['new1']);
    assert.equal(s.status.errorEntries, 1);
    await s.stop();
    assert.deepEqual(r.states, ['connecting', 'live', 'stopped']);
    assert.equal(api.tails.length, 0, 'the stream was cancelled');
  });

  it('reconnects after a failed stream and shows what was written in the gap exactly once', async () => {
    const api = new FakeLogging();
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    api.write('INFO', 'a', 'b');
    api.failTails(Object.assign(new Error('14 UNAVAILABLE: session closed'), { code: 14 }));
    api.write('INFO', 'gap1', 'gap2'); // nobody is listening: only the catch-up can find these
    await until('reconnected', () => s.status.state === 'live' && s.status.reconnects === 1);
    api.write('INFO', 'after');
    await new Promise((r2) => setTimeout(r2, 60)); // the settle catch-up re-reads everything since 'b'
    assert.deepEqual(r.texts, ['a', 'b', 'gap1', 'gap2', 'after']);
    assert.equal(s.status.streamFailures, 1);
    assert.ok(r.notices.some((n) => /^warn: Tail stream failed: session closed\. Reconnecting in 0\.0 s \(attempt 1\)/.test(n)), r.notices.join('\n'));
    assert.match(api.lists[1].filter, /timestamp>="[^"]+"/, 'the catch-up resumes at the last timestamp shown');
    assert.ok(r.states.includes('reconnecting'));
    await s.stop();
  });

  it('reads once more after connecting, for entries written before the server had the tail open', async () => {
    const api = new FakeLogging();
    api.openDelayMs = 100;
    api.write('INFO', 'backfilled');
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    api.write('INFO', 'race'); // after the backfill's read, before the tail is open: only the settle read finds it
    await until('the tail to open', () => api.tails.length === 1);
    api.write('INFO', 'streamed');
    await until('the settle read', () => r.texts.includes('race'));
    await new Promise((r2) => setTimeout(r2, 40));
    assert.deepEqual([...r.texts].sort(), ['backfilled', 'race', 'streamed'], 'each once');
    assert.match(api.lists[1].filter, /timestamp>="[^"]+"/);
    assert.equal(api.lists[1].maxEntries, 1000, 'one page, not a full catch-up');
    assert.equal(r.notices.length, 0);
    await s.stop();
  });

  it('reconnects at once when Google simply ends the session', async () => {
    const api = new FakeLogging();
    const { s, r } = session(api, 0);
    s.start();
    await until('live', () => s.status.state === 'live');
    api.endTails();
    await until('second stream', () => api.tailRequests.length === 2 && s.status.state === 'live');
    assert.equal(s.status.streamFailures, 0);
    assert.ok(r.notices.includes('info: Cloud Logging ended the tail session; reconnecting.'));
    await s.stop();
  });

  it('stops with the reason on an error a retry cannot fix', async () => {
    const api = new FakeLogging();
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    api.failTails(Object.assign(new Error('7 PERMISSION_DENIED: logging.logEntries.list denied'), { code: 7 }));
    await until('stopped', () => s.status.state === 'stopped');
    assert.equal(s.status.lastError, 'logging.logEntries.list denied');
    assert.equal(api.tailRequests.length, 1, 'no reconnect');
    assert.ok(r.notices.includes('error: Tail stopped: logging.logEntries.list denied'));
    assert.equal(s.running, false);
  });

  it('changes filters while running: restarts from the last entry without a new backfill', async () => {
    const api = new FakeLogging();
    api.write('INFO', 'before');
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    s.setFilter({ minSeverity: 'ERROR' });
    await until('restarted', () => api.tailRequests.length === 2 && s.status.state === 'live');
    assert.match(api.tailRequests[1].filter, /severity>=ERROR/);
    api.write('INFO', 'hidden');
    api.write('ERROR', 'shown');
    assert.deepEqual(r.texts, ['before', 'shown']);
    assert.equal(api.lists.filter((l) => l.orderBy === 'timestamp desc').length, 1, 'backfilled once');
    assert.deepEqual(s.filter, { minSeverity: 'ERROR' });
    assert.ok(r.notices.includes('info: Filter: severity ≥ ERROR'));
    await s.stop();
  });

  it('after Stop, a restart backfills again without repeating what was shown', async () => {
    const api = new FakeLogging();
    api.write('INFO', 'one', 'two');
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    await s.stop();
    assert.equal(s.status.state, 'stopped');
    api.write('INFO', 'while stopped');
    s.start();
    await until('live again', () => s.status.state === 'live' && api.tailRequests.length === 2);
    assert.deepEqual(r.texts, ['one', 'two', 'while stopped']);
    assert.equal(api.lists.filter((l) => l.orderBy === 'timestamp desc').length, 2);
    await s.stop();
  });

  it('says when Cloud Logging left entries out', async () => {
    const api = new FakeLogging();
    const { s, r } = session(api);
    s.start();
    await until('live', () => s.status.state === 'live');
    api.tails[0].onSuppression({ reason: 'RATE_LIMIT', count: 120 });
    assert.ok(r.notices.includes('warn: Cloud Logging left out 120 entries (more than Cloud Logging streams per minute).'));
    await s.stop();
  });
});
