// Cloud Monitoring's NotificationChannelService: the channel types (descriptors) Google offers that Mentor
// uses, channel CRUD, and the verification flow of email channels. An email channel starts UNVERIFIED;
// SendNotificationChannelVerificationCode "mails" a code in Google's short form ("G-123456") to the
// emulator's outbox (monitoringChannelsOutbox.ts), which a test reads the way a user reads their inbox;
// VerifyNotificationChannel with that code makes it VERIFIED. Sensitive labels (Slack's auth_token;
// Google's write-only labels are auth_token, password, service_key) are kept but never returned.
import { randomInt, randomBytes } from 'node:crypto';
import { failedPrecondition, invalidArgument, notFound } from './apiError';
import type { Timestamp } from './apiTypes';
import type { MonitoringOutbox } from './monitoringChannelsOutbox';
import { emptyMonitoring, type MonitoringData, type ProtoJson } from './monitoringAlertTypes';
import { paginate } from './pagination';
import type { StateStore } from './stateStore';
import { nowTimestamp, timestampFromMs } from './timestamps';

interface LabelSpec {
  key: string;
  description: string;
  /** Required to create a channel of the type. */
  required?: boolean;
  /** Never returned by Get/List (Google keeps such secrets write-only). */
  sensitive?: boolean;
}

interface ChannelType {
  type: string;
  displayName: string;
  description: string;
  labels: LabelSpec[];
  /** Whether the channel has a verification flow (only email among these). */
  verifiable: boolean;
}

/** The descriptors Google lists for these types (a subset of its ~15); label keys as Google names them. */
export const CHANNEL_TYPES: readonly ChannelType[] = [
  {
    type: 'email', displayName: 'Email', description: 'A channel that sends notifications via email.', verifiable: true,
    labels: [{ key: 'email_address', description: 'An address to send email.', required: true }],
  },
  {
    type: 'slack', displayName: 'Slack', description: 'A channel that sends notifications to a Slack channel.', verifiable: false,
    labels: [
      { key: 'channel_name', description: 'The Slack channel to which to post notifications.', required: true },
      { key: 'auth_token', description: 'The OAuth token of the Slack app, obtained when the channel is authorized in the console.', sensitive: true },
      { key: 'team', description: 'The Slack workspace.' },
    ],
  },
  {
    type: 'pubsub', displayName: 'Pub/Sub', description: 'A channel that publishes notifications to a Pub/Sub topic.', verifiable: false,
    labels: [{ key: 'topic', description: 'The topic to which to publish, projects/PROJECT/topics/TOPIC.', required: true }],
  },
  {
    type: 'webhook_tokenauth', displayName: 'Webhooks', description: 'A channel that POSTs notifications to a URL with a token.', verifiable: false,
    labels: [{ key: 'url', description: 'The public endpoint to send notifications to, with its token as a query parameter.', required: true }],
  },
];

/** Email codes expire; Google's are short-lived (the docs: "shorter expiration" than GetVerificationCode's). */
const SENT_CODE_TTL_MS = 24 * 3600_000;
const COPY_CODE_TTL_MS = 24 * 3600_000;

interface PendingCode {
  code: string;
  expiresMs: number;
}

function projectOf(name: string, what: string): string {
  const m = /^projects\/([^/]+)$/.exec(name);
  if (!m) throw invalidArgument(`Field name had an invalid value of "${name}": ${what} must be of the form projects/[PROJECT_ID_OR_NUMBER].`);
  return m[1];
}

export class NotificationChannels {
  /** Verification codes in flight, by channel name: not persisted (a restart loses mails in transit too). */
  private readonly codes = new Map<string, PendingCode[]>();

  constructor(private readonly state: StateStore, private readonly outbox: MonitoringOutbox, private readonly user: string) {}

  private get data(): MonitoringData {
    return (this.state.data.monitoring ??= emptyMonitoring());
  }

  listNotificationChannelDescriptors(req: { name?: string; pageSize?: number; pageToken?: string }) {
    const project = projectOf(req.name ?? '', 'The parent');
    const all = CHANNEL_TYPES.map((t) => descriptor(project, t));
    const page = paginate(all, req, `descriptors ${project}`, { defaultSize: 100, maxSize: 1000 });
    return { channelDescriptors: page.items, nextPageToken: page.nextPageToken };
  }

  getNotificationChannelDescriptor(req: { name?: string }) {
    const m = /^projects\/([^/]+)\/notificationChannelDescriptors\/([^/]+)$/.exec(req.name ?? '');
    const t = m && CHANNEL_TYPES.find((c) => c.type === m[2]);
    if (!m || !t) throw notFound(`Could not find notification channel descriptor ${req.name ?? ''}.`);
    return descriptor(m[1], t);
  }

