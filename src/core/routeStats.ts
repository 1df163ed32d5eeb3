// Live numbers per route from one listing of a service's request logs: requests per minute, p95 latency,
// 5xx errors and the last error's time over the last hour, and the one-line text the CodeLens shows.
// Computed once per listing for every route of the app, so any number of lenses costs one pass.
import { CloudLogEntry, TailTarget, quote, timestampMs } from './logEntries';
import type { RouteMatcher } from './routeMatch';

/**
 * The request logs of a service since `fromMs`: Cloud Run writes one entry per request to
 * run.googleapis.com/requests, with httpRequest (requestMethod, requestUrl, status, latency).
 */
export function requestLogFilter(target: TailTarget, fromMs: number): string {
  return [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name=${quote(target.service)}`,
    `resource.labels.location=${quote(target.region)}`,
    `logName=${quote(`projects/${target.project}/logs/${encodeURIComponent('run.googleapis.com/requests')}`)}`,
    `timestamp>=${quote(new Date(fromMs).toISOString())}`,
  ].join(' AND ');
}

/** The request of a log entry as a sample; undefined for entries without httpRequest. */
export function toSample(entry: CloudLogEntry): RequestSample | undefined {
  if (!entry.request) return undefined;
  const { method, status, latencyMs, path } = entry.request;
  return { timeMs: timestampMs(entry.timestamp), method: method === '-' ? undefined : method, url: path, status, latencyMs };
}

/** One request log entry, reduced to what the numbers need. */
export interface RequestSample {
  timeMs: number;
  method?: string;
  /** requestUrl (absolute) or its path. */
  url: string;
  status: number;
  latencyMs?: number;
}

export interface RequestListing {
  samples: readonly RequestSample[];
  /** The window: entries since fromMs, listed at toMs (a later one is clock skew and still counts). */
  fromMs: number;
  toMs: number;
  /** The listing stopped at its cap: it holds the newest entries only, so counts are lower bounds. */
  capped: boolean;
}

export interface RouteStats {
  requests: number;
  errors: number;
  /** Requests per minute over the window the listing covers. */
  perMinute: number;
  p95Ms?: number;
  lastRequestMs?: number;
  lastErrorMs?: number;
  /** Counts are lower bounds (the listing was capped). */
  atLeast: boolean;
}

/** Nearest-rank percentile (the value at or above which `1 - p` of the samples lie); undefined when empty. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Stats for every route that had traffic in the listing; routes without any are absent. */
export function routeStats(matcher: RouteMatcher, listing: RequestListing): Map<string, RouteStats> {
  const acc = new Map<string, { requests: number; errors: number; latencies: number[]; lastRequestMs: number; lastErrorMs?: number }>();
  let oldest = listing.toMs;
  for (const sample of listing.samples) {
    if (sample.timeMs < listing.fromMs) continue;
    if (sample.timeMs < oldest) oldest = sample.timeMs;
    const id = matcher.match(sample.method, sample.url);
    if (id === undefined) continue;
    let route = acc.get(id);
    if (!route) acc.set(id, (route = { requests: 0, errors: 0, latencies: [], lastRequestMs: sample.timeMs }));
    route.requests++;
    if (sample.latencyMs !== undefined) route.latencies.push(sample.latencyMs);
    if (sample.timeMs > route.lastRequestMs) route.lastRequestMs = sample.timeMs;
    if (sample.status >= 500) {
      route.errors++;
      if (route.lastErrorMs === undefined || sample.timeMs > route.lastErrorMs) route.lastErrorMs = sample.timeMs;
    }
  }
  // A capped listing holds the newest entries only: the rate is over the part of the window it covers.
  const minutes = Math.max(1, ((listing.capped ? listing.toMs - oldest : listing.toMs - listing.fromMs) / 60_000));
  const stats = new Map<string, RouteStats>();
  for (const [id, r] of acc) {
    stats.set(id, {
      requests: r.requests, errors: r.errors, perMinute: r.requests / minutes, p95Ms: percentile(r.latencies, 0.95),
      lastRequestMs: r.lastRequestMs, ...(r.lastErrorMs !== undefined ? { lastErrorMs: r.lastErrorMs } : {}), atLeast: listing.capped,
    });
  }
  return stats;
}

export function formatRate(perMinute: number): string {
  if (perMinute >= 10) return String(Math.round(perMinute));
  if (perMinute >= 1) return String(Number(perMinute.toFixed(1)));
  if (perMinute >= 0.01) return String(Number(perMinute.toFixed(2)));
  return '<0.01';
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
}

/** "just now", "40 s ago", "4 min ago", "2 h ago". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.round(minutes / 60)} h ago`;
}

export const NO_TRAFFIC = 'no traffic in the last hour';

/** "12 req/min (720 in 1 h) · p95 84 ms · 3 errors/h · last error 4 min ago". */
export function lensText(stats: RouteStats | undefined, nowMs: number): string {
  if (!stats || stats.requests === 0) return NO_TRAFFIC;
  const bound = stats.atLeast ? '≥' : '';
  const parts = [`${formatRate(stats.perMinute)} req/min (${bound}${stats.requests} in 1 h)`];
  if (stats.p95Ms !== undefined) parts.push(`p95 ${formatMs(stats.p95Ms)}`);
  if (stats.errors === 0) parts.push('no errors');
  else {
    parts.push(`${bound}${stats.errors} ${stats.errors === 1 ? 'error' : 'errors'}/h`);
    if (stats.lastErrorMs !== undefined) parts.push(`last error ${formatAgo(stats.lastErrorMs, nowMs)}`);
  }
  return parts.join(' · ');
}
