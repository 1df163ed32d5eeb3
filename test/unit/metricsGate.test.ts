import * as assert from 'node:assert/strict';
import { gateCounts } from '../../src/deploy/gateCounts';
import { RolloutSteering } from '../../src/deploy/rolloutSteering';
import { DeployLogs, DeployMetrics } from '../../src/deploy/types';
import { MetricSeries, TimeSeriesQuery } from '../../src/core/metricQueries';
import { ServiceSummary } from '../../src/core/model';
import { MonitoringApi } from '../../src/gcp/monitoringApi';
import { canaryRevisions, loadMetricsView } from '../../src/metrics/metricsView';

const NOW = new Date('2026-12-01T12:00:00Z');
const SINCE = new Date('2026-12-01T11:58:00Z');
const logs = (statuses: number[]): DeployLogs => ({ recentLines: async () => [], requestStatuses: async () => statuses });
const metrics = (answer: Awaited<ReturnType<DeployMetrics['requestCounts']>> | Error): DeployMetrics => ({
  requestCounts: async () => { if (answer instanceof Error) throw answer; return answer; },
});

describe('rollout gate counts', () => {
  it('uses Cloud Monitoring when its newest point reaches the gate\'s last minute', async () => {
    const counts = await gateCounts('api', 'api-2', SINCE, { logs: logs([500]), metrics: metrics({ requests: 12, errors: 10, p95Ms: 40, newestPoint: NOW }) }, () => NOW);
    assert.deepEqual(counts, { requests: 12, errors: 10, p95Ms: 40, source: 'Cloud Monitoring' });
  });

  it('falls back to request logs while Monitoring lags, and says why', async () => {
    const lagging = await gateCounts('api', 'api-2', SINCE, { logs: logs([200, 503]),
      metrics: metrics({ requests: 1, errors: 0, newestPoint: new Date('2026-12-01T11:58:00Z') }) }, () => NOW);
    assert.deepEqual([lagging.requests, lagging.errors], [2, 1]);
    assert.equal(lagging.source, "request logs (Cloud Monitoring's newest point for api-2 ends 11:58:00 UTC, before this gate's last minute)");
    const none = await gateCounts('api', 'api-2', SINCE, { logs: logs([]), metrics: metrics({ requests: 0, errors: 0 }) }, () => NOW);
    assert.equal(none.source, 'request logs (Cloud Monitoring has no point for api-2 yet)');
    const failed = await gateCounts('api', 'api-2', SINCE, { logs: logs([200]), metrics: metrics(new Error('Permission denied')) }, () => NOW);
    assert.equal(failed.source, 'request logs (Cloud Monitoring failed: Permission denied)');
    assert.equal((await gateCounts('api', 'api-2', SINCE, { logs: logs([200]) }, () => NOW)).source, 'request logs (Cloud Monitoring is not connected)');
  });

  it('steering: the first decision stands and wakes a waiting gate', () => {
    const steering = new RolloutSteering();
    assert.equal(steering.signal.aborted, false);
    steering.rollBack();
    steering.promote();
    assert.equal(steering.decision, 'rollBack');
    assert.equal(steering.signal.aborted, true);
  });
});

const service: ServiceSummary = {
  name: 'projects/p/locations/us-central1/services/api', id: 'api', project: 'p', region: 'us-central1', state: 'ready', traffic: [],
  trafficStatuses: [
    { kind: 'revision', revision: 'api-2', percent: 10, tag: 'candidate' },
    { kind: 'revision', revision: 'api-1', percent: 90 },
  ],
};

/** Our MonitoringApi answering by metric type and aligner, recording each query. */
function fakeMonitoring(answer: (q: TimeSeriesQuery) => MetricSeries[]): MonitoringApi & { queries: TimeSeriesQuery[] } {
  const queries: TimeSeriesQuery[] = [];
  return {
    target: { project: 'p', region: 'us-central1', apiEndpoint: '' }, endpoint: undefined, queries,
    async listTimeSeries(q) { queries.push(q); return answer(q); },
    async close() { /* nothing */ },
  };
}

describe('metrics view', () => {
  it('finds the canary: the tagged candidate below 100% and the revision serving most of the rest', () => {
    assert.deepEqual(canaryRevisions(service.trafficStatuses), { candidate: 'api-2', serving: 'api-1', percent: 10 });
    assert.equal(canaryRevisions([{ kind: 'revision', revision: 'api-2', percent: 100, tag: 'candidate' }]), undefined);
    assert.equal(canaryRevisions([{ kind: 'revision', revision: 'api-1', percent: 100 }]), undefined);
  });

  it('one refresh: nine queries, exact totals per revision, the canary side by side, "as of" the newest point', async () => {
    const end = Date.parse('2026-12-01T12:00:00Z');
    const api = fakeMonitoring((q) => {
      if (q.filter.includes('request_count')) {
        return [
          { metric: { response_code_class: '2xx' }, resource: { revision_name: 'api-1' }, points: [{ start: end - 60_000, end, value: 90 }] },
          { metric: { response_code_class: '5xx' }, resource: { revision_name: 'api-2' }, points: [{ start: end - 60_000, end, value: 3 }] },
          { metric: { response_code_class: '2xx' }, resource: { revision_name: 'api-2' }, points: [{ start: end - 60_000, end, value: 7 }] },
        ];
      }
      if (q.groupByFields?.includes('resource.label.revision_name') && q.perSeriesAligner === 'ALIGN_PERCENTILE_95') {
        return [{ metric: {}, resource: { revision_name: 'api-2' }, points: [{ start: end - 3600_000, end, value: 250 }] }];
      }
      return [];
    });
    const view = await loadMetricsView(api, { service, revisions: ['api-2', 'api-1'], range: '1h', rolloutRunning: true, now: new Date(end + 500) });
    assert.equal(api.queries.length, 9);
    assert.deepEqual(view.summary.map((r) => [r.revision, r.requests, r.errors, r.errorRatioText, r.p95Text, r.trafficLabel]), [
      ['api-2', 10, 3, '30%', '250 ms', '10% · candidate'], ['api-1', 90, 0, '0%', '—', '90%']]);
    assert.equal(view.canary?.candidate.revision, 'api-2');
    assert.equal(view.canary?.serving.errorRatioText, '0%');
    assert.equal(view.canary?.rolloutRunning, true);
    assert.equal(view.empty, false);
    assert.match(view.asOf, /^as of \d\d:\d\d$/);
    assert.deepEqual(view.charts.map((c) => c.id), ['requests', 'errorRatio', 'latency', 'instances', 'cpu', 'memory']);
    const empty = await loadMetricsView(fakeMonitoring(() => []), { service, revisions: [], range: '7d', rolloutRunning: false, now: NOW });
    assert.equal(empty.empty, true);
    assert.equal(empty.asOf, 'no data in this range');
  });
});
