// Starts the emulator: one gRPC port serving Cloud Run Admin v2 (Services, Revisions), long-running
// Operations, Cloud Logging v2, Service Usage, Secret Manager, Artifact Registry, Resource Manager v3, Cloud
// Billing v1 and the emulator's Control service, and one HTTP port serving the same Google methods as REST/JSON
// (restServer.ts) plus Cloud Run Admin v1, the Knative API gcloud speaks (cloudRunV1Handler.ts), and IAM Admin
// service accounts (serviceAccountsHandler.ts); Cloud Build v1/v2 on both, with pushes to local git repositories
// firing its triggers (cloudBuild*.ts, gitPushWatcher.ts); Cloud Monitoring v3 metrics recorded from the traffic
// its service URLs serve (monitoring*.ts). With a Docker
// engine (`dockerHost`) it is in runtime mode: revisions run as containers and services answer on local URLs
// (runtimeManager.ts); without one it keeps metadata only.
import { grpc } from 'google-gax';
import { ApiMethods } from './apiMethods';
import { ArtifactRegistryBackend } from './artifactRegistryBackend';
import { BillingBackend } from './billingBackend';
import type { BuildExecutor } from './buildExecution';
import { EngineBuildExecutor } from './buildExecutor';
import { BuildNotices } from './buildNotices';
import { secretManagerAccess } from './buildStepSecrets';
import { CloudBuildBackend } from './cloudBuildBackend';
import { CloudBuildConnections } from './cloudBuildConnections';
import { CloudBuildTriggers } from './cloudBuildTriggers';
import { GitPushWatcher, localRepoPath } from './gitPushWatcher';
import { CloudRunBackend } from './cloudRunBackend';
import { createCloudRunV1Handler } from './cloudRunV1Handler';
import { createResourceManagerV1Handler } from './resourceManagerV1Handler';
import { FaultInjector } from './faults';
import { DEFAULT_CALLER } from './iamAccess';
import { GrpcServices } from './grpcServices';
import { LoggingBackend } from './loggingBackend';
import { DEFAULT_OPERATION_DELAY_MS, OperationStore } from './operations';
import { createAlerting, type Alerting } from './monitoringAlertService';
import { loadProtos } from './protos';
import { MetricStore, type ListTimeSeriesRequestJson } from './monitoringMetrics';
import { MetricRecorder } from './monitoringRecorder';
import { MonitoringService } from './monitoringService';
import { generateHistory } from './monitoringSynthetic';
import { ResourceManagerBackend, type CallerIdentity } from './resourceManagerBackend';
import { startSharedPort } from './portSharing';
import { startRestServer } from './restServer';
import type { RestHandler } from './restTypes';
import { RuntimeEngine, type RegistryCredentials } from './runtimeEngine';
import { DEFAULT_STARTUP_TIMEOUT_MS, RuntimeManager, restoreCloudUrls, type LiveInstanceInfo } from './runtimeManager';
import { addMissingDemoHistory, applySeed } from './seeds';
import { SecretManagerBackend } from './secretManagerBackend';
import { createServiceAccountsHandler } from './serviceAccountsHandler';
import { ServiceUsageBackend } from './serviceUsageBackend';
import { StateStore, emptyData } from './stateStore';
import { transcodedHandler } from './transcoder';

