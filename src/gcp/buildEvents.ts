// The narrow interface for build events through Pub/Sub: Mentor's own subscription on the project's
// cloud-builds topic (Cloud Build publishes a message there on every status change, contract 3). The
// implementation and @google-cloud/pubsub-api behind it load on first use.
import type { BuildEvent } from '../core/builds';
import type { MentorTarget } from '../core/settings';

export const CLOUD_BUILDS_TOPIC = 'cloud-builds';

export interface ReceivedBuildEvent {
  ackId: string;
  /** undefined for a message that is not a build event (acked and dropped). */
  event: BuildEvent | undefined;
}

export interface BuildEventsApi {
  /** projects/P/subscriptions/… */
  readonly subscription: string;
  /** projects/P/topics/cloud-builds */
  readonly topic: string;
  /** "the Pub/Sub emulator at host:port" or "Pub/Sub": for the log. */
  readonly where: string;
  /**
   * Creates the subscription (or finds it from an earlier start). Rejects with BuildEventsUnavailable when
   * the topic does not exist, the caller may not subscribe, or Pub/Sub cannot be reached.
   */
  open(): Promise<void>;
  /** Waits for messages (the server answers with none after a while); resolves [] when `signal` aborts. */
  pull(signal: AbortSignal): Promise<ReceivedBuildEvent[]>;
  ack(ackIds: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Why build events cannot come through Pub/Sub; the watcher polls instead and logs this. */
export class BuildEventsUnavailable extends Error {
  constructor(message: string, readonly reason: 'noPubSub' | 'noTopic' | 'permissionDenied' | 'unreachable' | 'other') {
    super(message);
    this.name = 'BuildEventsUnavailable';
  }
}

export interface BuildEventsOptions {
  /** PUBSUB_EMULATOR_HOST ("host:port"), when set. */
  emulatorHost?: string;
  /** A stable per-machine suffix for the subscription's name. */
  machineSuffix: string;
}

/** The subscription's id: one per machine and project, so windows on one machine share it and others don't steal messages. */
export function subscriptionId(machineSuffix: string): string {
  return `mentor-builds-${machineSuffix.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 32) || 'local'}`;
}

export async function connectBuildEvents(target: MentorTarget, options: BuildEventsOptions): Promise<BuildEventsApi> {
  // The Mentor emulator serves no Pub/Sub: without PUBSUB_EMULATOR_HOST there is nothing local to subscribe to.
  if (!options.emulatorHost && target.apiEndpoint.trim()) {
    throw new BuildEventsUnavailable('no Pub/Sub next to the emulator (PUBSUB_EMULATOR_HOST is not set)', 'noPubSub');
  }
  const { GooglePubSubBuildEvents } = await import('./buildEventsClient');
  return GooglePubSubBuildEvents.connect(target, options);
}
