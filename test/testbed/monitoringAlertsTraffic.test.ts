// An alert firing on REAL traffic (runtime mode: a real engine, registry and the emulator's proxy): Mentor's
// 5xx ratio plan is created through the real Monitoring client with a verified email channel; a burst of 5xx
// through the revision's URL crosses the threshold; the evaluator, reading the MetricStore the proxy fills,
// opens an alert (REST alerts list, as Mentor reads it) and mails the incident to the outbox; a pubsub
// channel's topic on the real Pub/Sub emulator receives Google's notification JSON. The errors stay in the 5-minute
// window for the whole test, so the close is shown by deleting the policy.
// Env: DOCKER_HOST, REGISTRY_OPEN, PUBSUB_EMULATOR_HOST (npm test provides them).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServicesClient } from '@google-cloud/run';
import { NotificationChannelServiceClient } from '@google-cloud/monitoring';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { planAlert } from '../../src/alerts/alertPlans';
import { GoogleAlerts } from '../../src/gcp/alertsClient';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, PARENT, PROJECT } from '../emulator/fixture';
import { buildAndPushBusyboxApp, get } from './busyboxApp';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-alerts-${RUN}/app`;
const SERVICE = `alerting-${RUN}`;

// busybox httpd: /ok answers 200, /cgi-bin/boom answers 500.
const START_SH = `#!/bin/sh
mkdir -p /www/cgi-bin
echo ok > /www/ok
printf '#!/bin/sh\\nprintf "Status: 500 Internal Server Error\\\\r\\\\n\\\\r\\\\nboom\\\\n"\\n' > /www/cgi-bin/boom
chmod +x /www/cgi-bin/boom
exec httpd -f -p "$PORT" -h /www
`;

const PUBSUB = process.env.PUBSUB_EMULATOR_HOST ?? '';
const TOPIC = `projects/${PROJECT}/topics/incidents-${RUN}`;
const SUBSCRIPTION = `projects/${PROJECT}/subscriptions/incidents-${RUN}`;

/** The real Pub/Sub emulator over its REST API: a topic, a subscription, and pulling what arrived. */
async function pubsubCall(method: string, path: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${PUBSUB}/v1/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json() as Record<string, unknown>;
  if (!res.ok) throw new Error(`Pub/Sub ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function pullIncidents(): Promise<{ incident: Record<string, unknown>; version: string }[]> {
  const res = await pubsubCall('POST', `${SUBSCRIPTION}:pull`, { maxMessages: 10, returnImmediately: true }) as { receivedMessages?: { message: { data: string } }[] };
  return (res.receivedMessages ?? []).map((m) => JSON.parse(Buffer.from(m.message.data, 'base64').toString('utf8')) as { incident: Record<string, unknown>; version: string });
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('alerts on real traffic (runtime mode)', function () {
  this.timeout(180_000);
  let engine: DockerodeEngine;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let channels: NotificationChannelServiceClient;
  let alerts: GoogleAlerts;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    await buildAndPushBusyboxApp(engine, APP, START_SH, ['v1']);
    assert.ok(PUBSUB, 'PUBSUB_EMULATOR_HOST is not set: run through npm test, which starts the Pub/Sub emulator');
    await pubsubCall('PUT', TOPIC);
    await pubsubCall('PUT', SUBSCRIPTION, { topic: TOPIC });
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10, alertEvaluationMs: 200, pubsubHost: PUBSUB });
    services = new ServicesClient(clientOptions(emulator.port));
    channels = new NotificationChannelServiceClient(clientOptions(emulator.port));
    alerts = await GoogleAlerts.connect({ project: PROJECT, region: 'us-central1', apiEndpoint: emulator.address });
  });

  after(async () => {
    await Promise.allSettled([services?.close(), channels?.close(), alerts?.close()]);
    await emulator?.stop();
    if (PUBSUB) await Promise.allSettled([pubsubCall('DELETE', SUBSCRIPTION), pubsubCall('DELETE', TOPIC)]);
    await engine?.docker.getImage(`${APP}:v1`).remove({ force: true }).catch(() => undefined);
    await engine?.close();
  });

  it('opens an alert when a 5xx burst crosses the ratio, mails the incident and publishes it to Pub/Sub', async () => {
    const [op] = await services.createService({ parent: PARENT, serviceId: SERVICE, service: { template: { containers: [{ image: `${APP}:v1` }] }, invokerIamDisabled: true } });
    const [service] = await op.promise();
    const uri = service.uri ?? '';
    assert.ok(uri, 'the service has a local URL');

    // A verified email channel (code read from the outbox) and a pubsub channel.
    const email = await alerts.createEmailChannel('oncall@example.com', 'On call');
    await alerts.sendVerificationCode(email.name);
    const code = (await emulator.alerting.outbox.waitFor((m) => m.kind === 'verification', 5000)).code ?? '';
    await alerts.verifyChannel(email.name, code);
    const [topic] = await channels.createNotificationChannel({ name: `projects/${PROJECT}`, notificationChannel: { type: 'pubsub', labels: { topic: TOPIC } } });
    const plan = planAlert({ kind: 'errorRatio', threshold: 20, project: PROJECT, region: 'us-central1', service: SERVICE, channels: [email.name, topic.name ?? ''], channelLabels: [] });
    const policy = await alerts.createPolicy(plan.body);

    // Healthy traffic: 10 × 200 — nothing opens.
    for (let i = 0; i < 10; i++) assert.equal((await get(`${uri}/ok`)).status, 200);
    await new Promise((r) => setTimeout(r, 1000)); // five evaluation rounds
    assert.deepEqual(await alerts.listOpenIncidents(), [], 'all requests fine: no alert');

    // The burst: 10 × 500 → 50% of the 5-minute window's requests, above 20%.
    for (let i = 0; i < 10; i++) assert.equal((await get(`${uri}/cgi-bin/boom`)).status, 500);
    const [incident] = await until('an open alert', async () => {
      const open = await alerts.listOpenIncidents();
      return open.length ? open : undefined;
    });
    assert.equal(incident.service, SERVICE);
    assert.match(incident.revision ?? '', new RegExp(`^${SERVICE}-\\d{5}-[a-z0-9]{3}$`));
    assert.equal(incident.policyName, policy.name);
    assert.equal(incident.metricType, 'run.googleapis.com/request_count');

    const mail = await emulator.alerting.outbox.waitFor((m) => m.kind === 'incident' && m.to === 'oncall@example.com', 5000);
    assert.equal(mail.alert, incident.name);
    assert.match(mail.subject, new RegExp(`\\[ALERT - Open\\] ${plan.displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const payload = JSON.parse(mail.body.slice(mail.body.indexOf('{'))) as { version: string; incident: Record<string, unknown> };
    assert.equal(payload.version, '1.2');
    assert.equal(payload.incident.state, 'open');
    assert.equal(payload.incident.observed_value, '0.5', '10 of 20 requests');
    await emulator.alerting.evaluator.idle();
    const notice = await until('the Pub/Sub notification', async () => (await pullIncidents())[0]);
    assert.equal(notice.version, '1.2');
    assert.equal(notice.incident.incident_id, incident.name.split('/').pop());
    assert.equal(notice.incident.state, 'open');
    assert.equal((notice.incident.resource as { labels: Record<string, string> }).labels.service_name, SERVICE);

    // Deleting the policy closes its incident (and notifies the close).
    await alerts.deletePolicy(policy.name);
    await until('the alert to close', async () => ((await alerts.listOpenIncidents()).length === 0 ? true : undefined));
    const all = await fetch(`http://${emulator.address}/v3/projects/${PROJECT}/alerts`).then((r) => r.json()) as { alerts: { state: string; closeTime?: string }[] };
    assert.deepEqual(all.alerts.map((a) => a.state), ['CLOSED']);
    assert.ok(all.alerts[0].closeTime);
    assert.equal(emulator.alerting.outbox.list({ kind: 'incident' }).filter((m) => m.subject.startsWith('[ALERT - Closed]')).length, 0,
      'a deleted policy has no channels left to tell');
  });
});
