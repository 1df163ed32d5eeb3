// Follows Mentor's builds (tag "mentor") for the status bar, the explorer and the end-of-build notice. Two
// modes: Pub/Sub (Mentor's own subscription on cloud-builds: events as they happen) or, when that is not
// possible, polite polling of ListBuilds (BuildPoller). No vscode import: the editor side listens.
import { BuildEvent, BuildSummary, MENTOR_BUILD_TAG, isBuildOfCommit, isFinished, newestFirst } from '../core/builds';
import { BuildPoller, Clock, DEFAULT_SCHEDULE, PollSchedule, systemClock } from '../core/buildPolling';
import type { CloudBuildApi } from '../gcp/cloudBuildApi';
import type { BuildEventsApi } from '../gcp/buildEvents';

export interface GitHead {
  commit?: string;
  branch?: string;
}

export interface BuildWatcherDeps {
  builds: () => Promise<CloudBuildApi>;
  /** Rejects (BuildEventsUnavailable or any error) when events cannot come through Pub/Sub. */
  events: () => Promise<BuildEventsApi>;
  head: () => Promise<GitHead>;
  log: { info(message: string): void; warn(message: string): void };
  clock?: Clock;
  schedule?: PollSchedule;
}

export type WatchMode = 'stopped' | 'starting' | 'pubsub' | 'polling';

type Listener<T> = (value: T) => void;
const RECENT_LIMIT = 50;
/** Pull failures in a row after which the watcher gives up on Pub/Sub and polls. */
const MAX_PULL_FAILURES = 3;
/** With Pub/Sub, a build still running is also re-read this often: a late or lost message must not leave it spinning. */
const SAFETY_POLL_MS = 30_000;

export class BuildWatcher {
  private readonly recent = new Map<string, BuildSummary>();
  private readonly seenRunning = new Set<string>();
  private readonly notified = new Set<string>();
  private readonly headListeners = new Set<Listener<BuildSummary | undefined>>();
  private readonly changeListeners = new Set<Listener<Set<string>>>();
  private readonly finishListeners = new Set<Listener<BuildSummary>>();
  private readonly clock: Clock;
  private readonly poller: BuildPoller;
  private abort: AbortController | undefined;
  private startedAt = 0;
  private gitHead: GitHead = {};
  private headKey = '';
  private safetyTimer: unknown;
  mode: WatchMode = 'stopped';
  headBuild: BuildSummary | undefined;

  constructor(private readonly deps: BuildWatcherDeps) {
    this.clock = deps.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.poller = new BuildPoller(() => this.pollOnce(), this.clock, deps.schedule ?? DEFAULT_SCHEDULE,
      (error) => deps.log.warn(`Build status: polling Cloud Build failed: ${(error as Error)?.message ?? error}`));
  }

  onDidChangeHeadBuild(listener: Listener<BuildSummary | undefined>): () => void { return add(this.headListeners, listener); }
  /** The services (ids) whose builds changed. */
  onDidChangeBuilds(listener: Listener<Set<string>>): () => void { return add(this.changeListeners, listener); }
  /** A build of the current branch (or of HEAD) ended after the watcher started. */
  onDidFinishBuild(listener: Listener<BuildSummary>): () => void { return add(this.finishListeners, listener); }

  get head(): GitHead {
    return this.gitHead;
  }

  get poll(): BuildPoller {
    return this.poller;
  }

  /** The builds seen so far of one service, newest first. */
  buildsOf(service: string): BuildSummary[] {
    return [...this.recent.values()].filter((b) => b.service === service).sort(newestFirst);
  }

  async start(): Promise<void> {
    if (this.mode !== 'stopped') return;
    this.mode = 'starting';
    const abort = (this.abort = new AbortController());
    let events: BuildEventsApi | undefined;
    try {
      events = await this.deps.events();
      await events.open();
    } catch (error) {
      await events?.close();
      if (abort.signal.aborted) return;
      return this.startPolling(`Pub/Sub is not available: ${(error as Error)?.message ?? error}`);
    }
    if (abort.signal.aborted) return void events.close();
    this.mode = 'pubsub';
    this.deps.log.info(`Build status: listening on ${events.subscription} (${events.topic}, ${events.where}).`);
    // What is running already: one listing, then events.
    await this.pollOnce().catch((error: unknown) => this.deps.log.warn(`Build status: listing builds failed: ${(error as Error)?.message ?? error}`));
    void this.pullLoop(events, abort.signal);
  }

  stop(): void {
    if (this.safetyTimer !== undefined) this.clock.clearTimeout(this.safetyTimer);
    this.safetyTimer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.poller.stop();
    this.mode = 'stopped';
  }

  /** Window focus: polling pauses while the window is not focused (Pub/Sub costs nothing while idle). */
  setFocused(focused: boolean): void {
    this.poller.setFocused(focused);
  }

  /** HEAD may have moved, or a build was just started: look again now. */
  refreshSoon(): void {
    if (this.mode === 'polling') this.poller.pokeNow();
    else if (this.mode === 'pubsub') void this.pollOnce().catch(() => undefined);
  }

