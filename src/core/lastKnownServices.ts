// The first level of the explorer as the last load saw it, so a new window can show the rows at once while
// the live listing (hundreds of ms of Google client start-up) runs. Only what the rows show is kept: no
// etags (a write must never plan from a snapshot) and nothing secret (a summary holds no env or secrets).
import { ResourceState, ServiceSummary, TrafficTarget } from './model';
import { MentorTarget } from './settings';

export interface LastKnownServices {
  savedAt: Date;
  services: ServiceSummary[];
}

const VERSION = 1;
/** Enough for any project a person browses; a bigger listing is not kept (its file would cost more than it saves). */
export const MAX_KEPT_SERVICES = 1000;
const STATES: ResourceState[] = ['ready', 'failed', 'deploying', 'unknown'];

/** Which listing a snapshot belongs to: the endpoint (Google or an emulator), the project and the region. */
export function listingKey(target: Pick<MentorTarget, 'project' | 'region' | 'apiEndpoint'>): string {
  return `${target.apiEndpoint || 'google'}|${target.project}|${target.region}`;
}

export function encodeLastKnown(key: string, services: ServiceSummary[], now = new Date()): string | undefined {
  if (services.length > MAX_KEPT_SERVICES) return undefined;
  return JSON.stringify({
    version: VERSION, key, savedAt: now.toISOString(),
    services: services.map(({ etag: _etag, updateTime, ...rest }) => ({ ...rest, updateTime: updateTime?.toISOString() })),
  });
}

/** The snapshot in `text` if it is for `key` and well formed; anything else (old format, other target) is ignored. */
export function decodeLastKnown(text: string, key: string): LastKnownServices | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const value = parsed as { version?: unknown; key?: unknown; savedAt?: unknown; services?: unknown };
  if (value?.version !== VERSION || value.key !== key || typeof value.savedAt !== 'string' || !Array.isArray(value.services)) return undefined;
  const savedAt = new Date(value.savedAt);
  if (Number.isNaN(savedAt.getTime())) return undefined;
  const services: ServiceSummary[] = [];
  for (const raw of value.services as Record<string, unknown>[]) {
    const service = serviceOf(raw);
    if (!service) return undefined;
    services.push(service);
  }
  return { savedAt, services };
}

function serviceOf(raw: Record<string, unknown>): ServiceSummary | undefined {
  const text = (field: string) => (typeof raw[field] === 'string' ? raw[field] as string : undefined);
  const [name, id, project, region] = [text('name'), text('id'), text('project'), text('region')];
  const state = text('state') as ResourceState | undefined;
  if (!name || !id || !project || !region || !state || !STATES.includes(state)) return undefined;
  const traffic = trafficOf(raw.traffic);
  const trafficStatuses = trafficOf(raw.trafficStatuses);
  if (!traffic || !trafficStatuses) return undefined;
  const updateTime = text('updateTime') ? new Date(text('updateTime')!) : undefined;
  return { name, id, project, region, state, traffic, trafficStatuses, uri: text('uri'), stateMessage: text('stateMessage'),
    latestReadyRevision: text('latestReadyRevision'), latestCreatedRevision: text('latestCreatedRevision'),
    updateTime: updateTime && !Number.isNaN(updateTime.getTime()) ? updateTime : undefined };
}

function trafficOf(raw: unknown): TrafficTarget[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const targets: TrafficTarget[] = [];
  for (const t of raw as Record<string, unknown>[]) {
    if ((t?.kind !== 'latest' && t?.kind !== 'revision') || typeof t.percent !== 'number') return undefined;
    targets.push({ kind: t.kind, percent: t.percent, ...(typeof t.revision === 'string' ? { revision: t.revision } : {}),
      ...(typeof t.tag === 'string' ? { tag: t.tag } : {}), ...(typeof t.uri === 'string' ? { uri: t.uri } : {}) });
  }
  return targets;
}
