// One stored time series: per-minute cells (minute = floor(ms / 60 000)) recorded from real traffic, plus an
// optional synthetic column (compact typed arrays, one slot per minute) for seeded history. Numeric metrics
// keep one number per minute (a DELTA's sum, a GAUGE's sample); distributions keep a DistAcc per minute.
import { DistAcc, type ExponentialLayout, type Shape } from './monitoringDistribution';
import type { MetricInfo } from './monitoringTypes';

export const MINUTE_MS = 60_000;

/** Seeded history: `values[i]` belongs to minute `start + i`; distributions draw `values[i]` samples from `shapes[shapeOf[i]]`. */
export interface SyntheticColumn {
  start: number;
  values: Uint32Array | Float32Array;
  shapes?: Shape[];
  shapeOf?: Uint8Array;
}

/**
 * One minute of a series: a number (numeric metrics, or a distribution's count), plus for distributions either
 * the recorded cell or the synthetic shape its `value` samples were drawn from.
 */
/** What a period needs from the synthetic minutes it covers (everything but min/max/last). */
export interface RangeTotals {
  /** Minutes with a point. */
  n: number;
  /** Σ of their values (a distribution's: its count). */
  sum: number;
  /** Distributions: samples per shape. */
  shapes?: Map<Shape, number>;
}

/** Block prefix sums of a synthetic column, so a period costs O(1) plus at most 2·BLOCK minutes at its edges. */
interface ColumnIndex {
  sum: Float64Array;
  counted: Uint32Array;
  shapes: Float64Array[];
}

const BLOCK = 10;

export type CellVisitor = (minute: number, value: number, cell?: DistAcc, shape?: Shape) => void;

export class StoredSeries {
  readonly values = new Map<number, number>();
  readonly dists = new Map<number, DistAcc>();
  /** Seeded history, one column per serving period. */
  readonly synthetic: SyntheticColumn[] = [];
  readonly isDistribution: boolean;
  /** Minutes without requests have no point for DELTA metrics and distributions (Cloud Run writes none). */
  private readonly skipZero: boolean;
  private readonly indexes = new WeakMap<SyntheticColumn, ColumnIndex>();
  /** The earliest minute ever recorded (a lower bound): recorded cells override synthetic ones only from there. */
  private firstRecorded = Infinity;

  constructor(
    readonly info: MetricInfo,
    readonly resourceLabels: Record<string, string>,
    readonly metricLabels: Record<string, string>,
    readonly layout?: ExponentialLayout,
  ) {
    this.isDistribution = info.valueType === 'DISTRIBUTION';
    this.skipZero = this.isDistribution || info.kind === 'DELTA';
  }


  addNumber(minute: number, value: number, mode: 'sum' | 'set' | 'max'): void {
    const old = this.values.get(minute);
    const next = old === undefined || mode === 'set' ? value : mode === 'sum' ? old + value : Math.max(old, value);
    this.values.set(minute, next);
    this.firstRecorded = Math.min(this.firstRecorded, minute);
  }

  addSample(minute: number, value: number): void {
    let acc = this.dists.get(minute);
    if (!acc) this.dists.set(minute, (acc = new DistAcc(this.layout!)));
    acc.addValue(value);
    this.firstRecorded = Math.min(this.firstRecorded, minute);
  }

  /** Visits every cell whose minute lies in [from, to] (recorded cells win over synthetic ones of the same minute). */
  each(from: number, to: number, visit: CellVisitor): void {
    const skipZero = this.skipZero;
    const recorded = this.values.size > 0 || this.dists.size > 0;
    for (const syn of this.synthetic) {
      const lo = Math.max(from, syn.start);
      const hi = Math.min(to, syn.start + syn.values.length - 1);
      for (let m = lo; m <= hi; m++) {
        const i = m - syn.start;
        const v = syn.values[i];
        if (v <= 0 && skipZero) continue;
        if (recorded && (this.values.has(m) || this.dists.has(m))) continue;
        if (syn.shapes && syn.shapeOf) visit(m, v, undefined, syn.shapes[syn.shapeOf[i]]);
        else visit(m, v);
      }
    }
    this.eachRecorded(from, to, visit);
  }

  /** Visits the recorded cells in [from, to]. */
  eachRecorded(from: number, to: number, visit: CellVisitor): void {
    if (this.isDistribution) {
      for (const [m, cell] of this.dists) if (m >= from && m <= to) visit(m, cell.n, cell);
    } else {
      for (const [m, v] of this.values) if (m >= from && m <= to) visit(m, v);
    }
  }

