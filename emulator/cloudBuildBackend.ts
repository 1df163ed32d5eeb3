// Cloud Build v1 builds: CreateBuild (an LRO that ends when the build does, in an error unless it succeeded;
// metadata BuildOperationMetadata carries the build as it goes), GetBuild, ListBuilds (newest first, filter, pages), CancelBuild, RetryBuild.
// The status machine: QUEUED → WORKING (once an executor takes it) → SUCCESS / FAILURE / INTERNAL_ERROR /
// TIMEOUT / CANCELLED; without an executor (metadata-only emulator) a build stays QUEUED, as on a project with
// no worker free, until its queue_ttl makes it EXPIRED. Every change is persisted and announced on Pub/Sub;
// log lines go to Cloud Logging.
import { randomUUID } from 'node:crypto';
import { grpc } from 'google-gax';
import { failedPrecondition, invalidArgument, notFound } from './apiError';
import type { Operation } from './apiTypes';
import type { BuildExecutor, BuildLogLine, BuildMessage, BuildReporter, BuildSource } from './buildExecution';
import type { BuildNotices } from './buildNotices';
import { compileBuildFilter } from './cloudBuildFilter';
import { DEFAULT_QUEUE_TTL_SECONDS, DEFAULT_TIMEOUT_SECONDS, FINAL_STATUSES, checkBuildRequest, durationMs, newBuild } from './cloudBuildRules';
import { applySubstitutions, defaultBuiltIns } from './cloudBuildSubstitutions';
import type { OperationStore } from './operations';
import { paginate } from './pagination';
import { numberOf, resolveProject } from './projects';
import type { LoadedProtos } from './protos';
import type { CloudBuildData, StateStore } from './stateStore';
import { nowTimestamp, timestampKey } from './timestamps';

const BUILD_TYPE = 'google.devtools.cloudbuild.v1.Build';
const LIST_LIMITS = { defaultSize: 50, maxSize: 1000 };

export interface BuildScopeRequest {
  projectId?: string;
  parent?: string;
  name?: string;
  id?: string;
}

interface Running {
  abort: AbortController;
  /** Resolves when the build reached a final status. */
  finished: Promise<void>;
  settle(): void;
  operation?: string;
  generation: number;
}

export interface StartOptions {
  /** The built-ins beyond PROJECT_ID/BUILD_ID/PROJECT_NUMBER/LOCATION (a trigger's commit). */
  builtIns?: Record<string, string>;
  source?: BuildSource;
  /** Substitutions are already applied (RetryBuild). */
  substituted?: boolean;
}

export class CloudBuildBackend {
  /** Runs the steps; unset = builds stay QUEUED. Replaceable (tests; the engine's executor in runtime mode). */
  executor: BuildExecutor | undefined;
  private readonly running = new Map<string, Running>();
  /** Executor runs in flight, so a stopping emulator can wait for their containers to go. */
  private readonly executions = new Set<Promise<void>>();
  private generation = 0;

  constructor(private readonly deps: { state: StateStore; operations: OperationStore; protos: LoadedProtos; notices: BuildNotices; executor?: BuildExecutor }) {
    this.executor = deps.executor;
    this.interrupted();
  }

  /**
   * Builds a previous run of the emulator left unfinished (state loaded from disk) have no executor any more:
   * they end as INTERNAL_ERROR, saying why, instead of hanging in QUEUED or WORKING forever.
   */
  private interrupted(): void {
    for (const build of Object.values(this.data.builds)) {
      if (FINAL_STATUSES.has(build.status)) continue;
      build.statusDetail = `the emulator stopped while the build was ${build.status}`;
      build.status = 'INTERNAL_ERROR';
      build.finishTime ??= nowTimestamp();
      this.deps.state.changed();
    }
  }

  private get data(): CloudBuildData {
    return this.deps.state.data.cloudBuild;
  }

  /** projects/P/locations/L of a request (project-scoped calls are the `global` location). */
  scope(req: BuildScopeRequest): { project: string; location: string } {
    const source = req.parent ?? req.name;
    if (source) {
      const m = /^projects\/([^/]+)\/locations\/([^/]+)(?:\/|$)/.exec(source);
      if (!m) throw invalidArgument(`Invalid resource name "${source}": expected projects/PROJECT/locations/LOCATION[/...].`);
      return { project: resolveProject(this.deps.state.data, m[1]), location: m[2] };
    }
    if (!req.projectId) throw invalidArgument('Request contains an invalid argument: project_id is required.');
    return { project: resolveProject(this.deps.state.data, req.projectId), location: 'global' };
  }

