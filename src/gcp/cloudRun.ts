// The narrow interface the rest of the extension uses for Cloud Run. The implementation (and the
// Google client libraries behind it) is loaded only when the first call is made.
import type { protos } from '@google-cloud/run';
import { RevisionSummary, ServiceSummary, TrafficTarget } from '../core/model';
import { MentorTarget } from '../core/settings';
import { markTimeline } from '../core/timeline';

export interface CloudRunApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  listServices(): Promise<ServiceSummary[]>;
  getService(serviceName: string): Promise<ServiceSummary>;
  listRevisions(serviceName: string): Promise<RevisionSummary[]>;
  /**
   * Replaces the service's traffic split and waits for Cloud Run to apply it. An abort stops the wait
   * (UserCancelledError); the change Cloud Run accepted still completes.
   */
  updateTraffic(serviceName: string, targets: TrafficTarget[], signal?: AbortSignal): Promise<ServiceSummary>;
  /** The service as Cloud Run holds it (for deploys that send it back changed), or undefined if none. */
  getServiceSpec(serviceName: string): Promise<RawService | undefined>;
  /**
   * Creates or replaces the service and waits for the operation; a failed revision rejects with its reason.
   * An abort stops the wait (UserCancelledError); what Cloud Run accepted still completes.
   */
  deployService(spec: RawService, create: boolean, signal?: AbortSignal): Promise<ServiceSummary>;
  getRevision(revisionName: string): Promise<RevisionSummary>;
  /** Whether allUsers holds roles/run.invoker. */
  isPublic(serviceName: string): Promise<boolean>;
  /** Grants or removes roles/run.invoker for allUsers; true when the policy changed. */
  setPublic(serviceName: string, makePublic: boolean): Promise<boolean>;
  close(): Promise<void>;
}

export type RawService = protos.google.cloud.run.v2.IService;

export async function connectCloudRun(target: MentorTarget): Promise<CloudRunApi> {
  const { GoogleCloudRun } = await import('./cloudRunClient');
  markTimeline('run.clientLoaded');
  return GoogleCloudRun.connect(target);
}
