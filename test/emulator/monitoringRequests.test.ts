// Cloud Monitoring MetricService through the REAL MetricServiceClient, the same cases over gRPC and over REST:
// paging (pageSize counts points with view FULL, series with HEADERS), the requests Google refuses with
// INVALID_ARGUMENT, the metric and monitored-resource descriptors, and the seeded history ("demo",
// "metrics:RxDd") the panel and the bench read, also after a restart with a data directory.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MetricServiceClient } from '@google-cloud/monitoring';
import { grpc } from 'google-gax';
import { DEMO_REVISIONS } from '../../emulator/seeds';
import { startHarness, type Harness } from './fixture';
import { COUNT, LATENCIES, MINUTE, NAME, metricClient, num, record, rejectsWith, rev, ts, type Transport } from './monitoringFixture';

const A = rev('shop', 'shop-00001-aaa');
const B = rev('shop', 'shop-00002-bbb');
const INVALID = grpc.status.INVALID_ARGUMENT;

interface Ctx {
  c: MetricServiceClient;
  h: Harness;
}

const hour = () => ({ startTime: ts(Date.now() - 3_600_000), endTime: ts(Date.now() + 1000) });

const CASES: { name: string; run(ctx: Ctx): Promise<void> }[] = [
  {
    name: 'pages: pageSize counts points with view FULL, a token continues the same query, and all pages add up to the whole answer',
    async run({ c, h }) {
      for (let k = 1; k <= 4; k++) {
        record(h, A, Date.now() - k * MINUTE, k, 200);
        record(h, B, Date.now() - k * MINUTE, 10 * k, 200);
      }
      const request = { name: NAME, filter: `metric.type = "${COUNT}"`, interval: hour(), pageSize: 3 };
      const points: number[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const [series, , response] = await c.listTimeSeries({ ...request, pageToken }, { autoPaginate: false });
        const n = series.reduce((a, s) => a + (s.points?.length ?? 0), 0);
        assert.ok(n <= 3, `a page holds at most pageSize points, got ${n}`);
        for (const s of series) points.push(...(s.points ?? []).map(num));
        pageToken = response?.nextPageToken || undefined;
        pages++;
      } while (pageToken);
      assert.equal(pages, 3);
      assert.deepEqual(points, [1, 2, 3, 4, 10, 20, 30, 40]);
      let total = 0;
      for await (const s of c.listTimeSeriesAsync(request)) total += s.points?.length ?? 0; // the client follows the tokens
      assert.equal(total, 8);
      await rejectsWith(c.listTimeSeries({ ...request, filter: `metric.type = "${LATENCIES}"`, pageToken: 'bm9wZQ' }, { autoPaginate: false }), INVALID, /page token/i);
    },
  },
  {
    name: 'view HEADERS lists the series without points; pageSize then counts series',
    async run({ c, h }) {
      record(h, A, Date.now(), 3, 200);
      record(h, A, Date.now(), 1, 500);
      record(h, B, Date.now(), 2, 200);
      const request = { name: NAME, filter: `metric.type = "${COUNT}"`, interval: hour(), view: 'HEADERS' as const, pageSize: 2 };
      const [first, , response] = await c.listTimeSeries(request, { autoPaginate: false });
      assert.equal(first.length, 2);
      assert.ok(first.every((s) => (s.points ?? []).length === 0));
      assert.ok(response?.nextPageToken);
      const all = [];
      for await (const s of c.listTimeSeriesAsync(request)) all.push(s);
      assert.deepEqual(all.map((s) => `${s.resource?.labels?.revision_name} ${s.metric?.labels?.response_code}`).sort(),
        ['shop-00001-aaa 200', 'shop-00001-aaa 500', 'shop-00002-bbb 200']);
    },
  },
  {
    name: 'INVALID_ARGUMENT for what Google refuses: filter, metric type, interval, alignment period, aligner/reducer combinations, group-by fields',
    async run({ c }) {
      const base = { name: NAME, filter: `metric.type = "${COUNT}"`, interval: hour() };
      const agg = (a: Record<string, unknown>) => ({ ...base, aggregation: a });
      await rejectsWith(c.listTimeSeries({ ...base, filter: '' }), INVALID, /filter/);
      await rejectsWith(c.listTimeSeries({ ...base, filter: 'resource.type = "cloud_run_revision"' }), INVALID, /metric type/);
      await rejectsWith(c.listTimeSeries({ ...base, filter: 'metric.type = "a" AND metric.type = "b"' }), INVALID, /exactly one metric type/);
      await rejectsWith(c.listTimeSeries({ ...base, filter: 'metric.type = "x" AND (' }), INVALID, /Could not parse filter .*syntax error at line 1, column/);
      await rejectsWith(c.listTimeSeries({ ...base, filter: `metric.type = "${COUNT}" AND metadata.system_labels.x = "y"` }), INVALID, /selector metadata\.system_labels\.x/);
      await rejectsWith(c.listTimeSeries({ name: NAME, filter: base.filter }), INVALID, /interval\.endTime/);
      await rejectsWith(c.listTimeSeries({ ...base, interval: { startTime: ts(Date.now()), endTime: ts(Date.now() - 60_000) } }), INVALID, /start time must be before the end time/);
      await rejectsWith(c.listTimeSeries(agg({ alignmentPeriod: { seconds: 30 }, perSeriesAligner: 'ALIGN_DELTA' })), INVALID, /at least 60 seconds/);
      await rejectsWith(c.listTimeSeries(agg({ perSeriesAligner: 'ALIGN_DELTA' })), INVALID, /alignment period is required/);
      await rejectsWith(c.listTimeSeries(agg({ crossSeriesReducer: 'REDUCE_SUM' })), INVALID, /per-series aligner other than ALIGN_NONE/);
      await rejectsWith(c.listTimeSeries({ ...agg({ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_RATE' }), filter: `metric.type = "${LATENCIES}"` }), INVALID, /ALIGN_RATE.*DISTRIBUTION/);
      await rejectsWith(c.listTimeSeries(agg({ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_PERCENTILE_99' })), INVALID, /ALIGN_PERCENTILE_99.*INT64/);
      await rejectsWith(c.listTimeSeries({ ...agg({ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA' }), filter: 'metric.type = "run.googleapis.com/container/instance_count"' }), INVALID, /GAUGE/);
      await rejectsWith(c.listTimeSeries(agg({ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['revision_name'] })), INVALID, /groupByFields\[0\]/);
    },
  },
  {
    name: 'an unknown project or metric type has no series (not an error), like Google',
    async run({ c, h }) {
      record(h, A, Date.now(), 3, 200);
      assert.deepEqual((await c.listTimeSeries({ name: 'projects/elsewhere', filter: `metric.type = "${COUNT}"`, interval: hour() }))[0], []);
      assert.deepEqual((await c.listTimeSeries({ name: NAME, filter: 'metric.type = "run.googleapis.com/nothing"', interval: hour() }))[0], []);
    },
  },
  {
    name: 'metric descriptors: list with a filter, get by type, NOT_FOUND for an unknown type; the cloud_run_revision resource descriptor',
    async run({ c }) {
      const [container] = await c.listMetricDescriptors({ name: NAME, filter: 'metric.type = starts_with("run.googleapis.com/container/")' });
      assert.deepEqual(container.map((d) => d.type).sort(), [
        'run.googleapis.com/container/cpu/utilizations', 'run.googleapis.com/container/instance_count', 'run.googleapis.com/container/memory/utilizations',
      ]);
      const [count] = await c.getMetricDescriptor({ name: `${NAME}/metricDescriptors/${COUNT}` });
      assert.equal(count.metricKind, 'DELTA');
      assert.equal(count.valueType, 'INT64');
      assert.deepEqual(count.labels?.map((l) => l.key), ['response_code', 'response_code_class']);
      assert.deepEqual(count.monitoredResourceTypes, ['cloud_run_revision']);
      await rejectsWith(c.getMetricDescriptor({ name: `${NAME}/metricDescriptors/run.googleapis.com/nope` }), grpc.status.NOT_FOUND, /nope/);
      const [resources] = await c.listMonitoredResourceDescriptors({ name: NAME });
      assert.deepEqual(resources.map((r) => r.type), ['cloud_run_revision']);
      assert.deepEqual(resources[0].labels?.map((l) => l.key), ['project_id', 'service_name', 'revision_name', 'location', 'configuration_name']);
      const [got] = await c.getMonitoredResourceDescriptor({ name: `${NAME}/monitoredResourceDescriptors/cloud_run_revision` });
      assert.equal(got.displayName, 'Cloud Run Revision');
    },
  },
  {
    name: 'the demo seed has a week of history: requests per response class for each serving revision, latencies, instances, CPU',
    async run({ c, h }) {
      h.emulator.reset('demo');
      const week = { startTime: ts(Date.now() - 7 * 86_400_000), endTime: ts(Date.now()) };
      const [perRevision] = await c.listTimeSeries({
        name: NAME, filter: `metric.type = "${COUNT}" AND resource.labels.service_name = "mentor-ai-backend"`, interval: week,
        aggregation: { alignmentPeriod: { seconds: 86_400 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.revision_name'] },
      });
      assert.deepEqual(perRevision.map((s) => s.resource?.labels?.revision_name).sort(), [...DEMO_REVISIONS['mentor-ai-backend']]);
      assert.ok(perRevision.every((s) => (s.points ?? []).some((p) => num(p) > 0)));
      const [hourly] = await c.listTimeSeries({
        name: NAME, filter: `metric.type = "${COUNT}" AND resource.labels.service_name = "payments-api"`, interval: week,
        aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' },
      });
      assert.ok((hourly[0].points?.length ?? 0) >= 7 * 24 - 1, 'a point for (nearly) every hour of the week');
      for (const [type, aligner] of [[LATENCIES, 'ALIGN_PERCENTILE_95'], ['run.googleapis.com/container/cpu/utilizations', 'ALIGN_PERCENTILE_99'],
        ['run.googleapis.com/container/instance_count', 'ALIGN_MAX']] as const) {
        const [series] = await c.listTimeSeries({ name: NAME, filter: `metric.type = "${type}"`, interval: week, aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: aligner } });
        assert.ok(series.length > 0 && series.every((s) => (s.points?.length ?? 0) > 0), `${type} has history`);
      }
    },
  },
  {
    name: 'seed "metrics:4x2d": one service with 4 revisions, each with 2 days of per-minute history; out-of-range seeds are refused',
    async run({ c, h }) {
      await h.control.reset('metrics:4x2d');
      const [series] = await c.listTimeSeries({
        name: NAME, filter: `metric.type = "${COUNT}" AND resource.labels.service_name = "scale-00001"`,
        interval: { startTime: ts(Date.now() - 2 * 86_400_000), endTime: ts(Date.now()) },
        aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.revision_name'] },
      });
      assert.equal(series.length, 4);
      for (const s of series) assert.ok((s.points?.length ?? 0) > 2 * 1440 - 5, `${s.resource?.labels?.revision_name}: ${s.points?.length} minutes`);
      await rejectsWith(h.control.reset('metrics:500x7d'), INVALID, /out of range/);
    },
  },
];

for (const transport of ['grpc', 'rest'] as Transport[]) {
  describe(`emulator: Monitoring MetricService requests over ${transport === 'grpc' ? 'gRPC' : 'REST (fallback: rest)'}`, function () {
    this.timeout(30_000);
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
    for (const tc of CASES) it(tc.name, () => tc.run({ c, h }));
  });
}

describe('emulator: Monitoring history across restarts (dataDir)', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  async function revisionsWithHistory(dataDir: string): Promise<string[]> {
    const h = await startHarness({ dataDir });
    const c = metricClient('grpc', h);
    try {
      const [series] = await c.listTimeSeries({
        name: NAME, filter: `metric.type = "${COUNT}" AND resource.labels.service_name = "payments-api"`,
        interval: { startTime: ts(Date.now() - 7 * 86_400_000), endTime: ts(Date.now()) },
        aggregation: { alignmentPeriod: { seconds: 7 * 86_400 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.revision_name'] },
      });
      return series.filter((s) => num(s.points?.[0]) > 0).map((s) => String(s.resource?.labels?.revision_name)).sort();
    } finally {
      await c.close();
      await h.close();
    }
  }

  it('regenerates the seeded history after a restart, and gives a demo state saved before metrics existed its history', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-metrics-'));
    dirs.push(dataDir);
    const first = await startHarness({ dataDir, seed: 'demo' });
    await first.close();
    assert.deepEqual(await revisionsWithHistory(dataDir), [...DEMO_REVISIONS['payments-api']]);
    const file = path.join(dataDir, 'state.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.ok(Array.isArray(saved.monitoringHistory), 'the seed keeps its history description in the state');
    delete saved.monitoringHistory; // as saved by an emulator without metrics
    fs.writeFileSync(file, JSON.stringify(saved));
    assert.deepEqual(await revisionsWithHistory(dataDir), [...DEMO_REVISIONS['payments-api']]);
  });
});
