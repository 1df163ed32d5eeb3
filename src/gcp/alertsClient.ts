// AlertsApi over the official generated Cloud Monitoring v3 clients (AlertPolicyService,
// NotificationChannelService; deep imports keep the other five Monitoring clients out of this chunk) and,
// for incidents, the REST-only `projects.alerts.list` (no proto or client method exists for it), sent with
// the same auth client the gRPC clients use, to Google or to the emulator's endpoint.
import { AlertPolicyServiceClient } from '@google-cloud/monitoring/build/src/v3/alert_policy_service_client';
import { NotificationChannelServiceClient } from '@google-cloud/monitoring/build/src/v3/notification_channel_service_client';
import type { CallOptions } from 'google-gax';
import type { AuthClient } from 'google-auth-library';
import type { MentorTarget } from '../core/settings';
import type { AlertPolicyBody } from '../alerts/alertPlans';
import {
  SERVICE_LABEL, WrongVerificationCode, type AlertPolicySummary, type AlertsApi, type ChannelSummary, type IncidentSummary,
} from './alertsApi';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { Code, toUserFacingError } from './errorMapping';

const MONITORING_API = { title: 'Cloud Monitoring API', service: 'monitoring.googleapis.com', role: 'Monitoring Editor (roles/monitoring.editor)' };
const GOOGLE_ROOT = 'https://monitoring.googleapis.com';
const REST_TIMEOUT_MS = 15_000;
const PAGE_SIZE = 1000;
/** Enough for any project Mentor meets; a runaway pagination must still end. */
const MAX_PAGES = 20;

interface RawPolicy {
  name?: string | null;
  displayName?: string | null;
  enabled?: { value?: boolean | null } | null;
  userLabels?: Record<string, string> | null;
  conditions?: { displayName?: string | null; conditionThreshold?: { filter?: string | null } | null; conditionAbsent?: { filter?: string | null } | null }[] | null;
  notificationChannels?: string[] | null;
}

interface RawChannel {
  name?: string | null;
  type?: string | null;
  displayName?: string | null;
  labels?: Record<string, string> | null;
  verificationStatus?: string | number | null;
  enabled?: { value?: boolean | null } | null;
}

interface RawAlert {
  name?: string;
  state?: string;
  openTime?: string;
  closeTime?: string;
  policy?: { name?: string; displayName?: string; userLabels?: Record<string, string> };
  resource?: { type?: string; labels?: Record<string, string> };
  metric?: { type?: string; labels?: Record<string, string> };
}

export function toPolicySummary(raw: RawPolicy): AlertPolicySummary {
  const conditions = (raw.conditions ?? []).map((c) => ({
    displayName: c.displayName ?? '',
    kind: c.conditionThreshold ? 'threshold' as const : c.conditionAbsent ? 'absence' as const : 'other' as const,
  }));
  const filters = (raw.conditions ?? []).map((c) => c.conditionThreshold?.filter ?? c.conditionAbsent?.filter ?? '').join(' ');
  const fromFilter = /resource\.labels?\.service_name\s*=\s*"([^"]+)"/.exec(filters)?.[1];
  return {
    name: raw.name ?? '',
    displayName: raw.displayName ?? '',
    enabled: raw.enabled?.value !== false,
    service: raw.userLabels?.[SERVICE_LABEL] ?? fromFilter,
    conditions,
    notificationChannels: raw.notificationChannels ?? [],
  };
}

export function toChannelSummary(raw: RawChannel): ChannelSummary {
  const labels = raw.labels ?? {};
  const status = raw.verificationStatus;
  const verification = status === 'VERIFIED' || status === 2 ? 'verified' : status === 'UNVERIFIED' || status === 1 ? 'unverified' : 'not needed';
  return {
    name: raw.name ?? '',
    type: raw.type ?? '',
    displayName: raw.displayName ?? '',
    address: labels.email_address ?? labels.channel_name ?? labels.topic ?? labels.url ?? '',
    verification,
    enabled: raw.enabled?.value !== false,
  };
}

export function toIncidentSummary(raw: RawAlert): IncidentSummary {
  const date = (s?: string) => (s ? new Date(s) : undefined);
  return {
    name: raw.name ?? '',
    state: raw.state === 'CLOSED' ? 'CLOSED' : 'OPEN',
    openTime: date(raw.openTime),
    closeTime: date(raw.closeTime),
    policyName: raw.policy?.name ?? '',
    policyDisplayName: raw.policy?.displayName ?? '',
    service: raw.resource?.labels?.service_name ?? raw.policy?.userLabels?.[SERVICE_LABEL],
    revision: raw.resource?.labels?.revision_name,
    metricType: raw.metric?.type ?? '',
  };
}

