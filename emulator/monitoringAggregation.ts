// ListTimeSeries' Aggregation (google/monitoring/v3/common.proto): per-series aligners over periods that end
// at the interval's end time (period k covers [end-(k+1)P, end-kP); a minute cell goes by its start), then
// cross-series reducers over groupByFields. What is valid for which metric kind / value type follows the
// enum's documentation; anything else is INVALID_ARGUMENT like Google's.
import { invalidArgument } from './apiError';
import { DistAcc } from './monitoringDistribution';
import { MINUTE_MS, type StoredSeries } from './monitoringSeries';
import type { MetricInfo, MetricKind, ValueType } from './monitoringTypes';

export interface AlignedPoint {
  startMs: number;
  endMs: number;
  num?: number;
  dist?: DistAcc;
}

export interface AlignedSeries {
  metricType: string;
  metricLabels: Record<string, string>;
  resourceLabels: Record<string, string>;
  kind: MetricKind;
  valueType: ValueType;
  unit: string;
  /** Newest first. */
  points: AlignedPoint[];
}

export interface Window {
  startMs: number;
  endMs: number;
  /** Cells that started after this are not visible yet (now - metricsLagMs). */
  visibleMs: number;
  nowMs: number;
}

const PERCENTILE = /^(?:ALIGN|REDUCE)_PERCENTILE_(\d\d)$/;

function aggError(field: string, value: string, why: string): Error {
  return invalidArgument(`Field aggregation.${field} had an invalid value of "${value}": ${why}`);
}

export function alignerResult(aligner: string, info: MetricInfo): { kind: MetricKind; valueType: ValueType } {
  const { kind, valueType } = info;
  const dist = valueType === 'DISTRIBUTION';
  const refuse = () => aggError('perSeriesAligner', aligner, `The aligner ${aligner} cannot be applied to metrics with metric_kind ${kind} and value_type ${valueType} (${info.type}).`);
  if (aligner === 'ALIGN_DELTA') {
    if (kind === 'GAUGE') throw refuse();
    return { kind: 'DELTA', valueType };
  }
  if (aligner === 'ALIGN_RATE') {
    if (kind === 'GAUGE' || dist) throw refuse();
    return { kind: 'GAUGE', valueType: 'DOUBLE' };
  }
  if (aligner === 'ALIGN_SUM') return { kind, valueType };
  if (aligner === 'ALIGN_MEAN') return { kind: 'GAUGE', valueType: 'DOUBLE' };
  if (aligner === 'ALIGN_COUNT') return { kind: 'GAUGE', valueType: 'INT64' };
  if (aligner === 'ALIGN_MAX' || aligner === 'ALIGN_MIN' || aligner === 'ALIGN_NEXT_OLDER') {
    if (dist) throw refuse();
    return { kind: 'GAUGE', valueType };
  }
  if (PERCENTILE.test(aligner)) {
    if (!dist) throw refuse();
    return { kind: 'GAUGE', valueType: 'DOUBLE' };
  }
  throw aggError('perSeriesAligner', aligner, 'Unknown or unsupported aligner.');
}

interface PeriodAcc {
  n: number;
  sum: number;
  min: number;
  max: number;
  lastMinute: number;
  last: number;
  dist?: DistAcc;
}

/** The raw per-minute points of a series (ALIGN_NONE), newest first. */
function rawPoints(s: StoredSeries, w: Window): AlignedPoint[] {
  const points: AlignedPoint[] = [];
  const from = Math.floor((w.startMs - MINUTE_MS + 1) / MINUTE_MS);
  const to = Math.floor(Math.min(w.endMs, w.visibleMs) / MINUTE_MS);
  s.each(from, to, (minute, value, addTo) => {
    const startMs = minute * MINUTE_MS;
    if (startMs + MINUTE_MS <= w.startMs || startMs > w.endMs || startMs > w.visibleMs) return;
    const endMs = Math.min(startMs + MINUTE_MS, w.nowMs);
    let dist: DistAcc | undefined;
    if (addTo && s.layout) addTo((dist = new DistAcc(s.layout)));
    points.push({ startMs: s.info.kind === 'GAUGE' ? endMs : startMs, endMs, num: dist ? undefined : value, dist });
  });
  return points.sort((a, b) => b.endMs - a.endMs);
}

