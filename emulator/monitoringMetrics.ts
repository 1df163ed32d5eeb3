// The emulator's Cloud Monitoring time series (contract 2 of issue #13): what the traffic proxy and the runtime
// record (monitoringRecorder.ts), what seeds synthesise (monitoringSynthetic.ts), and ListTimeSeries over them
// in proto3 JSON — used by MetricService (monitoringService.ts) and in-process by the alert evaluator.
// Points live in memory only (never in state.json): recorded minutes older than `retentionMs` are dropped, and
// seeded history is a few typed arrays per series, so memory stays bounded.
import { invalidArgument } from './apiError';
import { alignSeries, alignerResult, parseGroupBy, reduceSeries, reducerResult, type AlignedPoint, type AlignedSeries, type Window } from './monitoringAggregation';
import { LATENCY_LAYOUT, UTILIZATION_LAYOUT, type ExponentialLayout } from './monitoringDistribution';
import { parseFilter } from './monitoringFilter';
import { MINUTE_MS, StoredSeries, seriesKey } from './monitoringSeries';
import {
  CLOUD_RUN_METRICS, CPU_UTILIZATIONS, MEMORY_UTILIZATIONS, REQUEST_LATENCIES, RESOURCE_TYPE,
  type ListTimeSeriesRequestJson, type ListTimeSeriesResponseJson, type MetricInfo, type TimeSeriesJson,
} from './monitoringTypes';

export type { ListTimeSeriesRequestJson, TimeSeriesJson } from './monitoringTypes';

/** A Cloud Run revision as the resource labels name it. */
export interface RevisionResource {
  project: string;
  location: string;
  service: string;
  /** Short name, "hello-00001-abc". */
  revision: string;
}

export interface MetricStoreOptions {
  /** How long a minute's data stays invisible (Google: up to ~120 s); default 0 = at once. */
  lagMs?: number;
  /** Minutes older than this are dropped (default 15 days: the longest seeded history plus slack). */
  retentionMs?: number;
  now?: () => number;
}

const DEFAULT_RETENTION_MS = 15 * 24 * 3_600_000;
const MAX_PAGE_SIZE = 100_000;
const INFO = new Map(CLOUD_RUN_METRICS.map((m) => [m.type, m]));

export function layoutOf(metricType: string): ExponentialLayout | undefined {
  if (metricType === REQUEST_LATENCIES) return LATENCY_LAYOUT;
  if (metricType === CPU_UTILIZATIONS || metricType === MEMORY_UTILIZATIONS) return UTILIZATION_LAYOUT;
  return undefined;
}

export function resourceLabels(r: RevisionResource): Record<string, string> {
  return { project_id: r.project, service_name: r.service, revision_name: r.revision, location: r.location, configuration_name: r.service };
}

/** RFC 3339 → ms; `field` names it in the error. */
export function parseTime(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw invalidArgument(`Field ${field} had an invalid value of "${text}": not an RFC 3339 timestamp.`);
  return ms;
}

/** "60s", "3600s", "1.5s" → ms. */
export function parseDuration(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(text);
  if (!m) throw invalidArgument(`Field ${field} had an invalid value of "${text}": a duration such as "60s".`);
  return Math.round(Number(m[1]) * 1000);
}

/** RFC 3339 of a time; one query prints the same period ends for every series, so they are remembered. */
function isoCache(): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    let text = cache.get(ms);
    if (text === undefined) cache.set(ms, (text = new Date(ms).toISOString()));
    return text;
  };
}

export class MetricStore {
  lagMs: number;
  private readonly retentionMs: number;
  readonly now: () => number;
  private readonly series = new Map<string, StoredSeries>();
  private lastPrune = 0;
  /** Runs before every query (the recorder samples the live instances into the current minute). */
  beforeQuery?: () => void;

  constructor(opts: MetricStoreOptions = {}) {
    this.lagMs = opts.lagMs ?? 0;
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = opts.now ?? Date.now;
  }

  /** The series for a metric of a revision (made on first use). */
  seriesFor(metricType: string, revision: RevisionResource, metricLabels: Record<string, string> = {}): StoredSeries {
    const labels = resourceLabels(revision);
    const key = seriesKey(metricType, labels, metricLabels);
    let s = this.series.get(key);
    if (!s) {
      const info = INFO.get(metricType);
      if (!info) throw new Error(`Unknown metric type ${metricType}`);
      this.series.set(key, (s = new StoredSeries(info, labels, metricLabels, layoutOf(metricType))));
    }
    return s;
  }

