// The alert policies Mentor offers, as the bodies sent to Cloud Monitoring: a ratio condition with a
// denominator filter for 5xx, a p95 threshold, an absence condition; the label the Alerts node finds them
// by; the input checks the input boxes show; and how REST alerts read as incidents.
import * as assert from 'node:assert/strict';
import { planAlert, validateEmail, validateThreshold } from '../../src/alerts/alertPlans';
import { toIncidentSummary, toPolicySummary } from '../../src/gcp/alertsClient';

const base = { project: 'p', region: 'us-central1', service: 'shop', channels: ['projects/p/notificationChannels/1'], channelLabels: ['email a@example.com (verified)'] };

describe('alert plans', () => {
  it('makes a 5xx ratio policy: 5xx requests over all requests of the service, per revision, 5 minutes', () => {
    const plan = planAlert({ ...base, kind: 'errorRatio', threshold: 5 });
    const c = (plan.body.conditions as Record<string, Record<string, unknown>>[])[0].conditionThreshold;
    assert.match(String(c.filter), /metric\.type = "run\.googleapis\.com\/request_count".*service_name = "shop".*response_code_class = "5xx"/);
    assert.match(String(c.denominatorFilter), /request_count.*service_name = "shop"/);
    assert.doesNotMatch(String(c.denominatorFilter), /5xx/);
    assert.equal(c.thresholdValue, 0.05);
    assert.equal(c.comparison, 'COMPARISON_GT');
    assert.deepEqual((c.aggregations as Record<string, unknown>[])[0].groupByFields, ['resource.label.service_name', 'resource.label.revision_name']);
    assert.deepEqual(c.aggregations, c.denominatorAggregations);
    assert.deepEqual(plan.body.userLabels, { 'mentor-service': 'shop' });
    assert.deepEqual(plan.body.notificationChannels, base.channels);
    assert.equal(plan.displayName, 'shop: 5xx ratio above 5%');
    assert.ok(plan.lines.some((l) => l.includes('email a@example.com (verified)')));
    // What the Alerts node reads back from it.
    assert.equal(toPolicySummary({ ...plan.body, name: 'projects/p/alertPolicies/1' } as never).service, 'shop');
  });

  it('makes a p95 latency threshold and a no-instances absence condition', () => {
    const latency = (planAlert({ ...base, kind: 'latencyP95', threshold: 800 }).body.conditions as Record<string, Record<string, unknown>>[])[0].conditionThreshold;
    assert.equal(latency.thresholdValue, 800);
    assert.equal((latency.aggregations as Record<string, unknown>[])[0].perSeriesAligner, 'ALIGN_PERCENTILE_95');
    const absent = (planAlert({ ...base, kind: 'noInstances', threshold: 5, channels: [], channelLabels: [] }).body.conditions as Record<string, Record<string, unknown>>[])[0];
    assert.deepEqual((absent.conditionAbsent as Record<string, unknown>).duration, { seconds: 300 });
    assert.match(String((absent.conditionAbsent as Record<string, unknown>).filter), /container\/instance_count/);
  });

  it('says what is wrong with a threshold or address as it is typed', () => {
    assert.equal(validateThreshold('errorRatio', '2.5'), undefined);
    assert.match(validateThreshold('errorRatio', '150') ?? '', /below 100/);
    assert.match(validateThreshold('errorRatio', 'five') ?? '', /number/);
    assert.match(validateThreshold('latencyP95', '0') ?? '', /1 to/);
    assert.match(validateThreshold('noInstances', '1') ?? '', /minimum/);
    assert.equal(validateEmail('oncall@example.com'), undefined);
    assert.match(validateEmail('oncall') ?? '', /email address/);
  });

  it('reads a REST alert as an incident of its service and revision', () => {
    const incident = toIncidentSummary({
      name: 'projects/p/alerts/0.abc', state: 'OPEN', openTime: '2026-12-01T10:00:00Z',
      policy: { name: 'projects/p/alertPolicies/1', displayName: 'shop 5xx', userLabels: { 'mentor-service': 'shop' } },
      resource: { type: 'cloud_run_revision', labels: { service_name: 'shop', revision_name: 'shop-00002-xyz' } },
      metric: { type: 'run.googleapis.com/request_count', labels: {} },
    });
    assert.equal(incident.service, 'shop');
    assert.equal(incident.revision, 'shop-00002-xyz');
    assert.equal(incident.openTime?.toISOString(), '2026-12-01T10:00:00.000Z');
  });
});