  /** One ListBuilds of Mentor's builds; true when one of them is still queued or running. */
  async pollOnce(): Promise<{ active: boolean }> {
    const [api, head] = await Promise.all([this.deps.builds(), this.deps.head()]);
    this.gitHead = head;
    const page = await api.listBuilds(`tags="${MENTOR_BUILD_TAG}"`, { pageSize: 20 });
    this.apply(page.builds);
    return { active: page.builds.some((b) => !isFinished(b.status)) };
  }

  /** Applies builds from a listing or from events; fires what changed. */
  apply(builds: readonly BuildSummary[]): void {
    const changed = new Set<string>();
    const finished: BuildSummary[] = [];
    for (const build of builds) {
      const previous = this.recent.get(build.id);
      // Pub/Sub does not promise order: a late "WORKING" must not undo a "SUCCESS".
      if (previous && isFinished(previous.status) && !isFinished(build.status)) continue;
      if (previous && sameState(previous, build)) continue;
      this.recent.set(build.id, build);
      if (build.service) changed.add(build.service);
      if (!isFinished(build.status)) this.seenRunning.add(build.id);
      else if (!this.notified.has(build.id) && this.isNews(build) && this.isOfCurrentBranch(build)) {
        this.notified.add(build.id);
        finished.push(build);
      }
    }
    this.trim();
    this.updateHead();
    this.armSafetyPoll();
    if (changed.size) for (const l of this.changeListeners) l(changed);
    for (const build of finished) for (const l of this.finishListeners) l(build);
  }

  /** A Pub/Sub event: its Build when the message carried one, else GetBuild. */
  async applyEvent(event: BuildEvent): Promise<void> {
    const build = event.build ?? await (await this.deps.builds()).getBuild(event.buildId);
    if (!build.tags.includes(MENTOR_BUILD_TAG)) return;
    this.gitHead = await this.deps.head();
    this.apply([build]);
  }

  private armSafetyPoll(): void {
    if (this.mode !== 'pubsub' || this.safetyTimer !== undefined) return;
    if (![...this.recent.values()].some((b) => !isFinished(b.status))) return;
    this.safetyTimer = this.clock.setTimeout(() => {
      this.safetyTimer = undefined;
      if (this.mode === 'pubsub') void this.pollOnce().catch(() => undefined);
    }, SAFETY_POLL_MS);
  }

  private isNews(build: BuildSummary): boolean {
    return this.seenRunning.has(build.id) || (!!build.finishTime && build.finishTime.getTime() >= this.startedAt);
  }

  private isOfCurrentBranch(build: BuildSummary): boolean {
    return isBuildOfCommit(build, this.gitHead.commit) || (!!this.gitHead.branch && build.branch === this.gitHead.branch);
  }

  private updateHead(): void {
    const head = [...this.recent.values()].filter((b) => isBuildOfCommit(b, this.gitHead.commit)).sort(newestFirst)[0];
    const key = head ? `${head.id}|${head.status}|${head.runningStep ?? ''}` : '';
    this.headBuild = head;
    if (key === this.headKey) return;
    this.headKey = key;
    for (const l of this.headListeners) l(head);
  }

  private trim(): void {
    if (this.recent.size <= RECENT_LIMIT) return;
    for (const build of [...this.recent.values()].sort(newestFirst).slice(RECENT_LIMIT)) this.recent.delete(build.id);
  }

  private startPolling(reason: string): void {
    this.mode = 'polling';
    this.deps.log.info(`Build status: polling Cloud Build (every ${this.schedule.activeMs / 1000} s while a build runs, ` +
      `up to ${this.schedule.maxIdleMs / 1000} s when idle, paused while the window is not focused) — ${reason}.`);
    this.poller.start();
  }

  private get schedule(): PollSchedule {
    return this.deps.schedule ?? DEFAULT_SCHEDULE;
  }

  private async pullLoop(events: BuildEventsApi, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const received = await events.pull(signal);
        failures = 0;
        for (const { event } of received) {
          if (event) await this.applyEvent(event).catch((error: unknown) => this.deps.log.warn(`Build status: ${(error as Error)?.message ?? error}`));
        }
        await events.ack(received.map((r) => r.ackId));
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.deps.log.warn(`Build status: pulling ${events.subscription} failed (${failures}/${MAX_PULL_FAILURES}): ${(error as Error)?.message ?? error}`);
        if (failures >= MAX_PULL_FAILURES) {
          await events.close();
          return this.startPolling('Pub/Sub pulls keep failing');
        }
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.schedule.activeMs * failures));
      }
    }
    await events.close();
  }
}

function add<T>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

function sameState(a: BuildSummary, b: BuildSummary): boolean {
  return a.status === b.status && a.runningStep === b.runningStep && a.durationMs === b.durationMs &&
    a.deployOutput?.revision === b.deployOutput?.revision;
}
