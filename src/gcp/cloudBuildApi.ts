// The narrow interface the build status features use for Cloud Build: builds as BuildSummary, nothing of
// the client. The implementation (and @google-cloud/cloudbuild behind it) loads on the first call.
import type { BuildSummary } from '../core/builds';
import type { MentorTarget } from '../core/settings';

export interface BuildsPage {
  /** Newest first (ListBuilds orders by create time, descending). */
  builds: BuildSummary[];
  nextPageToken?: string;
}

export interface CloudBuildApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  /**
   * Builds of the target's region (where the triggers run), filtered server-side with Cloud Build's
   * filter syntax, e.g. `tags="mentor"`.
   */
  listBuilds(filter: string, page?: { pageSize?: number; pageToken?: string }): Promise<BuildsPage>;
  /** A build by id or full name. */
  getBuild(idOrName: string): Promise<BuildSummary>;
  close(): Promise<void>;
}

export async function connectCloudBuild(target: MentorTarget): Promise<CloudBuildApi> {
  const { GoogleCloudBuild } = await import('./cloudBuildClient');
  return GoogleCloudBuild.connect(target);
}
