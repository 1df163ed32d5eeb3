// Series maths for the metrics panel, the sparklines and the canary view: Monitoring's aligned series
// (newest first on the wire, oldest first after mapping) → lines on one time grid, per-revision totals,
// ratios and text. Pure; unit-tested.
import { MetricPoint, MetricSeries, QueryWindow } from './metricQueries';

export interface TimeGrid {
  /** Epoch ms of each slot's end, oldest first; the last is the window's end. */
  times: number[];
  periodMs: number;
}

/** Slots ending at end, end − period, …: where Monitoring puts aligned points (their end time). */
export function timeGrid(window: QueryWindow): TimeGrid {
  const periodMs = window.alignmentPeriodSeconds * 1000;
  const end = window.endTime.getTime();
  const count = Math.max(1, Math.round((end - window.startTime.getTime()) / periodMs));
  return { periodMs, times: Array.from({ length: count }, (_, i) => end - (count - 1 - i) * periodMs) };
}

/**
 * Points snapped to the nearest slot by their end time (a server may align to the epoch instead of the
 * window's end; either way a point lands in one slot). Counts sum and fill with 0; levels keep the last
 * and leave gaps as null so a line breaks instead of inventing a zero.
 */
export function onGrid(grid: TimeGrid, points: readonly MetricPoint[], mode: 'count' | 'level'): (number | null)[] {
  const values: (number | null)[] = grid.times.map(() => (mode === 'count' ? 0 : null));
  const last = grid.times[grid.times.length - 1];
  for (const point of points) {
    const index = grid.times.length - 1 - Math.round((last - point.end) / grid.periodMs);
    if (index < 0 || index >= values.length || !Number.isFinite(point.value)) continue;
    values[index] = mode === 'count' ? (values[index] ?? 0) + point.value : point.value;
  }
  return values;
}

export interface ChartLine {
  label: string;
  values: (number | null)[];
}

export type ChartId = 'requests' | 'errorRatio' | 'latency' | 'instances' | 'cpu' | 'memory';

export interface Chart {
  id: ChartId;
  title: string;
  unit: string;
  /** Epoch seconds (uPlot's x). */
  times: number[];
  lines: ChartLine[];
}

const revisionOf = (s: MetricSeries) => s.resource.revision_name ?? '';
const classOf = (s: MetricSeries) => s.metric.response_code_class ?? 'unknown';
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const seconds = (grid: TimeGrid) => grid.times.map((t) => Math.round(t / 1000));

/** Series of one revision, or all of them. */
export function ofRevision(series: readonly MetricSeries[], revision: string | undefined): MetricSeries[] {
  return revision ? series.filter((s) => revisionOf(s) === revision) : [...series];
}

function addInto(target: number[], values: readonly (number | null)[]): void {
  values.forEach((v, i) => (target[i] += v ?? 0));
}

/** Counts per slot by response class ("2xx", "5xx", …), summed over the given series. */
export function countsByClass(grid: TimeGrid, series: readonly MetricSeries[]): Map<string, number[]> {
  const byClass = new Map<string, number[]>();
  for (const s of series) {
    const counts = byClass.get(classOf(s)) ?? grid.times.map(() => 0);
    addInto(counts, onGrid(grid, s.points, 'count'));
    byClass.set(classOf(s), counts);
  }
  return new Map([...byClass].sort(([a], [b]) => a.localeCompare(b)));
}

/** Requests per second by response class: each period's count over its length. */
export function requestRateChart(grid: TimeGrid, requests: readonly MetricSeries[]): Chart {
  const perSecond = grid.periodMs / 1000;
  return {
    id: 'requests', title: 'Requests by response class', unit: 'req/s', times: seconds(grid),
    lines: [...countsByClass(grid, requests)].map(([label, counts]) => ({ label, values: counts.map((c) => round(c / perSecond, 4)) })),
  };
}

/** 5xx share of all requests per period, in percent; a gap where nothing was served. */
export function errorRatioChart(grid: TimeGrid, requests: readonly MetricSeries[]): Chart {
  const byClass = countsByClass(grid, requests);
  const total = grid.times.map((_, i) => sum([...byClass.values()].map((c) => c[i])));
  const errors = byClass.get('5xx') ?? grid.times.map(() => 0);
  return {
    id: 'errorRatio', title: '5xx ratio', unit: '%', times: seconds(grid),
    lines: [{ label: '5xx', values: total.map((t, i) => (t > 0 ? round((100 * errors[i]) / t, 2) : null)) }],
  };
}