  createNotificationChannel(req: { name?: string; notificationChannel?: ProtoJson }) {
    const project = projectOf(req.name ?? '', 'The parent');
    const body = req.notificationChannel ?? {};
    const type = this.checkChannel(body);
    const id = String(randomInt(1, 2 ** 47)) + String(randomInt(0, 1e6)).padStart(6, '0');
    const name = `projects/${project}/notificationChannels/${id}`;
    const record = mutation(this.user);
    const channel: ProtoJson = {
      ...body, name, type: type.type, labels: { ...(body.labels as object) }, userLabels: { ...(body.userLabels as object) },
      enabled: body.enabled ?? { value: true }, creationRecord: record, mutationRecords: [record],
    };
    // Google decides verification, never the caller: an email channel starts unverified.
    if (type.verifiable) channel.verificationStatus = 'UNVERIFIED';
    else delete channel.verificationStatus;
    this.data.notificationChannels[name] = channel;
    this.state.changed();
    return redact(channel);
  }

  getNotificationChannel(req: { name?: string }) {
    return redact(this.find(req.name ?? ''));
  }

  listNotificationChannels(req: { name?: string; filter?: string; orderBy?: string; pageSize?: number; pageToken?: string }) {
    const project = projectOf(req.name ?? '', 'The parent');
    const prefix = `projects/${project}/notificationChannels/`;
    let all = Object.values(this.data.notificationChannels).filter((c) => String(c.name).startsWith(prefix));
    const wantType = /^\s*type\s*=\s*"?([\w.-]+)"?\s*$/.exec(req.filter ?? '');
    if (req.filter && !wantType) throw invalidArgument(`The filter "${req.filter}" is not supported by the emulator; use type="email".`);
    if (wantType) all = all.filter((c) => c.type === wantType[1]);
    all.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const page = paginate(all, req, `channels ${project} ${req.filter ?? ''}`, { defaultSize: 100, maxSize: 1000 });
    return { notificationChannels: page.items.map(redact), nextPageToken: page.nextPageToken, totalSize: all.length };
  }

  updateNotificationChannel(req: { updateMask?: { paths?: string[] }; notificationChannel?: ProtoJson }) {
    const body = req.notificationChannel ?? {};
    const existing = this.find(String(body.name ?? ''));
    const paths = req.updateMask?.paths?.length ? req.updateMask.paths : Object.keys(body).filter((k) => k !== 'name');
    const next: ProtoJson = { ...existing };
    for (const path of paths) {
      const key = path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      if (['name', 'creationRecord', 'mutationRecords', 'verificationStatus'].includes(key)) {
        if (key === 'verificationStatus') throw invalidArgument('Field verification_status cannot be updated; use VerifyNotificationChannel.');
        continue;
      }
      if (key === 'labels') next.labels = { ...(existing.labels as object), ...(body.labels as object) };
      else next[key] = body[key];
    }
    const type = this.checkChannel(next);
    // A changed address must be verified again (Google resets verification when the email changes).
    const oldLabels = existing.labels as Record<string, string>;
    const newLabels = next.labels as Record<string, string>;
    if (type.verifiable && oldLabels.email_address !== newLabels.email_address) next.verificationStatus = 'UNVERIFIED';
    next.mutationRecords = [...(existing.mutationRecords as unknown[]), mutation(this.user)];
    this.data.notificationChannels[String(existing.name)] = next;
    this.state.changed();
    return redact(next);
  }

  deleteNotificationChannel(req: { name?: string; force?: boolean }) {
    const channel = this.find(req.name ?? '');
    const users = Object.values(this.data.alertPolicies)
      .filter((p) => ((p.notificationChannels as string[] | undefined) ?? []).includes(String(channel.name)));
    if (users.length && !req.force) {
      throw failedPrecondition(`Notification channel ${String(channel.name)} is referenced by alerting policies ` +
        `(${users.map((p) => String(p.name)).join(', ')}); remove it from them first, or delete with force=true.`);
    }
    for (const p of users) p.notificationChannels = (p.notificationChannels as string[]).filter((n) => n !== channel.name);
    delete this.data.notificationChannels[String(channel.name)];
    this.codes.delete(String(channel.name));
    this.state.changed();
    return {};
  }

