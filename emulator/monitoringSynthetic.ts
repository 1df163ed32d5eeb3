// Seeded metric history, so charts have something to show on a fresh machine (the demo seed) and the bench has
// a realistic load (seed "metrics:RxD": R revisions × D days). A seed writes only a small description per
// revision into the state (`data.monitoringHistory`); the points are generated from it into the MetricStore
// when the emulator starts or resets, deterministically per (revision, minute), so a restart shows the same
// past. Generated minutes end at the minute before generation; what happens after that is real traffic.
//
// The model: requests/min follow a day curve (quiet at 04:00 UTC, busy at 16:00) with ±20 % noise; about 2 % 404s (at most one a minute) and
// the revision's 5xx rate, with a few one-hour incidents at 10×; latencies log-normal around the revision's
// median (slower when busy, much slower for 5xx); one active instance per 120 requests/min (+ minInstances idle);
// CPU tracks the load, memory sits near 35 %.
import { LATENCY_LAYOUT, UTILIZATION_LAYOUT, logNormalShape, type Shape } from './monitoringDistribution';
import type { MetricStore, RevisionResource } from './monitoringMetrics';
import { MINUTE_MS } from './monitoringSeries';
import { CPU_UTILIZATIONS, INSTANCE_COUNT, MEMORY_UTILIZATIONS, REQUEST_COUNT, REQUEST_LATENCIES } from './monitoringTypes';

/** One revision's seeded traffic, as kept in state.json. */
export interface MetricHistorySpec {
  revision: RevisionResource;
  fromMs: number;
  /** Serving until then; undefined = until the history is generated. */
  toMs?: number;
  /** Requests per minute at the busiest hour. */
  peakRpm: number;
  /** Share of 5xx, 0..1. */
  errorRate: number;
  /** Median latency of successful requests. */
  medianMs: number;
  /** Idle instances kept (minInstanceCount). */
  minInstances?: number;
}

export const MAX_HISTORY_DAYS = 14;
const DAY_MS = 86_400_000;

/** A deterministic 0..1 number from a seed and an integer (xorshift). */
function noise(seed: number, minute: number): number {
  let h = (seed ^ Math.imul(minute, 0x9e3779b1)) >>> 0;
  h ^= h << 13; h >>>= 0;
  h ^= h >>> 17;
  h ^= h << 5; h >>>= 0;
  return (h % 1_000_003) / 1_000_003;
}

/** FNV-1a. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function dayCurve(minute: number): number {
  const hour = ((minute / 60) % 24 + 24) % 24;
  return 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24));
}

const shapeCache = new Map<string, Shape[]>();

function latencyShapes(medianMs: number): Shape[] {
  const key = `lat:${medianMs}`;
  let shapes = shapeCache.get(key);
  if (!shapes) {
    shapes = [logNormalShape(LATENCY_LAYOUT, medianMs, 0.5), logNormalShape(LATENCY_LAYOUT, medianMs * 1.6, 0.6), logNormalShape(LATENCY_LAYOUT, medianMs * 4, 0.8)];
    shapeCache.set(key, shapes);
  }
  return shapes;
}

function utilizationShapes(kind: 'cpu' | 'memory'): Shape[] {
  let shapes = shapeCache.get(kind);
  if (!shapes) {
    const medians = kind === 'cpu' ? [0.04, 0.12, 0.3, 0.55] : [0.3, 0.34, 0.38, 0.42];
    shapes = medians.map((m) => logNormalShape(UTILIZATION_LAYOUT, m, kind === 'cpu' ? 0.35 : 0.1));
    shapeCache.set(kind, shapes);
  }
  return shapes;
}

/** Writes the history of `specs` into the store, up to the minute before `nowMs`; returns the minutes written. */
export function generateHistory(store: MetricStore, specs: readonly MetricHistorySpec[] | undefined, nowMs = store.now(), maxDays = MAX_HISTORY_DAYS): number {
  let written = 0;
  for (const spec of specs ?? []) {
    const first = Math.floor(Math.max(spec.fromMs, nowMs - maxDays * DAY_MS) / MINUTE_MS);
    const end = Math.floor(Math.min(spec.toMs ?? nowMs, nowMs) / MINUTE_MS); // exclusive: the current minute is real
    const n = end - first;
    if (n <= 0) continue;
    written += n;
    const seed = hashOf(`${spec.revision.service}/${spec.revision.revision}`);
    const ok = new Uint32Array(n);
    const notFound = new Uint32Array(n);
    const failed = new Uint32Array(n);
    const busyShape = new Uint8Array(n);
    const errorShape = new Uint8Array(n).fill(2);
    const active = new Uint32Array(n);
    const idle = new Uint32Array(n);
    const cpuShape = new Uint8Array(n);
    const memShape = new Uint8Array(n);
    const instances = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const minute = first + i;
      const load = dayCurve(minute);
      const total = Math.round(spec.peakRpm * load * (0.8 + 0.4 * noise(seed, minute)));
      // A few one-hour incidents per week: the hour's hash decides.
      const incident = noise(seed ^ 0x5bd1e995, Math.floor(minute / 60)) < 0.006 ? 10 : 1;
      const expected = total * spec.errorRate * incident;
      const errors = Math.min(total, Math.floor(expected) + (noise(seed ^ 0x1234, minute) < expected % 1 ? 1 : 0));
      const missing = Math.min(total - errors, noise(seed ^ 0x777, minute) < total * 0.02 ? 1 : 0);
      ok[i] = total - errors - missing;
      notFound[i] = missing;
      failed[i] = errors;
      busyShape[i] = load > 0.8 ? 1 : 0;
      const act = total > 0 ? Math.ceil(total / 120) : 0;
      active[i] = act;
      idle[i] = Math.max(spec.minInstances ?? 0, act === 0 && noise(seed ^ 0x4242, Math.floor(minute / 15)) < 0.5 ? 1 : 0);
      instances[i] = act + idle[i];
      cpuShape[i] = Math.min(3, Math.floor(load * 4 * (total / Math.max(1, act * 120))));
      memShape[i] = Math.min(3, Math.floor(load * 4));
    }
    const lat = latencyShapes(spec.medianMs);
    const put = (type: string, labels: Record<string, string>, values: Uint32Array, shapes?: Shape[], shapeOf?: Uint8Array) => {
      if (!values.some((v) => v > 0)) return;
      store.seriesFor(type, spec.revision, labels).synthetic.push({ start: first, values, shapes, shapeOf });
    };
    for (const [code, values] of [['200', ok], ['404', notFound], ['500', failed]] as const) {
      const labels = { response_code: code, response_code_class: `${code[0]}xx` };
      put(REQUEST_COUNT, labels, values);
      put(REQUEST_LATENCIES, labels, values, lat, code === '500' ? errorShape : busyShape);
    }
    put(INSTANCE_COUNT, { state: 'active' }, active);
    put(INSTANCE_COUNT, { state: 'idle' }, idle);
    put(CPU_UTILIZATIONS, {}, instances, utilizationShapes('cpu'), cpuShape);
    put(MEMORY_UTILIZATIONS, {}, instances, utilizationShapes('memory'), memShape);
  }
  return written;
}

/** The bench seed's history: every revision of `service` serving an equal share for `days` days. */
export function benchHistory(revisions: RevisionResource[], days: number, nowMs: number): MetricHistorySpec[] {
  return revisions.map((revision, i) => ({
    revision, fromMs: nowMs - days * DAY_MS, peakRpm: 30 + (i % 5) * 10, errorRate: i % 7 === 3 ? 0.05 : 0.005, medianMs: 40 + (i % 4) * 30,
  }));
}
