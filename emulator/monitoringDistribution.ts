// google.api.Distribution maths: exponential bucket layouts, an accumulator that merges values, minute cells
// and synthetic shapes, percentiles interpolated inside the bucket that holds them (as Cloud Monitoring does
// for ALIGN_PERCENTILE_xx / REDUCE_PERCENTILE_xx), and the proto3 JSON of the result.
import type { BucketOptionsJson, DistributionJson } from './monitoringTypes';

export interface ExponentialLayout {
  numFiniteBuckets: number;
  growthFactor: number;
  scale: number;
}

/**
 * request_latencies: Google's latency layout (√2 growth from 1 ms, 64 finite buckets, as the load balancer's
 * backend_latencies report it), so p95 and friends have the resolution a client sees on Google.
 */
export const LATENCY_LAYOUT: ExponentialLayout = { numFiniteBuckets: 64, growthFactor: Math.SQRT2, scale: 1 };
/** cpu/memory utilizations (0..1): an exponential layout from 1 %, growth 1.1 (~10 % resolution). */
export const UTILIZATION_LAYOUT: ExponentialLayout = { numFiniteBuckets: 50, growthFactor: 1.1, scale: 0.01 };

export function bucketCount(layout: ExponentialLayout): number {
  return layout.numFiniteBuckets + 2;
}

/** 0 = underflow (< scale), i in 1..N = [scale·g^(i-1), scale·g^i), N+1 = overflow. */
export function bucketIndex(layout: ExponentialLayout, value: number): number {
  if (!(value >= layout.scale)) return 0;
  const i = Math.floor(Math.log(value / layout.scale) / Math.log(layout.growthFactor)) + 1;
  // Rounding in log() can put an exact bound one bucket low; the bound itself belongs to the upper bucket.
  const fixed = value >= bucketLower(layout, i + 1) ? i + 1 : i;
  return Math.min(fixed, layout.numFiniteBuckets + 1);
}

export function bucketLower(layout: ExponentialLayout, i: number): number {
  return i <= 0 ? 0 : layout.scale * layout.growthFactor ** (i - 1);
}

export function bucketUpper(layout: ExponentialLayout, i: number): number {
  return i > layout.numFiniteBuckets ? Infinity : layout.scale * layout.growthFactor ** i;
}

/** count, Σx, Σx² and the histogram of a population; buckets may be fractional (synthetic shapes). */
export class DistAcc {
  n = 0;
  sum = 0;
  sumSq = 0;
  readonly buckets: Float64Array;

  constructor(readonly layout: ExponentialLayout) {
    this.buckets = new Float64Array(bucketCount(layout));
  }

  /** Empties it for reuse (a scratch accumulator saves an allocation per period). */
  reset(): this {
    this.n = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.buckets.fill(0);
    return this;
  }

  addValue(value: number): void {
    this.n += 1;
    this.sum += value;
    this.sumSq += value * value;
    this.buckets[bucketIndex(this.layout, value)] += 1;
  }

  merge(other: DistAcc): void {
    this.n += other.n;
    this.sum += other.sum;
    this.sumSq += other.sumSq;
    for (let i = 0; i < other.buckets.length; i++) this.buckets[i] += other.buckets[i];
  }

  /** Adds `count` values drawn from a shape (probabilities per bucket plus E[x], E[x²]). */
  addShape(shape: Shape, count: number): void {
    if (count <= 0) return;
    this.n += count;
    this.sum += count * shape.mean;
    this.sumSq += count * shape.meanSq;
    for (let k = 0; k < shape.index.length; k++) this.buckets[shape.index[k]] += count * shape.weight[k];
  }

  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }

  /** p in 0..100: linear interpolation inside the bucket where the cumulative count reaches p % of n. */
  percentile(p: number): number {
    if (this.n <= 0) return 0;
    const target = (p / 100) * this.n;
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      const c = this.buckets[i];
      if (c <= 0) continue;
      if (cumulative + c >= target) {
        const lower = bucketLower(this.layout, i);
        const upper = bucketUpper(this.layout, i);
        if (!Number.isFinite(upper)) return lower;
        return lower + ((target - cumulative) / c) * (upper - lower);
      }
      cumulative += c;
    }
    return bucketLower(this.layout, this.buckets.length - 1);
  }

  toJson(): DistributionJson {
    const n = Math.round(this.n);
    const counts = roundPreservingSum(this.buckets, n);
    let last = counts.length;
    while (last > 0 && counts[last - 1] === 0) last--;
    const json: DistributionJson = {
      count: String(n),
      bucketOptions: bucketOptionsJson(this.layout),
      bucketCounts: counts.slice(0, last).map(String),
    };
    if (n > 0) {
      json.mean = this.mean;
      json.sumOfSquaredDeviation = Math.max(0, this.sumSq - (this.sum * this.sum) / this.n);
    }
    return json;
  }
}

export function bucketOptionsJson(layout: ExponentialLayout): BucketOptionsJson {
  return { exponentialBuckets: { numFiniteBuckets: layout.numFiniteBuckets, growthFactor: layout.growthFactor, scale: layout.scale } };
}

/** Largest-remainder rounding: integer bucket counts that add up to `total`. */
function roundPreservingSum(values: Float64Array, total: number): number[] {
  const floors = Array.from(values, (v) => Math.floor(v + 1e-9));
  let missing = total - floors.reduce((a, b) => a + b, 0);
  if (missing > 0) {
    const order = Array.from(values, (v, i) => [v - floors[i], i] as const).sort((a, b) => b[0] - a[0]);
    for (const [, i] of order) {
      if (missing <= 0) break;
      floors[i] += 1;
      missing -= 1;
    }
  }
  return floors;
}

/** A latency or utilization profile: sparse bucket weights (sum 1) with the mean and mean square they imply. */
export interface Shape {
  index: Uint8Array;
  weight: Float64Array;
  mean: number;
  meanSq: number;
}

/** A log-normal profile (median, spread σ of ln x) discretised onto the layout; used by the synthetic history. */
export function logNormalShape(layout: ExponentialLayout, median: number, sigma: number): Shape {
  const weights = new Float64Array(bucketCount(layout));
  const samples = 400;
  let mean = 0;
  let meanSq = 0;
  for (let s = 0; s < samples; s++) {
    const z = inverseNormal((s + 0.5) / samples);
    const x = median * Math.exp(sigma * z);
    weights[bucketIndex(layout, x)] += 1 / samples;
    mean += x / samples;
    meanSq += (x * x) / samples;
  }
  const index: number[] = [];
  const weight: number[] = [];
  weights.forEach((w, i) => { if (w > 0) { index.push(i); weight.push(w); } });
  return { index: Uint8Array.from(index), weight: Float64Array.from(weight), mean, meanSq };
}

/** Acklam's rational approximation of the standard normal quantile (error < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return lowTail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -lowTail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
