// The log entries Cloud Run writes for a revision, built the way Cloud Logging stores them: container
// output (run.googleapis.com/stdout, /stderr; JSON lines become jsonPayload with their special fields
// lifted out), platform messages (run.googleapis.com/varlog/system) and request logs
// (run.googleapis.com/requests) with httpRequest, trace and a severity from the status.
import type { Duration, LogEntry, MonitoredResource, Timestamp } from './apiTypes';
import { nowTimestamp, timestampFromMs } from './timestamps';

export interface RevisionRef {
  project: string;
  location: string;
  service: string;
  /** Revision short name; "" when a request never reached a revision. */
  revision: string;
}

export type RunLog = 'requests' | 'stdout' | 'stderr' | 'varlog/system';

const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];
const SEVERITY_ALIASES: Record<string, string> = { WARN: 'WARNING', ERR: 'ERROR', FATAL: 'CRITICAL', TRACE: 'DEBUG' };
const SPECIAL = 'logging.googleapis.com/';

export function runLogName(project: string, log: RunLog): string {
  return `projects/${project}/logs/${encodeURIComponent(`run.googleapis.com/${log}`)}`;
}

export function revisionResource(ref: RevisionRef): MonitoredResource {
  return {
    type: 'cloud_run_revision',
    labels: {
      project_id: ref.project, service_name: ref.service, revision_name: ref.revision, location: ref.location,
      configuration_name: ref.service,
    },
  };
}

/** A severity name from what an app wrote ("warning", "WARN", 500…); DEFAULT when it is not one. */
export function severityOf(value: unknown): string {
  if (typeof value === 'number') return SEVERITIES[Math.max(0, Math.min(8, Math.floor(value / 100)))];
  if (typeof value !== 'string') return 'DEFAULT';
  const upper = value.trim().toUpperCase();
  const name = SEVERITY_ALIASES[upper] ?? upper;
  return SEVERITIES.includes(name) ? name : 'DEFAULT';
}

/** google.protobuf.Value/Struct as @grpc/proto-loader encodes them. */
export function toValue(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  if (typeof value === 'object') return { structValue: toStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}

export function toStruct(object: Record<string, unknown>): { fields: Record<string, unknown> } {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toValue(v)])) };
}

function durationOf(text: unknown): Duration | undefined {
  const m = typeof text === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(text.trim()) : null;
  if (!m) return undefined;
  return durationFromMs(Number(m[1]) * 1000);
}

export function durationFromMs(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** One line of container output as Cloud Run's logging agent turns it into an entry. */
export function containerLineEntry(ref: RevisionRef, stream: 'stdout' | 'stderr', line: string, instanceId: string, containerName: string): LogEntry {
  const entry: LogEntry = {
    logName: runLogName(ref.project, stream),
    resource: revisionResource(ref),
    timestamp: nowTimestamp(),
    severity: 'DEFAULT',
    labels: { instanceId, container_name: containerName },
  };
  const parsed = parseJsonLine(line);
  if (!parsed) {
    entry.textPayload = line;
    return entry;
  }
  const payload = { ...parsed };
  if ('severity' in payload) {
    entry.severity = severityOf(payload.severity);
    delete payload.severity;
  }
  const lift = (key: string, apply: (v: unknown) => void) => {
    if (key in payload) {
      apply(payload[key]);
      delete payload[key];
    }
  };
  lift(`${SPECIAL}trace`, (v) => { if (typeof v === 'string') entry.trace = v; });
  lift(`${SPECIAL}spanId`, (v) => { if (typeof v === 'string') entry.spanId = v; });
  lift(`${SPECIAL}trace_sampled`, (v) => { entry.traceSampled = v === true; });
  lift(`${SPECIAL}insertId`, (v) => { if (typeof v === 'string') entry.insertId = v; });
  lift(`${SPECIAL}labels`, (v) => {
    if (v && typeof v === 'object') entry.labels = { ...entry.labels, ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) };
  });
  lift(`${SPECIAL}sourceLocation`, (v) => { if (v && typeof v === 'object') entry.sourceLocation = v; });
  lift(`${SPECIAL}operation`, (v) => { if (v && typeof v === 'object') entry.operation = v; });
  lift('timestamp', (v) => {
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isNaN(ms)) entry.timestamp = timestampFromMs(ms);
  });
  lift('httpRequest', (v) => {
    if (!v || typeof v !== 'object') return;
    const { latency, ...rest } = v as Record<string, unknown>;
    entry.httpRequest = { ...rest, ...(durationOf(latency) ? { latency: durationOf(latency) } : {}) };
  });
  entry.jsonPayload = toStruct(payload);
  return entry;
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** A platform message in run.googleapis.com/varlog/system ("Container called exit(1).", probe results). */
export function systemEntry(ref: RevisionRef, severity: string, text: string, instanceId?: string): LogEntry {
  return {
    logName: runLogName(ref.project, 'varlog/system'),
    resource: revisionResource(ref),
    timestamp: nowTimestamp(),
    severity,
    textPayload: text,
    labels: instanceId ? { instanceId } : {},
  };
}

export interface RequestInfo {
  method: string;
  url: string;
  status: number;
  requestSize: number;
  responseSize: number;
  userAgent?: string;
  remoteIp?: string;
  serverIp?: string;
  referer?: string;
  protocol: string;
  startedAt: Timestamp;
  latencyMs: number;
  traceId: string;
  spanId: string;
  instanceId?: string;
  /** Cloud Run adds an explanation to some platform answers (403 unauthenticated, 503, 504). */
  text?: string;
}

export function requestEntry(ref: RevisionRef, r: RequestInfo): LogEntry {
  const httpRequest: Record<string, unknown> = {
    requestMethod: r.method,
    requestUrl: r.url,
    requestSize: String(r.requestSize),
    status: r.status,
    responseSize: String(r.responseSize),
    latency: durationFromMs(r.latencyMs),
    protocol: r.protocol,
  };
  if (r.userAgent) httpRequest.userAgent = r.userAgent;
  if (r.remoteIp) httpRequest.remoteIp = r.remoteIp;
  if (r.serverIp) httpRequest.serverIp = r.serverIp;
  if (r.referer) httpRequest.referer = r.referer;
  const entry: LogEntry = {
    logName: runLogName(ref.project, 'requests'),
    resource: revisionResource(ref),
    timestamp: r.startedAt,
    severity: r.status >= 500 ? 'ERROR' : r.status >= 400 ? 'WARNING' : 'INFO',
    httpRequest,
    trace: `projects/${ref.project}/traces/${r.traceId}`,
    spanId: r.spanId,
    traceSampled: true,
    labels: r.instanceId ? { instanceId: r.instanceId } : {},
  };
  if (r.text) entry.textPayload = r.text;
  return entry;
}
