// Raw Cloud Run v2 messages → the extension's model. The clients return enum names from plain calls
// but numbers from operation.promise(), and timestamps as {seconds: Long|string|number}: normalise here.
import type { protos } from '@google-cloud/run';
import { parseResourceName, shortName } from '../core/cloudRunNames';
import { ResourceState, RevisionSummary, ServiceSummary, TrafficTarget } from '../core/model';

type RawService = protos.google.cloud.run.v2.IService;
type RawRevision = protos.google.cloud.run.v2.IRevision;
type RawCondition = protos.google.cloud.run.v2.ICondition;
type RawTraffic = protos.google.cloud.run.v2.ITrafficTarget | protos.google.cloud.run.v2.ITrafficTargetStatus;

const CONDITION_FAILED = 3;
const CONDITION_SUCCEEDED = 4;
const CONDITION_STATES = ['STATE_UNSPECIFIED', 'CONDITION_PENDING', 'CONDITION_RECONCILING', 'CONDITION_FAILED',
  'CONDITION_SUCCEEDED'];
const TRAFFIC_LATEST = 1;
const TRAFFIC_TYPES = ['TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED', 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST',
  'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION'];

function enumNumber(value: unknown, names: string[]): number {
  if (typeof value === 'number') return value;
  const index = names.indexOf(String(value ?? ''));
  return index < 0 ? 0 : index;
}

export function toDate(timestamp: { seconds?: unknown; nanos?: number | null } | null | undefined): Date | undefined {
  if (!timestamp || timestamp.seconds == null) return undefined;
  return new Date(Number(String(timestamp.seconds)) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

function conditionState(reconciling: boolean | null | undefined, condition: RawCondition | null | undefined):
  { state: ResourceState; message?: string } {
  const state = enumNumber(condition?.state, CONDITION_STATES);
  if (state === CONDITION_FAILED) return { state: 'failed', message: condition?.message ?? undefined };
  if (reconciling) return { state: 'deploying', message: condition?.message ?? undefined };
  if (state === CONDITION_SUCCEEDED) return { state: 'ready' };
  return { state: condition ? 'deploying' : 'unknown', message: condition?.message ?? undefined };
}

export function toTrafficTarget(raw: RawTraffic): TrafficTarget {
  const target: TrafficTarget = {
    kind: enumNumber(raw.type, TRAFFIC_TYPES) === TRAFFIC_LATEST ? 'latest' : 'revision',
    percent: raw.percent ?? 0,
  };
  if (raw.revision) target.revision = shortName(raw.revision);
  if (raw.tag) target.tag = raw.tag;
  if ('uri' in raw && raw.uri) target.uri = raw.uri;
  return target;
}

export function toRawTraffic(target: TrafficTarget): protos.google.cloud.run.v2.ITrafficTarget {
  return {
    type: target.kind === 'latest' ? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' : 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
    revision: target.kind === 'revision' ? target.revision : undefined,
    percent: target.percent,
    tag: target.tag || undefined,
  };
}

export function toServiceSummary(raw: RawService): ServiceSummary {
  const name = raw.name ?? '';
  const parsed = parseResourceName(name);
  const { state, message } = conditionState(raw.reconciling, raw.terminalCondition);
  const traffic = (raw.traffic ?? []).map(toTrafficTarget);
  const statuses = (raw.trafficStatuses ?? []).map(toTrafficTarget);
  // Observed statuses name the revision LATEST resolved to; fill it in when a client omits it.
  const latestReady = raw.latestReadyRevision ? shortName(raw.latestReadyRevision) : undefined;
  for (const status of statuses) if (status.kind === 'latest' && !status.revision) status.revision = latestReady;
  return {
    name,
    id: parsed?.service ?? shortName(name),
    project: parsed?.project ?? '',
    region: parsed?.location ?? '',
    uri: raw.uri || undefined,
    state,
    stateMessage: message,
    traffic,
    trafficStatuses: statuses,
    latestReadyRevision: latestReady,
    latestCreatedRevision: raw.latestCreatedRevision ? shortName(raw.latestCreatedRevision) : undefined,
    updateTime: toDate(raw.updateTime),
    etag: raw.etag ?? undefined,
  };
}

export function toRevisionSummary(raw: RawRevision): RevisionSummary {
  const name = raw.name ?? '';
  const ready = (raw.conditions ?? []).find((c) => c.type === 'Ready');
  const { state, message } = conditionState(raw.reconciling, ready);
  const image = raw.containers?.[0]?.image ?? undefined;
  const digest = image?.includes('@') ? image.slice(image.indexOf('@') + 1) : undefined;
  return {
    name,
    id: shortName(name),
    service: raw.service ? shortName(raw.service) : (parseResourceName(name)?.service ?? ''),
    createTime: toDate(raw.createTime),
    image,
    imageDigest: digest,
    state,
    stateMessage: message,
  };
}
