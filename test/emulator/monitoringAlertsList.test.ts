// The REST-only alerts list (GET /v3/projects/P/alerts, filter/orderBy/paging, GET …/alerts/ID) and Mentor's
// own AlertsApi (src/gcp/alertsClient.ts: the real Monitoring clients plus an authorized REST request)
// against the emulator: the plan Mentor creates is accepted by the emulator's checks, the email verification
// goes through, and open incidents come back per service.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planAlert } from '../../src/alerts/alertPlans';
import { WrongVerificationCode } from '../../src/gcp/alertsApi';
import { GoogleAlerts } from '../../src/gcp/alertsClient';
import type { AlertJson } from '../../emulator/monitoringAlertTypes';
import { startEmulator } from '../../emulator/server';
import { PROJECT, startHarness, type Harness } from './fixture';

function alert(id: string, state: 'OPEN' | 'CLOSED', openTime: string, service: string): AlertJson {
  return {
    name: `projects/${PROJECT}/alerts/${id}`, state, openTime, ...(state === 'CLOSED' ? { closeTime: openTime } : {}),
    policy: { name: `projects/${PROJECT}/alertPolicies/1`, displayName: `${service} 5xx`, userLabels: { 'mentor-service': service } },
    resource: { type: 'cloud_run_revision', labels: { project_id: PROJECT, service_name: service, revision_name: `${service}-00001-abc` } },
    metric: { type: 'run.googleapis.com/request_count', labels: {} },
    conditionName: `projects/${PROJECT}/alertPolicies/1/conditions/1`,
  };
}