export class GoogleAlerts implements AlertsApi {
  private readonly callOptions: CallOptions;

  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly clients: { policies: AlertPolicyServiceClient; channels: NotificationChannelServiceClient },
    private readonly auth: AuthClient,
  ) {
    this.callOptions = callOptionsFor(endpoint);
  }

  static async connect(target: MentorTarget): Promise<GoogleAlerts> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GoogleAlerts(target, endpoint, {
      policies: new AlertPolicyServiceClient(options),
      channels: new NotificationChannelServiceClient(options),
    }, options.authClient as AuthClient);
  }

  private get project(): string {
    return `projects/${this.target.project}`;
  }

  async listPolicies(): Promise<AlertPolicySummary[]> {
    return this.call('list alert policies', async () => {
      const out: AlertPolicySummary[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const [policies, , response] = await this.clients.policies.listAlertPolicies({ name: this.project, pageSize: PAGE_SIZE, pageToken }, this.callOptions);
        out.push(...policies.map((p) => toPolicySummary(p as RawPolicy)));
        pageToken = response?.nextPageToken || undefined;
        if (!pageToken) break;
      }
      return out;
    });
  }

  async createPolicy(body: AlertPolicyBody): Promise<AlertPolicySummary> {
    return this.call(`create alert policy "${String(body.displayName)}"`, async () => {
      const [created] = await this.clients.policies.createAlertPolicy({ name: this.project, alertPolicy: body as never }, this.callOptions);
      return toPolicySummary(created as RawPolicy);
    });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.call('delete the alert policy', async () => {
      await this.clients.policies.deleteAlertPolicy({ name }, this.callOptions);
    });
  }

  async listChannels(): Promise<ChannelSummary[]> {
    return this.call('list notification channels', async () => {
      const [channels] = await this.clients.channels.listNotificationChannels({ name: this.project, pageSize: PAGE_SIZE }, this.callOptions);
      return channels.map((c) => toChannelSummary(c as RawChannel));
    });
  }

  async createEmailChannel(address: string, displayName: string): Promise<ChannelSummary> {
    return this.call(`create an email notification channel for ${address}`, async () => {
      const [created] = await this.clients.channels.createNotificationChannel({
        name: this.project,
        notificationChannel: { type: 'email', displayName, labels: { email_address: address }, enabled: { value: true } },
      }, this.callOptions);
      return toChannelSummary(created as RawChannel);
    });
  }

  async sendVerificationCode(channel: string): Promise<void> {
    await this.call('send a verification code', async () => {
      await this.clients.channels.sendNotificationChannelVerificationCode({ name: channel }, this.callOptions);
    });
  }

  async verifyChannel(channel: string, code: string): Promise<ChannelSummary> {
    try {
      const [verified] = await this.clients.channels.verifyNotificationChannel({ name: channel, code }, this.callOptions);
      return toChannelSummary(verified as RawChannel);
    } catch (error) {
      const e = error as { code?: number; details?: string; message?: string };
      if (e.code === Code.INVALID_ARGUMENT) throw new WrongVerificationCode(e.details || e.message || '');
      throw this.mapped(error, 'verify the notification channel');
    }
  }

  async listOpenIncidents(): Promise<IncidentSummary[]> {
    return this.call('list open alerts', async () => {
      const root = this.endpoint ? `http://${this.endpoint}` : GOOGLE_ROOT;
      const out: IncidentSummary[] = [];
      let pageToken = '';
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = new URLSearchParams({ filter: 'state="OPEN"', orderBy: 'open_time desc', pageSize: String(PAGE_SIZE) });
        if (pageToken) params.set('pageToken', pageToken);
        const url = `${root}/v3/${this.project}/alerts?${params.toString()}`;
        const res = await this.rest<{ alerts?: RawAlert[]; nextPageToken?: string }>(url);
        out.push(...(res.alerts ?? []).map(toIncidentSummary).filter((a) => a.state === 'OPEN'));
        pageToken = res.nextPageToken ?? '';
        if (!pageToken) break;
      }
      return out;
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.clients.policies.close(), this.clients.channels.close()]).catch(() => undefined);
  }

  /** An authorized GET; Google's JSON error becomes the gRPC-like shape errorMapping reads. */
  private async rest<T>(url: string): Promise<T> {
    try {
      const res = await this.auth.request<T>({ url, method: 'GET', timeout: REST_TIMEOUT_MS, retry: !this.endpoint });
      return res.data;
    } catch (error) {
      const e = error as { response?: { status?: number; data?: { error?: { message?: string; status?: string } } }; code?: string; message?: string };
      const body = e.response?.data?.error;
      const status = body?.status as keyof typeof Code | undefined;
      if (status && status in Code) throw Object.assign(new Error(body?.message ?? ''), { code: Code[status], details: body?.message });
      if (e.response?.status === 404) throw Object.assign(new Error(body?.message ?? `${url} was not found`), { code: Code.NOT_FOUND });
      throw Object.assign(new Error(e.message ?? String(error)), { code: Code.UNAVAILABLE, details: `${e.code ?? ''} ${e.message ?? ''}`.trim() });
    }
  }

  private async call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.mapped(error, action);
    }
  }

  private mapped(error: unknown, action: string): Error {
    const mapped = toUserFacingError(error, { action, endpoint: this.endpoint, project: this.target.project, api: MONITORING_API });
    // errorMapping words refusals as Cloud Run's; these come from Cloud Monitoring.
    if (mapped.kind === 'invalidArgument') mapped.message = mapped.message.replace(/^Cloud Run refused/, 'Cloud Monitoring refused');
    return mapped;
  }
}
