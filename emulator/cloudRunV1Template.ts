// Cloud Run Admin v1 (Knative serving, what gcloud speaks) ⇄ the v2 state, for what a user configures: the
// revision template, traffic, and the service settings v1 carries in annotations. Both directions live here
// so a v1 write read back through v2 (and the reverse) agree: v2 → v1 → v2 must give the same template, or
// a `gcloud run services update-traffic` (a PUT of the whole object) would look like a new configuration.
// The resource views around it (metadata, status, lists) are in cloudRunV1Mapping.ts.
import { createHash } from 'node:crypto';
import type { Container, EnvVar, RevisionTemplate, TrafficTarget } from './apiTypes';
import { LATEST, REVISION } from './cloudRunRules';
import { numberOf } from './projects';
import type { ServiceSpec } from './serviceSpec';

export type Json = Record<string, unknown>;
type Strings = Record<string, string>;

export interface KnMeta {
  name?: string;
  namespace?: string;
  labels?: Strings;
  annotations?: Strings;
  [field: string]: unknown;
}

export interface KnTemplate {
  metadata?: KnMeta;
  spec?: Json & { containers?: Json[]; volumes?: Json[] };
}

export interface KnTraffic {
  revisionName?: string;
  latestRevision?: boolean;
  configurationName?: string;
  percent?: number;
  tag?: string;
  url?: string;
}

export const A = {
  minScale: 'autoscaling.knative.dev/minScale',
  maxScale: 'autoscaling.knative.dev/maxScale',
  executionEnvironment: 'run.googleapis.com/execution-environment',
  secrets: 'run.googleapis.com/secrets',
  cpuThrottling: 'run.googleapis.com/cpu-throttling',
  startupCpuBoost: 'run.googleapis.com/startup-cpu-boost',
  sessionAffinity: 'run.googleapis.com/sessionAffinity',
  vpcConnector: 'run.googleapis.com/vpc-access-connector',
  vpcEgress: 'run.googleapis.com/vpc-access-egress',
  ingress: 'run.googleapis.com/ingress',
  ingressStatus: 'run.googleapis.com/ingress-status',
  description: 'run.googleapis.com/description',
  launchStage: 'run.googleapis.com/launch-stage',
  invokerIamDisabled: 'run.googleapis.com/invoker-iam-disabled',
  serviceMinScale: 'run.googleapis.com/minScale',
  serviceMaxScale: 'run.googleapis.com/maxScale',
  scalingMode: 'run.googleapis.com/scalingMode',
  manualInstanceCount: 'run.googleapis.com/manualInstanceCount',
  clientName: 'run.googleapis.com/client-name',
  clientVersion: 'run.googleapis.com/client-version',
  defaultUrlDisabled: 'run.googleapis.com/default-url-disabled',
  customAudiences: 'run.googleapis.com/custom-audiences',
  creator: 'serving.knative.dev/creator',
  lastModifier: 'serving.knative.dev/lastModifier',
  urls: 'run.googleapis.com/urls',
} as const;

/** Key domains Cloud Run keeps for itself: never user labels/annotations in v2, system-set in v1. */
const SYSTEM_DOMAINS = ['run.googleapis.com', 'cloud.googleapis.com', 'serving.knative.dev', 'autoscaling.knative.dev'];

export function isSystemKey(key: string): boolean {
  const slash = key.indexOf('/');
  const domain = slash >= 0 ? key.slice(0, slash) : '';
  return SYSTEM_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
}

function userEntries(map: Strings | undefined): Strings {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !isSystemKey(k)));
}

const INGRESS: Record<string, string> = {
  INGRESS_TRAFFIC_ALL: 'all',
  INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'internal-and-cloud-load-balancing',
  INGRESS_TRAFFIC_NONE: 'none',
};
const EGRESS: Record<string, string> = { ALL_TRAFFIC: 'all-traffic', PRIVATE_RANGES_ONLY: 'private-ranges-only' };
const invert = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));
const SET = (v: unknown) => v !== undefined && v !== null && v !== '' && !/_UNSPECIFIED$/.test(String(v));

export function v1Ingress(ingress: unknown): string {
  return INGRESS[String(ingress)] ?? 'all';
}

// ---- v2 → v1 --------------------------------------------------------------------------------------

