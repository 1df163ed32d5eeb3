// What a deploy changes on a service, field by field (before → after), computed by comparing the service
// Cloud Run holds with the exact spec Mentor would send: whatever differs is shown, whether Mentor meant to
// change it or not. Changes that widen or narrow access, or remove something, are marked: they need an
// explicit choice. Env values are never shown (they may be sensitive); secret references are.
import { DeployConfig } from './deployConfig';
import { ContainerSpec, EnvVarSpec, envMeaning, ServiceSpec, servingContainerIndex } from './servicePatch';

export type ChangeRisk = 'widens access' | 'narrows access' | 'removes';

export interface PlanChange {
  what: string;
  from: string;
  to: string;
  risk?: ChangeRisk;
}

export interface DeployPlan {
  /** true for the first deploy of a service: `changes` then lists what will be created. */
  creates: boolean;
  changes: PlanChange[];
  /** Env var names set live on the serving container but absent from mentor.env / mentor.secrets. */
  droppedEnv: string[];
  /** Secret references set live but absent from mentor.secrets, as "NAME → secret:version". */
  droppedSecrets: string[];
  /** What the user should know before saying yes (e.g. why the health checks cannot authenticate). */
  notes?: string[];
  /** How the new revision will be verified, and why that check ("Health check: GET /healthz — …"). */
  healthCheck?: string;
}

/** Who may invoke the service: `allUsers` holds roles/run.invoker (or invoker IAM is off). */
export interface InvokerAccess {
  publicBefore: boolean;
  publicAfter: boolean;
}

const INGRESS_LABEL: Record<string, string> = {
  INGRESS_TRAFFIC_ALL: 'all', INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'internal-and-cloud-load-balancing',
};
const INGRESS_REACH: Record<string, number> = { INGRESS_TRAFFIC_INTERNAL_ONLY: 0, INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 1, INGRESS_TRAFFIC_ALL: 2 };
/** Fields Cloud Run sets, or that this deploy manages separately (traffic is planned by the rollout). */
const NOT_PLANNED = new Set(['name', 'uid', 'generation', 'createTime', 'updateTime', 'deleteTime', 'expireTime', 'creator',
  'lastModifier', 'observedGeneration', 'terminalCondition', 'conditions', 'latestReadyRevision', 'latestCreatedRevision',
  'trafficStatuses', 'uri', 'urls', 'reconciling', 'etag', 'traffic', 'satisfiesPzs', 'template', 'ingress']);

const show = (value: unknown) => (value === undefined || value === null || value === '' ? '(default)' : String(value));
const json = (value: unknown) => (value === undefined || value === null ? '(none)' : JSON.stringify(value));
const showRef = (ref: { secret?: string | null; version?: string | null }) => `${ref.secret}:${ref.version || 'latest'}`;
const showEnv = (e: EnvVarSpec) => (e.valueSource?.secretKeyRef ? `secret ${showRef(e.valueSource.secretKeyRef)}` : '(value)');

/** A field shown as a value: one line when it differs (unset and empty read the same). */
function compareValue(changes: PlanChange[], what: string, before: unknown, after: unknown): void {
  if (show(before) !== show(after)) changes.push({ what, from: show(before), to: show(after) });
}

/** Every difference between two values of the same field, as plan lines under `label`. */
function compareGeneric(changes: PlanChange[], label: string, before: unknown, after: unknown): void {
  if (json(before) !== json(after)) changes.push({ what: label, from: json(before), to: json(after) });
}

function compareEnv(changes: PlanChange[], prefix: string, before: EnvVarSpec[], after: EnvVarSpec[]): void {
  const byName = (list: EnvVarSpec[]) => new Map(list.map((e) => [String(e.name), e]));
  const was = byName(before), will = byName(after);
  for (const [name, e] of will) {
    const old = was.get(name);
    if (!old) changes.push({ what: `${prefix}env ${name}`, from: '(unset)', to: showEnv(e) });
    else if (envMeaning(old) !== envMeaning(e)) changes.push({ what: `${prefix}env ${name}`, from: showEnv(old), to: showEnv(e) === '(value)' ? '(new value)' : showEnv(e) });
  }
  for (const [name, e] of was) if (!will.has(name)) changes.push({ what: `${prefix}env ${name}`, from: showEnv(e), to: '(removed)', risk: 'removes' });
}