export interface EmulatorOptions {
  /** 0 or unset = any free port. */
  port?: number;
  /** The REST/JSON port; 0 or unset = any free port. */
  restPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Persist state to DIR/state.json and load it on start. */
  dataDir?: string;
  /** "demo", "scale:SxR" or "projects:N"; applied only when no saved state was loaded. */
  seed?: string;
  /** How long Create/Update/Delete operations run (default 300 ms). */
  operationDelayMs?: number;
  /** creator/lastModifier of resources made through the API. */
  user?: string;
  /**
   * Runtime mode: the Docker engine revisions run on ("unix:///var/run/docker.sock", "tcp://…"). Unset =
   * metadata only. (The CLI defaults it from DOCKER_HOST; this in-process API never guesses.)
   */
  dockerHost?: string;
  /** How long a new instance may take to pass its startup probe (default 30 s). */
  startupTimeoutMs?: number;
  /** Credentials for pulling, by registry host ("127.0.0.1:5001"); "*" applies to any other registry. */
  registryAuth?: Record<string, RegistryCredentials>;
  /**
   * The principal IAM checks treat as the caller (TestIamPermissions, SearchProjects, owner of new projects).
   * Default user:developer@example.com, the owner of the demo projects. Changeable later through `caller`.
   */
  caller?: string;
  /** How long a new service account answers NOT_FOUND to reads (default 1500 ms, as IAM lags on Google). */
  serviceAccountConsistencyMs?: number;
  /** How long an API stays SERVICE_DISABLED after its enable operation finished (default 0). */
  apiPropagationMs?: number;
  /**
   * "HOST:PORT" of the Pub/Sub (emulator) REST endpoint Cloud Build's notices go to (topic cloud-builds).
   * Unset = no notices. (The CLI defaults it from PUBSUB_EMULATOR_HOST; this in-process API never guesses.)
   */
  pubsubHost?: string;
  /**
   * What runs Cloud Build steps. Unset: in runtime mode the engine runs them (buildExecutor.ts), otherwise
   * builds stay QUEUED, as with no worker free.
   */
  buildExecutor?: BuildExecutor;
  /** How often linked local git repositories are polled for pushes (default 1000 ms). */
  gitPollMs?: number;
  /** Clone URLs (local paths) FetchLinkableRepositories offers besides those already linked. */
  linkableRepositories?: string[];
  /** How often alerting policies are evaluated against the metrics (default 5000 ms; small in tests). */
  alertEvaluationMs?: number;
  /**
   * How long a minute's metric points stay invisible to ListTimeSeries (Google: up to ~120 s). Default 0: a
   * request shows in the current minute's partial point at once.
   */
  metricsLagMs?: number;
}

/** Cloud Monitoring's parts, for tests and the alert evaluator. */
export interface MonitoringHandles {
  /** The time series (contract 2 of issue #13): listTimeSeries(request JSON) → TimeSeries JSON. */
  metrics: MetricStore;
  recorder: MetricRecorder;
}

/** Cloud Build's parts, for tests. */
export interface CloudBuildHandles {
  builds: CloudBuildBackend;
  triggers: CloudBuildTriggers;
  connections: CloudBuildConnections;
  notices: BuildNotices;
  pushWatcher: GitPushWatcher;
}

export interface RunningEmulator {
  port: number;
  host: string;
  /** "127.0.0.1:PORT", what the extension's apiEndpoint setting takes: gRPC and REST/JSON on one port. */
  address: string;
  /** The REST/JSON port and "127.0.0.1:PORT" (clients in REST mode: apiEndpoint + port, protocol http). */
  restPort: number;
  restAddress: string;
  stop(): Promise<void>;
  /** Replace all state with a seed ("" or undefined = empty); also clears faults and counters. */
  reset(seed?: string): void;
  // In-process handles for tests.
  readonly state: StateStore;
  readonly faults: FaultInjector;
  readonly operations: OperationStore;
  readonly cloudRun: CloudRunBackend;
  readonly logging: LoggingBackend;
  readonly serviceUsage: ServiceUsageBackend;
  readonly secretManager: SecretManagerBackend;
  readonly artifactRegistry: ArtifactRegistryBackend;
  readonly resourceManager: ResourceManagerBackend;
  readonly billing: BillingBackend;
  readonly cloudBuild: CloudBuildHandles;
  /** Cloud Monitoring alerting: policies, channels, the evaluator and the outbox of mails sent. */
  readonly alerting: Alerting;
  readonly monitoring: MonitoringHandles;
  /** Set `caller.member` to act as another principal from the next request on. */
  readonly caller: CallerIdentity;
  /** Set in runtime mode. */
  readonly runtime?: RuntimeManager;
}