/** The alias a v1 object uses for a secret of another form than a bare name (gcloud's `S[:5]-id` style). */
function secretAlias(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `${name.slice(0, 5)}-${createHash('sha256').update(path).digest('hex').slice(0, 12)}`;
}

/** `projects/P/secrets/S` in the form gcloud reads in run.googleapis.com/secrets (a project number). */
function annotationPath(secret: string): string {
  const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(secret);
  return m ? `projects/${numberOf(m[1])}/secrets/${m[2]}` : secret;
}

export function v1Template(t: RevisionTemplate): KnTemplate {
  const annotations: Strings = { ...userEntries(t.annotations) };
  if (t.scaling?.minInstanceCount) annotations[A.minScale] = String(t.scaling.minInstanceCount);
  if (t.scaling?.maxInstanceCount) annotations[A.maxScale] = String(t.scaling.maxInstanceCount);
  if (SET(t.executionEnvironment)) annotations[A.executionEnvironment] = String(t.executionEnvironment).replace('EXECUTION_ENVIRONMENT_', '').toLowerCase();
  if (t.sessionAffinity) annotations[A.sessionAffinity] = 'true';
  const vpc = t.vpcAccess as { connector?: string; egress?: string } | undefined;
  if (vpc?.connector) annotations[A.vpcConnector] = vpc.connector;
  if (vpc?.egress && EGRESS[vpc.egress]) annotations[A.vpcEgress] = EGRESS[vpc.egress];
  const ingressResources = t.containers?.[0]?.resources;
  if (ingressResources?.cpuIdle !== undefined) annotations[A.cpuThrottling] = String(ingressResources.cpuIdle);
  if (ingressResources?.startupCpuBoost) annotations[A.startupCpuBoost] = 'true';

  const aliases = new Map<string, string>();
  const nameFor = (secret: string) => {
    if (!secret.includes('/')) return secret;
    const alias = secretAlias(secret);
    aliases.set(alias, annotationPath(secret));
    return alias;
  };
  const containers = (t.containers ?? []).map((c) => v1Container(c, nameFor));
  const volumes = ((t.volumes ?? []) as Json[]).map((v) => v1Volume(v, nameFor));
  if (aliases.size) annotations[A.secrets] = [...aliases].sort().map(([alias, path]) => `${alias}:${path}`).join(',');

  const spec: Json = {};
  if (t.maxInstanceRequestConcurrency) spec.containerConcurrency = t.maxInstanceRequestConcurrency;
  if (t.timeout?.seconds) spec.timeoutSeconds = Number(t.timeout.seconds);
  if (t.serviceAccount) spec.serviceAccountName = t.serviceAccount;
  spec.containers = containers;
  if (volumes.length) spec.volumes = volumes;
  const metadata: KnMeta = {};
  if (t.revision) metadata.name = t.revision;
  metadata.labels = { ...userEntries(t.labels) };
  metadata.annotations = annotations;
  return { metadata, spec };
}

function pick(from: Json | undefined, keys: string[]): Json | undefined {
  if (!from) return undefined;
  const out: Json = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = structuredClone(from[k]);
  return Object.keys(out).length ? out : undefined;
}

const PROBE_KEYS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'failureThreshold', 'httpGet', 'tcpSocket', 'grpc'];

function v1Container(c: Container, nameFor: (secret: string) => string): Json {
  const out: Json = {};
  if (c.name) out.name = c.name;
  out.image = c.image;
  if ((c.command as string[] | undefined)?.length) out.command = [...(c.command as string[])];
  if ((c.args as string[] | undefined)?.length) out.args = [...(c.args as string[])];
  if (c.env?.length) {
    out.env = c.env.map((e) => {
      const ref = e.valueSource?.secretKeyRef;
      if (!ref) return { name: e.name, value: e.value ?? '' };
      return { name: e.name, valueFrom: { secretKeyRef: { name: nameFor(ref.secret ?? ''), key: ref.version || 'latest' } } };
    });
  }
  if (c.resources?.limits) out.resources = { limits: { ...c.resources.limits } };
  copyFieldsSpelledAlike(c as unknown as Json, out);
  return out;
}

