import * as assert from 'node:assert/strict';
import {
  BY_RESPONSE_CLASS, BY_REVISION, MetricSeries, metricFilter, panelQueries, quoteFilterValue, rangeWindow,
  revisionPercentileQuery, sparklineQuery,
} from '../../src/core/metricQueries';
import {
  errorRatioChart, formatCount, formatRatio, instancesChart, newestPointTime, onGrid, requestRateChart,
  revisionSparklines, revisionSummaries, sparkline, timeGrid,
} from '../../src/core/metricSeries';
import { toUserFacingError } from '../../src/gcp/errorMapping';
import { MONITORING_API } from '../../src/gcp/monitoringApi';
import { toListTimeSeriesRequest, toMetricSeries, typedValue } from '../../src/gcp/monitoringMapping';

const NOW = new Date('2026-12-01T12:00:30.400Z');
const scope = { project: 'p', region: 'us-central1', service: 'api' };
const END = Date.parse('2026-12-01T12:00:30Z');
const MIN = 60_000;

/** A DELTA series with counts for the minutes ending END − k min (k = index from the newest). */
function counts(revision: string, cls: string, newestFirst: number[]): MetricSeries {
  return {
    metric: { response_code_class: cls }, resource: { revision_name: revision },
    points: newestFirst.map((value, k) => ({ start: END - (k + 1) * MIN, end: END - k * MIN, value })).reverse(),
  };
}

describe('metric queries', () => {
  it('filters one metric type on the service, its region and optionally one revision, quoting values', () => {
    assert.equal(metricFilter('run.googleapis.com/request_count', scope),
      'metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND ' +
      'resource.labels.service_name = "api" AND resource.labels.location = "us-central1"');
    assert.match(metricFilter('m', { ...scope, revision: 'api-00002-xyz' }), / AND resource\.labels\.revision_name = "api-00002-xyz"$/);
    assert.equal(quoteFilterValue('a"b\\c'), '"a\\"b\\\\c"');
  });

  it('aligns each range so a line has 60–170 points, ending on a whole second', () => {
    for (const [range, points] of [['1h', 60], ['6h', 72], ['1d', 96], ['7d', 168]] as const) {
      const w = rangeWindow(range, NOW);
      assert.equal(w.endTime.getTime(), END);
      assert.equal((w.endTime.getTime() - w.startTime.getTime()) / 1000 / w.alignmentPeriodSeconds, points, range);
    }
  });

  it('asks for counts with ALIGN_DELTA + REDUCE_SUM per revision and class, latency with matching percentile aligner and reducer', () => {
    const q = panelQueries({ ...scope, revision: 'api-00002-xyz' }, '6h', NOW);
    assert.deepEqual([q.requests.perSeriesAligner, q.requests.crossSeriesReducer, q.requests.groupByFields],
      ['ALIGN_DELTA', 'REDUCE_SUM', [BY_RESPONSE_CLASS]]);
    assert.match(q.requests.filter, /revision_name = "api-00002-xyz"/);
    // The summary lists every revision, so its totals are never narrowed to the picked one: one period each.
    assert.deepEqual([q.revisionTotals.perSeriesAligner, q.revisionTotals.crossSeriesReducer, q.revisionTotals.groupByFields],
      ['ALIGN_DELTA', 'REDUCE_SUM', [BY_REVISION, BY_RESPONSE_CLASS]]);
    assert.doesNotMatch(q.revisionTotals.filter, /revision_name/);
    assert.equal(q.revisionTotals.alignmentPeriodSeconds, 6 * 3600);
    assert.match(q.latencyP95.filter, /request_latencies.*revision_name = "api-00002-xyz"/);
    assert.deepEqual([q.latencyP50, q.latencyP95, q.latencyP99].map((l) => [l.perSeriesAligner, l.crossSeriesReducer]), [
      ['ALIGN_PERCENTILE_50', 'REDUCE_PERCENTILE_50'], ['ALIGN_PERCENTILE_95', 'REDUCE_PERCENTILE_95'], ['ALIGN_PERCENTILE_99', 'REDUCE_PERCENTILE_99']]);
    assert.equal(q.latencyP95.alignmentPeriodSeconds, 300);
    assert.deepEqual(q.instances.groupByFields, ['metric.label.state']);
    assert.match(q.cpu.filter, /container\/cpu\/utilizations/);
    assert.match(q.memory.filter, /container\/memory\/utilizations/);
    // One period spanning the range: one p95 point per revision.
    assert.equal(q.revisionP95.alignmentPeriodSeconds, 6 * 3600);
    assert.deepEqual(q.revisionP95.groupByFields, [BY_REVISION]);
  });

  it('a percentile over a short window still uses Monitoring\'s 60 s minimum period', () => {
    const q = revisionPercentileQuery(scope, new Date(END - 10_000), new Date(END), 95);
    assert.equal(q.alignmentPeriodSeconds, 60);
    assert.equal(q.startTime.getTime(), END - 60_000);
  });

  it('sparklines ask one hour in 5-minute counts for all revisions at once', () => {
    const q = sparklineQuery(scope, NOW);
    assert.equal(q.alignmentPeriodSeconds, 300);
    assert.equal(q.endTime.getTime() - q.startTime.getTime(), 3600_000);
    assert.deepEqual(q.groupByFields, [BY_REVISION, BY_RESPONSE_CLASS]);
  });
});