export function alignSeries(s: StoredSeries, w: Window, aligner: string, periodMs: number): AlignedSeries {
  const base = { metricType: s.info.type, metricLabels: s.metricLabels, resourceLabels: s.resourceLabels, unit: s.info.unit };
  if (aligner === 'ALIGN_NONE') return { ...base, kind: s.info.kind, valueType: s.info.valueType, points: rawPoints(s, w) };
  const result = alignerResult(aligner, s.info);
  const periods = Math.max(1, Math.ceil((w.endMs - w.startMs) / periodMs));
  const earliest = w.endMs - periods * periodMs;
  const accs = new Map<number, PeriodAcc>();
  s.each(Math.floor(earliest / MINUTE_MS), Math.floor(Math.min(w.endMs, w.visibleMs) / MINUTE_MS), (minute, value, addTo) => {
    const startMs = minute * MINUTE_MS;
    if (startMs < earliest || startMs > w.endMs || startMs > w.visibleMs) return;
    const k = Math.max(0, Math.ceil((w.endMs - startMs) / periodMs) - 1);
    let acc = accs.get(k);
    if (!acc) accs.set(k, (acc = { n: 0, sum: 0, min: Infinity, max: -Infinity, lastMinute: -Infinity, last: 0 }));
    acc.n += 1;
    acc.sum += value;
    acc.min = Math.min(acc.min, value);
    acc.max = Math.max(acc.max, value);
    if (minute > acc.lastMinute) { acc.lastMinute = minute; acc.last = value; }
    if (addTo && s.layout) addTo((acc.dist ??= new DistAcc(s.layout)));
  });
  const pct = PERCENTILE.exec(aligner);
  const points = [...accs].sort((a, b) => a[0] - b[0]).map(([k, acc]): AlignedPoint => {
    const endMs = w.endMs - k * periodMs;
    const startMs = result.kind === 'GAUGE' ? endMs : endMs - periodMs;
    const point = { startMs, endMs };
    if (s.isDistribution && acc.dist) {
      if (aligner === 'ALIGN_DELTA' || aligner === 'ALIGN_SUM') return { ...point, dist: acc.dist };
      if (aligner === 'ALIGN_MEAN') return { ...point, num: acc.dist.mean };
      if (aligner === 'ALIGN_COUNT') return { ...point, num: acc.n };
      return { ...point, num: acc.dist.percentile(Number(pct![1])) };
    }
    switch (aligner) {
      case 'ALIGN_DELTA': case 'ALIGN_SUM': return { ...point, num: acc.sum };
      case 'ALIGN_RATE': return { ...point, num: acc.sum / (periodMs / 1000) };
      case 'ALIGN_MEAN': return { ...point, num: acc.sum / acc.n };
      case 'ALIGN_COUNT': return { ...point, num: acc.n };
      case 'ALIGN_MAX': return { ...point, num: acc.max };
      case 'ALIGN_MIN': return { ...point, num: acc.min };
      default: return { ...point, num: acc.last };
    }
  });
  return { ...base, ...result, points };
}

interface GroupField {
  scope: 'metric' | 'resource';
  key: string;
}

export function parseGroupBy(fields: string[]): GroupField[] {
  return fields.map((field, i) => {
    const m = /^(metric|resource)\.labels?\.(?:"([^"]+)"|([\w.-]+))$/.exec(field.trim());
    if (!m) throw invalidArgument(`Field aggregation.groupByFields[${i}] had an invalid value of "${field}": use metric.label.KEY or resource.label.KEY.`);
    return { scope: m[1] as 'metric' | 'resource', key: m[2] ?? m[3] };
  });
}

