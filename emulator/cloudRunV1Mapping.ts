// The Cloud Run Admin v1 (Knative serving) view of the v2 state: Service, Revision, Configuration and Route
// objects as run.googleapis.com returns them on its /apis/serving.knative.dev/v1 paths (apiVersion/kind,
// Kubernetes ObjectMeta with the project NUMBER as namespace, conditions with status "True"/"False"/"Unknown").
// Read-only: what a user configures is converted in cloudRunV1Template.ts.
import type { Condition, Revision, Service, Timestamp } from './apiTypes';
import { LATEST } from './cloudRunRules';
import { A, type Json, type KnMeta, v1Template, v1Traffic, v1ServiceAnnotations, v1Ingress } from './cloudRunV1Template';
import { numberOf } from './projects';
import { shortRevisionName } from './resourceBuilders';
import { specOf } from './serviceSpec';
import type { ServiceRecord } from './stateStore';
import { timestampToMs } from './timestamps';

export const API_VERSION = 'serving.knative.dev/v1';
export const KNATIVE_BASE = '/apis/serving.knative.dev/v1';
export const LOCATION_LABEL = 'cloud.googleapis.com/location';
export const SERVICE_LABEL = 'serving.knative.dev/service';
export const CONFIGURATION_LABEL = 'serving.knative.dev/configuration';

interface Address {
  project: string;
  location: string;
  service: string;
}

export function addressOf(v2Name: string): Address {
  const [, project, , location, , service] = v2Name.split('/');
  return { project, location, service };
}

function iso(ts: Timestamp | undefined): string | undefined {
  return ts ? new Date(timestampToMs(ts)).toISOString() : undefined;
}

