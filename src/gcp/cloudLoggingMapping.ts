// LogEntry messages as the Logging client decodes them (enum names or numbers, int64 as strings or
// Long, Struct payloads) → the extension's CloudLogEntry, once, at the edge.
import { CloudLogEntry, canonicalTimestamp, streamOf, toSeverity } from '../core/logEntries';

type Int64 = number | string | { toString(): string } | null | undefined;

interface RawDuration {
  seconds?: Int64;
  nanos?: number | null;
}

/** The fields we read from google.logging.v2.LogEntry; structural, so no client types leak in. */
export interface RawLogEntry {
  logName?: string | null;
  resource?: { type?: string | null; labels?: Record<string, string> | null } | null;
  timestamp?: RawDuration | null;
  receiveTimestamp?: RawDuration | null;
  severity?: string | number | null;
  insertId?: string | null;
  textPayload?: string | null;
  jsonPayload?: { fields?: Record<string, unknown> | null } | null;
  protoPayload?: { type_url?: string | null; typeUrl?: string | null } | null;
  httpRequest?: {
    requestMethod?: string | null;
    requestUrl?: string | null;
    status?: number | null;
    latency?: RawDuration | null;
  } | null;
  labels?: Record<string, string> | null;
  trace?: string | null;
}

/** google.protobuf.Value → plain JSON. */
function plainValue(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  // With oneofs:true the decoder says which member is set; without it, whichever is present.
  const kind = typeof v.kind === 'string' ? v.kind : Object.keys(v).find((k) => k.endsWith('Value'));
  switch (kind) {
    case 'stringValue': return v.stringValue;
    case 'numberValue': return v.numberValue;
    case 'boolValue': return v.boolValue;
    case 'structValue': return plainStruct(v.structValue as RawLogEntry['jsonPayload']);
    case 'listValue': return ((v.listValue as { values?: unknown[] } | undefined)?.values ?? []).map(plainValue);
    default: return null;
  }
}

export function plainStruct(struct: RawLogEntry['jsonPayload']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, plainValue(v)]));
}

function durationMs(d: RawDuration | null | undefined): number | undefined {
  if (!d) return undefined;
  return Number(String(d.seconds ?? 0)) * 1000 + (d.nanos ?? 0) / 1e6;
}

function requestPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url || '/';
  }
}

function payloadText(raw: RawLogEntry): string {
  if (typeof raw.textPayload === 'string' && raw.textPayload !== '') return raw.textPayload;
  if (raw.jsonPayload) {
    const json = plainStruct(raw.jsonPayload);
    if (typeof json.message === 'string') return json.message;
    return JSON.stringify(json);
  }
  const type = raw.protoPayload?.type_url ?? raw.protoPayload?.typeUrl;
  return type ? `(${type.replace(/^type\.googleapis\.com\//, '')})` : '';
}

let counter = 0;

export function toCloudLogEntry(raw: RawLogEntry): CloudLogEntry {
  const ts = raw.timestamp?.seconds !== undefined && raw.timestamp?.seconds !== null ? raw.timestamp : raw.receiveTimestamp;
  const timestamp = canonicalTimestamp(String(ts?.seconds ?? 0), ts?.nanos ?? 0);
  const labels = raw.resource?.labels ?? {};
  const logName = raw.logName ?? '';
  const http = raw.httpRequest;
  const entry: CloudLogEntry = {
    // Google always sets insertId; a missing one must still not collapse distinct entries.
    insertId: raw.insertId || `mentor-${++counter}`,
    timestamp,
    severity: toSeverity(raw.severity),
    logName,
    stream: streamOf(logName),
    service: labels.service_name || undefined,
    revision: labels.revision_name || undefined,
    instanceId: raw.labels?.instanceId || undefined,
    text: payloadText(raw),
    trace: raw.trace || undefined,
  };
  if (raw.labels?.build_step) entry.buildStep = raw.labels.build_step;
  if (http && (http.requestMethod || http.requestUrl)) {
    entry.request = {
      method: http.requestMethod || '-',
      status: http.status ?? 0,
      latencyMs: durationMs(http.latency),
      path: requestPath(http.requestUrl ?? ''),
    };
  }
  return entry;
}
