// Cloud Run log entries as the extension sees them: one plain model (mapped once from the client's
// messages in src/gcp), severities and the log levels they show as, the one-line format, the Cloud
// Logging filters a tail uses, de-duplication across reconnects, and the reconnect backoff.

import { requestUrlPattern } from './routePattern';

export const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** google.logging.type.LogSeverity numbers: the wire sends either the name or the number. */
const SEVERITY_NUMBERS: Record<Severity, number> = {
  DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800,
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Which Cloud Run log an entry came from (the last part of its logName). */
export type LogStream = 'requests' | 'stdout' | 'stderr' | 'system' | 'other';

export interface RequestInfo {
  method: string;
  status: number;
  latencyMs?: number;
  /** Path and query of requestUrl (the host is the service's, so it adds nothing). */
  path: string;
}

export interface CloudLogEntry {
  insertId: string;
  /** RFC 3339 UTC with nine fractional digits, so text order is time order. */
  timestamp: string;
  severity: Severity;
  logName: string;
  stream: LogStream;
  service?: string;
  revision?: string;
  instanceId?: string;
  /** textPayload, or jsonPayload.message, or the JSON payload itself. */
  text: string;
  request?: RequestInfo;
  trace?: string;
  /** Cloud Build lines: the `build_step` label (`Step #2 - "deploy"`, or `MAIN` for the build's own lines). */
  buildStep?: string;
}

export function severityNumber(severity: Severity): number {
  return SEVERITY_NUMBERS[severity];
}

/** Accepts "ERROR", "error", 500 or "500"; anything unknown is DEFAULT (as Cloud Logging treats it). */
export function toSeverity(value: unknown): Severity {
  if (typeof value === 'string') {
    const upper = value.trim().toUpperCase();
    if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
    if (/^\d+$/.test(upper)) return toSeverity(Number(upper));
    return 'DEFAULT';
  }
  if (typeof value === 'number') {
    // Numbers between the named ones round down, like the LogSeverity ordering.
    let found: Severity = 'DEFAULT';
    for (const s of SEVERITIES) if (SEVERITY_NUMBERS[s] <= value) found = s;
    return found;
  }
  return 'DEFAULT';
}

export function severityLevel(severity: Severity): LogLevel {
  const n = SEVERITY_NUMBERS[severity];
  if (n >= SEVERITY_NUMBERS.ERROR) return 'error';
  if (n >= SEVERITY_NUMBERS.WARNING) return 'warn';
  if (severity === 'DEBUG') return 'debug';
  return 'info';
}

export function isErrorSeverity(severity: Severity): boolean {
  return SEVERITY_NUMBERS[severity] >= SEVERITY_NUMBERS.ERROR;
}

export function streamOf(logName: string): LogStream {
  const id = decodeURIComponent(logName.slice(logName.lastIndexOf('/logs/') + 6));
  switch (id) {
    case 'run.googleapis.com/requests': return 'requests';
    case 'run.googleapis.com/stdout': return 'stdout';
    case 'run.googleapis.com/stderr': return 'stderr';
    case 'run.googleapis.com/varlog/system': return 'system';
    default: return 'other';
  }
}

// ---- timestamps -------------------------------------------------------------------------------

/** {seconds, nanos} (seconds as string, number or Long-like) → canonical RFC 3339 with 9 digits. */
export function canonicalTimestamp(seconds: number | string | bigint, nanos: number): string {
  const s = BigInt(typeof seconds === 'number' ? Math.trunc(seconds) : String(seconds));
  const base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
  return `${base}.${String(Math.max(0, Math.trunc(nanos))).padStart(9, '0')}Z`;
}

/** Any RFC 3339 time (offsets, 0–9 fraction digits) → the canonical form; undefined if unparseable. */
export function toCanonicalTimestamp(text: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3].toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return canonicalTimestamp(Math.floor(ms / 1000), Number((m[2] ?? '').padEnd(9, '0')));
}

/** Milliseconds since the epoch (sub-millisecond digits dropped). */
export function timestampMs(canonical: string): number {
  return Date.parse(`${canonical.slice(0, 23)}Z`);
}

// ---- the one-line format ----------------------------------------------------------------------