  /** Adds the synthetic minutes in [from, to] that no recorded cell overrides to `totals`. */
  addSyntheticTotals(from: number, to: number, totals: RangeTotals): void {
    for (const syn of this.synthetic) {
      const a = Math.max(from, syn.start) - syn.start;
      const b = Math.min(to, syn.start + syn.values.length - 1) - syn.start;
      if (b < a) continue;
      if (b - a < 2 * BLOCK) {
        this.scan(syn, a, b, totals, 1);
      } else {
        const index = this.indexOf(syn);
        const first = Math.ceil(a / BLOCK);
        const last = Math.floor((b + 1) / BLOCK);
        this.scan(syn, a, first * BLOCK - 1, totals, 1);
        totals.n += index.counted[last] - index.counted[first];
        totals.sum += index.sum[last] - index.sum[first];
        index.shapes.forEach((prefix, j) => {
          const count = prefix[last] - prefix[first];
          if (count > 0) addShapeCount(totals, syn.shapes![j], count);
        });
        this.scan(syn, last * BLOCK, b, totals, 1);
      }
      if (this.firstRecorded <= syn.start + b) {
        // Rare: real traffic in a seeded minute. The recorded cell replaces the synthetic one.
        const overridden = (m: number) => {
          if (m >= syn.start + a && m <= syn.start + b) this.scan(syn, m - syn.start, m - syn.start, totals, -1);
        };
        for (const m of this.isDistribution ? this.dists.keys() : this.values.keys()) overridden(m);
      }
    }
  }

  private scan(syn: SyntheticColumn, a: number, b: number, totals: RangeTotals, sign: 1 | -1): void {
    for (let i = a; i <= b; i++) {
      const v = syn.values[i];
      if (v <= 0 && this.skipZero) continue;
      totals.n += sign;
      totals.sum += sign * v;
      if (syn.shapes && syn.shapeOf) addShapeCount(totals, syn.shapes[syn.shapeOf[i]], sign * v);
    }
  }

  private indexOf(syn: SyntheticColumn): ColumnIndex {
    let index = this.indexes.get(syn);
    if (index) return index;
    const blocks = Math.floor(syn.values.length / BLOCK);
    const shapeCount = syn.shapes?.length ?? 0;
    index = { sum: new Float64Array(blocks + 1), counted: new Uint32Array(blocks + 1), shapes: Array.from({ length: shapeCount }, () => new Float64Array(blocks + 1)) };
    for (let k = 0; k < blocks; k++) {
      let sum = 0;
      let counted = 0;
      const perShape = new Float64Array(shapeCount);
      for (let i = k * BLOCK; i < (k + 1) * BLOCK; i++) {
        const v = syn.values[i];
        if (v <= 0 && this.skipZero) continue;
        sum += v;
        counted += 1;
        if (syn.shapeOf) perShape[syn.shapeOf[i]] += v;
      }
      index.sum[k + 1] = index.sum[k] + sum;
      index.counted[k + 1] = index.counted[k] + counted;
      for (let j = 0; j < shapeCount; j++) index.shapes[j][k + 1] = index.shapes[j][k] + perShape[j];
    }
    this.indexes.set(syn, index);
    return index;
  }

  /** Forgets recorded cells before `minute`; true when nothing is left. */
  prune(minute: number): boolean {
    for (const m of this.values.keys()) if (m < minute) this.values.delete(m);
    for (const m of this.dists.keys()) if (m < minute) this.dists.delete(m);
    const kept = this.synthetic.filter((syn) => syn.start + syn.values.length > minute);
    this.synthetic.splice(0, this.synthetic.length, ...kept);
    return this.values.size === 0 && this.dists.size === 0 && this.synthetic.length === 0;
  }
}

function addShapeCount(totals: RangeTotals, shape: Shape, count: number): void {
  const shapes = (totals.shapes ??= new Map());
  shapes.set(shape, (shapes.get(shape) ?? 0) + count);
}

export function seriesKey(metricType: string, resourceLabels: Record<string, string>, metricLabels: Record<string, string>): string {
  const sorted = (o: Record<string, string>) => Object.keys(o).sort().map((k) => `${k}=${o[k]}`).join(',');
  return `${metricType}|${sorted(resourceLabels)}|${sorted(metricLabels)}`;
}