  sendNotificationChannelVerificationCode(req: { name?: string }) {
    const channel = this.find(req.name ?? '');
    const type = CHANNEL_TYPES.find((t) => t.type === channel.type);
    if (!type?.verifiable) throw invalidArgument(`Notification channels of type ${String(channel.type)} do not support verification.`);
    const code = `G-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const name = String(channel.name);
    // Every code sent stays valid until it expires, as a user may read an older mail first.
    const pending = [...(this.codes.get(name) ?? []), { code, expiresMs: Date.now() + SENT_CODE_TTL_MS }];
    this.codes.set(name, pending);
    const to = (channel.labels as Record<string, string>).email_address;
    this.outbox.deliver({
      kind: 'verification', to, channel: name,
      subject: 'Verify your notification channel for Google Cloud Monitoring',
      body: `Your verification code for the notification channel "${String(channel.displayName ?? to)}" is ${code}. ` +
        'Enter it where you added the channel to start receiving alert notifications.',
      code,
    });
    return {};
  }

  getNotificationChannelVerificationCode(req: { name?: string; expireTime?: Timestamp }) {
    const channel = this.find(req.name ?? '');
    if (channel.verificationStatus !== 'VERIFIED') {
      throw failedPrecondition(`Notification channel ${String(channel.name)} is not verified; only a verified channel has a code to copy.`);
    }
    const code = randomBytes(18).toString('base64url');
    const expiresMs = Date.now() + COPY_CODE_TTL_MS;
    this.codes.set(String(channel.name), [...(this.codes.get(String(channel.name)) ?? []), { code, expiresMs }]);
    return { code, expireTime: timestampFromMs(expiresMs) };
  }

  verifyNotificationChannel(req: { name?: string; code?: string }) {
    const channel = this.find(req.name ?? '');
    if (!req.code) throw invalidArgument('Field code is required.');
    const now = Date.now();
    const valid = (this.codes.get(String(channel.name)) ?? []).filter((c) => c.expiresMs > now);
    const code = req.code.trim();
    if (!valid.some((c) => c.code === code)) {
      throw invalidArgument(`The verification code "${req.code}" is invalid or has expired for notification channel ${String(channel.name)}.`);
    }
    this.codes.delete(String(channel.name));
    channel.verificationStatus = 'VERIFIED';
    channel.mutationRecords = [...(channel.mutationRecords as unknown[]), mutation(this.user)];
    this.state.changed();
    return redact(channel);
  }

  /** The stored channel including its sensitive labels (the evaluator needs the topic; tests the token). */
  find(name: string): ProtoJson {
    const channel = this.data.notificationChannels[name];
    if (!channel) {
      if (!/^projects\/[^/]+\/notificationChannels\/[^/]+$/.test(name)) {
        throw invalidArgument(`Field name had an invalid value of "${name}": must be projects/[PROJECT_ID_OR_NUMBER]/notificationChannels/[CHANNEL_ID].`);
      }
      throw notFound(`Could not find notification channel ${name}.`);
    }
    return channel;
  }

  private checkChannel(body: ProtoJson): ChannelType {
    if (!body.type) throw invalidArgument('Field notification_channel.type is required.');
    const type = CHANNEL_TYPES.find((t) => t.type === body.type);
    if (!type) throw invalidArgument(`Field notification_channel.type had an invalid value of "${String(body.type)}": no channel descriptor of that type exists.`);
    const labels = (body.labels ?? {}) as Record<string, string>;
    for (const key of Object.keys(labels)) {
      if (!type.labels.some((l) => l.key === key)) {
        throw invalidArgument(`Field notification_channel.labels had an invalid key "${key}" for channel type ${type.type}; valid keys: ${type.labels.map((l) => l.key).join(', ')}.`);
      }
    }
    for (const spec of type.labels.filter((l) => l.required)) {
      if (!labels[spec.key]) throw invalidArgument(`Field notification_channel.labels["${spec.key}"] is required for channel type ${type.type}.`);
    }
    if (type.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(labels.email_address)) {
      throw invalidArgument(`Field notification_channel.labels["email_address"] had an invalid value of "${labels.email_address}": not a valid email address.`);
    }
    if (type.type === 'pubsub' && !/^projects\/[^/]+\/topics\/[^/]+$/.test(labels.topic)) {
      throw invalidArgument(`Field notification_channel.labels["topic"] had an invalid value of "${labels.topic}": must be projects/[PROJECT_ID]/topics/[TOPIC_ID].`);
    }
    return type;
  }
}

function descriptor(project: string, t: ChannelType): ProtoJson {
  return {
    name: `projects/${project}/notificationChannelDescriptors/${t.type}`,
    type: t.type, displayName: t.displayName, description: t.description,
    labels: t.labels.map((l) => ({ key: l.key, valueType: 'STRING', description: l.description })),
    supportedTiers: [], launchStage: 'GA',
  };
}

function mutation(user: string): ProtoJson {
  return { mutateTime: nowTimestamp(), mutatedBy: user };
}

/** What Get/List/Create answer: the channel without its write-only labels. */
export function redact(channel: ProtoJson): ProtoJson {
  const type = CHANNEL_TYPES.find((t) => t.type === channel.type);
  const labels = { ...(channel.labels as Record<string, string>) };
  for (const spec of type?.labels ?? []) if (spec.sensitive) delete labels[spec.key];
  return { ...channel, labels };
}
