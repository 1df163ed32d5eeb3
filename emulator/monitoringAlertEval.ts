// What an alerting policy's conditions say about the metrics right now: the emulator's alert evaluator asks
// the MetricService's store (monitoringMetrics.ts, shared contract 2) the same ListTimeSeries questions
// Google's evaluator asks, and returns, per condition, the time series that violate it. The caller
// (monitoringAlerts.ts) applies `duration` over successive evaluations and opens/closes alerts.
// - condition_threshold: the newest aligned point of each series (ratio of numerator/denominator series
//   with the same labels when denominator_filter is set) compared with threshold_value.
// - condition_absent: series that reported in the last hour but have no point within `duration`.
import { durationSeconds } from './monitoringAlertPolicies';
import type { ProtoJson } from './monitoringAlertTypes';

/** The part of MetricStore the evaluator needs: ListTimeSeries in proto-JSON (REST wire shape). */
export interface MetricSource {
  listTimeSeries(request: ProtoJson): SeriesJson[];
}

export interface SeriesJson {
  metric?: { type?: string; labels?: Record<string, string> };
  resource?: { type?: string; labels?: Record<string, string> };
  points?: { interval?: { startTime?: unknown; endTime?: unknown }; value?: PointValue }[];
}

interface PointValue {
  doubleValue?: number | string;
  int64Value?: number | string;
  boolValue?: boolean;
  distributionValue?: { count?: number | string; mean?: number };
}

/** A time series that violates a condition, with the value that did it. */
export interface Violation {
  /** Identifies the series across evaluations: its resource and metric labels. */
  key: string;
  resource: { type: string; labels: Record<string, string> };
  metric: { type: string; labels: Record<string, string> };
  value?: number;
}

/** How far back an absence condition looks for series that used to report. */
const ABSENCE_LOOKBACK_MS = 3600_000;
const DEFAULT_PERIOD_S = 60;

export function toMs(t: unknown): number {
  if (typeof t === 'string') return Date.parse(t);
  if (t && typeof t === 'object') {
    const ts = t as { seconds?: string | number; nanos?: number };
    return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  }
  return NaN;
}

export function pointNumber(value: PointValue | undefined): number | undefined {
  if (!value) return undefined;
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.int64Value !== undefined) return Number(value.int64Value);
  if (value.boolValue !== undefined) return value.boolValue ? 1 : 0;
  if (value.distributionValue) return Number(value.distributionValue.mean ?? 0);
  return undefined;
}

export function seriesKey(s: { resource?: { labels?: Record<string, string> }; metric?: { labels?: Record<string, string> } }): string {
  const sorted = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([sorted(s.resource?.labels), sorted(s.metric?.labels)]);
}

/** metric.type = "…" and resource.type = "…" of a filter (what a reduced series lost, the alert still names). */
function filterTypes(filter: string): { metricType: string; resourceType: string } {
  const metricType = /metric\.type\s*=\s*"([^"]+)"/.exec(filter)?.[1] ?? '';
  const resourceType = /resource\.type\s*=\s*"([^"]+)"/.exec(filter)?.[1] ?? '';
  return { metricType, resourceType };
}

/** resource.labels.X = "v" terms of a filter: labels a reduced series may no longer carry but its alert should. */
function filterResourceLabels(filter: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of filter.matchAll(/resource\.labels?\.(\w+)\s*=\s*"([^"]*)"/g)) labels[m[1]] = m[2];
  return labels;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function query(metrics: MetricSource, project: string, filter: string, aggregations: ProtoJson[], startMs: number, endMs: number): SeriesJson[] {
  const request: ProtoJson = { name: `projects/${project}`, filter, interval: { startTime: iso(startMs), endTime: iso(endMs) }, view: 'FULL' };
  const toRest = (a: ProtoJson) => {
    const period = durationSeconds(a.alignmentPeriod as never);
    return { ...a, ...(period !== undefined ? { alignmentPeriod: `${period}s` } : {}) };
  };
  if (aggregations[0]) request.aggregation = toRest(aggregations[0]);
  if (aggregations[1]) request.secondaryAggregation = toRest(aggregations[1]);
  return metrics.listTimeSeries(request);
}

/** The newest point's value of each series that has one. */
function latest(series: SeriesJson[]): Map<string, { series: SeriesJson; value: number }> {
  const out = new Map<string, { series: SeriesJson; value: number }>();
  for (const s of series) {
    // Points are newest first (contract 1), but sort anyway: a store may hand them in any order.
    const newest = [...(s.points ?? [])].sort((a, b) => toMs(b.interval?.endTime) - toMs(a.interval?.endTime))[0];
    const value = pointNumber(newest?.value);
    if (value !== undefined && Number.isFinite(value)) out.set(seriesKey(s), { series: s, value });
  }
  return out;
}

