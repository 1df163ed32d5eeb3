// CloudBuildApi over the official generated Cloud Build v1 client. The deep import keeps the chunk to this
// one client (the package index also loads the v2 repository manager).
import { CloudBuildClient } from '@google-cloud/cloudbuild/build/src/v1/cloud_build_client';
import type { CallOptions } from 'google-gax';
import { RawBuild, toBuildSummary, BuildSummary } from '../core/builds';
import { MentorTarget } from '../core/settings';
import { BuildsPage, CloudBuildApi } from './cloudBuildApi';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { toUserFacingError } from './errorMapping';

const MAX_PAGE_SIZE = 50;

export class GoogleCloudBuild implements CloudBuildApi {
  private readonly callOptions: CallOptions;

  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly client: CloudBuildClient,
  ) {
    this.callOptions = callOptionsFor(endpoint);
  }

  static async connect(target: MentorTarget): Promise<GoogleCloudBuild> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GoogleCloudBuild(target, endpoint, new CloudBuildClient(options));
  }

  /** Triggers are regional (2nd-gen repositories), so their builds live in the target's region. */
  private get parent(): string {
    return `projects/${this.target.project}/locations/${this.target.region}`;
  }

  async listBuilds(filter: string, page: { pageSize?: number; pageToken?: string } = {}): Promise<BuildsPage> {
    return this.call('list Cloud Build builds', async () => {
      const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, page.pageSize ?? 20));
      const [builds, , response] = await this.client.listBuilds(
        { parent: this.parent, projectId: this.target.project, filter, pageSize, pageToken: page.pageToken }, this.callOptions);
      const now = new Date();
      return {
        builds: builds.map((raw) => toBuildSummary(raw as RawBuild, now)),
        nextPageToken: response?.nextPageToken || undefined,
      };
    });
  }

  async getBuild(idOrName: string): Promise<BuildSummary> {
    const name = idOrName.includes('/') ? idOrName : `${this.parent}/builds/${idOrName}`;
    return this.call(`get build ${name.split('/').pop()}`, async () => {
      const [raw] = await this.client.getBuild({ name, projectId: this.target.project, id: name.split('/').pop() }, this.callOptions);
      return toBuildSummary(raw as RawBuild);
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private async call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toUserFacingError(error, { action, endpoint: this.endpoint, project: this.target.project, api: CLOUD_BUILD_API });
    }
  }
}

const CLOUD_BUILD_API = { title: 'Cloud Build API', service: 'cloudbuild.googleapis.com', role: 'Cloud Build Viewer (roles/cloudbuild.builds.viewer)' };
