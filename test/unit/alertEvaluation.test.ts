// The emulator's alert evaluator over a fake of its own MetricSource interface (the real MetricStore and
// real traffic are in test/testbed/monitoringAlertsTraffic.test.ts): a ratio condition opens an alert when
// the 5xx share crosses the threshold and closes it when it drops, `duration` is waited out across rounds,
// an absence condition fires for a series that went silent, and the email of a VERIFIED channel gets the
// incident while an UNVERIFIED one gets nothing.
import * as assert from 'node:assert/strict';
import type { MetricSource, SeriesJson } from '../../emulator/monitoringAlertEval';
import { AlertEvaluator } from '../../emulator/monitoringAlerts';
import { MonitoringOutbox } from '../../emulator/monitoringChannelsOutbox';
import { StateStore } from '../../emulator/stateStore';

const P = 'projects/p';
const RES = { type: 'cloud_run_revision', labels: { service_name: 'shop', revision_name: 'shop-00001-abc' } };

class FakeMetrics implements MetricSource {
  /** metric filter fragment → value of the newest point, per call */
  errors = 0;
  total = 0;
  lastPointMs = Date.now();
  requests: Record<string, unknown>[] = [];
  listTimeSeries(request: Record<string, unknown>): SeriesJson[] {
    this.requests.push(request);
    const filter = String(request.filter);
    const point = (v: number, endMs = Date.now()) => ({ interval: { endTime: new Date(endMs).toISOString() }, value: { int64Value: String(v) } });
    if (filter.includes('instance_count')) return [{ resource: RES, metric: { type: 'run.googleapis.com/container/instance_count', labels: {} }, points: [point(1, this.lastPointMs)] }];
    if (filter.includes('5xx')) return this.errors ? [{ resource: RES, metric: { labels: {} }, points: [point(this.errors)] }] : [];
    return this.total ? [{ resource: RES, metric: { labels: {} }, points: [point(this.total)] }] : [];
  }
}

