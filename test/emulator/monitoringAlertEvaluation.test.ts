// Mentor's alert plans evaluated by the emulator against its real MetricStore (the one the traffic proxy
// fills; here fed through the recorder the proxy calls, at chosen times): a p95 latency policy opens an
// alert for slow requests and not for fast ones; a no-instances policy opens one for a revision that
// stopped reporting instances and not for one that still does. Policies go in through the real client.
import * as assert from 'node:assert/strict';
import { AlertPolicyServiceClient } from '@google-cloud/monitoring';
import { planAlert, type AlertKind } from '../../src/alerts/alertPlans';
import { LOCATION, PROJECT, clientOptions, startHarness, type Harness } from './fixture';

const MINUTE = 60_000;

describe('Monitoring alert evaluation against the MetricStore', function () {
  this.timeout(30_000);
  let h: Harness;
  let policies: AlertPolicyServiceClient;

  before(async () => {
    // Rounds are run by the test (evaluate(now)), so the timer must not run one in between.
    h = await startHarness({ alertEvaluationMs: 3_600_000 });
    policies = new AlertPolicyServiceClient(clientOptions(h.emulator.port));
  });
  after(async () => {
    await policies.close();
    await h.close();
  });
  beforeEach(() => h.emulator.reset(''));

  const revision = (service: string) => ({ project: PROJECT, location: LOCATION, service, revision: `${service}-00001-abc` });
  async function create(kind: AlertKind, service: string, threshold: number) {
    const plan = planAlert({ kind, threshold, project: PROJECT, region: LOCATION, service, channels: [], channelLabels: [] });
    const [policy] = await policies.createAlertPolicy({ name: `projects/${PROJECT}`, alertPolicy: plan.body });
    return policy;
  }

  it('opens a p95 latency alert for the slow service only', async () => {
    await create('latencyP95', 'slow', 500);
    await create('latencyP95', 'fast', 500);
    const { recorder } = h.emulator.monitoring;
    const now = Date.now();
    for (let i = 0; i < 20; i++) {
      recorder.recordRequest(revision('slow'), 200, 900 + i, undefined, now - 1000);
      recorder.recordRequest(revision('fast'), 200, 20 + i, undefined, now - 1000);
    }
    const { opened } = h.emulator.alerting.evaluator.evaluate(now);
    assert.deepEqual(opened.map((a) => a.resource.labels.service_name), ['slow']);
    assert.equal(opened[0].resource.labels.revision_name, 'slow-00001-abc');
    assert.equal(opened[0].metric.type, 'run.googleapis.com/request_latencies');
    assert.ok((opened[0].observedValue ?? 0) > 500, `p95 ${String(opened[0].observedValue)} ms`);
  });

  it('opens a no-instances alert for a service whose instances stopped reporting', async () => {
    await create('noInstances', 'gone', 5);
    await create('noInstances', 'alive', 5);
    const { recorder } = h.emulator.monitoring;
    const now = Date.now();
    recorder.recordRequest(revision('gone'), 200, 10, undefined, now - 20 * MINUTE);
    recorder.recordRequest(revision('alive'), 200, 10, undefined, now - 20 * MINUTE);
    recorder.recordRequest(revision('alive'), 200, 10, undefined, now - MINUTE);
    const { opened } = h.emulator.alerting.evaluator.evaluate(now);
    assert.deepEqual(opened.map((a) => a.resource.labels.service_name), ['gone']);
    assert.equal(opened[0].metric.type, 'run.googleapis.com/container/instance_count');
  });
});
