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

export type CellVisitor = (minute: number, value: number, addTo?: (acc: DistAcc) => void) => void;

export class StoredSeries {
  readonly values = new Map<number, number>();
  readonly dists = new Map<number, DistAcc>();
  /** Seeded history, one column per serving period. */
  readonly synthetic: SyntheticColumn[] = [];

  constructor(
    readonly info: MetricInfo,
    readonly resourceLabels: Record<string, string>,
    readonly metricLabels: Record<string, string>,
    readonly layout?: ExponentialLayout,
  ) {}

  get isDistribution(): boolean {
    return this.info.valueType === 'DISTRIBUTION';
  }

  addNumber(minute: number, value: number, mode: 'sum' | 'set' | 'max'): void {
    const old = this.values.get(minute);
    const next = old === undefined || mode === 'set' ? value : mode === 'sum' ? old + value : Math.max(old, value);
    this.values.set(minute, next);
  }

  addSample(minute: number, value: number): void {
    let acc = this.dists.get(minute);
    if (!acc) this.dists.set(minute, (acc = new DistAcc(this.layout!)));
    acc.addValue(value);
  }

  /** Visits every cell whose minute lies in [from, to] (recorded cells win over synthetic ones of the same minute). */
  each(from: number, to: number, visit: CellVisitor): void {
    for (const syn of this.synthetic) {
      const lo = Math.max(from, syn.start);
      const hi = Math.min(to, syn.start + syn.values.length - 1);
      for (let m = lo; m <= hi; m++) {
        const i = m - syn.start;
        const v = syn.values[i];
        if (v <= 0 && (this.isDistribution || this.info.kind === 'DELTA')) continue; // Cloud Run writes no point for a minute without requests
        if (this.values.has(m) || this.dists.has(m)) continue;
        if (syn.shapes && syn.shapeOf) {
          const shape = syn.shapes[syn.shapeOf[i]];
          visit(m, v, (acc) => acc.addShape(shape, v));
        } else {
          visit(m, v);
        }
      }
    }
    if (this.isDistribution) {
      for (const [m, cell] of this.dists) if (m >= from && m <= to) visit(m, cell.n, (acc) => acc.merge(cell));
    } else {
      for (const [m, v] of this.values) if (m >= from && m <= to) visit(m, v);
    }
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

export function seriesKey(metricType: string, resourceLabels: Record<string, string>, metricLabels: Record<string, string>): string {
  const sorted = (o: Record<string, string>) => Object.keys(o).sort().map((k) => `${k}=${o[k]}`).join(',');
  return `${metricType}|${sorted(resourceLabels)}|${sorted(metricLabels)}`;
}
