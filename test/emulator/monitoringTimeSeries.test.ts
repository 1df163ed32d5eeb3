// Cloud Monitoring ListTimeSeries through the REAL MetricServiceClient, the same cases over gRPC and over REST:
// filters, aligners (DELTA, RATE, SUM, MEAN, MAX, percentiles inside their bucket), cross-series reducers with
// groupByFields, raw points newest first, and metricsLagMs. Traffic is recorded at chosen minutes through the
// emulator's recorder; the period grid ends at the next minute boundary so every minute is exactly one period.
import * as assert from 'node:assert/strict';
import type { MetricServiceClient } from '@google-cloud/monitoring';
import { startHarness, type Harness } from './fixture';
import {
  COUNT, LATENCIES, MINUTE, NAME, bucketBounds, byLabel, metricClient, msOf, num, record, rev, ts, type Transport,
} from './monitoringFixture';

const A = rev('shop', 'shop-00001-aaa');
const B = rev('shop', 'shop-00002-bbb');
const OTHER = rev('other', 'other-00001-ccc');

interface Ctx {
  c: MetricServiceClient;
  h: Harness;
  /** The end of the query interval: the next minute boundary; minute k back = [END-(k+1)·60s, END-k·60s). */
  END: number;
  at(k: number): number;
}

function query(ctx: Ctx, filter: string, aggregation?: Record<string, unknown>, minutes = 10) {
  return ctx.c.listTimeSeries({ name: NAME, filter, interval: { startTime: ts(ctx.END - minutes * MINUTE), endTime: ts(ctx.END) }, aggregation });
}