describe('Monitoring alerts list and Mentor\'s AlertsApi', function () {
  this.timeout(30_000);
  let h: Harness;
  let api: GoogleAlerts;
  const get = async (path: string) => {
    const res = await fetch(`http://${h.emulator.address}${path}`);
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  before(async () => {
    h = await startHarness();
    api = await GoogleAlerts.connect({ project: PROJECT, region: 'us-central1', apiEndpoint: h.emulator.address });
  });
  after(async () => {
    await api.close();
    await h.close();
  });
  beforeEach(() => h.emulator.reset(''));

  it('lists alerts with a state filter, newest first, in pages; gets one; refuses what it cannot filter on', async () => {
    const alerts = h.emulator.state.data.monitoring.alerts;
    for (const a of [alert('0.a', 'OPEN', '2026-12-01T10:00:00Z', 'shop'), alert('0.b', 'CLOSED', '2026-12-01T11:00:00Z', 'shop'), alert('0.c', 'OPEN', '2026-12-01T12:00:00Z', 'cart')]) alerts[a.name] = a;
    const open = await get(`/v3/projects/${PROJECT}/alerts?filter=${encodeURIComponent('state="OPEN"')}`);
    assert.equal(open.status, 200);
    assert.deepEqual((open.body.alerts as AlertJson[]).map((a) => a.name.split('/').pop()), ['0.c', '0.a']);
    assert.equal((open.body.alerts as Record<string, unknown>[])[0].conditionName, undefined, 'bookkeeping stays inside');
    const oldest = await get(`/v3/projects/${PROJECT}/alerts?orderBy=${encodeURIComponent('open_time')}&pageSize=2`);
    assert.deepEqual((oldest.body.alerts as AlertJson[]).map((a) => a.name.split('/').pop()), ['0.a', '0.b']);
    const next = await get(`/v3/projects/${PROJECT}/alerts?orderBy=open_time&pageSize=2&pageToken=${String(oldest.body.nextPageToken)}`);
    assert.deepEqual((next.body.alerts as AlertJson[]).map((a) => a.name.split('/').pop()), ['0.c']);
    const one = await get(`/v3/projects/${PROJECT}/alerts/0.b`);
    assert.equal(one.body.state, 'CLOSED');
    assert.equal((await get(`/v3/projects/${PROJECT}/alerts/0.zzz`)).status, 404);
    const bad = await get(`/v3/projects/${PROJECT}/alerts?filter=${encodeURIComponent('colour="red"')}`);
    assert.equal(bad.status, 400);
    assert.match(String((bad.body.error as { message?: string }).message), /unknown field "colour"/);
    assert.equal((await get(`/v3/projects/empty-project/alerts?filter=${encodeURIComponent('colour="red"')}`)).status, 400);
    // Mentor reads the open ones per service through the same REST call.
    const incidents = await api.listOpenIncidents();
    assert.deepEqual(incidents.map((i) => `${i.service}/${i.revision}`).sort(), ['cart/cart-00001-abc', 'shop/shop-00001-abc']);
  });

  it('creates Mentor\'s plans, verifies an email channel (a wrong code is told apart), and deletes', async () => {
    const channel = await api.createEmailChannel('oncall@example.com', 'Mentor: oncall@example.com');
    assert.equal(channel.verification, 'unverified');
    await api.sendVerificationCode(channel.name);
    const mail = await h.emulator.alerting.outbox.waitFor((m) => m.kind === 'verification', 2000);
    await assert.rejects(api.verifyChannel(channel.name, 'G-not-it'), WrongVerificationCode);
    const verified = await api.verifyChannel(channel.name, mail.code ?? '');
    assert.equal(verified.verification, 'verified');
    const created = [];
    for (const kind of ['errorRatio', 'latencyP95', 'noInstances'] as const) {
      const plan = planAlert({ kind, threshold: kind === 'latencyP95' ? 500 : 5, project: PROJECT, region: 'us-central1', service: 'shop', channels: [channel.name], channelLabels: [] });
      created.push(await api.createPolicy(plan.body));
    }
    const listed = await api.listPolicies();
    assert.deepEqual(listed.map((p) => p.service), ['shop', 'shop', 'shop']);
    assert.deepEqual(listed.map((p) => p.conditions[0].kind).sort(), ['absence', 'threshold', 'threshold']);
    assert.deepEqual((await api.listChannels()).map((c) => `${c.type} ${c.address} ${c.verification}`), ['email oncall@example.com verified']);
    for (const p of created) await api.deletePolicy(p.name);
    assert.equal((await api.listPolicies()).length, 0);
    await assert.rejects(api.deletePolicy(created[0].name), /Not found.*Could not find alert policy/);
  });

  it('keeps policies, verified channels and alerts across a restart (state.json)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-alerts-state-'));
    try {
      const first = await startEmulator({ dataDir });
      const before = await GoogleAlerts.connect({ project: PROJECT, region: 'us-central1', apiEndpoint: first.address });
      const channel = await before.createEmailChannel('keep@example.com', 'Keep');
      await before.sendVerificationCode(channel.name);
      await before.verifyChannel(channel.name, (await first.alerting.outbox.waitFor((m) => m.kind === 'verification', 2000)).code ?? '');
      const plan = planAlert({ kind: 'errorRatio', threshold: 5, project: PROJECT, region: 'us-central1', service: 'shop', channels: [channel.name], channelLabels: [] });
      const policy = await before.createPolicy(plan.body);
      first.state.data.monitoring.alerts[`projects/${PROJECT}/alerts/0.kept`] = alert('0.kept', 'OPEN', '2026-12-01T10:00:00Z', 'shop');
      first.state.changed();
      await before.close();
      await first.stop();
      // No evaluation round may run meanwhile: with no metrics it would rightly close the open alert.
      const second = await startEmulator({ dataDir, alertEvaluationMs: 3_600_000 });
      const after = await GoogleAlerts.connect({ project: PROJECT, region: 'us-central1', apiEndpoint: second.address });
      try {
        assert.deepEqual((await after.listPolicies()).map((p) => p.name), [policy.name]);
        assert.deepEqual((await after.listChannels()).map((c) => c.verification), ['verified']);
        assert.deepEqual((await after.listOpenIncidents()).map((i) => i.name), [`projects/${PROJECT}/alerts/0.kept`]);
      } finally {
        await after.close();
        await second.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
