// Runtime mode: revisions created through the API run for real on the local Docker engine. A new
// revision is prepared inside its operation (secrets resolved, image pulled and pinned by digest, an
// instance started and probed), so the operation's outcome is the revision's. Afterwards only revisions
// that serve (a share of the traffic, or a tag) keep an instance: scale to zero, started again when
// traffic returns or a request arrives. The service and its tags get local URLs through ServiceProxy.
import type { LogEntry, Revision } from './apiTypes';
import { defaultStartFailureMessage, projectNumber, serviceUri, serviceUrls } from './cloudRunRules';
import { defaultComputeAccount } from './iamAccess';
import { type InstancePlan, type Instance, startInstance } from './revisionInstance';
import { shortRevisionName, type ServiceAddress } from './resourceBuilders';
import { type RevisionRef, systemEntry } from './runtimeLogs';
import type { RegistryCredentials, RuntimeEngine } from './runtimeEngine';
import type { SecretManagerBackend } from './secretManagerBackend';
import type { EmulatorData, ServiceRecord, StateStore } from './stateStore';
import { type Route, ServiceProxy } from './trafficProxy';
import { cloudRunEnv } from '../src/core/containerContract';

export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
const DEFAULT_PORT = 8080;

export interface RuntimeDeps {
  engine: RuntimeEngine;
  state: StateStore;
  secretManager: SecretManagerBackend;
  writeLogs(entries: LogEntry[]): void;
  startupTimeoutMs: number;
  registryAuth: Record<string, RegistryCredentials>;
  /** Each request the service URLs handed to an instance (Cloud Monitoring metrics). */
  recordRequest?(ref: RevisionRef, status: number, latencyMs: number, instanceId: string): void;
}

export interface LiveInstanceInfo {
  ref: RevisionRef;
  id: string;
  cpus?: number;
  memoryBytes?: number;
  startedAtMs?: number;
  usage(): Promise<{ cpuNs: number; memoryBytes: number; memoryLimit: number } | undefined>;
}

/** Why a new revision cannot become ready: the condition's reason and the full message. */
export type PrepareResult = { ok: true } | { ok: false; reason?: string; message: string };

export class RuntimeManager {
  private readonly instances = new Map<string, Instance>();
  private readonly starting = new Map<string, Promise<Instance | undefined>>();
  private readonly proxies = new Map<string, ServiceProxy>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly removals = new Set<Promise<void>>();
  private closed = false;
  /** When each instance was kept (started and probed): the base of its first CPU utilization sample. */
  private readonly startedAt = new WeakMap<Instance, number>();

  constructor(private readonly deps: RuntimeDeps) {}

  /** The label value (mentor.emulator=ID) on every container this emulator started. */
  get engineInstanceId(): string {
    return this.deps.engine.instanceId;
  }

  /** Runs a revision made through the API: resolves its secrets and image, starts and probes an instance. */
  async prepareRevision(record: ServiceRecord, a: ServiceAddress, revision: Revision): Promise<PrepareResult> {
    const short = shortRevisionName(revision.name);
    const notReady = `Revision '${short}' is not ready and cannot serve traffic.`;
    record.runtime ??= { revisions: {} };
    const index = ingressIndex(revision);
    const container = revision.containers[index];
    const secretProblem = this.resolveEnv(a.project, revision, index).problem;
    if (secretProblem) return { ok: false, reason: 'SECRETS_ACCESS_CHECK_FAILED', message: `${notReady} ${secretProblem}` };
    const image = container.image ?? '';
    const resolved = await this.deps.engine.resolveImage(image, this.deps.registryAuth);
    if (!resolved.ok) {
      if (resolved.reason === 'CONTAINER_MISSING') return { ok: false, reason: resolved.reason, message: `${notReady} Image '${image}' not found.` };
      if (resolved.reason === 'CONTAINER_PERMISSION_DENIED') {
        return { ok: false, reason: resolved.reason, message: `${notReady} Google Cloud Run Service Agent ` +
          `service-${projectNumber(a.project)}@serverless-robot-prod.iam.gserviceaccount.com must have permission to read the image, ` +
          `${image}. Ensure that the provided container image URL is correct and that the above account has permission to access the image.` };
      }
      return { ok: false, reason: 'INTERNAL', message: `${notReady} Image '${image}' could not be imported: ${resolved.detail}` };
    }
    if (resolved.digestRef) container.image = resolved.digestRef;
    record.runtime.revisions[short] = { image: resolved.digestRef ?? image };
    this.deps.state.changed();
    const instance = await this.startFor(record, short);
    if (!instance) return { ok: false, message: defaultStartFailureMessage(short, portOf(revision)) };
    this.keep(record.service.name!, short, instance);
    return { ok: true };
  }

