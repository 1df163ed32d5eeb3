// BuildWatcher over fakes of Mentor's own interfaces (CloudBuildApi, BuildEventsApi): the build of HEAD,
// the end-of-build notice only for builds of the current branch that end while Mentor watches, Pub/Sub
// events applied in any order, and the fallback to polling with the reason logged.
import * as assert from 'node:assert/strict';
import { BuildSummary, RawBuild, toBuildSummary } from '../../src/core/builds';
import { BuildEventsApi, BuildEventsUnavailable, ReceivedBuildEvent } from '../../src/gcp/buildEvents';
import type { BuildsPage, CloudBuildApi } from '../../src/gcp/cloudBuildApi';
import { BuildWatcher } from '../../src/builds/buildWatcher';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);

function build(id: string, status: string, commit: string, extra: Partial<RawBuild> = {}): BuildSummary {
  return toBuildSummary({
    id, projectId: 'p', status, tags: ['mentor', 'api'], createTime: new Date(Date.now() - 1000 * Number(id.replace(/\D/g, '') || 0)).toISOString(),
    substitutions: { COMMIT_SHA: commit, BRANCH_NAME: 'main', _SERVICE: 'api' },
    steps: [{ id: 'build', status: status === 'WORKING' ? 'WORKING' : 'SUCCESS' }], ...extra,
  });
}

class FakeBuilds implements CloudBuildApi {
  readonly target = { project: 'p', region: 'us-central1', apiEndpoint: '' };
  readonly endpoint = undefined;
  builds: BuildSummary[] = [];
  filters: string[] = [];
  async listBuilds(filter: string): Promise<BuildsPage> { this.filters.push(filter); return { builds: [...this.builds] }; }
  async getBuild(id: string): Promise<BuildSummary> {
    const found = this.builds.find((b) => b.id === id);
    if (!found) throw new Error(`no build ${id}`);
    return found;
  }
  async close(): Promise<void> { /* nothing */ }
}

class FakeEvents implements BuildEventsApi {
  readonly subscription = 'projects/p/subscriptions/mentor-builds-x';
  readonly topic = 'projects/p/topics/cloud-builds';
  readonly where = 'a fake';
  acked: string[] = [];
  private queue: ReceivedBuildEvent[][] = [];
  private wake: (() => void) | undefined;
  closed = false;
  async open(): Promise<void> { /* exists */ }
  push(batch: ReceivedBuildEvent[]): void { this.queue.push(batch); this.wake?.(); }
  async pull(signal: AbortSignal): Promise<ReceivedBuildEvent[]> {
    while (!this.queue.length && !signal.aborted) await new Promise<void>((r) => { this.wake = r; signal.addEventListener('abort', () => r(), { once: true }); });
    return this.queue.shift() ?? [];
  }
  async ack(ids: string[]): Promise<void> { this.acked.push(...ids); }
  async close(): Promise<void> { this.closed = true; }
}

