// Cloud Monitoring alerting through the REAL @google-cloud/monitoring clients, over gRPC and in their REST
// mode: alert policy CRUD and Google's validation, notification channel descriptors and CRUD, the email
// verification flow (the code read from the emulator's outbox, as a user reads their inbox), and that
// write-only labels (Slack's auth_token) never come back.
import * as assert from 'node:assert/strict';
import { AlertPolicyServiceClient, NotificationChannelServiceClient } from '@google-cloud/monitoring';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { PROJECT, clientOptions, startHarness, type Harness } from './fixture';

type Transport = 'grpc' | 'rest';

function options(transport: Transport, h: Harness) {
  if (transport === 'grpc') return clientOptions(h.emulator.port);
  return { apiEndpoint: '127.0.0.1', port: h.emulator.restPort, protocol: 'http', fallback: 'rest' as const, authClient: new PassThroughClient(), projectId: PROJECT };
}

const PARENT = `projects/${PROJECT}`;

/** A client error with the gRPC code and a message (REST errors carry it in message, gRPC in details too). */
async function rejectsWith(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${String(err.code)}: ${String(err.message)}`);
    assert.match(String(err.message), message);
    return true;
  });
}

function ratioPolicy(channels: string[] = []) {
  const service = 'resource.type = "cloud_run_revision" AND resource.labels.service_name = "shop"';
  const agg = { alignmentPeriod: { seconds: 300 }, perSeriesAligner: 'ALIGN_DELTA' as const, crossSeriesReducer: 'REDUCE_SUM' as const, groupByFields: ['resource.label.service_name'] };
  return {
    displayName: 'shop: 5xx ratio above 5%',
    combiner: 'OR' as const,
    userLabels: { 'mentor-service': 'shop' },
    notificationChannels: channels,
    conditions: [{
      displayName: '5xx ratio above 5% over 5 min',
      conditionThreshold: {
        filter: `metric.type = "run.googleapis.com/request_count" AND ${service} AND metric.labels.response_code_class = "5xx"`,
        denominatorFilter: `metric.type = "run.googleapis.com/request_count" AND ${service}`,
        aggregations: [agg],
        denominatorAggregations: [agg],
        comparison: 'COMPARISON_GT' as const,
        thresholdValue: 0.05,
        duration: { seconds: 0 },
      },
    }],
  };
}

for (const transport of ['grpc', 'rest'] as Transport[]) {
  describe(`Monitoring alerting through the real clients (${transport})`, function () {
    this.timeout(30_000);
    let h: Harness;
    let policies: AlertPolicyServiceClient;
    let channels: NotificationChannelServiceClient;

    before(async () => {
      h = await startHarness();
      policies = new AlertPolicyServiceClient(options(transport, h));
      channels = new NotificationChannelServiceClient(options(transport, h));
    });
    after(async () => {
      await Promise.all([policies.close(), channels.close()]);
      await h.close();
    });
    beforeEach(() => h.emulator.reset(''));

    it('lists the channel types Mentor offers, with their label keys', async () => {
      const [descriptors] = await channels.listNotificationChannelDescriptors({ name: PARENT });
      const types = descriptors.map((d) => d.type).sort();
      assert.deepEqual(types, ['email', 'pubsub', 'slack', 'webhook_tokenauth']);
      const email = descriptors.find((d) => d.type === 'email');
      assert.deepEqual(email?.labels?.map((l) => l.key), ['email_address']);
      const [slack] = await channels.getNotificationChannelDescriptor({ name: `${PARENT}/notificationChannelDescriptors/slack` });
      assert.ok(slack.labels?.some((l) => l.key === 'auth_token'));
      await rejectsWith(channels.getNotificationChannelDescriptor({ name: `${PARENT}/notificationChannelDescriptors/carrier_pigeon` }), grpc.status.NOT_FOUND, /carrier_pigeon/);
    });

    it('creates an email channel UNVERIFIED and verifies it with the code from the outbox', async () => {
      const [created] = await channels.createNotificationChannel({
        name: PARENT,
        notificationChannel: { type: 'email', displayName: 'On call', labels: { email_address: 'oncall@example.com' }, verificationStatus: 'VERIFIED' },
      });
      assert.match(created.name ?? '', /^projects\/mentor-demo\/notificationChannels\/\d+$/);
      assert.equal(created.verificationStatus, 'UNVERIFIED', 'the caller cannot declare a channel verified');
      assert.equal(created.enabled?.value, true);
      assert.ok(created.creationRecord?.mutateTime);
      await channels.sendNotificationChannelVerificationCode({ name: created.name });
      const mail = await h.emulator.alerting.outbox.waitFor((m) => m.kind === 'verification' && m.to === 'oncall@example.com', 2000);
      assert.match(mail.code ?? '', /^G-\d{6}$/);
      assert.ok(mail.body.includes(mail.code ?? '?'), 'the mail shows the code');
      // The outbox page on the REST port shows the same mail (what a test in another process reads).
      const page = await fetch(`http://${h.emulator.restAddress}/_emulator/outbox?to=oncall@example.com`).then((r) => r.json()) as { messages: { code?: string }[] };
      assert.equal(page.messages.at(-1)?.code, mail.code);
      await rejectsWith(channels.verifyNotificationChannel({ name: created.name, code: 'G-000000' === mail.code ? 'G-000001' : 'G-000000' }), grpc.status.INVALID_ARGUMENT, /verification code .* is invalid/);
      const [verified] = await channels.verifyNotificationChannel({ name: created.name, code: mail.code });
      assert.equal(verified.verificationStatus, 'VERIFIED');
      const [got] = await channels.getNotificationChannel({ name: created.name });
      assert.equal(got.verificationStatus, 'VERIFIED');
      // A verified channel's code can be copied to another channel (GetNotificationChannelVerificationCode).
      const [copy] = await channels.getNotificationChannelVerificationCode({ name: created.name });
      assert.ok((copy.code ?? '').length > 10);
    });

    it('never returns a Slack channel\'s auth_token, and checks labels per type', async () => {
      const [slack] = await channels.createNotificationChannel({
        name: PARENT, notificationChannel: { type: 'slack', displayName: 'Ops', labels: { channel_name: '#ops', auth_token: 'xoxb-secret-token' } },
      });
      assert.equal(slack.labels?.auth_token, undefined);
      assert.equal(slack.labels?.channel_name, '#ops');
      const [list] = await channels.listNotificationChannels({ name: PARENT });
      assert.ok(!JSON.stringify(list).includes('xoxb-secret-token'));
      assert.equal(h.emulator.alerting.channels.find(slack.name ?? '').labels && (h.emulator.alerting.channels.find(slack.name ?? '').labels as Record<string, string>).auth_token, 'xoxb-secret-token', 'kept for sending');
      await rejectsWith(channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: {} } }), grpc.status.INVALID_ARGUMENT, /email_address.*required/);
      await rejectsWith(channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'not-an-address' } } }), grpc.status.INVALID_ARGUMENT, /not a valid email address/);
      await rejectsWith(channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'fax', labels: {} } }), grpc.status.INVALID_ARGUMENT, /fax/);
      await rejectsWith(channels.sendNotificationChannelVerificationCode({ name: slack.name }), grpc.status.INVALID_ARGUMENT, /do not support verification/);
    });

    it('creates, gets, lists, updates and deletes a ratio alert policy; the server names it and its conditions', async () => {
      const [channel] = await channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'a@example.com' } } });
      const [created] = await policies.createAlertPolicy({ name: PARENT, alertPolicy: ratioPolicy([channel.name ?? '']) });
      assert.match(created.name ?? '', /^projects\/mentor-demo\/alertPolicies\/\d+$/);
      assert.match(created.conditions?.[0].name ?? '', new RegExp(`^${created.name}/conditions/\\d+$`));
      assert.equal(created.conditions?.[0].conditionThreshold?.denominatorFilter?.includes('request_count'), true);
      assert.equal(created.enabled?.value, true);
      assert.ok(created.creationRecord?.mutateTime && created.mutationRecord?.mutateTime);
      const [got] = await policies.getAlertPolicy({ name: created.name });
      assert.equal(got.displayName, 'shop: 5xx ratio above 5%');
      assert.deepEqual(got.notificationChannels, [channel.name]);
      const [listed] = await policies.listAlertPolicies({ name: PARENT, filter: 'user_labels.mentor-service = "shop"' });
      assert.deepEqual(listed.map((p) => p.name), [created.name]);
      const [none] = await policies.listAlertPolicies({ name: PARENT, filter: 'user_labels.mentor-service = "other"' });
      assert.equal(none.length, 0);
      const [updated] = await policies.updateAlertPolicy({ alertPolicy: { name: created.name, displayName: 'renamed' }, updateMask: { paths: ['display_name'] } });
      assert.equal(updated.displayName, 'renamed');
      assert.equal(updated.conditions?.[0].name, created.conditions?.[0].name, 'the condition keeps its name');
      await rejectsWith(channels.deleteNotificationChannel({ name: channel.name }), grpc.status.FAILED_PRECONDITION, /referenced by alerting policies/);
      await policies.deleteAlertPolicy({ name: created.name });
      await rejectsWith(policies.getAlertPolicy({ name: created.name }), grpc.status.NOT_FOUND, /Could not find alert policy/);
      await channels.deleteNotificationChannel({ name: channel.name });
    });

    it('refuses policies Google refuses, naming the field', async () => {
      const base = ratioPolicy();
      const cond = base.conditions[0];
      const bad = async (policy: object, message: RegExp) =>
        rejectsWith(policies.createAlertPolicy({ name: PARENT, alertPolicy: policy }), grpc.status.INVALID_ARGUMENT, message);
      await bad({ ...base, displayName: '' }, /display_name is required/);
      await bad({ ...base, conditions: [] }, /at least one condition/);
      await bad({ ...base, combiner: 'COMBINE_UNSPECIFIED', conditions: [cond, { ...cond, displayName: 'again' }] }, /combiner must be specified/);
      await bad({ ...base, conditions: [{ ...cond, conditionThreshold: { ...cond.conditionThreshold, comparison: 'COMPARISON_UNSPECIFIED' } }] }, /comparison/);
      await bad({ ...base, conditions: [{ ...cond, conditionThreshold: { ...cond.conditionThreshold, duration: { seconds: 90 } } }] }, /whole number of minutes/);
      await bad({ ...base, conditions: [{ ...cond, conditionThreshold: { ...cond.conditionThreshold, filter: 'resource.type = "cloud_run_revision"' } }] }, /must specify a metric type/);
      await bad({ ...base, conditions: [{ ...cond, conditionThreshold: { ...cond.conditionThreshold, aggregations: [{ ...cond.conditionThreshold.aggregations[0], alignmentPeriod: { seconds: 30 } }] } }] }, /alignment_period.*between 60s/);
      await bad({ ...base, conditions: [{ ...cond, conditionThreshold: { ...cond.conditionThreshold, denominatorAggregations: [{ ...cond.conditionThreshold.aggregations[0], alignmentPeriod: { seconds: 60 } }] } }] }, /same alignment period/);
      await bad({ ...base, conditions: [{ displayName: 'silence', conditionAbsent: { filter: 'metric.type = "run.googleapis.com/container/instance_count"', duration: { seconds: 60 } } }] }, /at least 120s/);
      await bad({ ...base, conditions: [{ displayName: 'two kinds', conditionThreshold: cond.conditionThreshold, conditionAbsent: { filter: 'metric.type = "x"', duration: { seconds: 120 } } }] }, /exactly one condition type/);
      await bad({ ...base, userLabels: { Team: 'web' } }, /user_labels has an invalid key "Team"/);
      await bad({ ...base, notificationChannels: [`${PARENT}/notificationChannels/404`] }, /notification channel not found/);
      const [absent] = await policies.createAlertPolicy({ name: PARENT, alertPolicy: { ...base, conditions: [{ displayName: 'no instances', conditionAbsent: { filter: 'metric.type = "run.googleapis.com/container/instance_count" AND resource.type = "cloud_run_revision"', duration: { seconds: 300 } } }] } });
      assert.ok(absent.conditions?.[0].conditionAbsent);
    });
  });
}
