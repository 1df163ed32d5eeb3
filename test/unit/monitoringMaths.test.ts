// The emulator's Monitoring maths on their own: the filter parser (quoting, escapes, precedence, where a
// syntax error is), exponential buckets at their exact bounds, percentiles inside the bucket that holds them,
// bucket counts that add up after rounding, and the seeded history's determinism and bounds.
import * as assert from 'node:assert/strict';
import { DistAcc, LATENCY_LAYOUT, bucketIndex, bucketLower, bucketUpper, logNormalShape } from '../../emulator/monitoringDistribution';
import { parseFilter, type FilterSubject } from '../../emulator/monitoringFilter';
import { MetricStore } from '../../emulator/monitoringMetrics';
import { benchHistory, generateHistory } from '../../emulator/monitoringSynthetic';

const subject = (metricLabels: Record<string, string>, resourceLabels: Record<string, string> = {}): FilterSubject =>
  ({ metricType: 'run.googleapis.com/request_count', resourceType: 'cloud_run_revision', metricLabels, resourceLabels, project: 'p' });

describe('emulator Monitoring maths', () => {
  it('parses filters: escapes in quotes, AND binds tighter than OR, NOT, the metric type it names', () => {
    const f = parseFilter('metric.type = "run.googleapis.com/request_count" AND metric.labels.a = "x\\"y" OR metric.labels.b = "1"');
    assert.equal(f.metricType, undefined, 'an OR at the top does not pin one metric type');
    assert.equal(f.matches(subject({ a: 'x"y' })), true);
    assert.equal(f.matches(subject({ b: '1' })), true);
    assert.equal(f.matches(subject({ a: 'xy' })), false);
    const g = parseFilter('metric.type="run.googleapis.com/request_count" NOT resource.label.revision_name=starts_with("old-")');
    assert.equal(g.metricType, 'run.googleapis.com/request_count');
    assert.equal(g.matches(subject({}, { revision_name: 'old-1' })), false);
    assert.equal(g.matches(subject({}, { revision_name: 'new-1' })), true);
    assert.throws(() => parseFilter('metric.type = "x" AND = "y"'), /syntax error at line 1, column 23, token '='/);
    assert.throws(() => parseFilter('metric.type = frobnicate("x")'), /function frobnicate is not supported/);
  });

  it('puts a value on an exact bucket bound into the upper bucket, and below scale into the underflow bucket', () => {
    for (let i = 1; i < 40; i++) {
      const bound = bucketLower(LATENCY_LAYOUT, i);
      assert.equal(bucketIndex(LATENCY_LAYOUT, bound), i, `lower bound of bucket ${i}`);
      assert.equal(bucketIndex(LATENCY_LAYOUT, bound * 0.999999), i - 1);
    }
    assert.equal(bucketIndex(LATENCY_LAYOUT, 0.5), 0);
    assert.equal(bucketIndex(LATENCY_LAYOUT, 1e30), LATENCY_LAYOUT.numFiniteBuckets + 1, 'overflow');
  });

  it('finds percentiles inside the bucket of the true value and rounds bucket counts to the count', () => {
    const acc = new DistAcc(LATENCY_LAYOUT);
    for (let v = 1; v <= 1000; v++) acc.addValue(v);
    for (const p of [5, 50, 95, 99]) {
      const truth = p * 10;
      const i = bucketIndex(LATENCY_LAYOUT, truth);
      const got = acc.percentile(p);
      assert.ok(got >= bucketLower(LATENCY_LAYOUT, i) && got <= bucketUpper(LATENCY_LAYOUT, i), `p${p}=${got}, truth ${truth}`);
    }
    const shaped = new DistAcc(LATENCY_LAYOUT);
    shaped.addShape(logNormalShape(LATENCY_LAYOUT, 120, 0.6), 37);
    const json = shaped.toJson();
    assert.equal(json.count, '37');
    assert.equal(json.bucketCounts.reduce((a, b) => a + Number(b), 0), 37);
    assert.ok(Math.abs(shaped.percentile(50) - 120) < 40, `the median of a log-normal around 120 ms, got ${shaped.percentile(50)}`);
  });

  it('generates the same seeded history twice, one column per series, with nothing for the current minute', () => {
    const now = Date.parse('2030-06-01T12:34:56Z');
    const revisions = [1, 2].map((i) => ({ project: 'p', location: 'l', service: 's', revision: `s-0000${i}-abc` }));
    const run = () => {
      const store = new MetricStore({ now: () => now });
      const minutes = generateHistory(store, benchHistory(revisions, 1, now), now);
      const series = store.listTimeSeries({
        name: 'projects/p', filter: 'metric.type = "run.googleapis.com/request_count"',
        interval: { startTime: new Date(now - 86_400_000).toISOString(), endTime: new Date(now).toISOString() },
        aggregation: { alignmentPeriod: '3600s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' },
      });
      return { minutes, store, total: series[0].points.map((p) => Number(p.value.int64Value)) };
    };
    const a = run();
    const b = run();
    assert.equal(a.minutes, 2 * 1440);
    assert.deepEqual(a.total, b.total);
    assert.ok(a.total.every((n) => n > 0));
    assert.ok(a.store.seriesCount <= 2 * 10, 'at most 10 series per revision');
    const current = a.store.listTimeSeries({
      name: 'projects/p', filter: 'metric.type = "run.googleapis.com/request_count"', interval: { startTime: new Date(Math.floor(now / 60_000) * 60_000).toISOString(), endTime: new Date(now).toISOString() },
    });
    assert.deepEqual(current, [], 'the current minute is left to real traffic');
  });

  it('sums seeded history per period exactly as its raw minutes add up (unaligned end, a recorded minute overriding a seeded one)', () => {
    const now = Date.parse('2030-06-01T12:34:56.789Z');
    const store = new MetricStore({ now: () => now });
    const revisions = [1, 2].map((i) => ({ project: 'p', location: 'l', service: 's', revision: `s-0000${i}-abc` }));
    generateHistory(store, benchHistory(revisions, 2, now), now);
    store.seriesFor('run.googleapis.com/request_count', revisions[0], { response_code: '200', response_code_class: '2xx' })
      .addNumber(Math.floor((now - 3_600_000) / 60_000), 1000, 'sum');
    const end = now - 12_345;
    const start = end - 2 * 86_400_000;
    const interval = { startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() };
    const valueOf = (p: { value: { int64Value?: string; distributionValue?: { count: string } } }) => Number(p.value.int64Value ?? p.value.distributionValue?.count);
    for (const type of ['run.googleapis.com/request_count', 'run.googleapis.com/request_latencies']) {
      for (const period of [60, 300, 3600, 86_400]) {
        const raw = store.listTimeSeries({ name: 'projects/p', filter: `metric.type = "${type}"`, interval });
        const aligned = store.listTimeSeries({ name: 'projects/p', filter: `metric.type = "${type}"`, interval, aggregation: { alignmentPeriod: `${period}s`, perSeriesAligner: 'ALIGN_DELTA' } });
        const earliest = end - Math.ceil((end - start) / (period * 1000)) * period * 1000;
        raw.forEach((series, i) => {
          const expected = new Map<number, number>();
          for (const p of series.points) {
            const minuteStart = Date.parse(p.interval.startTime!);
            if (minuteStart < earliest) continue;
            const k = Math.max(0, Math.ceil((end - minuteStart) / (period * 1000)) - 1);
            expected.set(k, (expected.get(k) ?? 0) + valueOf(p));
          }
          const got = new Map(aligned[i].points.map((p) => [Math.round((end - Date.parse(p.interval.endTime)) / (period * 1000)), valueOf(p)]));
          assert.deepEqual([...got].sort((a, b) => a[0] - b[0]), [...expected].sort((a, b) => a[0] - b[0]), `${type} per ${period} s`);
        });
      }
    }
  });
});