  /** Minute index of a time (default now). */
  minuteOf(ms = this.now()): number {
    return Math.floor(ms / MINUTE_MS);
  }

  get seriesCount(): number {
    return this.series.size;
  }

  clear(): void {
    this.series.clear();
  }

  /** Drops recorded minutes past retention; called by writers, at most once a minute. */
  prune(): void {
    const now = this.now();
    if (now - this.lastPrune < MINUTE_MS) return;
    this.lastPrune = now;
    const oldest = this.minuteOf(now - this.retentionMs);
    for (const [key, s] of this.series) if (s.prune(oldest)) this.series.delete(key);
  }

  /** ListTimeSeries without paging: every matching series (points newest first; none with view HEADERS). */
  listTimeSeries(request: ListTimeSeriesRequestJson): TimeSeriesJson[] {
    const { name, filter, interval, aggregation = {}, view = 'FULL' } = request;
    if (!name || !/^(projects|organizations|folders)\/[^/]+$/.test(name)) {
      throw invalidArgument(`Field name had an invalid value of "${name ?? ''}": must be of the form projects/PROJECT_ID_OR_NUMBER.`);
    }
    if (view !== 'FULL' && view !== 'HEADERS') throw invalidArgument(`Field view had an invalid value of "${view}": FULL or HEADERS.`);
    const parsed = parseFilter(filter ?? '');
    if (!parsed.metricType) {
      throw invalidArgument(`Field filter had an invalid value of "${filter}": The filter must specify exactly one metric type, e.g. metric.type = "run.googleapis.com/request_count".`);
    }
    const endMs = parseTime(interval?.endTime, 'interval.endTime');
    if (endMs === undefined) throw invalidArgument('Field interval.endTime had an invalid value of "": the end time of the interval is required.');
    const startMs = parseTime(interval?.startTime, 'interval.startTime') ?? endMs;
    if (startMs > endMs) {
      throw invalidArgument(`Field interval.startTime had an invalid value of "${interval.startTime}": The start time must be before the end time (${interval.endTime}).`);
    }
    const aligner = aggregation.perSeriesAligner || 'ALIGN_NONE';
    const reducer = aggregation.crossSeriesReducer || 'REDUCE_NONE';
    const periodMs = parseDuration(aggregation.alignmentPeriod, 'aggregation.alignmentPeriod');
    if (aligner !== 'ALIGN_NONE' && periodMs === undefined) {
      throw invalidArgument(`Field aggregation.alignmentPeriod had an invalid value of "": The alignment period is required when the per-series aligner is ${aligner}.`);
    }
    if (periodMs !== undefined && periodMs < 60_000) {
      throw invalidArgument(`Field aggregation.alignmentPeriod had an invalid value of "${aggregation.alignmentPeriod}": The alignment period must be at least 60 seconds.`);
    }
    if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE') {
      throw invalidArgument(`Field aggregation.perSeriesAligner had an invalid value of "ALIGN_NONE": A per-series aligner other than ALIGN_NONE and an alignment period are required when the cross-series reducer is ${reducer}.`);
    }
    // Checked before any data is looked at: Google refuses a bad combination even when nothing matches.
    const info = INFO.get(parsed.metricType);
    if (info && aligner !== 'ALIGN_NONE') {
      const aligned = alignerResult(aligner, info);
      if (reducer !== 'REDUCE_NONE') reducerResult(reducer, aligned.valueType, aligned.kind);
    }
    if (reducer !== 'REDUCE_NONE') parseGroupBy(aggregation.groupByFields ?? []);
    this.beforeQuery?.();
    const now = this.now();
    const window: Window = { startMs, endMs, visibleMs: now - this.lagMs, nowMs: now };
    const project = name.split('/')[1];
    const matching = [...this.series.values()].filter((s) => s.info.type === parsed.metricType && parsed.matches({
      metricType: s.info.type, resourceType: RESOURCE_TYPE, metricLabels: s.metricLabels, resourceLabels: s.resourceLabels, project: s.resourceLabels.project_id,
    }) && (s.resourceLabels.project_id === project || !name.startsWith('projects/')));
    let aligned = matching.map((s) => alignSeries(s, window, aligner, periodMs ?? MINUTE_MS));
    const iso = isoCache();
    if (reducer !== 'REDUCE_NONE') aligned = reduceSeries(aligned, reducer, aggregation.groupByFields ?? []);
    const secondary = request.secondaryAggregation;
    if (secondary?.perSeriesAligner && secondary.perSeriesAligner !== 'ALIGN_NONE' && secondary.perSeriesAligner !== aligner) {
      throw invalidArgument(`Field secondaryAggregation.perSeriesAligner had an invalid value of "${secondary.perSeriesAligner}": the emulator supports a secondary aggregation's cross-series reducer only (leave its aligner unset).`);
    }
    if (secondary?.crossSeriesReducer && secondary.crossSeriesReducer !== 'REDUCE_NONE') {
      if (aligner === 'ALIGN_NONE') throw invalidArgument('Field secondaryAggregation.crossSeriesReducer had an invalid value: it needs a primary aggregation with a per-series aligner.');
      aligned = reduceSeries(aligned, secondary.crossSeriesReducer, secondary.groupByFields ?? []);
    }
    return aligned
      .filter((s) => s.points.length > 0) // Google lists only series with a point in the interval
      .map((s) => toJson(s, view === 'HEADERS', iso))
      .sort((a, b) => labelKey(a).localeCompare(labelKey(b)));
  }

  /** ListTimeSeries with paging: pageSize counts points (FULL) or series (HEADERS), as Google documents. */
  listTimeSeriesPage(request: ListTimeSeriesRequestJson): ListTimeSeriesResponseJson {
    const all = this.listTimeSeries(request);
    const size = !request.pageSize || request.pageSize <= 0 ? MAX_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
    const query = JSON.stringify([request.name, request.filter, request.interval, request.aggregation ?? {}, request.secondaryAggregation ?? {}, request.view ?? 'FULL']);
    let at = { s: 0, p: 0 };
    if (request.pageToken) at = readToken(request.pageToken, query);
    const page: TimeSeriesJson[] = [];
    let budget = size;
    const headers = request.view === 'HEADERS';
    while (at.s < all.length && budget > 0) {
      const s = all[at.s];
      if (headers) {
        page.push(s);
        budget -= 1;
        at = { s: at.s + 1, p: 0 };
        continue;
      }
      const take = s.points.slice(at.p, at.p + budget);
      page.push({ ...s, points: take });
      budget -= take.length;
      at = at.p + take.length >= s.points.length ? { s: at.s + 1, p: 0 } : { s: at.s, p: at.p + take.length };
    }
    const nextPageToken = at.s < all.length ? Buffer.from(JSON.stringify({ ...at, q: hash(query) })).toString('base64url') : '';
    return { timeSeries: page, nextPageToken, executionErrors: [], unit: page[0]?.unit };
  }

  /** The descriptors of the metrics the emulator records. */
  metricInfos(): readonly MetricInfo[] {
    return CLOUD_RUN_METRICS;
  }
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