/** v1 shows the etag without the quotes HTTP etags carry. */
export function resourceVersionOf(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

const STATUS: Record<string, string> = { CONDITION_SUCCEEDED: 'True', CONDITION_FAILED: 'False' };
const SEVERITY: Record<string, string> = { ERROR: 'Error', WARNING: 'Warning', INFO: 'Info' };

/** REVISION_FAILED → RevisionFailed: v1 spells the v2 reason enums in Kubernetes' CamelCase. */
function camelReason(reason: string | undefined): string | undefined {
  if (!reason || /UNSPECIFIED$/.test(reason)) return undefined;
  return reason.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export function v1Condition(c: Condition): Json {
  const out: Json = { type: c.type, status: STATUS[c.state] ?? 'Unknown' };
  const reason = camelReason(c.reason ?? c.revisionReason);
  if (reason) out.reason = reason;
  if (c.message) out.message = c.message;
  if (c.lastTransitionTime) out.lastTransitionTime = iso(c.lastTransitionTime);
  if (c.severity && SEVERITY[c.severity]) out.severity = SEVERITY[c.severity];
  return out;
}

function meta(kind: string, name: string, a: Address, extra: Partial<KnMeta>): KnMeta {
  const namespace = numberOf(a.project);
  return {
    name,
    namespace,
    selfLink: `${KNATIVE_BASE}/namespaces/${namespace}/${kind}/${name}`,
    ...extra,
  };
}

function ownerReference(kind: string, name: string, uid: string | undefined): Json[] {
  return [{ kind, name, uid, apiVersion: API_VERSION, controller: true, blockOwnerDeletion: true }];
}

/** The desired and the observed traffic in v1 form (status adds the resolved revision and tag URLs). */
function statusTraffic(svc: Service): Json[] {
  return (svc.trafficStatuses ?? []).map((t) => {
    const out: Json = {};
    if (t.revision) out.revisionName = t.revision;
    if (t.percent) out.percent = t.percent;
    if (t.type === LATEST) out.latestRevision = true;
    if (t.tag) out.tag = t.tag;
    if (t.uri) out.url = t.uri;
    return out;
  });
}

export function v1Service(record: ServiceRecord): Json {
  const svc = record.service;
  const a = addressOf(svc.name!);
  const annotations = v1ServiceAnnotations(specOf(svc));
  annotations[A.ingressStatus] = v1Ingress(svc.ingress);
  if (svc.creator) annotations[A.creator] = svc.creator;
  if (svc.lastModifier) annotations[A.lastModifier] = svc.lastModifier;
  if (svc.urls?.length) annotations[A.urls] = JSON.stringify(svc.urls);
  const status: Json = {
    observedGeneration: Number(svc.observedGeneration ?? 0),
    conditions: (svc.conditions ?? []).map(v1Condition),
  };
  Object.assign(status, latestRevisionStatus(svc));
  status.traffic = statusTraffic(svc);
  Object.assign(status, urlStatus(svc));
  return {
    apiVersion: API_VERSION,
    kind: 'Service',
    metadata: meta('services', a.service, a, {
      ...serviceObjectMeta(svc),
      labels: { ...(svc.labels ?? {}), [LOCATION_LABEL]: a.location },
      annotations,
    }),
    spec: { template: v1Template(svc.template ?? {}), traffic: v1Traffic(svc.traffic) },
    status,
  };
}

/** Serving: a share of the traffic or a tag, now. Knative's Active condition says so. */
function isServing(svc: Service, short: string): boolean {
  return (svc.trafficStatuses ?? []).some((t) => t.revision === short && ((t.percent ?? 0) > 0 || !!t.tag));
}

export function v1Revision(record: ServiceRecord, revision: Revision): Json {
  const svc = record.service;
  const a = addressOf(svc.name!);
  const short = shortRevisionName(revision.name);
  const template = v1Template(revision);
  const annotations = { ...template.metadata?.annotations };
  if (revision.creator) annotations[A.creator] = revision.creator;
  const serving = isServing(svc, short);
  const labels: Record<string, string> = {
    ...template.metadata?.labels,
    [SERVICE_LABEL]: a.service,
    [CONFIGURATION_LABEL]: a.service,
    'serving.knative.dev/serviceUid': svc.uid ?? '',
    [LOCATION_LABEL]: a.location,
  };
  if (serving) labels['serving.knative.dev/route'] = a.service;
  const conditions = revision.conditions.map(v1Condition);
  const ready = revision.conditions.find((c) => c.type === 'Ready');
  if (ready?.state === 'CONDITION_SUCCEEDED') {
    conditions.push(serving
      ? { type: 'Active', status: 'True', lastTransitionTime: iso(revision.updateTime) }
      : { type: 'Active', status: 'False', reason: 'Retired', message: 'Revision retired.', severity: 'Info', lastTransitionTime: iso(revision.updateTime) });
  }
  const status: Json = { observedGeneration: Number(revision.observedGeneration ?? 1), conditions, logUrl: revision.logUri };
  const pulled = record.runtime?.revisions[short]?.image ?? revision.containers[0]?.image ?? '';
  if (pulled.includes('@sha256:')) status.imageDigest = pulled;
  return {
    apiVersion: API_VERSION,
    kind: 'Revision',
    metadata: meta('revisions', short, a, {
      uid: revision.uid,
      resourceVersion: resourceVersionOf(revision.etag),
      generation: Number(revision.generation ?? 1),
      creationTimestamp: iso(revision.createTime),
      labels,
      annotations,
      ownerReferences: ownerReference('Configuration', a.service, svc.uid),
    }),
    spec: template.spec,
    status,
  };
}

function subCondition(svc: Service, type: string): Json[] {
  const c = (svc.conditions ?? []).find((x) => x.type === type);
  return c ? [v1Condition({ ...c, type: 'Ready' })] : [];
}

/** The Configuration Cloud Run keeps per service (same name): its template and the revisions it made. */
/** What the Service, its Configuration and its Route share: one object on Google, one record here. */
function serviceObjectMeta(svc: ServiceRecord['service']): Json {
  return { uid: svc.uid, resourceVersion: resourceVersionOf(svc.etag), generation: Number(svc.generation ?? 0), creationTimestamp: iso(svc.createTime) };
}

function urlStatus(svc: ServiceRecord['service']): Json {
  return svc.uri ? { url: svc.uri, address: { url: svc.uri } } : {};
}

function latestRevisionStatus(svc: ServiceRecord['service']): Json {
  return {
    ...(svc.latestCreatedRevision ? { latestCreatedRevisionName: shortRevisionName(svc.latestCreatedRevision) } : {}),
    ...(svc.latestReadyRevision ? { latestReadyRevisionName: shortRevisionName(svc.latestReadyRevision) } : {}),
  };
}

export function v1Configuration(record: ServiceRecord): Json {
  const svc = record.service;
  const a = addressOf(svc.name!);
  const status: Json = { observedGeneration: Number(svc.observedGeneration ?? 0), conditions: subCondition(svc, 'ConfigurationsReady') };
  Object.assign(status, latestRevisionStatus(svc));
  return {
    apiVersion: API_VERSION,
    kind: 'Configuration',
    metadata: meta('configurations', a.service, a, {
      ...serviceObjectMeta(svc),
      labels: { [SERVICE_LABEL]: a.service, [LOCATION_LABEL]: a.location },
      ownerReferences: ownerReference('Service', a.service, svc.uid),
    }),
    spec: { template: v1Template(svc.template ?? {}) },
    status,
  };
}

/** The Route Cloud Run keeps per service (same name): the traffic split and the URLs. */
export function v1Route(record: ServiceRecord): Json {
  const svc = record.service;
  const a = addressOf(svc.name!);
  const status: Json = {
    observedGeneration: Number(svc.observedGeneration ?? 0),
    conditions: subCondition(svc, 'RoutesReady'),
    traffic: statusTraffic(svc),
  };
  Object.assign(status, urlStatus(svc));
  return {
    apiVersion: API_VERSION,
    kind: 'Route',
    metadata: meta('routes', a.service, a, {
      ...serviceObjectMeta(svc),
      labels: { [SERVICE_LABEL]: a.service, [LOCATION_LABEL]: a.location },
      ownerReferences: ownerReference('Service', a.service, svc.uid),
    }),
    spec: { traffic: v1Traffic(svc.traffic) },
    status,
  };
}

export function v1List(kind: string, items: Json[], continueToken: string): Json {
  const metadata: Json = {};
  if (continueToken) metadata.continue = continueToken;
  return { apiVersion: API_VERSION, kind: `${kind}List`, metadata, items };
}

/** What a Knative delete answers with (google.cloud.run.v1 Status). */
export function v1DeletedStatus(kind: string, name: string, uid: string | undefined): Json {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', details: { name, group: 'serving.knative.dev', kind, uid } };
}

/** Kubernetes label selectors as gcloud sends them: `k = v`, `k == v`, `k != v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. */
export function matchesLabelSelector(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector?.trim()) return true;
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const r = raw.trim();
    if (!r) return true;
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(r);
    if (m) return m[2] === '!=' ? labels[m[1]] !== m[3] : labels[m[1]] === m[3];
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(r);
    if (m) {
      const values = m[3].split(',').map((v) => v.trim());
      const has = m[1] in labels && values.includes(labels[m[1]]);
      return m[2] === 'in' ? has : !has;
    }
    if (r.startsWith('!')) return !(r.slice(1).trim() in labels);
    return r in labels;
  });
}
