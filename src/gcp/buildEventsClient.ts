// BuildEventsApi over the generated Pub/Sub v1 SubscriberClient (deep import: only the subscriber). Against
// PUBSUB_EMULATOR_HOST (plaintext, no credentials) when set, else Google with the extension's credentials.
import { SubscriberClient } from '@google-cloud/pubsub-api/build/src/v1/subscriber_client';
import type { ClientOptions } from 'google-gax';
import { buildEventFromMessage } from '../core/builds';
import { MentorTarget, parseApiEndpoint } from '../core/settings';
import { BuildEventsApi, BuildEventsOptions, BuildEventsUnavailable, CLOUD_BUILDS_TOPIC, ReceivedBuildEvent, subscriptionId } from './buildEvents';
import { buildClientOptions } from './clientOptions';
import { Code } from './errorMapping';

/** Pub/Sub's minimum: a subscription nobody pulls from for a day is deleted by Pub/Sub itself. */
const EXPIRATION_TTL_SECONDS = 24 * 3600;
/** Build events are only news for a few minutes; Pub/Sub's minimum retention is 10 minutes. */
const RETENTION_SECONDS = 600;
const ACK_DEADLINE_SECONDS = 30;
/** A pull waits at most this long for messages before answering empty. */
const PULL_TIMEOUT_MS = 60_000;

export class GooglePubSubBuildEvents implements BuildEventsApi {
  readonly topic: string;
  readonly subscription: string;

  private constructor(
    target: MentorTarget,
    readonly where: string,
    private readonly client: SubscriberClient,
    machineSuffix: string,
    private readonly local: boolean,
  ) {
    this.topic = `projects/${target.project}/topics/${CLOUD_BUILDS_TOPIC}`;
    this.subscription = `projects/${target.project}/subscriptions/${subscriptionId(machineSuffix)}`;
  }

  static async connect(target: MentorTarget, options: BuildEventsOptions): Promise<GooglePubSubBuildEvents> {
    let clientOptions: ClientOptions;
    let where = 'Pub/Sub';
    if (options.emulatorHost) {
      const endpoint = parseApiEndpoint(options.emulatorHost);
      if (!endpoint) throw new BuildEventsUnavailable('PUBSUB_EMULATOR_HOST is empty', 'noPubSub');
      const [{ grpc }, { PassThroughClient }] = await Promise.all([import('./gaxGrpc'), import('./googleAuthLibrary')]);
      clientOptions = { apiEndpoint: endpoint.host, port: endpoint.port, sslCreds: grpc.credentials.createInsecure(),
        authClient: new PassThroughClient(), projectId: target.project };
      where = `the Pub/Sub emulator at ${options.emulatorHost}`;
    } else {
      clientOptions = (await buildClientOptions(target)).options;
    }
    return new GooglePubSubBuildEvents(target, where, new SubscriberClient(clientOptions), options.machineSuffix, !!options.emulatorHost);
  }

  async open(recreated = false): Promise<void> {
    try {
      await this.client.createSubscription({
        name: this.subscription,
        topic: this.topic,
        ackDeadlineSeconds: ACK_DEADLINE_SECONDS,
        expirationPolicy: { ttl: { seconds: EXPIRATION_TTL_SECONDS } },
        messageRetentionDuration: { seconds: RETENTION_SECONDS },
      }, this.local ? { maxRetries: 0 } : {});
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === Code.ALREADY_EXISTS) {
        // Ours, from an earlier start on this machine: reuse it, unless its topic was deleted since (Pub/Sub then
        // names it _deleted-topic_ and it never receives anything): make it again, which tells whether the topic is back.
        const [existing] = await this.client.getSubscription({ subscription: this.subscription });
        if (existing.topic === this.topic || recreated) return;
        await this.client.deleteSubscription({ subscription: this.subscription });
        return this.open(true);
      }
      const detail = (error as Error).message?.replace(/^\d+ [A-Z_]+: /, '') ?? String(error);
      if (code === Code.NOT_FOUND) throw new BuildEventsUnavailable(`${this.topic} does not exist (${detail})`, 'noTopic');
      if (code === Code.PERMISSION_DENIED) throw new BuildEventsUnavailable(`no permission to subscribe to ${this.topic} (${detail})`, 'permissionDenied');
      if (code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED) throw new BuildEventsUnavailable(`cannot reach ${this.where} (${detail})`, 'unreachable');
      throw new BuildEventsUnavailable(`cannot subscribe to ${this.topic}: ${detail}`, 'other');
    }
  }

  async pull(signal: AbortSignal): Promise<ReceivedBuildEvent[]> {
    if (signal.aborted) return [];
    try {
      const [response] = await this.client.pull({ subscription: this.subscription, maxMessages: 50 },
        { timeout: PULL_TIMEOUT_MS, signal, maxRetries: 0 });
      const now = new Date();
      return (response.receivedMessages ?? []).map((received) => ({
        ackId: received.ackId ?? '',
        event: buildEventFromMessage({ data: received.message?.data as Uint8Array | string | undefined,
          attributes: received.message?.attributes as Record<string, string> | undefined }, now),
      })).filter((r) => r.ackId);
    } catch (error) {
      if (signal.aborted) return [];
      // A long pull that ends without messages is not a failure.
      if ((error as { code?: number }).code === Code.DEADLINE_EXCEEDED) return [];
      throw error;
    }
  }

  async ack(ackIds: string[]): Promise<void> {
    if (ackIds.length) await this.client.acknowledge({ subscription: this.subscription, ackIds });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