function compareContainer(changes: PlanChange[], prefix: string, before: ContainerSpec, after: ContainerSpec): void {
  compareValue(changes, `${prefix}image`, before.image, after.image);
  const limits = (c: ContainerSpec) => c.resources?.limits ?? {};
  for (const key of new Set([...Object.keys(limits(before)), ...Object.keys(limits(after))])) {
    compareValue(changes, `${prefix}${key}`, limits(before)[key], limits(after)[key]);
  }
  compareValue(changes, `${prefix}port`, before.ports?.[0]?.containerPort, after.ports?.[0]?.containerPort);
  compareEnv(changes, prefix, before.env ?? [], after.env ?? []);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (['image', 'resources', 'ports', 'env'].includes(key)) continue;
    compareGeneric(changes, `${prefix}${key}`, before[key], after[key]);
  }
  const { limits: _l1, ...otherBefore } = before.resources ?? {};
  const { limits: _l2, ...otherAfter } = after.resources ?? {};
  compareGeneric(changes, `${prefix}resources`, otherBefore, otherAfter);
}

/** The field-by-field plan for turning `before` (the live service) into `after` (what will be sent). */
export function planServiceChanges(before: ServiceSpec, after: ServiceSpec, access: InvokerAccess): PlanChange[] {
  const changes: PlanChange[] = [];
  const ingressBefore = String(before.ingress ?? 'INGRESS_TRAFFIC_ALL'), ingressAfter = String(after.ingress ?? 'INGRESS_TRAFFIC_ALL');
  if (ingressBefore !== ingressAfter) {
    changes.push({ what: 'ingress', from: INGRESS_LABEL[ingressBefore] ?? ingressBefore, to: INGRESS_LABEL[ingressAfter] ?? ingressAfter,
      risk: (INGRESS_REACH[ingressAfter] ?? 2) > (INGRESS_REACH[ingressBefore] ?? 2) ? 'widens access' : 'narrows access' });
  }
  if (access.publicBefore !== access.publicAfter) {
    changes.push({ what: 'invoker access', from: access.publicBefore ? 'public (allUsers)' : 'private', to: access.publicAfter ? 'public (allUsers)' : 'private',
      risk: access.publicAfter ? 'widens access' : 'narrows access' });
  }
  const t0 = before.template ?? {}, t1 = after.template ?? {};
  compareValue(changes, 'service account', t0.serviceAccount, t1.serviceAccount);
  compareValue(changes, 'min instances', t0.scaling?.minInstanceCount, t1.scaling?.minInstanceCount);
  compareValue(changes, 'max instances', t0.scaling?.maxInstanceCount, t1.scaling?.maxInstanceCount);
  compareValue(changes, 'concurrency', t0.maxInstanceRequestConcurrency, t1.maxInstanceRequestConcurrency);
  const seconds = (t: typeof t0) => (t.timeout?.seconds == null ? undefined : Number(String(t.timeout.seconds)));
  compareValue(changes, 'timeout (s)', seconds(t0), seconds(t1));
  for (const key of new Set([...Object.keys(t0), ...Object.keys(t1)])) {
    if (['revision', 'containers', 'serviceAccount', 'scaling', 'maxInstanceRequestConcurrency', 'timeout'].includes(key)) continue;
    compareGeneric(changes, key, t0[key], t1[key]);
  }
  const { minInstanceCount: _a, maxInstanceCount: _b, ...scaleBefore } = t0.scaling ?? {};
  const { minInstanceCount: _c, maxInstanceCount: _d, ...scaleAfter } = t1.scaling ?? {};
  compareGeneric(changes, 'scaling', scaleBefore, scaleAfter);
  // Containers pair up by name (sidecars are named), else by position.
  const c0 = t0.containers ?? [], c1 = t1.containers ?? [];
  const key = (c: ContainerSpec, i: number) => c.name || `#${i + 1}`;
  const servingKey = c1.length ? key(c1[servingContainerIndex(t1)], servingContainerIndex(t1)) : undefined;
  const was = new Map(c0.map((c, i) => [key(c, i), c])), will = new Map(c1.map((c, i) => [key(c, i), c]));
  for (const name of new Set([...will.keys(), ...was.keys()])) {
    const prefix = name === servingKey ? '' : `container ${name}: `;
    const before = was.get(name), after = will.get(name);
    if (!after) changes.push({ what: `${prefix}container`, from: show(before!.image), to: '(removed)', risk: 'removes' });
    else if (!before) changes.push({ what: `${prefix}container`, from: '(none)', to: show(after.image) });
    else compareContainer(changes, prefix, before, after);
  }
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!NOT_PLANNED.has(key)) compareGeneric(changes, key, before[key], after[key]);
  }
  return changes;
}