  /** The instances running now, by revision, with their limits and a stats reader (instance_count, utilizations). */
  liveInstances(): LiveInstanceInfo[] {
    return [...this.instances.values()].filter((i) => i.alive).map((i) => ({
      ref: i.plan.ref, id: i.id, cpus: i.plan.cpus, memoryBytes: i.plan.memoryBytes, startedAtMs: this.startedAt.get(i),
      usage: () => this.deps.engine.usage(i.id),
    }));
  }

  /** Brings instances, listeners and URLs in line with what the service serves now. */
  servingChanged(record: ServiceRecord): Promise<void> {
    const name = record.service.name!;
    const previous = this.chains.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.sync(record)).catch(() => undefined);
    this.chains.set(name, next);
    return next;
  }

  async serviceDeleted(record: ServiceRecord): Promise<void> {
    const name = record.service.name!;
    await this.chains.get(name);
    await Promise.all([...this.instances.keys()].filter((k) => k.startsWith(`${name}/`)).map((k) => this.stopInstance(k)));
    await this.proxies.get(name)?.close();
    this.proxies.delete(name);
  }

  async revisionDeleted(record: ServiceRecord, short: string): Promise<void> {
    await this.stopInstance(`${record.service.name!}/${short}`);
    if (record.runtime) delete record.runtime.revisions[short];
    await this.servingChanged(record);
  }

  /** State replaced (Control/Reset): forget everything now; containers go away in the background. */
  dropAll(graceful = true): void {
    for (const key of [...this.instances.keys()]) void this.stopInstance(key, graceful);
    for (const proxy of this.proxies.values()) void proxy.close();
    this.proxies.clear();
    this.chains.clear();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.dropAll(false);
    await Promise.all([...this.starting.values()]);
    await Promise.all([...this.removals]);
    await this.deps.engine.removeAll().catch(() => undefined);
    this.deps.engine.close();
  }

  /** After a restart with saved state: instances and URLs for every service that had them. */
  async restore(data: EmulatorData): Promise<void> {
    await Promise.all(Object.values(data.services).filter((r) => r.runtime).map((r) => this.servingChanged(r)));
  }

  private async sync(record: ServiceRecord): Promise<void> {
    const svc = record.service;
    const name = svc.name!;
    if (!record.runtime || this.deps.state.data.services[name] !== record) return;
    const route = routeOf(record);
    const wanted = new Set([...route.split.map((s) => s.revision), ...Object.values(route.tags)]);
    // Retired instances stop only once the new route serves: their SIGTERM grace (up to 10 s) must not keep
    // the service on its old URLs, which pollers such as gcloud would read as the deployed state.
    const retired = [...this.instances.keys()].filter((k) => k.startsWith(`${name}/`) && !wanted.has(k.slice(name.length + 1)));
    const stopRetired = () => Promise.all(retired.map((k) => this.stopInstance(k)));
    await Promise.all([...wanted].filter((r) => record.runtime?.revisions[r]).map((r) => this.ensureInstance(record, r)));
    if (!svc.uri) {
      await stopRetired();
      return;
    }
    let proxy = this.proxies.get(name);
    if (!proxy) {
      const a = addressOf(name);
      proxy = new ServiceProxy({
        instanceFor: (service, revision) => this.instanceFor(service, revision),
        writeLogs: (entries) => this.deps.writeLogs(entries),
        recordRequest: (ref, status, latencyMs, instanceId) => this.deps.recordRequest?.(ref, status, latencyMs, instanceId),
        isPublic: (service) => isPublic(this.deps.state.data.services[service]),
        requestTimeoutMs: (service, revision) => 1000 * Number(this.deps.state.data.services[service]?.revisions
          .find((r) => shortRevisionName(r.name) === revision)?.timeout?.seconds ?? 300),
      }, name, a);
      this.proxies.set(name, proxy);
    }
    const urls = await proxy.apply(route, record.runtime.ports ?? {});
    record.runtime.ports = urls.ports;
    svc.uri = urls.uri;
    svc.urls = [urls.uri];
    for (const status of svc.trafficStatuses ?? []) {
      if (status.tag && urls.tagUris[status.tag]) status.uri = urls.tagUris[status.tag];
    }
    this.deps.state.changed();
    await stopRetired();
  }

  private instanceFor(serviceName: string, revision: string): Promise<Instance | undefined> {
    const record = this.deps.state.data.services[serviceName];
    if (!record?.runtime?.revisions[revision]) return Promise.resolve(undefined);
    return this.ensureInstance(record, revision);
  }

  private ensureInstance(record: ServiceRecord, short: string): Promise<Instance | undefined> {
    const key = `${record.service.name!}/${short}`;
    const live = this.instances.get(key);
    if (live?.alive) return Promise.resolve(live);
    const pending = this.starting.get(key);
    if (pending) return pending;
    const start = this.startFor(record, short).then((instance) => {
      this.starting.delete(key);
      if (instance) this.keep(record.service.name!, short, instance);
      return instance;
    });
    this.starting.set(key, start);
    return start;
  }

  private keep(serviceName: string, short: string, instance: Instance): void {
    if (this.closed) {
      void instance.stop();
      return;
    }
    const key = `${serviceName}/${short}`;
    const old = this.instances.get(key);
    if (old && old !== instance) void this.stopInstance(key);
    this.instances.set(key, instance);
    if (!this.startedAt.has(instance)) this.startedAt.set(instance, Date.now());
    instance.onExit = () => {
      if (this.instances.get(key) === instance) this.instances.delete(key);
    };
  }

  private stopInstance(key: string, graceful = true): Promise<void> {
    const instance = this.instances.get(key);
    if (!instance) return Promise.resolve();
    this.instances.delete(key);
    const removal = instance.stop(graceful).finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }

  private async startFor(record: ServiceRecord, short: string): Promise<Instance | undefined> {
    const plan = this.closed ? undefined : this.plan(record, short);
    if (!plan) return undefined;
    const result = await startInstance({ engine: this.deps.engine, writeLogs: (e) => this.deps.writeLogs(e) }, plan);
    return result.ok ? result.instance : undefined;
  }

  private plan(record: ServiceRecord, short: string): InstancePlan | undefined {
    const revision = record.revisions.find((r) => shortRevisionName(r.name) === short);
    const image = record.runtime?.revisions[short]?.image;
    if (!revision || !image) return undefined;
    const a = addressOf(record.service.name!);
    const index = ingressIndex(revision);
    const c = revision.containers[index];
    const { env, problem } = this.resolveEnv(a.project, revision, index);
    if (problem) {
      this.deps.writeLogs([systemEntry({ ...a, revision: short }, 'ERROR', `The instance could not be started: ${problem}`)]);
      return undefined;
    }
    const port = portOf(revision);
    const probe = (c.startupProbe ?? {}) as ProbeSpec;
    const periods = (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
    const isDefault = !probe.httpGet && probe.periodSeconds === 240 && probe.failureThreshold === 1;
    return {
      ref: { project: a.project, location: a.location, service: a.service, revision: short },
      serviceName: record.service.name!,
      image,
      containerName: c.name || `${a.service}-1`,
      port,
      env: { ...cloudRunEnv(a.service, short, port), ...env },
      probe: {
        kind: probe.httpGet ? 'http' : 'tcp',
        port: probe.httpGet?.port || probe.tcpSocket?.port || port,
        path: probe.httpGet?.path || '/',
        isDefault,
        failureThreshold: probe.failureThreshold ?? (isDefault ? 1 : 3),
        deadlineMs: Math.min(this.deps.startupTimeoutMs, periods * 1000 || this.deps.startupTimeoutMs),
      },
      memoryBytes: bytesOf(c.resources?.limits?.memory),
      memoryText: c.resources?.limits?.memory,
      cpus: cpusOf(c.resources?.limits?.cpu),
      command: c.command as string[] | undefined,
      args: c.args as string[] | undefined,
      workingDir: c.workingDir as string | undefined,
    };
  }

  /**
   * Plain values and secret references of the ingress container; secrets resolve at instance start, as the
   * revision's service account (Cloud Run's rule: without access to every secret the revision fails).
   */
  private resolveEnv(project: string, revision: Revision, index: number): { env: Record<string, string>; problem?: string } {
    const env: Record<string, string> = {};
    const identity = revision.serviceAccount || defaultComputeAccount(projectNumber(project));
    const vars = revision.containers[index].env ?? [];
    for (const [i, v] of vars.entries()) {
      const ref = v.valueSource?.secretKeyRef;
      if (!ref) {
        env[v.name] = v.value ?? '';
        continue;
      }
      const resolved = this.deps.secretManager.resolveForRuntime(project, ref.secret ?? '', ref.version, identity);
      if (!resolved.ok) return { env, problem: `spec.template.spec.containers[${index}].env[${i}].value_from.secret_key_ref.name: ${resolved.message}` };
      env[v.name] = resolved.value;
    }
    return { env };
  }
}