function setup(policyExtra: Record<string, unknown> = {}, durationS = 0) {
  const state = new StateStore(undefined);
  const outbox = new MonitoringOutbox();
  const metrics = new FakeMetrics();
  const evaluator = new AlertEvaluator({ state, outbox, metrics: () => metrics });
  const agg = { alignmentPeriod: { seconds: '300' }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.revision_name'] };
  state.data.monitoring.notificationChannels[`${P}/notificationChannels/1`] = { name: `${P}/notificationChannels/1`, type: 'email', labels: { email_address: 'ok@example.com' }, verificationStatus: 'VERIFIED' };
  state.data.monitoring.notificationChannels[`${P}/notificationChannels/2`] = { name: `${P}/notificationChannels/2`, type: 'email', labels: { email_address: 'unverified@example.com' }, verificationStatus: 'UNVERIFIED' };
  state.data.monitoring.alertPolicies[`${P}/alertPolicies/9`] = {
    name: `${P}/alertPolicies/9`, displayName: 'shop 5xx', userLabels: { 'mentor-service': 'shop' }, combiner: 'OR',
    notificationChannels: [`${P}/notificationChannels/1`, `${P}/notificationChannels/2`],
    conditions: [{
      name: `${P}/alertPolicies/9/conditions/1`, displayName: '5xx ratio above 10%',
      conditionThreshold: {
        filter: 'metric.type = "run.googleapis.com/request_count" AND resource.labels.service_name = "shop" AND metric.labels.response_code_class = "5xx"',
        denominatorFilter: 'metric.type = "run.googleapis.com/request_count" AND resource.labels.service_name = "shop"',
        aggregations: [agg], denominatorAggregations: [agg], comparison: 'COMPARISON_GT', thresholdValue: 0.1, duration: { seconds: String(durationS) },
      },
    }],
    ...policyExtra,
  };
  return { state, outbox, metrics, evaluator };
}

describe('alert evaluation (emulator)', () => {
  it('opens an alert when the 5xx ratio crosses the threshold and closes it when it drops', () => {
    const { state, outbox, metrics, evaluator } = setup();
    metrics.total = 100;
    metrics.errors = 5;
    assert.equal(evaluator.evaluate().opened.length, 0, '5% is not above 10%');
    metrics.errors = 20;
    const { opened } = evaluator.evaluate();
    assert.equal(opened.length, 1);
    const alert = opened[0];
    assert.equal(alert.state, 'OPEN');
    assert.equal(alert.policy.displayName, 'shop 5xx');
    assert.deepEqual(alert.policy.userLabels, { 'mentor-service': 'shop' });
    assert.equal(alert.resource.labels.service_name, 'shop');
    assert.equal(alert.resource.labels.revision_name, 'shop-00001-abc');
    assert.equal(alert.metric.type, 'run.googleapis.com/request_count');
    assert.equal(alert.observedValue, 0.2);
    // The window asked for is the alignment period ending now, aligned as the policy says.
    const asked = metrics.requests.at(-1) as { interval: { startTime: string; endTime: string }; aggregation: { alignmentPeriod: string } };
    assert.equal(asked.aggregation.alignmentPeriod, '300s');
    assert.equal(Date.parse(asked.interval.endTime) - Date.parse(asked.interval.startTime), 300_000);
    assert.equal(evaluator.evaluate().opened.length, 0, 'one incident per series, not one per round');
    const mails = outbox.list({ kind: 'incident' });
    assert.deepEqual(mails.map((m) => m.to), ['ok@example.com'], 'an unverified channel is non-functioning');
    const payload = JSON.parse(mails[0].body.slice(mails[0].body.indexOf('{'))) as { version: string; incident: Record<string, unknown> };
    assert.equal(payload.version, '1.2');
    assert.equal(payload.incident.state, 'open');
    assert.equal(payload.incident.policy_name, 'shop 5xx');
    assert.equal(payload.incident.condition_name, '5xx ratio above 10%');
    assert.match(String(payload.incident.summary), /shop/);
    metrics.errors = 0;
    const { closed } = evaluator.evaluate();
    assert.equal(closed.length, 1);
    assert.equal(state.data.monitoring.alerts[alert.name].state, 'CLOSED');
    assert.ok(state.data.monitoring.alerts[alert.name].closeTime);
    assert.equal(outbox.list({ kind: 'incident' }).length, 2, 'the close is notified too');
  });

  it('waits out the condition duration across rounds', () => {
    const { metrics, evaluator } = setup({}, 120);
    metrics.total = 10;
    metrics.errors = 10;
    const t0 = Date.now();
    assert.equal(evaluator.evaluate(t0).opened.length, 0);
    assert.equal(evaluator.evaluate(t0 + 60_000).opened.length, 0);
    assert.equal(evaluator.evaluate(t0 + 120_000).opened.length, 1);
  });

  it('opens nothing for a disabled policy and closes its open alert', () => {
    const { state, metrics, evaluator } = setup();
    metrics.total = 10;
    metrics.errors = 10;
    assert.equal(evaluator.evaluate().opened.length, 1);
    state.data.monitoring.alertPolicies[`${P}/alertPolicies/9`].enabled = { value: false };
    assert.equal(evaluator.evaluate().closed.length, 1);
    assert.equal(evaluator.evaluate().opened.length, 0);
  });

  it('fires an absence condition for a series that stopped reporting', () => {
    const { state, metrics, evaluator } = setup({
      conditions: [{
        name: `${P}/alertPolicies/9/conditions/2`, displayName: 'no instances',
        conditionAbsent: { filter: 'metric.type = "run.googleapis.com/container/instance_count" AND resource.labels.service_name = "shop"', duration: { seconds: '300' } },
      }],
    });
    const now = Date.now();
    metrics.lastPointMs = now - 60_000;
    assert.equal(evaluator.evaluate(now).opened.length, 0, 'reported a minute ago');
    metrics.lastPointMs = now - 600_000;
    const { opened } = evaluator.evaluate(now);
    assert.equal(opened.length, 1);
    assert.equal(opened[0].metric.type, 'run.googleapis.com/container/instance_count');
    assert.equal(Object.values(state.data.monitoring.alerts).length, 1);
  });
});