const SHUTDOWN_GRACE_MS = 2000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const protos = loadProtos();
  const state = new StateStore(opts.dataDir);
  if (!state.load()) applySeed(state.data, opts.seed);
  else addMissingDemoHistory(state.data);
  state.changed();
  const metrics = new MetricStore({ lagMs: opts.metricsLagMs });
  generateHistory(metrics, state.data.monitoringHistory);
  const faults = new FaultInjector();
  const operations = new OperationStore(opts.operationDelayMs ?? DEFAULT_OPERATION_DELAY_MS, () => state.changed());
  const logging = new LoggingBackend(state);
  const caller: CallerIdentity = { member: opts.caller ?? DEFAULT_CALLER };
  const serviceUsage = new ServiceUsageBackend({ state, operations, protos, propagationMs: opts.apiPropagationMs });
  const secretManager = new SecretManagerBackend(state, caller);
  let liveInstances = (): LiveInstanceInfo[] => [];
  const recorder = new MetricRecorder(metrics, () => liveInstances().map((i) => ({ ...i, revision: i.ref })));
  metrics.beforeQuery = () => recorder.sample();
  let runtime: RuntimeManager | undefined;
  let engine: RuntimeEngine | undefined;
  if (opts.dockerHost) {
    engine = await RuntimeEngine.connect(opts.dockerHost);
    await engine.removeAll(true); // containers of emulators on this host that died without cleaning up
    runtime = new RuntimeManager({
      engine, state, secretManager, startupTimeoutMs: opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      registryAuth: opts.registryAuth ?? {},
      recordRequest: (ref, status, latencyMs, instanceId) => recorder.recordRequest(ref, status, latencyMs, instanceId),
      writeLogs: (entries) => {
        try {
          logging.write({ entries });
        } catch {
          // a malformed line must not take the runtime down
        }
      },
    });
    const rt = runtime;
    liveInstances = () => rt.liveInstances();
    recorder.start();
    await runtime.restore(state.data);
  } else {
    restoreCloudUrls(state.data);
  }
  const cloudRun = new CloudRunBackend({ state, operations, faults, protos, user: opts.user ?? 'developer@example.com', runtime });
  const artifactRegistry = new ArtifactRegistryBackend({ state, operations, protos });
  const resourceManager = new ResourceManagerBackend({ state, operations, pack: protos.pack, caller });
  const billing = new BillingBackend({ state, serialize: protos.serialize, pack: protos.pack });
  const notices = new BuildNotices(opts.pubsubHost, logging);
  const builds = new CloudBuildBackend({ state, operations, protos, notices, executor: opts.buildExecutor });
  const connections = new CloudBuildConnections({
    state, operations, protos, linkable: () => opts.linkableRepositories ?? [],
    storeOAuthToken: (project, secretId, token) => {
      secretManager.createSecret({ parent: `projects/${project}`, secretId, secret: { replication: { automatic: {} } } as never });
      secretManager.addSecretVersion({ parent: `projects/${project}/secrets/${secretId}`, payload: { data: Buffer.from(token).toString('base64') } });
    },
    linked: (remoteUri) => {
      const repo = localRepoPath(remoteUri);
      if (repo) void pushWatcher.baseline(repo); // only called once the emulator runs
    },
  });
  const triggers = new CloudBuildTriggers({ state, builds, connections });
  const pushWatcher = new GitPushWatcher({
    intervalMs: opts.gitPollMs,
    repositories: () => triggers.watchedRepositories(),
    seen: () => state.data.cloudBuild.seenRefs,
    changed: () => state.changed(),
    pushed: (repo, ref, commit, before) => {
      triggers.pushed(repo, ref, commit, before).catch(() => undefined); // a broken repository must not stop the watcher
    },
  });
  pushWatcher.start();
  const cloudBuild: CloudBuildHandles = { builds, triggers, connections, notices, pushWatcher };
  const alerting = createAlerting({
    state, user: opts.user ?? 'developer@example.com', pubsubHost: opts.pubsubHost, intervalMs: opts.alertEvaluationMs,
    // The store validates the request itself, as ListTimeSeries does.
    metrics: () => ({ listTimeSeries: (request) => metrics.listTimeSeries(request as unknown as ListTimeSeriesRequestJson) }),
  });
  const reset = (seed?: string) => {
    const data = emptyData();
    applySeed(data, seed); // first: an unknown seed must leave everything as it was
    builds.dropAll();
    operations.clear();
    faults.reset();
    runtime?.dropAll();
    alerting.evaluator.dropAll();
    alerting.outbox.clear();
    metrics.clear();
    recorder.clear();
    generateHistory(metrics, data.monitoringHistory);
    state.data = data;
    state.changed();
  };
  const platform = { serviceUsage, secretManager, artifactRegistry, resourceManager, billing, cloudBuild: { builds, triggers, connections }, alerting };
  const monitoring: MonitoringHandles = { metrics, recorder };
  const methods = new ApiMethods({ protos, cloudRun, logging, operations, faults, platform, monitoring: new MonitoringService(metrics, () => recorder.sampleNow()) });
  const services = new GrpcServices({ protos, methods, logging, operations, faults, platform, reset });
  const server = new grpc.Server();
  services.register(server);
  // gRPC listens on an inner loopback port; the emulator's own port serves it and REST together (portSharing.ts).
  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound));
  });
  // Asked in order, first answer wins: the transcoded gRPC methods, then hand-mapped surfaces.
  const restHandlers: RestHandler[] = [
    transcodedHandler(methods),
    createCloudRunV1Handler({ cloudRun, state, serviceUsage }),
    createResourceManagerV1Handler(state),
    createServiceAccountsHandler({ state, serviceUsage, consistencyDelayMs: opts.serviceAccountConsistencyMs, caller }),
    connections.pages,
    ...alerting.restHandlers,
  ];
  const rest = await startRestServer({ host, port: opts.restPort ?? 0, handlers: restHandlers }).catch(async (err: unknown) => {
    server.forceShutdown(); // e.g. the REST port is taken: nothing of this emulator may stay behind
    await pushWatcher.stop();
    builds.dropAll();
    operations.clear();
    await runtime?.shutdown();
    throw err;
  });
  const shared = await startSharedPort(host, opts.port ?? 0, grpcPort, rest.httpServer).catch(async (err: unknown) => {
    server.forceShutdown(); // e.g. the port is taken: nothing of this emulator may stay behind
    await pushWatcher.stop();
    builds.dropAll();
    await rest.close();
    operations.clear();
    await runtime?.shutdown();
    throw err;
  });
  const port = shared.port;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      services.endStreams();
      recorder.stop();
      await alerting.evaluator.stop();
      await pushWatcher.stop();
      await builds.drain();
      operations.clear();
      await runtime?.shutdown();
      state.flush();
      await shared.close();
      await rest.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    })();
    return stopped;
  };
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const address = `${hostPart}:${port}`;
  const restAddress = `${hostPart}:${rest.port}`;
  connections.publicBase = `http://${restAddress}`;
  alerting.evaluator.publicBase = `http://${restAddress}`;
  alerting.evaluator.start();
  // Runtime mode: build steps run as containers on the same engine, their gcloud pointed at the REST port.
  if (!builds.executor && engine) {
    builds.executor = new EngineBuildExecutor({ engine, restAddress, registryAuth: opts.registryAuth ?? {}, accessSecret: secretManagerAccess(secretManager) });
  }
  return { port, host, address, restPort: rest.port, restAddress, stop, reset, state, faults, operations, cloudRun, logging, ...platform, cloudBuild, monitoring, caller, runtime };
}