  private key(req: BuildScopeRequest): string {
    const { project, location } = this.scope(req);
    const id = req.name ? /\/builds\/([^/]+)$/.exec(req.name)?.[1] : req.id;
    if (!id) throw invalidArgument('Request contains an invalid argument: the build id is required.');
    return `projects/${project}/locations/${location}/builds/${id}`;
  }

  private stored(req: BuildScopeRequest): { key: string; build: BuildMessage } {
    const key = this.key(req);
    const build = this.data.builds[key];
    if (!build) throw notFound(`Requested entity was not found.`);
    return { key, build };
  }

  createBuild(req: BuildScopeRequest & { build?: BuildMessage }): Operation {
    checkBuildRequest(req.build);
    const { project, location } = this.scope(req);
    return this.start(project, location, req.build, {}).operation;
  }

  getBuild(req: BuildScopeRequest): BuildMessage {
    return structuredClone(this.stored(req).build);
  }

  listBuilds(req: BuildScopeRequest & { pageSize?: number; pageToken?: string; filter?: string }): { builds: BuildMessage[]; nextPageToken: string } {
    const { project, location } = this.scope(req);
    const matches = compileBuildFilter(req.filter);
    const prefix = `projects/${project}/locations/${location}/builds/`;
    const keys = Object.keys(this.data.builds)
      .filter((k) => k.startsWith(prefix) && matches(this.data.builds[k]))
      .sort((a, b) => {
        const d = timestampKey(this.data.builds[b].createTime as never) - timestampKey(this.data.builds[a].createTime as never);
        return d > 0n ? 1 : d < 0n ? -1 : a.localeCompare(b);
      });
    const page = paginate(keys, req, `builds:${prefix}:${req.filter ?? ''}`, LIST_LIMITS);
    return { builds: page.items.map((k) => structuredClone(this.data.builds[k])), nextPageToken: page.nextPageToken };
  }

  cancelBuild(req: BuildScopeRequest): BuildMessage {
    const { key, build } = this.stored(req);
    if (FINAL_STATUSES.has(build.status)) throw failedPrecondition(`build is in a final state: ${build.status}`);
    const running = this.running.get(build.id);
    const cancelled: BuildMessage = { ...structuredClone(build), status: 'CANCELLED', finishTime: nowTimestamp() };
    this.record(key, cancelled, running?.generation ?? this.generation);
    running?.abort.abort('CancelBuild');
    return structuredClone(cancelled);
  }

  retryBuild(req: BuildScopeRequest): Operation {
    const { key, build } = this.stored(req);
    const { project, location } = this.scope(req);
    const source = this.data.sources[key];
    return this.start(project, location, build, { source, substituted: true }).operation;
  }

  /**
   * Creates a build (QUEUED, persisted, announced) and hands it to the executor. `failure` makes a build that
   * fails before any step runs (a trigger whose config file is missing at the commit).
   */
  start(project: string, location: string, fields: BuildMessage, opts: StartOptions, failure?: { type: string; detail: string }): { build: BuildMessage; operation: Operation; finished: Promise<void> } {
    const id = randomUUID();
    const build = newBuild(fields, project, location, id);
    if (!opts.substituted) {
      const builtIns = { ...defaultBuiltIns(project, numberOf(project), id, location), ...(opts.builtIns ?? {}) };
      applySubstitutions(build, builtIns);
      // A triggered build lists the commit's built-ins among its substitutions, as GetBuild shows them.
      if (opts.builtIns) build.substitutions = { ...opts.builtIns, ...(build.substitutions ?? {}) };
    }
    const key = `projects/${project}/locations/${location}/builds/${id}`;
    let settle = () => {};
    const finished = new Promise<void>((resolve) => { settle = resolve; });
    const running: Running = { abort: new AbortController(), finished, settle, generation: this.generation };
    this.running.set(id, running);
    if (opts.source) this.data.sources[key] = structuredClone(opts.source);
    const { protos, operations } = this.deps;
    const operation = operations.start(location === 'global' ? '' : `projects/${project}/locations/${location}`,
      protos.pack('google.devtools.cloudbuild.v1.BuildOperationMetadata', { build }), async () => {
        await finished;
        const final = this.data.builds[key] ?? build;
        // As Google's: only a successful build is the operation's response; any other end is an error (the
        // clients' promise() rejects with it) while the metadata still carries the finished build.
        if (final.status !== 'SUCCESS') return { error: { code: grpc.status.UNKNOWN, message: 'Build failed; check build logs for details' } };
        return { response: protos.pack(BUILD_TYPE, final) };
      });
    running.operation = operation.name;
    this.record(key, build, running.generation);
    if (failure) {
      this.record(key, { ...build, status: 'FAILURE', statusDetail: failure.detail, failureInfo: failure, finishTime: nowTimestamp() }, running.generation);
    } else {
      // After the caller has its answer: CreateBuild returns while the build is still QUEUED.
      setImmediate(() => {
        const execution = this.execute(key, running, opts.source).catch(() => undefined);
        this.executions.add(execution);
        void execution.finally(() => this.executions.delete(execution));
      });
    }
    return { build: structuredClone(build), operation, finished };
  }