export function reducerResult(reducer: string, input: ValueType, kind: MetricKind): { kind: MetricKind; valueType: ValueType } {
  const refuse = () => aggError('crossSeriesReducer', reducer, `The reducer cannot be applied to value_type ${input}.`);
  if (reducer === 'REDUCE_SUM') return { kind, valueType: input };
  if (reducer === 'REDUCE_MEAN') return { kind: 'GAUGE', valueType: 'DOUBLE' };
  if (reducer === 'REDUCE_COUNT') return { kind: 'GAUGE', valueType: 'INT64' };
  if (reducer === 'REDUCE_MAX' || reducer === 'REDUCE_MIN') {
    if (input === 'DISTRIBUTION') throw refuse();
    return { kind: 'GAUGE', valueType: input };
  }
  if (PERCENTILE.test(reducer)) return { kind: 'GAUGE', valueType: 'DOUBLE' };
  throw aggError('crossSeriesReducer', reducer, 'Unknown or unsupported reducer.');
}

/** Percentile of plain numbers, linearly interpolated between the closest ranks. */
function numericPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

function reducePoints(reducer: string, points: AlignedPoint[], layoutOf: () => DistAcc): AlignedPoint {
  const { startMs, endMs } = points[0];
  const dists = points.flatMap((p) => (p.dist ? [p.dist] : []));
  const nums = points.flatMap((p) => (p.num !== undefined ? [p.num] : []));
  const merged = () => {
    const acc = layoutOf();
    for (const d of dists) acc.merge(d);
    return acc;
  };
  const pct = PERCENTILE.exec(reducer);
  if (reducer === 'REDUCE_COUNT') return { startMs, endMs, num: points.length };
  if (dists.length) {
    if (reducer === 'REDUCE_SUM') return { startMs, endMs, dist: merged() };
    if (reducer === 'REDUCE_MEAN') return { startMs, endMs, num: merged().mean };
    return { startMs, endMs, num: merged().percentile(Number(pct![1])) };
  }
  switch (reducer) {
    case 'REDUCE_SUM': return { startMs, endMs, num: nums.reduce((a, b) => a + b, 0) };
    case 'REDUCE_MEAN': return { startMs, endMs, num: nums.reduce((a, b) => a + b, 0) / nums.length };
    case 'REDUCE_MAX': return { startMs, endMs, num: Math.max(...nums) };
    case 'REDUCE_MIN': return { startMs, endMs, num: Math.min(...nums) };
    default: return { startMs, endMs, num: numericPercentile(nums, Number(pct![1])) };
  }
}

/** Groups aligned series by the groupBy labels (plus resource.project_id) and reduces each timestamp. */
export function reduceSeries(series: AlignedSeries[], reducer: string, groupBy: string[]): AlignedSeries[] {
  if (series.length === 0) {
    reducerResult(reducer, 'INT64', 'GAUGE'); // an unknown reducer is an error even with no data
    return [];
  }
  const fields = parseGroupBy(groupBy);
  const groups = new Map<string, { metricLabels: Record<string, string>; resourceLabels: Record<string, string>; members: AlignedSeries[] }>();
  for (const s of series) {
    const metricLabels: Record<string, string> = {};
    const resourceLabels: Record<string, string> = {};
    if (s.resourceLabels.project_id !== undefined) resourceLabels.project_id = s.resourceLabels.project_id;
    for (const f of fields) {
      const value = (f.scope === 'metric' ? s.metricLabels : s.resourceLabels)[f.key];
      if (value === undefined) continue;
      (f.scope === 'metric' ? metricLabels : resourceLabels)[f.key] = value;
    }
    const key = JSON.stringify([metricLabels, resourceLabels]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { metricLabels, resourceLabels, members: [] }));
    group.members.push(s);
  }
  const first = series[0];
  const result = reducerResult(reducer, first.valueType, first.kind);
  return [...groups.values()].map((g) => {
    const byEnd = new Map<number, AlignedPoint[]>();
    for (const m of g.members) for (const p of m.points) {
      const list = byEnd.get(p.endMs);
      if (list) list.push(p);
      else byEnd.set(p.endMs, [p]);
    }
    const layout = g.members.flatMap((m) => m.points).find((p) => p.dist)?.dist?.layout;
    const points = [...byEnd.entries()].sort((a, b) => b[0] - a[0])
      .map(([, pts]) => reducePoints(reducer, pts, () => new DistAcc(layout!)));
    return { metricType: first.metricType, metricLabels: g.metricLabels, resourceLabels: g.resourceLabels, unit: first.unit, ...result, points };
  });
}