function v1Volume(v: Json, nameFor: (secret: string) => string): Json {
  const out: Json = { name: v.name };
  const secret = v.secret as { secret?: string; items?: { path?: string; version?: string; mode?: number }[]; defaultMode?: number } | undefined;
  if (secret) {
    out.secret = {
      secretName: nameFor(secret.secret ?? ''),
      ...(secret.items?.length ? { items: secret.items.map((i) => ({ key: i.version || 'latest', path: i.path, ...(i.mode ? { mode: i.mode } : {}) })) } : {}),
      ...(secret.defaultMode ? { defaultMode: secret.defaultMode } : {}),
    };
  }
  const emptyDir = v.emptyDir as { medium?: string; sizeLimit?: string } | undefined;
  if (emptyDir) out.emptyDir = { ...(emptyDir.medium === 'MEMORY' ? { medium: 'Memory' } : {}), ...(emptyDir.sizeLimit ? { sizeLimit: emptyDir.sizeLimit } : {}) };
  return out;
}

export function v1Traffic(traffic: TrafficTarget[] | undefined): KnTraffic[] {
  return (traffic ?? []).map((t) => {
    const out: KnTraffic = {};
    if (t.type === LATEST) out.latestRevision = true;
    else out.revisionName = t.revision;
    if (t.percent) out.percent = t.percent;
    if (t.tag) out.tag = t.tag;
    return out;
  });
}

/** Service-level settings v1 keeps in metadata.annotations (besides the user's own). */
export function v1ServiceAnnotations(spec: ServiceSpec): Strings {
  const out: Strings = { ...userEntries(spec.annotations) };
  out[A.ingress] = v1Ingress(spec.ingress);
  if (spec.description) out[A.description] = spec.description;
  if (SET(spec.launchStage) && spec.launchStage !== 'GA') out[A.launchStage] = String(spec.launchStage);
  if (spec.invokerIamDisabled) out[A.invokerIamDisabled] = 'true';
  if (spec.defaultUriDisabled) out[A.defaultUrlDisabled] = 'true';
  if ((spec.customAudiences as string[] | undefined)?.length) out[A.customAudiences] = JSON.stringify(spec.customAudiences);
  const scaling = spec.scaling as { minInstanceCount?: number; maxInstanceCount?: number; scalingMode?: string; manualInstanceCount?: number } | undefined;
  if (scaling?.minInstanceCount) out[A.serviceMinScale] = String(scaling.minInstanceCount);
  if (scaling?.maxInstanceCount) out[A.serviceMaxScale] = String(scaling.maxInstanceCount);
  if (scaling?.scalingMode === 'MANUAL') out[A.scalingMode] = 'manual';
  if (scaling?.manualInstanceCount) out[A.manualInstanceCount] = String(scaling.manualInstanceCount);
  if (spec.client) out[A.clientName] = String(spec.client);
  if (spec.clientVersion) out[A.clientVersion] = String(spec.clientVersion);
  return out;
}

// ---- v1 → v2 --------------------------------------------------------------------------------------

/** The template fields the v1 object fully describes; any other v2 field is kept from the stored template. */
const OWNED_TEMPLATE = ['revision', 'labels', 'annotations', 'scaling', 'executionEnvironment', 'sessionAffinity', 'vpcAccess',
  'maxInstanceRequestConcurrency', 'timeout', 'serviceAccount', 'containers', 'volumes'];
const OWNED_SERVICE = ['labels', 'annotations', 'template', 'traffic', 'ingress', 'description', 'launchStage', 'invokerIamDisabled',
  'defaultUriDisabled', 'customAudiences', 'scaling', 'client', 'clientVersion'];

const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

