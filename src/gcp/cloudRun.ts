// The narrow interface the rest of the extension uses for Cloud Run. The implementation (and the
// Google client libraries behind it) is loaded only when the first call is made.
import { RevisionSummary, ServiceSummary, TrafficTarget } from '../core/model';
import { MentorTarget } from '../core/settings';

export interface CloudRunApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  listServices(): Promise<ServiceSummary[]>;
  getService(serviceName: string): Promise<ServiceSummary>;
  listRevisions(serviceName: string): Promise<RevisionSummary[]>;
  /** Replaces the service's traffic split and waits for Cloud Run to apply it. */
  updateTraffic(serviceName: string, targets: TrafficTarget[]): Promise<ServiceSummary>;
  close(): Promise<void>;
}

export async function connectCloudRun(target: MentorTarget): Promise<CloudRunApi> {
  const { GoogleCloudRun } = await import('./cloudRunClient');
  return GoogleCloudRun.connect(target);
}