/** What a first deploy creates, in the same before → after form (before is nothing). */
export function planNewService(config: DeployConfig, image: string): PlanChange[] {
  return [
    { what: 'service', from: '(none)', to: `${config.service} in ${config.project}/${config.region}` },
    { what: 'invoker access', from: '(none)', to: config.allowUnauthenticated ? 'public (allUsers)' : 'private (IAM only)', ...(config.allowUnauthenticated ? { risk: 'widens access' as const } : {}) },
    { what: 'ingress', from: '(none)', to: config.ingress },
    { what: 'service account', from: '(none)', to: config.serviceAccount || "the project's default compute service account" },
    { what: 'image', from: '(none)', to: image },
    { what: 'resources', from: '(none)', to: `memory ${config.memory}, cpu ${config.cpu}, ${config.minInstances}–${config.maxInstances} instances, concurrency ${config.concurrency}, timeout ${config.timeoutSeconds} s` },
    ...Object.keys(config.env).map((name) => ({ what: `env ${name}`, from: '(none)', to: '(value)' })),
    ...Object.entries(config.secrets).map(([name, ref]) => ({ what: `env ${name}`, from: '(none)', to: `secret ${showRef(ref)}` })),
  ];
}

/**
 * Variables set live on the serving container that the settings do not name (never dropped silently):
 * all their `names`, and for the plan the plain ones and the secret references apart.
 */
export function unlistedEnv(live: ServiceSpec, config: DeployConfig): Pick<DeployPlan, 'droppedEnv' | 'droppedSecrets'> & { names: string[] } {
  const container = live.template?.containers?.[servingContainerIndex(live.template)];
  const unlisted = (container?.env ?? []).filter((e) => e.name && !(e.name in config.env) && !(e.name in config.secrets));
  return {
    names: unlisted.map((e) => String(e.name)),
    droppedEnv: unlisted.filter((e) => !e.valueSource?.secretKeyRef).map((e) => String(e.name)),
    droppedSecrets: unlisted.filter((e) => e.valueSource?.secretKeyRef).map((e) => `${e.name} → ${showRef(e.valueSource!.secretKeyRef!)}`),
  };
}

export const riskyChanges = (plan: DeployPlan) => plan.changes.filter((c) => c.risk);

export function describePlan(plan: DeployPlan): string {
  const lines = plan.changes.map((c) => `• ${c.what}: ${c.from} → ${c.to}${c.risk ? `  ⚠ ${c.risk}` : ''}`);
  if (plan.droppedEnv.length) lines.push(`• env vars set live but not in settings (kept): ${plan.droppedEnv.join(', ')}`);
  if (plan.droppedSecrets.length) lines.push(`• secret refs set live but not in settings (kept): ${plan.droppedSecrets.join(', ')}`);
  const text = lines.length ? lines.join('\n') : 'No configuration changes (same image and settings).';
  return [text, ...(plan.healthCheck ? [plan.healthCheck] : []), ...(plan.notes ?? []).map((n) => `⚠ ${n}`)].join('\n');
}