function readToken(token: string, query: string): { s: number; p: number } {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; p?: unknown; q?: unknown };
    if (typeof body.s === 'number' && typeof body.p === 'number' && body.q === hash(query)) return { s: body.s, p: body.p };
  } catch {
    // falls through to the error
  }
  throw invalidArgument(`Invalid page token: "${token}". Use the nextPageToken of the previous response with the same query.`);
}

function labelKey(s: TimeSeriesJson): string {
  return JSON.stringify([s.resource.labels, s.metric.labels]);
}

function pointJson(p: AlignedPoint, s: AlignedSeries, iso: (ms: number) => string): TimeSeriesJson['points'][number] {
  const endTime = iso(p.endMs);
  const interval = { startTime: s.kind === 'GAUGE' ? endTime : iso(p.startMs), endTime };
  if (p.dist) return { interval, value: { distributionValue: p.dist.toJson() } };
  const num = p.num ?? 0;
  return { interval, value: s.valueType === 'INT64' ? { int64Value: String(Math.round(num)) } : { doubleValue: num } };
}

function toJson(s: AlignedSeries, headersOnly: boolean, iso: (ms: number) => string): TimeSeriesJson {
  return {
    metric: { type: s.metricType, labels: { ...s.metricLabels } },
    resource: { type: RESOURCE_TYPE, labels: { ...s.resourceLabels } },
    metricKind: s.kind,
    valueType: s.valueType,
    points: headersOnly ? [] : s.points.map((p) => pointJson(p, s, iso)),
    unit: s.unit,
  };
}