describe('series maths', () => {
  const window = rangeWindow('1h', NOW);
  const grid = timeGrid(window);

  it('puts points on slots by end time, counts filled with 0 and levels with gaps', () => {
    assert.equal(grid.times.length, 60);
    assert.equal(grid.times[59], END);
    const points = [{ start: END - MIN, end: END, value: 3 }, { start: END - 3 * MIN, end: END - 2 * MIN - 1000, value: 5 }];
    const c = onGrid(grid, points, 'count');
    assert.deepEqual(c.slice(-3), [5, 0, 3]);
    assert.deepEqual(onGrid(grid, points, 'level').slice(-3), [5, null, 3]);
    // Outside the window: dropped, not clamped onto the edge.
    assert.deepEqual(onGrid(grid, [{ start: 0, end: END + 5 * MIN, value: 9 }], 'count').filter((v) => v), []);
  });

  it('request rate per class is the count over the period; 5xx ratio is 5xx over all, a gap with no requests', () => {
    const series = [counts('a', '2xx', [60, 0, 30]), counts('b', '2xx', [60]), counts('a', '5xx', [120, 0, 0])];
    const rate = requestRateChart(grid, series);
    assert.deepEqual(rate.lines.map((l) => l.label), ['2xx', '5xx']);
    assert.deepEqual(rate.lines[0].values.slice(-3), [0.5, 0, 2]);
    assert.deepEqual(rate.lines[1].values.slice(-1), [2]);
    const ratio = errorRatioChart(grid, series);
    assert.deepEqual(ratio.lines[0].values.slice(-3), [0, null, 50]);
    assert.equal(rate.times[59], END / 1000);
  });

  it('instances: one line per state', () => {
    const chart = instancesChart(grid, [
      { metric: { state: 'active' }, resource: {}, points: [{ start: END, end: END, value: 2 }] },
      { metric: { state: 'idle' }, resource: {}, points: [{ start: END, end: END, value: 1 }] }]);
    assert.deepEqual(chart.lines.map((l) => [l.label, l.values[59]]), [['active', 2], ['idle', 1]]);
  });

  it('totals per revision are exact sums; ratio and p95 per revision; Cloud Run\'s revisions first with zeros', () => {
    const rows = revisionSummaries(
      [counts('a', '2xx', [7, 3]), counts('a', '5xx', [2]), counts('x', '2xx', [1])],
      [{ metric: {}, resource: { revision_name: 'a' }, points: [{ start: END - 3600_000, end: END, value: 123.456 }] }],
      ['b', 'a']);
    assert.deepEqual(rows, [
      { revision: 'b', requests: 0, errors: 0 },
      { revision: 'a', requests: 12, errors: 2, errorRatio: 2 / 12, p95Ms: 123.46 },
      { revision: 'x', requests: 1, errors: 0, errorRatio: 0 },
    ]);
  });

  it('"as of" is the newest point end', () => {
    assert.equal(newestPointTime([counts('a', '2xx', [1, 1])])?.getTime(), END);
    assert.equal(newestPointTime([], []), undefined);
  });

  it('sparkline blocks scale to the largest slot; text says req/h and 5xx share', () => {
    assert.equal(sparkline([0, 1, 4, 7]), '▁▂▅█');
    assert.equal(sparkline([0, 0]), '▁▁');
    const sgrid = timeGrid({ startTime: new Date(END - 3600_000), endTime: new Date(END), alignmentPeriodSeconds: 300 });
    const five = (rev: string, cls: string, newestFirst: number[]): MetricSeries => ({
      metric: { response_code_class: cls }, resource: { revision_name: rev },
      points: newestFirst.map((value, k) => ({ start: END - (k + 1) * 300_000, end: END - k * 300_000, value })).reverse() });
    const lines = revisionSparklines(sgrid, [five('a', '2xx', [700, 0, 100]), five('a', '5xx', [400])]);
    const a = lines.get('a')!;
    assert.equal(a.blocks.length, 12);
    assert.equal(a.blocks.slice(-3), '▂▁█');
    assert.equal(a.text, '1.2k req/h, 33.3% 5xx');
  });

  it('formats counts and ratios', () => {
    assert.deepEqual([950, 1234, 56789, 1.2e6, 12].map(formatCount), ['950', '1.2k', '57k', '1.2M', '12']);
    assert.deepEqual([undefined, 0, 0.0004, 0.003, 0.5].map(formatRatio), ['—', '0%', '<0.1%', '0.3%', '50%']);
  });
});