function violation(s: SeriesJson, filter: string, project: string, value?: number): Violation {
  const types = filterTypes(filter);
  const labels = { project_id: project, ...filterResourceLabels(filter), ...(s.resource?.labels ?? {}) };
  const resource = { type: s.resource?.type || types.resourceType, labels };
  const metric = { type: s.metric?.type || types.metricType, labels: { ...(s.metric?.labels ?? {}) } };
  return { key: seriesKey({ resource, metric }), resource, metric, value };
}

function periodMs(aggregations: ProtoJson[]): number {
  const periods = aggregations.map((a) => durationSeconds(a.alignmentPeriod as never)).filter((s): s is number => s !== undefined);
  return (periods.length ? Math.max(...periods) : DEFAULT_PERIOD_S) * 1000;
}

function compare(value: number, comparison: string, threshold: number): boolean {
  switch (comparison) {
    case 'COMPARISON_GT': return value > threshold;
    case 'COMPARISON_LT': return value < threshold;
    case 'COMPARISON_GE': return value >= threshold;
    case 'COMPARISON_LE': return value <= threshold;
    case 'COMPARISON_EQ': return value === threshold;
    case 'COMPARISON_NE': return value !== threshold;
    default: return false;
  }
}

/** Applies the condition's trigger: fewer violating series than it asks for = no violation at all. */
function triggered(violations: Violation[], total: number, trigger: ProtoJson | undefined): Violation[] {
  const count = Number(trigger?.count ?? 0);
  const percent = Number(trigger?.percent ?? 0);
  const needed = percent > 0 ? Math.ceil((percent / 100) * total) : Math.max(1, count);
  return violations.length >= needed ? violations : [];
}

export function thresholdViolations(metrics: MetricSource, project: string, c: ProtoJson, nowMs: number): Violation[] {
  const filter = String(c.filter);
  const aggregations = (c.aggregations as ProtoJson[] | undefined) ?? [];
  const window = periodMs(aggregations);
  const numerator = latest(query(metrics, project, filter, aggregations, nowMs - window, nowMs));
  const comparison = String(c.comparison);
  const threshold = Number(c.thresholdValue ?? 0);
  const values: { series: SeriesJson; value: number }[] = [];
  if (c.denominatorFilter) {
    const denAggs = (c.denominatorAggregations as ProtoJson[] | undefined) ?? [];
    const denominator = latest(query(metrics, project, String(c.denominatorFilter), denAggs, nowMs - window, nowMs));
    // Series are paired by their labels after aggregation (alert.proto: both sides must produce the same
    // labels); a denominator without a numerator is a ratio of 0 (no errors among the requests).
    for (const [key, den] of denominator) {
      if (den.value === 0) continue;
      values.push({ series: den.series, value: (numerator.get(key)?.value ?? 0) / den.value });
    }
  } else {
    values.push(...numerator.values());
  }
  const violating = values.filter((v) => compare(v.value, comparison, threshold)).map((v) => violation(v.series, filter, project, v.value));
  return triggered(violating, values.length, c.trigger as ProtoJson | undefined);
}

export function absenceViolations(metrics: MetricSource, project: string, c: ProtoJson, nowMs: number): Violation[] {
  const filter = String(c.filter);
  const aggregations = (c.aggregations as ProtoJson[] | undefined) ?? [];
  const durationMs = (durationSeconds(c.duration as never) ?? 0) * 1000;
  const series = query(metrics, project, filter, aggregations, nowMs - durationMs - ABSENCE_LOOKBACK_MS, nowMs);
  const cutoff = nowMs - durationMs;
  const absent = series.filter((s) => !(s.points ?? []).some((p) => toMs(p.interval?.endTime) > cutoff) && (s.points ?? []).length > 0);
  return triggered(absent.map((s) => violation(s, filter, project)), series.length, c.trigger as ProtoJson | undefined);
}

/** The violations of one condition (threshold or absence) at `nowMs`, before `duration` is applied. */
export function conditionViolations(metrics: MetricSource, project: string, condition: ProtoJson, nowMs: number): Violation[] {
  if (condition.conditionThreshold) return thresholdViolations(metrics, project, condition.conditionThreshold as ProtoJson, nowMs);
  if (condition.conditionAbsent) return absenceViolations(metrics, project, condition.conditionAbsent as ProtoJson, nowMs);
  return [];
}
