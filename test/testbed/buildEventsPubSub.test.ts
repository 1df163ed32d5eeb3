// The build events client against the REAL Pub/Sub emulator (gcloud's, at PUBSUB_EMULATOR_HOST): Mentor's
// subscription is created with an expiration policy and reused on the next start; a message as Cloud Build
// publishes it (data = Build JSON, attributes buildId/status) arrives as a build event and is acked; a missing
// topic makes the client say so (the watcher then polls).
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BuildEventsUnavailable, connectBuildEvents } from '../../src/gcp/buildEvents';
import { SubscriberClient } from '@google-cloud/pubsub-api/build/src/v1/subscriber_client';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';

const HOST = process.env.PUBSUB_EMULATOR_HOST ?? '';

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://${HOST}/v1/${path}`, { method, headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

describe('build events through the real Pub/Sub emulator', function () {
  this.timeout(60_000);
  const project = `status-${randomUUID().slice(0, 8)}`;
  const target = { project, region: 'us-central1', apiEndpoint: '127.0.0.1:1' };

  before(function () {
    assert.ok(HOST, 'PUBSUB_EMULATOR_HOST is not set: the test bed starts the Pub/Sub emulator (scripts/engine/pubsub-up.sh)');
  });

  it('says the topic is missing when cloud-builds does not exist', async () => {
    const events = await connectBuildEvents(target, { emulatorHost: HOST, machineSuffix: 'abc123' });
    try {
      await assert.rejects(events.open(), (error: unknown) => error instanceof BuildEventsUnavailable && error.reason === 'noTopic' &&
        /projects\/status-[0-9a-f]+\/topics\/cloud-builds does not exist/.test(error.message));
    } finally {
      await events.close();
    }
  });

  it('without PUBSUB_EMULATOR_HOST next to the Mentor emulator there is no Pub/Sub (polling)', async () => {
    await assert.rejects(connectBuildEvents(target, { machineSuffix: 'abc123' }), (error: unknown) =>
      error instanceof BuildEventsUnavailable && error.reason === 'noPubSub');
  });

  it('creates its subscription (with an expiration TTL), reuses it on the next start, receives and acks a build event', async () => {
    assert.equal((await rest('PUT', `projects/${project}/topics/cloud-builds`, {})).status, 200);
    const first = await connectBuildEvents(target, { emulatorHost: HOST, machineSuffix: 'Machine-42!' });
    await first.open();
    assert.equal(first.subscription, `projects/${project}/subscriptions/mentor-builds-machine-42`);
    const sub = await rest('GET', first.subscription.replace(/^projects/, 'projects'));
    assert.equal(sub.status, 200);
    assert.equal(sub.json.topic, `projects/${project}/topics/cloud-builds`);
    await first.close();

    // The next start on this machine finds it (ALREADY_EXISTS is not a failure) and gets what was published meanwhile.
    const events = await connectBuildEvents(target, { emulatorHost: HOST, machineSuffix: 'Machine-42!' });
    await events.open();
    const build = { id: 'b-77', projectId: project, status: 'WORKING', tags: ['mentor', 'api'], substitutions: { COMMIT_SHA: 'c'.repeat(40), _SERVICE: 'api' },
      steps: [{ id: 'build', status: 'SUCCESS' }, { id: 'deploy', status: 'WORKING' }] };
    const published = await rest('POST', `projects/${project}/topics/cloud-builds:publish`, { messages: [
      { data: Buffer.from(JSON.stringify(build)).toString('base64'), attributes: { buildId: 'b-77', status: 'WORKING' } },
    ] });
    assert.equal(published.status, 200, JSON.stringify(published.json));
    const abort = new AbortController();
    const deadline = Date.now() + 20_000;
    let received = await events.pull(abort.signal);
    while (!received.length && Date.now() < deadline) received = await events.pull(abort.signal);
    assert.equal(received.length, 1);
    assert.equal(received[0].event?.buildId, 'b-77');
    assert.equal(received[0].event?.build?.runningStep, 'deploy');
    assert.equal(received[0].event?.build?.service, 'api');
    await events.ack(received.map((r) => r.ackId));

    // Acked: nothing comes again (a pull that finds nothing answers empty, or the abort ends it).
    const again = new AbortController();
    setTimeout(() => again.abort(), 3_000);
    assert.deepEqual(await events.pull(again.signal), []);
    await events.close();

    // Pub/Sub kept the expiration policy Mentor asked for (read with a plain subscriber client).
    const [host, port] = HOST.split(':');
    const raw = new SubscriberClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient() });
    try {
      const [subscription] = await raw.getSubscription({ subscription: events.subscription });
      assert.equal(String(subscription.expirationPolicy?.ttl?.seconds), String(24 * 3600));
    } finally {
      await raw.close();
    }

    // The topic deleted since: the old subscription hears nothing (Pub/Sub detaches it), so Mentor says the topic is gone.
    assert.equal((await rest('DELETE', `projects/${project}/topics/cloud-builds`)).status, 200);
    const stale = await connectBuildEvents(target, { emulatorHost: HOST, machineSuffix: 'Machine-42!' });
    try {
      await assert.rejects(stale.open(), (error: unknown) => error instanceof BuildEventsUnavailable && error.reason === 'noTopic');
    } finally {
      await stale.close();
    }
  });
});