/** Lines from already-reduced series (one per label value, or one line when the query did not group). */
export function levelChart(id: ChartId, title: string, unit: string, grid: TimeGrid,
  lines: readonly { label: string; series: readonly MetricSeries[] }[], scale = 1): Chart {
  return {
    id, title, unit, times: seconds(grid),
    lines: lines.map(({ label, series }) => {
      const merged = series.flatMap((s) => s.points);
      return { label, values: onGrid(grid, merged, 'level').map((v) => (v === null ? null : round(v * scale, 2))) };
    }),
  };
}

/** Instance count lines, one per state (active, idle), from a query grouped by metric.label.state. */
export function instancesChart(grid: TimeGrid, instances: readonly MetricSeries[]): Chart {
  const states = [...new Set(instances.map((s) => s.metric.state ?? 'all'))].sort();
  return levelChart('instances', 'Instances', 'instances', grid,
    states.map((state) => ({ label: state, series: instances.filter((s) => (s.metric.state ?? 'all') === state) })));
}

export interface RevisionMetrics {
  revision: string;
  requests: number;
  errors: number;
  /** 5xx / requests, 0..1; undefined without requests. */
  errorRatio?: number;
  /** ms; undefined when Monitoring has no latency for the revision in the range. */
  p95Ms?: number;
}

/**
 * Totals per revision from the request counts (every point, exact) and the one-period p95 query. The
 * revisions Cloud Run lists come first in their order (with zeros); revisions only Monitoring knows follow.
 */
export function revisionSummaries(requests: readonly MetricSeries[], p95: readonly MetricSeries[], known: readonly string[] = []): RevisionMetrics[] {
  const rows = new Map<string, RevisionMetrics>(known.map((revision) => [revision, { revision, requests: 0, errors: 0 }]));
  const row = (revision: string) => {
    const existing = rows.get(revision) ?? { revision, requests: 0, errors: 0 };
    rows.set(revision, existing);
    return existing;
  };
  for (const s of requests) {
    const count = sum(s.points.map((p) => p.value));
    const r = row(revisionOf(s));
    r.requests += count;
    if (classOf(s) === '5xx') r.errors += count;
  }
  for (const s of p95) {
    const newest = s.points[s.points.length - 1];
    if (newest && Number.isFinite(newest.value)) row(revisionOf(s)).p95Ms = round(newest.value, 2);
  }
  for (const r of rows.values()) if (r.requests > 0) r.errorRatio = r.errors / r.requests;
  return [...rows.values()];
}

/** The newest point's end across series: what "as of HH:MM" says (Monitoring lags up to ~2 minutes). */
export function newestPointTime(...groups: readonly (readonly MetricSeries[])[]): Date | undefined {
  let newest = -Infinity;
  for (const series of groups) for (const s of series) for (const p of s.points) newest = Math.max(newest, p.end);
  return Number.isFinite(newest) ? new Date(newest) : undefined;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** Unicode block sparkline, scaled to the largest value (all zero: the lowest block throughout). */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max <= 0 || v <= 0 ? BLOCKS[0] : BLOCKS[Math.min(7, Math.max(1, Math.round((v / max) * 7)))])).join('');
}

/** 950 → "950", 1234 → "1.2k", 56789 → "57k", 1.2e6 → "1.2M". */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n * 10) / 10);
  const [value, unit] = abs < 1e6 ? [n / 1e3, 'k'] : [n / 1e6, 'M'];
  return `${Math.abs(value) < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)}${unit}`;
}

/** A 0..1 ratio as a percent with one decimal ("0.3%"); a tiny non-zero share is "<0.1%", not "0%". */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  if (ratio > 0 && ratio < 0.001) return '<0.1%';
  return `${(ratio * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

export interface RevisionSparkline {
  blocks: string;
  requests: number;
  errors: number;
  /** "1.2k req/h, 0.3% 5xx" */
  text: string;
}

/** Per revision: requests per slot as blocks, and the window's totals (the window is one hour). */
export function revisionSparklines(grid: TimeGrid, requests: readonly MetricSeries[]): Map<string, RevisionSparkline> {
  const out = new Map<string, RevisionSparkline>();
  for (const revision of new Set(requests.map(revisionOf))) {
    const series = ofRevision(requests, revision);
    const byClass = countsByClass(grid, series);
    const perSlot = grid.times.map((_, i) => sum([...byClass.values()].map((c) => c[i])));
    const total = sum(series.flatMap((s) => s.points.map((p) => p.value)));
    const errors = sum(series.filter((s) => classOf(s) === '5xx').flatMap((s) => s.points.map((p) => p.value)));
    out.set(revision, { blocks: sparkline(perSlot), requests: total, errors,
      text: `${formatCount(total)} req/h, ${formatRatio(total > 0 ? errors / total : 0)} 5xx` });
  }
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
