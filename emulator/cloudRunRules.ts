// Cloud Run's rules as a user sees them: defaults filled into templates, label/traffic validation,
// URLs, and the conditions a service or revision reports. Pure functions; the state lives elsewhere.
import { createHash } from 'node:crypto';
import { trafficTagProblem } from '../src/core/cloudRunNames';
import { invalidArgument } from './apiError';
import type { Condition, ConditionState, RevisionTemplate, Timestamp, TrafficTarget, TrafficTargetStatus } from './apiTypes';

export const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
export const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

const RESERVED_KEY_DOMAINS = ['run.googleapis.com', 'cloud.googleapis.com', 'serving.knative.dev', 'autoscaling.knative.dev'];

/** Rejects label/annotation keys in the domains Cloud Run reserves for itself. */
export function checkUserKeys(where: string, map: Record<string, string> | undefined): void {
  for (const key of Object.keys(map ?? {})) {
    const slash = key.indexOf('/');
    const domain = slash >= 0 ? key.slice(0, slash) : '';
    if (RESERVED_KEY_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`))) {
      throw invalidArgument(
        `Violation in ${where}: the key '${key}' is not allowed; ` +
        `keys in ${RESERVED_KEY_DOMAINS.join(', ')} are reserved for Cloud Run.`,
      );
    }
  }
}

/** A deterministic 12-digit "project number" (the emulator has no resource manager). */
export function projectNumber(project: string): string {
  const n = BigInt(`0x${createHash('sha256').update(`number:${project}`).digest('hex').slice(0, 14)}`);
  return String(100000000000n + (n % 900000000000n));
}

export function defaultServiceAccount(project: string): string {
  return `${projectNumber(project)}-compute@developer.gserviceaccount.com`;
}

/**
 * Fills the defaults Cloud Run writes back into a template (so a read-modify-write round trip is a no-op
 * and two templates can be compared): 512Mi/1 CPU, port 8080 http1, 300 s timeout, concurrency 80
 * (1 below one CPU), max 100 instances, the default TCP startup probe and the compute service account.
 */
export function withTemplateDefaults(template: RevisionTemplate, project: string): RevisionTemplate {
  const t: RevisionTemplate = structuredClone(template);
  t.labels ??= {};
  t.annotations ??= {};
  t.scaling = { ...t.scaling, maxInstanceCount: t.scaling?.maxInstanceCount || 100 };
  if (!t.timeout || (!Number(t.timeout.seconds ?? 0) && !t.timeout.nanos)) t.timeout = { seconds: '300' };
  t.serviceAccount ||= defaultServiceAccount(project);
  t.containers = (t.containers ?? []).map((c, i) => {
    const container = { ...c };
    const limits = { cpu: '1000m', memory: '512Mi', ...(container.resources?.limits ?? {}) };
    container.resources = { ...container.resources, limits };
    if (i === 0 && !(container.ports ?? []).length) container.ports = [{ name: 'http1', containerPort: 8080 }];
    const port = container.ports?.[0]?.containerPort || 8080;
    if (i === 0 && !container.startupProbe) {
      container.startupProbe = { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
    }
    return container;
  });
  if (!t.maxInstanceRequestConcurrency) {
    t.maxInstanceRequestConcurrency = cpuOf(t.containers[0]?.resources?.limits?.cpu) < 1 ? 1 : 80;
  }
  return t;
}

function cpuOf(cpu: string | undefined): number {
  if (!cpu) return 1;
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** Orders object keys so two equal configurations serialize identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

/** What makes two revisions "the same configuration": the template minus the revision name. */
export function templateFingerprint(template: RevisionTemplate): string {
  const rest: RevisionTemplate = { ...template };
  delete rest.revision;
  return canonicalJson(rest);
}

/** Validates the desired traffic and returns it normalized (short revision names, explicit types). */
export function normalizeTraffic(serviceId: string, traffic: TrafficTarget[] | undefined): TrafficTarget[] {
  if (!traffic || traffic.length === 0) return [{ type: LATEST, percent: 100 }];
  const tags = new Set<string>();
  let sum = 0;
  const out = traffic.map((target, i) => {
    const where = `spec.traffic[${i}]`;
    const revision = target.revision ? target.revision.slice(target.revision.lastIndexOf('/') + 1) : '';
    const type = target.type && target.type !== 'TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED'
      ? target.type
      : revision ? REVISION : LATEST;
    if (type === LATEST && revision) {
      throw invalidArgument(`${where}: a target of type LATEST must not name a revision (got '${revision}').`);
    }
    if (type === REVISION && !revision) throw invalidArgument(`${where}: a target of type REVISION must name a revision.`);
    const percent = target.percent ?? 0;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw invalidArgument(`${where}.percent: ${percent} is not between 0 and 100.`);
    }
    sum += percent;
    const result: TrafficTarget = { type, percent };
    if (revision) result.revision = revision;
    if (target.tag) {
      const problem = trafficTagProblem(serviceId, target.tag);
      if (problem) throw invalidArgument(`spec.traffic.tag: ${problem}`);
      if (tags.has(target.tag)) {
        throw invalidArgument(`spec.traffic: the tag '${target.tag}' is used by more than one traffic target; tags must be unique.`);
      }
      tags.add(target.tag);
      result.tag = target.tag;
    }
    return result;
  });
  if (sum !== 100) {
    throw invalidArgument(`spec.traffic: the traffic percentages add up to ${sum}, but they must add up to 100.`);
  }
  return out;
}

/** Revisions named by REVISION targets that are not among `existing`. */
export function missingTrafficRevisions(traffic: TrafficTarget[], existing: ReadonlySet<string>): string[] {
  return traffic.filter((t) => t.type === REVISION && t.revision && !existing.has(t.revision)).map((t) => t.revision!);
}

export function missingRevisionMessage(revision: string): string {
  return `Revision '${revision}' does not exist or is deleted. Update all traffic to route to currently available revisions.`;
}

const REGION_CODES: Record<string, string> = {
  'us-central1': 'uc', 'us-east1': 'ue', 'us-east4': 'uk', 'us-west1': 'uw', 'us-west2': 'wl',
  'europe-west1': 'ew', 'europe-west2': 'nw', 'europe-west3': 'ey', 'europe-west4': 'ez',
  'asia-east1': 'de', 'asia-northeast1': 'an', 'asia-south1': 'el', 'asia-southeast1': 'as',
  'australia-southeast1': 'ts', 'northamerica-northeast1': 'nn', 'southamerica-east1': 'rj',
};

function regionCode(location: string): string {
  if (REGION_CODES[location]) return REGION_CODES[location];
  const parts = location.replace(/\d+$/, '').split('-');
  return `${parts[0]?.[0] ?? 'x'}${parts[1]?.[0] ?? 'x'}`;
}

/** The stable random-looking part of `https://S-HASH-xx.a.run.app`. */
function urlHash(project: string, service: string): string {
  const digest = createHash('sha256').update(`${project}/${service}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

export function serviceUri(project: string, location: string, service: string, tag?: string): string {
  const prefix = tag ? `${tag}---` : '';
  return `https://${prefix}${service}-${urlHash(project, service)}-${regionCode(location)}.a.run.app`;
}

/** All serving URLs: the deterministic one first when its DNS label fits in 63 chars, then the hash URL. */
export function serviceUrls(project: string, location: string, service: string): string[] {
  const label = `${service}-${projectNumber(project)}`;
  const deterministic = label.length <= 63 ? [`https://${label}.${location}.run.app`] : [];
  return [...deterministic, serviceUri(project, location, service)];
}

/** What is actually serving: LATEST resolved to a revision, tagged targets with their URLs. */
export function resolveTrafficStatuses(
  traffic: TrafficTarget[],
  latestReadyRevision: string,
  urlFor: (tag: string) => string,
): TrafficTargetStatus[] {
  return traffic.map((t) => {
    const status: TrafficTargetStatus = { type: t.type, percent: t.percent ?? 0 };
    const revision = t.type === LATEST ? latestReadyRevision : t.revision;
    if (revision) status.revision = revision;
    if (t.tag) {
      status.tag = t.tag;
      status.uri = urlFor(t.tag);
    }
    return status;
  });
}

export function condition(
  type: string,
  state: ConditionState,
  at: Timestamp,
  extra: Partial<Condition> = {},
): Condition {
  const c: Condition = { type, state, lastTransitionTime: at, ...extra };
  if (state === 'CONDITION_FAILED') c.severity ??= 'ERROR';
  return c;
}

export function revisionLogUri(project: string, service: string, revision: string): string {
  const filter = [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name="${service}"`,
    `resource.labels.revision_name="${revision}"`,
  ].join('\n');
  return `https://console.cloud.google.com/logs/viewer?project=${project}` +
    `&resource=cloud_run_revision/service_name/${service}/revision_name/${revision}` +
    `&advancedFilter=${encodeURIComponent(filter)}`;
}

export function defaultStartFailureMessage(revision: string, port = 8080): string {
  return `Revision '${revision}' is not ready and cannot serve traffic. The user-provided container failed to ` +
    `start and listen on the port defined provided by the PORT=${port} environment variable within the allocated ` +
    'timeout. This can happen when the container port is misconfigured or if the timeout is too short. The ' +
    'health check timeout can be extended. Logs for this revision might contain more information.';
}

/** An etag in the quoted form Google APIs use, derived from what it protects. */
export function etagFor(...parts: string[]): string {
  return `"${createHash('sha256').update(parts.join('|')).digest('base64').slice(0, 27)}"`;
}

/** Three random lowercase letters, the suffix of auto-generated revision names. */
export function randomRevisionSuffix(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 3 }, () => letters[Math.floor(Math.random() * letters.length)]).join('');
}