export function fromV1Template(kn: KnTemplate, existing: RevisionTemplate | undefined): RevisionTemplate {
  const t: RevisionTemplate = structuredClone(existing ?? {});
  for (const key of OWNED_TEMPLATE) delete t[key];
  const annotations = kn.metadata?.annotations ?? {};
  const spec = kn.spec ?? {};
  if (kn.metadata?.name) t.revision = kn.metadata.name;
  t.labels = userEntries(kn.metadata?.labels);
  t.annotations = userEntries(annotations);
  const min = int(annotations[A.minScale]);
  const max = int(annotations[A.maxScale]);
  if (min !== undefined || max !== undefined) t.scaling = { ...(min ? { minInstanceCount: min } : {}), ...(max ? { maxInstanceCount: max } : {}) };
  const env = annotations[A.executionEnvironment];
  if (env === 'gen1' || env === 'gen2') t.executionEnvironment = `EXECUTION_ENVIRONMENT_${env.toUpperCase()}`;
  if (annotations[A.sessionAffinity]?.toLowerCase() === 'true') t.sessionAffinity = true;
  if (annotations[A.vpcConnector]) {
    const egress = invert(EGRESS)[annotations[A.vpcEgress] ?? ''];
    t.vpcAccess = { connector: annotations[A.vpcConnector], ...(egress ? { egress } : {}) };
  }
  if (typeof spec.containerConcurrency === 'number') t.maxInstanceRequestConcurrency = spec.containerConcurrency;
  if (typeof spec.timeoutSeconds === 'number' && spec.timeoutSeconds > 0) t.timeout = { seconds: String(spec.timeoutSeconds) };
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) t.serviceAccount = spec.serviceAccountName;

  const secretOf = secretResolver(annotations[A.secrets], existing);
  t.containers = (spec.containers ?? []).map((c) => fromV1Container(c, secretOf));
  const first = t.containers[0];
  if (first) {
    // gcloud writes these booleans as Python does ("True"/"False").
    const throttling = annotations[A.cpuThrottling]?.toLowerCase();
    if (throttling === 'true' || throttling === 'false') first.resources = { ...first.resources, cpuIdle: throttling === 'true' };
    if (annotations[A.startupCpuBoost]?.toLowerCase() === 'true') first.resources = { ...first.resources, startupCpuBoost: true };
  }
  const volumes = (spec.volumes ?? []).map((v) => fromV1Volume(v, secretOf));
  if (volumes.length) t.volumes = volumes;
  return t;
}

/**
 * v1 names a secret by its bare name or by an alias listed in run.googleapis.com/secrets. An alias maps back to
 * the stored template's spelling of the same secret when there is one (v1 shows project numbers, v2 may hold ids).
 */
function secretResolver(annotation: string | undefined, existing: RevisionTemplate | undefined): (name: string) => string {
  const aliases = new Map<string, string>();
  for (const pair of (annotation ?? '').split(',').filter(Boolean)) {
    const i = pair.indexOf(':');
    if (i > 0) aliases.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const known = new Map<string, string>();
  const remember = (secret: string | undefined) => { if (secret?.includes('/')) known.set(annotationPath(secret), secret); };
  for (const c of existing?.containers ?? []) for (const e of c.env ?? []) remember(e.valueSource?.secretKeyRef?.secret);
  for (const v of (existing?.volumes ?? []) as Json[]) remember((v.secret as { secret?: string } | undefined)?.secret);
  return (name) => {
    const path = aliases.get(name);
    return path ? known.get(path) ?? path : name;
  };
}

function fromV1Container(c: Json, secretOf: (name: string) => string): Container {
  const out: Container = {};
  if (c.name) out.name = String(c.name);
  out.image = c.image as string | undefined;
  if ((c.command as string[] | undefined)?.length) out.command = [...(c.command as string[])];
  if ((c.args as string[] | undefined)?.length) out.args = [...(c.args as string[])];
  const env = (c.env as Json[] | undefined) ?? [];
  if (env.length) {
    out.env = env.map((e): EnvVar => {
      const ref = (e.valueFrom as { secretKeyRef?: { name?: string; key?: string } } | undefined)?.secretKeyRef;
      if (!ref) return { name: String(e.name ?? ''), value: String(e.value ?? '') };
      return { name: String(e.name ?? ''), valueSource: { secretKeyRef: { secret: secretOf(ref.name ?? ''), version: ref.key || 'latest' } } };
    });
  }
  const limits = (c.resources as { limits?: Strings } | undefined)?.limits;
  if (limits && Object.keys(limits).length) out.resources = { limits: { ...limits } };
  copyFieldsSpelledAlike(c, out);
  return out;
}

/** Container fields v1 and v2 spell alike, copied in either direction: ports, probes, working dir, mounts. */
function copyFieldsSpelledAlike(c: Json, out: Json): void {
  const ports = (c.ports as { name?: string; containerPort?: number }[] | undefined) ?? [];
  if (ports.length) out.ports = ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort ?? 8080 }));
  for (const probe of ['startupProbe', 'livenessProbe']) {
    const p = pick(c[probe] as Json | undefined, PROBE_KEYS);
    if (p) out[probe] = p;
  }
  if (c.workingDir) out.workingDir = c.workingDir;
  const mounts = (c.volumeMounts as Json[] | undefined) ?? [];
  if (mounts.length) out.volumeMounts = mounts.map((m) => pick(m, ['name', 'mountPath', 'subPath']));
}