interface ProbeSpec {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  httpGet?: { path?: string; port?: number };
  tcpSocket?: { port?: number };
}

function addressOf(serviceName: string): ServiceAddress {
  const [, project, , location, , service] = serviceName.split('/');
  return { project, location, service };
}

function ingressIndex(revision: Revision): number {
  const i = revision.containers.findIndex((c) => (c.ports ?? []).length > 0);
  return i >= 0 ? i : 0;
}

function portOf(revision: Revision): number {
  return revision.containers[ingressIndex(revision)]?.ports?.[0]?.containerPort || DEFAULT_PORT;
}

/** What the service serves now: shares per revision (LATEST resolved) and tags. */
export function routeOf(record: ServiceRecord): Route {
  const shares = new Map<string, number>();
  const tags: Record<string, string> = {};
  for (const t of record.service.trafficStatuses ?? []) {
    if (!t.revision) continue;
    if ((t.percent ?? 0) > 0) shares.set(t.revision, (shares.get(t.revision) ?? 0) + (t.percent ?? 0));
    if (t.tag) tags[t.tag] = t.revision;
  }
  return { split: [...shares].map(([revision, percent]) => ({ revision, percent })), tags };
}

function isPublic(record: ServiceRecord | undefined): boolean {
  if (!record) return false;
  if (record.service.invokerIamDisabled === true) return true;
  return (record.iamPolicy.bindings ?? []).some((b) => b.role === 'roles/run.invoker' &&
    b.members.some((m) => m === 'allUsers' || m === 'allAuthenticatedUsers'));
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

export function bytesOf(quantity: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(quantity ?? '');
  return m ? Math.round(Number(m[1]) * UNITS[m[2] ?? '']) : undefined;
}

export function cpusOf(cpu: string | undefined): number | undefined {
  if (!cpu) return undefined;
  const n = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Runtime mode off but state saved by a runtime-mode emulator: back to the Cloud Run style URLs. */
export function restoreCloudUrls(data: EmulatorData): void {
  for (const record of Object.values(data.services)) {
    if (!record.runtime || !record.service.uri) continue;
    const a = addressOf(record.service.name!);
    record.service.uri = serviceUri(a.project, a.location, a.service);
    record.service.urls = serviceUrls(a.project, a.location, a.service);
    for (const t of record.service.trafficStatuses ?? []) if (t.tag) t.uri = serviceUri(a.project, a.location, a.service, t.tag);
  }
}