const CASES: { name: string; run(ctx: Ctx): Promise<void> }[] = [
  {
    name: 'ALIGN_DELTA + REDUCE_SUM by response_code_class counts every request of each minute exactly, newest first',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 7, 200);
      record(ctx.h, A, ctx.at(0), 2, 503);
      record(ctx.h, B, ctx.at(2), 4, 200);
      record(ctx.h, B, ctx.at(2), 1, 500);
      record(ctx.h, OTHER, ctx.at(0), 50, 500);
      const [series] = await query(ctx, `metric.type = "${COUNT}" AND resource.labels.service_name = "shop"`,
        { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.label.response_code_class'] });
      const got = byLabel(series, 'metric', 'response_code_class');
      assert.deepEqual(Object.keys(got).sort(), ['2xx', '5xx']);
      assert.deepEqual(got['2xx'].points?.map(num), [7, 4]);
      assert.deepEqual(got['5xx'].points?.map(num), [2, 1]);
      const [newest, older] = got['5xx'].points ?? [];
      assert.equal(msOf(newest.interval?.endTime), ctx.END);
      assert.equal(msOf(newest.interval?.startTime), ctx.END - MINUTE, 'a DELTA point covers [start, end)');
      assert.equal(msOf(older.interval?.endTime), ctx.END - 2 * MINUTE);
      assert.equal(got['5xx'].metricKind, 'DELTA');
      assert.equal(got['5xx'].valueType, 'INT64');
      assert.deepEqual(got['5xx'].resource?.labels, { project_id: 'mentor-demo' }, 'a reduced series keeps only the grouped labels and project_id');
    },
  },
  {
    name: 'filters: revision_name, one_of, starts_with, !=, NOT, OR and the singular metric.label. form select the right series',
    async run(ctx) {
      record(ctx.h, A, ctx.at(1), 3, 200);
      record(ctx.h, A, ctx.at(1), 1, 404);
      record(ctx.h, B, ctx.at(1), 5, 500);
      record(ctx.h, OTHER, ctx.at(1), 9, 200);
      const total = async (filter: string) => {
        const [series] = await query(ctx, `metric.type = "${COUNT}" AND ${filter}`, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_DELTA' });
        return series.reduce((sum, s) => sum + (s.points ?? []).reduce((a, p) => a + num(p), 0), 0);
      };
      assert.equal(await total('resource.labels.revision_name = "shop-00001-aaa"'), 4);
      assert.equal(await total('metric.labels.response_code_class = one_of("4xx", "5xx")'), 6);
      assert.equal(await total('resource.labels.revision_name = starts_with("shop-")'), 9);
      assert.equal(await total('resource.labels.service_name != "shop"'), 9);
      assert.equal(await total('NOT metric.label.response_code = "200"'), 6);
      assert.equal(await total('(resource.labels.service_name = "other" OR metric.labels.response_code = "404")'), 10);
      assert.equal(await total('resource.type = "cloud_run_revision" resource.labels.location = "us-central1"'), 18, 'juxtaposition is AND');
      assert.equal(await total('resource.labels.service_name = "nope"'), 0);
      const [series] = await query(ctx, `metric.type = "${COUNT}" AND resource.labels.revision_name = monitoring.regex.full_match("shop-0000[12]-.*")`,
        { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_DELTA' });
      assert.equal(series.length, 3, 'one series per revision and response code');
    },
  },
  {
    name: 'ALIGN_RATE gives requests per second of the period; ALIGN_SUM and ALIGN_MAX over a 5-minute period',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 30, 200);
      record(ctx.h, A, ctx.at(1), 12, 200);
      record(ctx.h, A, ctx.at(3), 6, 200);
      const f = `metric.type = "${COUNT}"`;
      const [rate] = await query(ctx, f, { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_RATE' });
      assert.deepEqual(rate[0].points?.map(num), [0.5, 0.2, 0.1]);
      assert.equal(rate[0].valueType, 'DOUBLE');
      assert.equal(rate[0].metricKind, 'GAUGE');
      const [sum] = await query(ctx, f, { alignmentPeriod: { seconds: 300 }, perSeriesAligner: 'ALIGN_SUM' });
      assert.deepEqual(sum[0].points?.map(num), [48]);
      const [max] = await query(ctx, f, { alignmentPeriod: { seconds: 300 }, perSeriesAligner: 'ALIGN_MAX' });
      assert.deepEqual(max[0].points?.map(num), [30], 'the busiest minute of the period');
    },
  },
  {
    name: 'raw points (no aggregation): one DELTA point per minute, [minute, minute+60s), newest first',
    async run(ctx) {
      record(ctx.h, A, ctx.at(1), 2, 200);
      record(ctx.h, A, ctx.at(4), 3, 200);
      const [series] = await query(ctx, `metric.type = "${COUNT}"`);
      assert.equal(series.length, 1);
      const points = series[0].points ?? [];
      assert.deepEqual(points.map(num), [2, 3]);
      assert.deepEqual(points.map((p) => msOf(p.interval?.startTime)), [ctx.END - 2 * MINUTE, ctx.END - 5 * MINUTE]);
      assert.deepEqual(points.map((p) => msOf(p.interval?.endTime) - msOf(p.interval?.startTime)), [MINUTE, MINUTE]);
    },
  },
  {
    name: 'request_latencies: ALIGN_DELTA merges the histogram; ALIGN_PERCENTILE_99/95/50/05 fall inside the bucket of the true percentile; ALIGN_MEAN is exact',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 100, 200, (i) => i + 1); // 1..100 ms
      const f = `metric.type = "${LATENCIES}"`;
      const [delta] = await query(ctx, f, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_DELTA' });
      const dist = delta[0].points?.[0].value?.distributionValue;
      assert.equal(Number(dist?.count), 100);
      assert.equal(dist?.mean, 50.5);
      assert.equal(dist?.bucketCounts?.reduce((a: number, b) => a + Number(b), 0), 100, 'bucket counts add up to count');
      const options = dist?.bucketOptions?.exponentialBuckets;
      assert.ok(options && Number(options.growthFactor) > 1 && Number(options.numFiniteBuckets) > 10);
      assert.equal(delta[0].valueType, 'DISTRIBUTION');
      for (const [p, truth] of [[99, 99], [95, 95], [50, 50], [5, 5]] as const) {
        const [series] = await query(ctx, f, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: `ALIGN_PERCENTILE_${String(p).padStart(2, '0')}` });
        const value = num(series[0].points?.[0]);
        const [lo, hi] = bucketBounds(options, truth);
        assert.ok(value >= lo && value <= hi, `p${p} = ${value} must lie in [${lo}, ${hi}) like the true ${truth} ms`);
      }
      const [mean] = await query(ctx, f, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_MEAN' });
      assert.equal(num(mean[0].points?.[0]), 50.5);
    },
  },
  {
    name: 'REDUCE_PERCENTILE_95 over ALIGN_DELTA merges the revisions\' histograms; groupBy resource.label."revision_name" keeps them apart',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 90, 200, () => 10);
      record(ctx.h, B, ctx.at(0), 10, 200, () => 1000);
      const f = `metric.type = "${LATENCIES}" AND resource.labels.service_name = "shop"`;
      const agg = { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_95' };
      const [all] = await query(ctx, f, agg);
      assert.equal(all.length, 1);
      const p95 = num(all[0].points?.[0]);
      assert.ok(p95 >= 724 && p95 <= 1449, `p95 of 90×10 ms + 10×1000 ms lies in the 1000 ms bucket, got ${p95}`);
      const [perRevision] = await query(ctx, f, { ...agg, groupByFields: ['resource.label."revision_name"'] });
      const got = byLabel(perRevision, 'resource', 'revision_name');
      assert.ok(num(got['shop-00001-aaa'].points?.[0]) < 12);
      assert.ok(num(got['shop-00002-bbb'].points?.[0]) > 700);
      const [sum] = await query(ctx, f, { ...agg, crossSeriesReducer: 'REDUCE_SUM' });
      assert.equal(Number(sum[0].points?.[0].value?.distributionValue?.count), 100);
    },
  },
  {
    name: 'REDUCE_COUNT, REDUCE_MAX and REDUCE_MEAN across series; REDUCE_NONE keeps every series',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 4, 200);
      record(ctx.h, B, ctx.at(0), 8, 200);
      record(ctx.h, OTHER, ctx.at(0), 12, 200);
      const f = `metric.type = "${COUNT}"`;
      const agg = (crossSeriesReducer: string) => ({ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer });
      assert.equal(num((await query(ctx, f, agg('REDUCE_COUNT')))[0][0].points?.[0]), 3);
      assert.equal(num((await query(ctx, f, agg('REDUCE_MAX')))[0][0].points?.[0]), 12);
      assert.equal(num((await query(ctx, f, agg('REDUCE_MEAN')))[0][0].points?.[0]), 8);
      assert.equal((await query(ctx, f, agg('REDUCE_NONE')))[0].length, 3);
      const [byService] = await query(ctx, f, { ...agg('REDUCE_SUM'), groupByFields: ['resource.labels.service_name'] });
      assert.deepEqual(Object.fromEntries(byService.map((s) => [s.resource?.labels?.service_name, num(s.points?.[0])])), { shop: 12, other: 12 });
    },
  },
  {
    name: 'secondaryAggregation reduces the primary output again: the busiest revision\'s count (REDUCE_MAX over per-revision sums)',
    async run(ctx) {
      record(ctx.h, A, ctx.at(0), 4, 200);
      record(ctx.h, A, ctx.at(0), 3, 500);
      record(ctx.h, B, ctx.at(0), 6, 200);
      const [series] = await ctx.c.listTimeSeries({
        name: NAME, filter: `metric.type = "${COUNT}"`, interval: { startTime: ts(ctx.END - 10 * MINUTE), endTime: ts(ctx.END) },
        aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.revision_name'] },
        secondaryAggregation: { crossSeriesReducer: 'REDUCE_MAX' },
      });
      assert.equal(series.length, 1);
      assert.deepEqual(series[0].points?.map(num), [7]);
    },
  },
  {
    name: 'instance_count: a revision that served in a minute has an active instance (GAUGE, ALIGN_MAX)',
    async run(ctx) {
      record(ctx.h, A, ctx.at(2), 1, 200);
      const [series] = await query(ctx, 'metric.type = "run.googleapis.com/container/instance_count" AND metric.labels.state = "active"',
        { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MAX' });
      assert.equal(series.length, 1);
      assert.equal(series[0].metricKind, 'GAUGE');
      assert.deepEqual(series[0].points?.map(num), [1]);
      const p = series[0].points?.[0];
      assert.equal(msOf(p?.interval?.startTime), msOf(p?.interval?.endTime), 'a GAUGE point is an instant');
      assert.equal(msOf(p?.interval?.endTime), ctx.END - 2 * MINUTE);
    },
  },
  {
    name: 'metricsLagMs hides the newest minutes until they are old enough',
    async run(ctx) {
      const store = ctx.h.emulator.monitoring.metrics;
      record(ctx.h, A, Date.now(), 5, 200);
      record(ctx.h, A, Date.now() - 4 * MINUTE, 3, 200);
      store.lagMs = 120_000;
      try {
        const [series] = await query(ctx, `metric.type = "${COUNT}"`, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_DELTA' });
        assert.deepEqual(series[0].points?.map(num), [3], 'only the minute from 4 minutes ago is visible');
      } finally {
        store.lagMs = 0;
      }
      const [series] = await query(ctx, `metric.type = "${COUNT}"`, { alignmentPeriod: { seconds: 600 }, perSeriesAligner: 'ALIGN_DELTA' });
      assert.deepEqual(series[0].points?.map(num), [8]);
    },
  },
];

for (const transport of ['grpc', 'rest'] as Transport[]) {
  describe(`emulator: Monitoring ListTimeSeries over ${transport === 'grpc' ? 'gRPC' : 'REST (fallback: rest)'}`, function () {
    this.timeout(20_000);
    let h: Harness;
    let c: MetricServiceClient;
    before(async () => {
      h = await startHarness();
      c = metricClient(transport, h);
    });
    after(async () => {
      await c.close();
      await h.close();
    });
    beforeEach(() => h.emulator.reset(''));
    for (const tc of CASES) {
      it(tc.name, async () => {
        const END = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
        await tc.run({ c, h, END, at: (k) => END - (k + 1) * MINUTE + 500 });
      });
    }
  });
}