export function formatLatency(ms: number): string {
  if (ms < 10) return `${Number(ms.toFixed(1))}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/**
 * `2026-11-26T05:01:02.123Z [rev-00002-abc] GET 200 12ms /api/x` for request logs, the message
 * otherwise. Multi-line messages (tracebacks) stay multi-line: the output channel shows them as one entry.
 */
export function formatEntry(entry: CloudLogEntry): string {
  const time = `${entry.timestamp.slice(0, 23)}Z`;
  const revision = entry.revision ? ` [${entry.revision}]` : '';
  if (entry.request) {
    const { method, status, latencyMs, path } = entry.request;
    const latency = latencyMs === undefined ? '' : ` ${formatLatency(latencyMs)}`;
    return `${time}${revision} ${method} ${status || '-'}${latency} ${path}`;
  }
  return `${time}${revision} ${entry.text.replace(/\s+$/, '')}`;
}

// ---- filters ----------------------------------------------------------------------------------

export interface TailTarget {
  project: string;
  region: string;
  service: string;
}

export interface TailFilter {
  /** Entries below this severity are not sent at all (server-side). */
  minSeverity?: Severity;
  /** Case-insensitive substring of the message, JSON message or request URL. */
  text?: string;
  revision?: string;
  /** Only the requests of one route (a template such as `/items/{item_id}`, and its methods when known). */
  route?: RouteFilter;
}

export interface RouteFilter {
  path: string;
  methods?: string[];
}

/** A Cloud Logging string literal: quotes and backslashes escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The Cloud Logging filter for a tail (and its backfill); `since` resumes at a timestamp. */
export function buildFilter(target: TailTarget, filter: TailFilter = {}, since?: string): string {
  const parts = [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name=${quote(target.service)}`,
    `resource.labels.location=${quote(target.region)}`,
  ];
  if (filter.revision) parts.push(`resource.labels.revision_name=${quote(filter.revision)}`);
  if (filter.minSeverity && filter.minSeverity !== 'DEFAULT') parts.push(`severity>=${filter.minSeverity}`);
  const text = filter.text?.trim();
  if (text) {
    const q = quote(text);
    parts.push(`(textPayload:${q} OR jsonPayload.message:${q} OR httpRequest.requestUrl:${q})`);
  }
  if (filter.route) {
    parts.push(`httpRequest.requestUrl=~${quote(requestUrlPattern(filter.route.path))}`);
    const methods = filter.route.methods ?? [];
    if (methods.length) parts.push(`(${methods.map((m) => `httpRequest.requestMethod=${quote(m)}`).join(' OR ')})`);
  }
  if (since) parts.push(`timestamp>=${quote(since)}`);
  return parts.join(' AND ');
}

export function describeFilter(filter: TailFilter): string {
  const parts: string[] = [];
  if (filter.minSeverity && filter.minSeverity !== 'DEFAULT') parts.push(`severity ≥ ${filter.minSeverity}`);
  if (filter.text?.trim()) parts.push(`text "${filter.text.trim()}"`);
  if (filter.revision) parts.push(`revision ${filter.revision}`);
  if (filter.route) parts.push(`route ${routeLabel(filter.route)}`);
  return parts.length ? parts.join(', ') : 'all entries';
}

/** "GET /items/{item_id}", "GET|PUT /items/{item_id}", or the path alone. */
export function routeLabel(route: RouteFilter): string {
  return route.methods?.length ? `${route.methods.join('|')} ${route.path}` : route.path;
}

// ---- de-duplication ---------------------------------------------------------------------------

/**
 * Remembers entries by insertId + timestamp so a reconnect that re-reads from the last timestamp shows
 * nothing twice. Memory is bounded: entries older than `windowMs` before the newest one, and the oldest
 * beyond `maxEntries`, are forgotten (a resume only re-reads from the newest timestamp, so they cannot
 * come back).
 */
export class Deduper {
  private readonly seen = new Map<string, number>();
  private newestMs = 0;

  constructor(private readonly windowMs = 10 * 60_000, private readonly maxEntries = 50_000) {}

  /** True if the entry is new (and remembers it); false for a duplicate. */
  add(entry: Pick<CloudLogEntry, 'insertId' | 'timestamp'>): boolean {
    const key = `${entry.timestamp}|${entry.insertId}`;
    if (this.seen.has(key)) return false;
    const ms = timestampMs(entry.timestamp);
    this.seen.set(key, ms);
    if (ms > this.newestMs) this.newestMs = ms;
    this.evict();
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(): void {
    const oldestKept = this.newestMs - this.windowMs;
    for (const [key, ms] of this.seen) {
      if (this.seen.size <= this.maxEntries && ms >= oldestKept) break;
      this.seen.delete(key);
    }
  }
}

// ---- reconnecting -----------------------------------------------------------------------------

/** gRPC codes after which retrying cannot help: the request or the credentials must change first. */
const FATAL_CODES = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */,
  9 /* FAILED_PRECONDITION */, 12 /* UNIMPLEMENTED */, 16 /* UNAUTHENTICATED */]);

export function isRetryableStreamError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code !== 'number' || !FATAL_CODES.has(code);
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A stream that stayed up this long counts as healthy: the next failure starts from initialMs. */
  stableMs: number;
  /** 0..1: the delay varies by ± this fraction so many windows don't reconnect in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, stableMs: 30_000, jitter: 0.2 };

/** Exponential backoff for failed streams; a stream that simply ended reconnects at once. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF, private readonly random = Math.random) {}

  /** The delay before reconnecting after a stream that lived `uptimeMs` and then failed. */
  failed(uptimeMs: number): number {
    if (uptimeMs >= this.options.stableMs) this.failures = 0;
    this.failures++;
    const { initialMs, maxMs, jitter } = this.options;
    const base = Math.min(maxMs, initialMs * 2 ** (this.failures - 1));
    return Math.round(base * (1 + jitter * (2 * this.random() - 1)));
  }

  /** A stream ended cleanly (Google closes tail sessions after a while). */
  ended(): number {
    this.failures = 0;
    return 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