describe('Monitoring wire mapping', () => {
  it('reads gRPC-decoded points (defaults + oneof name) and REST ones, newest first → oldest first', () => {
    const grpc = toMetricSeries({
      metric: { type: 'run.googleapis.com/request_count', labels: { response_code_class: '5xx' } },
      resource: { type: 'cloud_run_revision', labels: { revision_name: 'a' } },
      points: [
        { interval: { startTime: { seconds: '120', nanos: 0 }, endTime: { seconds: '180', nanos: 0 } }, value: { value: 'int64Value', int64Value: '7', doubleValue: 0 } },
        { interval: { startTime: { seconds: '60', nanos: 0 }, endTime: { seconds: '120', nanos: 0 } }, value: { value: 'int64Value', int64Value: '2', doubleValue: 0 } },
      ],
    });
    assert.deepEqual(grpc, { metric: { response_code_class: '5xx' }, resource: { revision_name: 'a' },
      points: [{ start: 60_000, end: 120_000, value: 2 }, { start: 120_000, end: 180_000, value: 7 }] });
    assert.equal(typedValue({ value: 'doubleValue', int64Value: '0', doubleValue: 12.5 }), 12.5);
    assert.equal(typedValue({ doubleValue: 3 }), 3);
    assert.equal(typedValue({ distributionValue: { count: '4', mean: 20 } }), 20);
    assert.ok(Number.isNaN(typedValue({ distributionValue: { count: '0', mean: 0 } })));
    // A GAUGE point without a start time is an instant.
    assert.deepEqual(toMetricSeries({ points: [{ interval: { endTime: { seconds: 5 } }, value: { int64Value: 1 } }] }).points,
      [{ start: 5000, end: 5000, value: 1 }]);
  });

  it('writes the request with the aggregation, view FULL and the page token', () => {
    const q = panelQueries(scope, '1h', NOW).revisionTotals;
    assert.deepEqual(toListTimeSeriesRequest('p', q, 100, 'tok'), {
      name: 'projects/p', filter: q.filter,
      interval: { startTime: { seconds: END / 1000 - 3600, nanos: 0 }, endTime: { seconds: END / 1000, nanos: 0 } },
      aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM',
        groupByFields: [BY_REVISION, BY_RESPONSE_CLASS] },
      view: 'FULL', pageSize: 100, pageToken: 'tok',
    });
  });
});

describe('Monitoring errors', () => {
  it('a disabled API links to enabling it; permission denied names roles/monitoring.viewer', () => {
    const disabled = toUserFacingError({ code: 7, reason: 'SERVICE_DISABLED', details: 'Cloud Monitoring API has not been used in project p' },
      { action: 'read request_count from Cloud Monitoring', project: 'p', api: MONITORING_API });
    assert.equal(disabled.kind, 'apiDisabled');
    assert.match(disabled.message, /the Cloud Monitoring API is not enabled in project p/);
    assert.deepEqual(disabled.actions[0], { kind: 'openUrl', label: 'Enable API', url: 'https://console.cloud.google.com/apis/library/monitoring.googleapis.com?project=p' });
    const denied = toUserFacingError({ code: 7, details: 'Permission monitoring.timeSeries.list denied' },
      { action: 'read request_count from Cloud Monitoring', project: 'p', api: MONITORING_API });
    assert.equal(denied.kind, 'permissionDenied');
    assert.match(denied.message, /Monitoring Viewer \(roles\/monitoring\.viewer\)/);
  });
});