function watcher(api: FakeBuilds, events: () => Promise<BuildEventsApi>) {
  const logs: string[] = [];
  const w = new BuildWatcher({ builds: async () => api, events, head: async () => ({ commit: HEAD, branch: 'main' }),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`WARN ${m}`) } });
  const heads: (string | undefined)[] = [];
  const finished: BuildSummary[] = [];
  const changed: string[] = [];
  w.onDidChangeHeadBuild((b) => heads.push(b && `${b.id}:${b.status}`));
  w.onDidFinishBuild((b) => finished.push(b));
  w.onDidChangeBuilds((s) => changed.push(...s));
  return { w, logs, heads, finished, changed };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('build watcher', () => {
  it('falls back to polling when Pub/Sub is unavailable and says why; shows the build of HEAD', async () => {
    const api = new FakeBuilds();
    api.builds = [build('b1', 'WORKING', HEAD), build('b2', 'SUCCESS', OLD)];
    const { w, logs, heads } = watcher(api, async () => { throw new BuildEventsUnavailable('projects/p/topics/cloud-builds does not exist', 'noTopic'); });
    await w.start();
    await tick();
    assert.equal(w.mode, 'polling');
    assert.ok(logs.some((l) => /polling Cloud Build .*paused while the window is not focused.*cloud-builds does not exist/.test(l)), logs.join('\n'));
    assert.deepEqual(api.filters, ['tags="mentor"']);
    assert.deepEqual(heads, ['b1:WORKING']);
    w.stop();
  });

  it('notifies once when a build of the branch it saw running ends; not for builds that ended before it started', async () => {
    const api = new FakeBuilds();
    api.builds = [build('b1', 'WORKING', HEAD), build('b2', 'FAILURE', OLD, { finishTime: '2020-01-01T00:00:00Z' })];
    const { w, finished, heads, changed } = watcher(api, async () => { throw new BuildEventsUnavailable('none', 'noPubSub'); });
    await w.pollOnce();
    assert.equal(finished.length, 0, "an old failure is history, not news");
    api.builds = [build('b1', 'SUCCESS', HEAD), api.builds[1]];
    await w.pollOnce();
    await w.pollOnce();
    assert.deepEqual(finished.map((b) => b.id), ['b1'], 'exactly one notice');
    assert.deepEqual(heads, ['b1:WORKING', 'b1:SUCCESS']);
    assert.ok(changed.includes('api'));
  });

  it('does not notify for builds of other branches', async () => {
    const api = new FakeBuilds();
    const other = (status: string) => build('b3', status, OLD, { substitutions: { COMMIT_SHA: OLD, BRANCH_NAME: 'feature', _SERVICE: 'api' } });
    api.builds = [other('WORKING')];
    const { w, finished } = watcher(api, async () => { throw new Error('x'); });
    await w.pollOnce();
    api.builds = [other('SUCCESS')];
    await w.pollOnce();
    assert.deepEqual(finished, []);
  });

  it('Pub/Sub: applies events as they come, acks them, and a late WORKING does not undo SUCCESS', async () => {
    const api = new FakeBuilds();
    const events = new FakeEvents();
    const { w, logs, finished, heads } = watcher(api, async () => events);
    await w.start();
    assert.equal(w.mode, 'pubsub');
    assert.ok(logs.some((l) => l.includes('listening on projects/p/subscriptions/mentor-builds-x')), logs.join('\n'));
    const b = (status: string) => ({ buildId: 'b5', status: status as BuildSummary['status'], build: build('b5', status, HEAD) });
    events.push([{ ackId: 'a1', event: b('QUEUED') }, { ackId: 'a2', event: b('WORKING') }]);
    await tick();
    events.push([{ ackId: 'a3', event: b('SUCCESS') }, { ackId: 'a4', event: b('WORKING') }, { ackId: 'a5', event: undefined }]);
    await tick();
    assert.deepEqual(events.acked, ['a1', 'a2', 'a3', 'a4', 'a5']);
    assert.deepEqual(heads, ['b5:QUEUED', 'b5:WORKING', 'b5:SUCCESS']);
    assert.deepEqual(finished.map((x) => x.id), ['b5']);
    assert.equal(w.headBuild?.status, 'SUCCESS');
    w.stop();
    await tick();
    assert.ok(events.closed, 'the subscription client is closed on stop');
  });

  it('Pub/Sub: an event without a Build is completed with GetBuild; builds not tagged mentor are ignored', async () => {
    const api = new FakeBuilds();
    api.builds = [build('b6', 'WORKING', HEAD), build('b7', 'WORKING', HEAD, { tags: ['other'] })];
    const events = new FakeEvents();
    const { w, heads } = watcher(api, async () => events);
    api.builds = [];
    await w.start();
    api.builds = [build('b6', 'WORKING', HEAD), build('b7', 'WORKING', HEAD, { tags: ['other'] })];
    events.push([{ ackId: 'x', event: { buildId: 'b7', status: 'WORKING' } }]);
    await tick();
    assert.deepEqual(heads, []);
    events.push([{ ackId: 'y', event: { buildId: 'b6', status: 'WORKING' } }]);
    await tick();
    assert.deepEqual(heads, ['b6:WORKING']);
    w.stop();
  });
});

describe('build watcher safety poll', () => {
  it('with Pub/Sub, a running build is re-read after 30 s even when its last message never comes', async () => {
    const api = new FakeBuilds();
    const events = new FakeEvents();
    const timers: { fn: () => void; ms: number }[] = [];
    const clock = { now: () => Date.now(), setTimeout: (fn: () => void, ms: number) => { timers.push({ fn, ms }); return timers.length; }, clearTimeout: () => undefined };
    const w = new BuildWatcher({ builds: async () => api, events: async () => events, head: async () => ({ commit: HEAD, branch: 'main' }),
      log: { info: () => undefined, warn: () => undefined }, clock });
    const finished: string[] = [];
    w.onDidFinishBuild((b) => finished.push(b.id));
    await w.start();
    events.push([{ ackId: 'a', event: { buildId: 'b8', status: 'WORKING', build: build('b8', 'WORKING', HEAD) } }]);
    await tick();
    const safety = timers.find((t) => t.ms === 30_000);
    assert.ok(safety, `timers: ${timers.map((t) => t.ms).join(', ')}`);
    api.builds = [build('b8', 'SUCCESS', HEAD)]; // the SUCCESS message is lost
    safety.fn();
    await tick();
    assert.deepEqual(finished, ['b8']);
    assert.equal(w.headBuild?.status, 'SUCCESS');
    w.stop();
  });
});