  private async execute(key: string, running: Running, source: BuildSource | undefined): Promise<void> {
    const executor = this.executor;
    const queued = this.data.builds[key];
    if (!queued || queued.status !== 'QUEUED' || running.generation !== this.generation) return;
    if (!executor) {
      // No worker will take it: after queue_ttl (default 1 h) Cloud Build gives up on a queued build.
      const timer = setTimeout(() => {
        if (this.data.builds[key]?.status !== 'QUEUED') return;
        const expired = { ...structuredClone(this.data.builds[key]), status: 'EXPIRED', statusDetail: 'Build was enqueued for longer than the value of queue_ttl.' };
        this.record(key, expired, running.generation);
      }, durationMs(queued.queueTtl as never, DEFAULT_QUEUE_TTL_SECONDS));
      timer.unref();
      running.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      return;
    }
    const build: BuildMessage = { ...structuredClone(queued), status: 'WORKING', startTime: nowTimestamp() };
    this.record(key, build, running.generation);
    const reporter: BuildReporter = {
      changed: (b) => {
        // A cancelled build stays cancelled whatever the executor still reports.
        if (this.data.builds[key]?.status === 'CANCELLED') return;
        this.record(key, b, running.generation);
      },
      log: (line: BuildLogLine) => {
        if (running.generation === this.generation) this.deps.notices.logLine(build, line);
      },
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      running.abort.abort('timeout');
    }, durationMs(build.timeout, DEFAULT_TIMEOUT_SECONDS));
    try {
      await executor.run(build, source, reporter, running.abort.signal);
    } catch (err) {
      build.status = 'INTERNAL_ERROR';
      build.statusDetail = `the build executor failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      clearTimeout(timer);
    }
    if (this.data.builds[key]?.status === 'CANCELLED') return;
    if (timedOut) {
      build.status = 'TIMEOUT';
      build.statusDetail = `Build timeout after ${Math.round(durationMs(build.timeout, DEFAULT_TIMEOUT_SECONDS) / 1000)}s`;
    } else if (!FINAL_STATUSES.has(build.status)) {
      build.status = 'INTERNAL_ERROR';
      build.statusDetail = `the build executor returned with the build ${build.status}`;
    }
    build.finishTime ??= nowTimestamp();
    this.record(key, build, running.generation);
  }

  /** Stores a new state of a build: persisted, the operation's metadata, a Pub/Sub notice if its status moved. */
  private record(key: string, build: BuildMessage, generation: number): void {
    if (generation !== this.generation) return; // the emulator was reset meanwhile
    const before = this.data.builds[key];
    const stored = structuredClone(build);
    // A final status always comes with its finish time, also in the notice of that status.
    if (FINAL_STATUSES.has(stored.status)) stored.finishTime ??= nowTimestamp();
    this.data.builds[key] = stored;
    this.deps.state.changed();
    const running = this.running.get(build.id);
    if (running?.operation) this.deps.operations.setMetadata(running.operation, this.deps.protos.pack('google.devtools.cloudbuild.v1.BuildOperationMetadata', { build: stored }));
    if (before?.status !== stored.status) this.deps.notices.statusChanged(stored);
    if (FINAL_STATUSES.has(stored.status) && running) {
      this.running.delete(build.id);
      running.settle();
    }
  }

  /** Builds in flight end (reset, shutdown): their executors are aborted, nothing they report is kept. */
  dropAll(): void {
    this.generation += 1;
    for (const running of this.running.values()) {
      running.abort.abort('reset');
      running.settle();
    }
    this.running.clear();
  }

  /** dropAll, then waits (bounded) for the aborted executors to clean up (emulator shutdown). */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.dropAll();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([Promise.all([...this.executions]), bound]);
    clearTimeout(timer);
  }

  /** Resolves when the build with this id reached a final status (immediately if it is not running). */
  async waitFor(id: string): Promise<void> {
    await this.running.get(id)?.finished;
  }
}