function fromV1Volume(v: Json, secretOf: (name: string) => string): Json {
  const out: Json = { name: v.name };
  const secret = v.secret as { secretName?: string; items?: { key?: string; path?: string; mode?: number }[]; defaultMode?: number } | undefined;
  if (secret) {
    out.secret = {
      secret: secretOf(secret.secretName ?? ''),
      ...(secret.items?.length ? { items: secret.items.map((i) => ({ path: i.path, version: i.key || 'latest', ...(i.mode ? { mode: i.mode } : {}) })) } : {}),
      ...(secret.defaultMode ? { defaultMode: secret.defaultMode } : {}),
    };
  }
  const emptyDir = v.emptyDir as { medium?: string; sizeLimit?: string } | undefined;
  if (emptyDir) out.emptyDir = { ...(emptyDir.medium === 'Memory' ? { medium: 'MEMORY' } : {}), ...(emptyDir.sizeLimit ? { sizeLimit: emptyDir.sizeLimit } : {}) };
  return out;
}

/** v1 traffic: a revision by name, or the latest ready one (`latestRevision`, or neither set, as in Knative). */
export function fromV1Traffic(traffic: KnTraffic[] | undefined): TrafficTarget[] {
  return (traffic ?? []).map((t) => {
    const out: TrafficTarget = t.revisionName && !t.latestRevision ? { type: REVISION, revision: t.revisionName } : { type: LATEST };
    out.percent = t.percent ?? 0;
    if (t.tag) out.tag = t.tag;
    return out;
  });
}

/**
 * The v2 spec a v1 Service asks for. Fields v1 cannot express (e.g. binaryAuthorization, buildConfig) are kept
 * from `existing`, so a gcloud PUT never drops what a v2 client set.
 */
export function fromV1Service(kn: { metadata?: KnMeta; spec?: { template?: KnTemplate; traffic?: KnTraffic[] } }, existing: ServiceSpec | undefined): ServiceSpec {
  const spec = structuredClone(existing ?? {}) as ServiceSpec;
  for (const key of OWNED_SERVICE) delete spec[key];
  const a = kn.metadata?.annotations ?? {};
  spec.labels = userEntries(kn.metadata?.labels);
  spec.annotations = userEntries(a);
  const ingress = invert(INGRESS)[a[A.ingress] ?? ''];
  // "all" is what v1 shows when v2 left ingress unset: reading it back must not turn into a change.
  if (ingress && !(ingress === 'INGRESS_TRAFFIC_ALL' && !existing?.ingress)) spec.ingress = ingress;
  if (a[A.description]) spec.description = a[A.description];
  if (a[A.launchStage]) spec.launchStage = a[A.launchStage];
  if (a[A.invokerIamDisabled]?.toLowerCase() === 'true') spec.invokerIamDisabled = true;
  if (a[A.defaultUrlDisabled]?.toLowerCase() === 'true') spec.defaultUriDisabled = true;
  if (a[A.customAudiences]) {
    try {
      spec.customAudiences = JSON.parse(a[A.customAudiences]) as string[];
    } catch {
      // not JSON: ignored, as an unknown annotation value
    }
  }
  const scaling: Json = {};
  if (int(a[A.serviceMinScale])) scaling.minInstanceCount = int(a[A.serviceMinScale]);
  if (int(a[A.serviceMaxScale])) scaling.maxInstanceCount = int(a[A.serviceMaxScale]);
  if (a[A.scalingMode] === 'manual') scaling.scalingMode = 'MANUAL';
  if (int(a[A.manualInstanceCount])) scaling.manualInstanceCount = int(a[A.manualInstanceCount]);
  if (Object.keys(scaling).length) spec.scaling = scaling;
  if (a[A.clientName]) spec.client = a[A.clientName];
  if (a[A.clientVersion]) spec.clientVersion = a[A.clientVersion];
  if (kn.spec?.template) spec.template = fromV1Template(kn.spec.template, existing?.template);
  spec.traffic = fromV1Traffic(kn.spec?.traffic);
  return spec;
}
