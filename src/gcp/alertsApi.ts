// The narrow interface Mentor's alerts features use for Cloud Monitoring alerting: policies, notification
// channels (with the email verification flow) and open incidents, as plain summaries. The implementation
// (alertsClient.ts, @google-cloud/monitoring behind it) loads on the first call.
import type { MentorTarget } from '../core/settings';
import type { AlertPolicyBody } from '../alerts/alertPlans';

/** The user label Mentor puts on the policies it creates, naming the Cloud Run service they watch. */
export const SERVICE_LABEL = 'mentor-service';

export interface AlertPolicySummary {
  name: string;
  displayName: string;
  enabled: boolean;
  /** The `mentor-service` user label, or the service_name its conditions' filters name. */
  service?: string;
  conditions: { displayName: string; kind: 'threshold' | 'absence' | 'other' }[];
  notificationChannels: string[];
}

export type ChannelVerification = 'verified' | 'unverified' | 'not needed';

export interface ChannelSummary {
  name: string;
  /** "email", "slack", "pubsub", … */
  type: string;
  displayName: string;
  /** What it reaches: the address, the Slack channel, the topic. */
  address: string;
  verification: ChannelVerification;
  enabled: boolean;
}

export interface IncidentSummary {
  name: string;
  state: 'OPEN' | 'CLOSED';
  openTime?: Date;
  closeTime?: Date;
  policyName: string;
  policyDisplayName: string;
  /** resource.labels.service_name, else the policy's mentor-service label. */
  service?: string;
  revision?: string;
  metricType: string;
}

export interface AlertsApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  /** All policies of the project (a project has few; filtering by service happens on our side). */
  listPolicies(): Promise<AlertPolicySummary[]>;
  createPolicy(body: AlertPolicyBody): Promise<AlertPolicySummary>;
  deletePolicy(name: string): Promise<void>;
  listChannels(): Promise<ChannelSummary[]>;
  createEmailChannel(address: string, displayName: string): Promise<ChannelSummary>;
  /** Google mails a code (like "G-123456") to the channel's address. */
  sendVerificationCode(channel: string): Promise<void>;
  /** Rejects with WrongVerificationCode when Google does not accept the code. */
  verifyChannel(channel: string, code: string): Promise<ChannelSummary>;
  /** Open incidents of the project: one REST call (`projects.alerts.list`, filter state="OPEN"). */
  listOpenIncidents(): Promise<IncidentSummary[]>;
  close(): Promise<void>;
}

/** The code typed was not the one mailed (or it expired): the flow asks again. */
export class WrongVerificationCode extends Error {
  constructor(readonly detail: string) {
    super('That code was not accepted.');
    this.name = 'WrongVerificationCode';
  }
}

export async function connectAlerts(target: MentorTarget): Promise<AlertsApi> {
  const { GoogleAlerts } = await import('./alertsClient');
  return GoogleAlerts.connect(target);
}
