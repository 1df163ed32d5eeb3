// ListTimeSeries' Aggregation (google/monitoring/v3/common.proto): per-series aligners over periods that end
// at the interval's end time (period k covers [end-(k+1)P, end-kP); a minute cell goes by its start), then
// cross-series reducers over groupByFields. What is valid for which metric kind / value type follows the
// enum's documentation; anything else is INVALID_ARGUMENT like Google's.
import { invalidArgument } from './apiError';
import { DistAcc, type Shape } from './monitoringDistribution';
import { type CellVisitor, type StoredSeries } from './monitoringSeries';
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
/** Aligners that need each minute's value, not just period totals. */
const ORDER_ALIGNERS = new Set(['ALIGN_MAX', 'ALIGN_MIN', 'ALIGN_NEXT_OLDER']);
/** A local copy: esbuild turns an imported constant into a getter call, which hot loops feel. */
const MINUTE = 60_000;

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
  /** Synthetic minutes: samples per shape, expanded into `dist` once per period (not once per minute). */
  shapes?: Map<Shape, number>;
}

/** The raw per-minute points of a series (ALIGN_NONE), newest first. */
function rawPoints(s: StoredSeries, w: Window): AlignedPoint[] {
  const points: AlignedPoint[] = [];
  const from = Math.floor((w.startMs - MINUTE + 1) / MINUTE);
  const to = Math.floor(Math.min(w.endMs, w.visibleMs) / MINUTE);
  s.each(from, to, (minute, value, cell, shape) => {
    const startMs = minute * MINUTE;
    if (startMs + MINUTE <= w.startMs || startMs > w.endMs || startMs > w.visibleMs) return;
    const endMs = Math.min(startMs + MINUTE, w.nowMs);
    let dist: DistAcc | undefined;
    if (s.layout && (cell || shape)) {
      dist = new DistAcc(s.layout);
      if (cell) dist.merge(cell);
      else if (shape) dist.addShape(shape, value);
    }
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
  const newAcc = (): PeriodAcc => ({ n: 0, sum: 0, min: Infinity, max: -Infinity, lastMinute: -Infinity, last: 0 });
  const visibleMinute = Math.floor(Math.min(w.endMs, w.visibleMs) / MINUTE);
  const visit: CellVisitor = (minute, value, cell, shape) => {
    const startMs = minute * MINUTE;
    if (startMs < earliest || startMs > w.endMs || startMs > w.visibleMs) return;
    const k = Math.max(0, Math.ceil((w.endMs - startMs) / periodMs) - 1);
    let acc = accs.get(k);
    if (!acc) accs.set(k, (acc = newAcc()));
    acc.n += 1;
    acc.sum += value;
    acc.min = Math.min(acc.min, value);
    acc.max = Math.max(acc.max, value);
    if (minute > acc.lastMinute) { acc.lastMinute = minute; acc.last = value; }
    if (cell && s.layout) (acc.dist ??= new DistAcc(s.layout)).merge(cell);
    if (shape) {
      const shapes = (acc.shapes ??= new Map());
      shapes.set(shape, (shapes.get(shape) ?? 0) + value);
    }
  };
  if (s.synthetic.length && !ORDER_ALIGNERS.has(aligner)) {
    // Seeded history by period totals (block prefix sums) rather than minute by minute; then the recorded cells.
    // Only the periods the seeded columns reach: a long interval over little data stays cheap.
    let kLo = periods;
    let kHi = -1;
    for (const syn of s.synthetic) {
      kHi = Math.max(kHi, Math.min(periods - 1, Math.ceil((w.endMs - syn.start * MINUTE) / periodMs) - 1));
      kLo = Math.min(kLo, Math.max(0, Math.ceil((w.endMs - (syn.start + syn.values.length - 1) * MINUTE) / periodMs) - 1));
    }
    for (let k = kLo; k <= kHi; k++) {
      const periodEnd = w.endMs - k * periodMs;
      const lo = Math.ceil((periodEnd - periodMs) / MINUTE);
      const hi = Math.min(k === 0 ? Math.floor(periodEnd / MINUTE) : Math.ceil(periodEnd / MINUTE) - 1, visibleMinute);
      if (hi < lo) continue;
      const acc = newAcc();
      s.addSyntheticTotals(lo, hi, acc);
      if (acc.n > 0) accs.set(k, acc);
    }
    s.eachRecorded(Math.floor(earliest / MINUTE), visibleMinute, visit);
  } else {
    s.each(Math.floor(earliest / MINUTE), visibleMinute, visit);
  }
  // A distribution that is only read (percentile, mean) is built in one scratch accumulator, not one per period.
  const keepsDist = aligner === 'ALIGN_DELTA' || aligner === 'ALIGN_SUM';
  const scratch = s.layout && !keepsDist ? new DistAcc(s.layout) : undefined;
  const distOf = (acc: PeriodAcc): DistAcc | undefined => {
    if (!acc.shapes || !s.layout) return acc.dist;
    const dist = scratch ? scratch.reset() : new DistAcc(s.layout);
    if (acc.dist) dist.merge(acc.dist);
    for (const [shape, count] of acc.shapes) dist.addShape(shape, count);
    return dist;
  };
  const pct = PERCENTILE.exec(aligner);
  const points = [...accs].sort((a, b) => a[0] - b[0]).map(([k, acc]): AlignedPoint => {
    const endMs = w.endMs - k * periodMs;
    const startMs = result.kind === 'GAUGE' ? endMs : endMs - periodMs;
    const point = { startMs, endMs };
    const dist = s.isDistribution ? distOf(acc) : undefined;
    if (dist) {
      if (keepsDist) return { ...point, dist };
      if (aligner === 'ALIGN_MEAN') return { ...point, num: dist.mean };
      if (aligner === 'ALIGN_COUNT') return { ...point, num: acc.n };
      return { ...point, num: dist.percentile(Number(pct![1])) };
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

function reducePoints(reducer: string, percentile: number, points: AlignedPoint[], layoutOf: () => DistAcc): AlignedPoint {
  const { startMs, endMs } = points[0];
  if (reducer === 'REDUCE_COUNT') return { startMs, endMs, num: points.length };
  if (points[0].dist) {
    // One member (a group per revision, say) needs no merged copy.
    let merged = points[0].dist;
    if (points.length > 1) {
      merged = layoutOf();
      for (const p of points) if (p.dist) merged.merge(p.dist);
    }
    if (reducer === 'REDUCE_SUM') return { startMs, endMs, dist: merged };
    if (reducer === 'REDUCE_MEAN') return { startMs, endMs, num: merged.mean };
    return { startMs, endMs, num: merged.percentile(percentile) };
  }
  const nums: number[] = [];
  for (const p of points) if (p.num !== undefined) nums.push(p.num);
  switch (reducer) {
    case 'REDUCE_SUM': return { startMs, endMs, num: nums.reduce((a, b) => a + b, 0) };
    case 'REDUCE_MEAN': return { startMs, endMs, num: nums.reduce((a, b) => a + b, 0) / nums.length };
    case 'REDUCE_MAX': return { startMs, endMs, num: Math.max(...nums) };
    case 'REDUCE_MIN': return { startMs, endMs, num: Math.min(...nums) };
    default: return { startMs, endMs, num: numericPercentile(nums, percentile) };
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
  const percentile = Number(PERCENTILE.exec(reducer)?.[1] ?? 0);
  return [...groups.values()].map((g) => {
    const byEnd = new Map<number, AlignedPoint[]>();
    for (const m of g.members) for (const p of m.points) {
      const list = byEnd.get(p.endMs);
      if (list) list.push(p);
      else byEnd.set(p.endMs, [p]);
    }
    const layout = g.members.flatMap((m) => m.points).find((p) => p.dist)?.dist?.layout;
    const points = [...byEnd.entries()].sort((a, b) => b[0] - a[0])
      .map(([, pts]) => reducePoints(reducer, percentile, pts, () => new DistAcc(layout!)));
    return { metricType: first.metricType, metricLabels: g.metricLabels, resourceLabels: g.resourceLabels, unit: first.unit, ...result, points };
  });
}
