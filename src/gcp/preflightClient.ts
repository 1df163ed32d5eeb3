// PreflightApi over the official Service Usage, Artifact Registry and Secret Manager v1 clients. Deep
// imports of the generated clients keep the bundle to what we use (each package index pulls in every
// API version it ships).
import { ServiceUsageClient } from '@google-cloud/service-usage/build/src/v1/service_usage_client';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry/build/src/v1/artifact_registry_client';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager/build/src/v1/secret_manager_service_client';
import type { CallOptions } from 'google-gax';
import { UserFacingError } from '../core/errors';
import { MentorTarget } from '../core/settings';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { Code, toUserFacingError } from './errorMapping';
import { PreflightApi } from './preflightApi';

/** ListServices allows at most 200 per page. */
const PAGE_SIZE = 200;

/** Enum names for clients that hand back numbers (the generated clients usually return the names). */
const REPOSITORY_FORMATS: Record<number, string> = {
  0: 'FORMAT_UNSPECIFIED', 1: 'DOCKER', 2: 'MAVEN', 3: 'NPM', 5: 'APT', 6: 'YUM', 8: 'PYTHON', 9: 'KFP', 10: 'GO', 11: 'GENERIC', 12: 'RUBY',
};
/** versionState of a version that does not exist (not a Secret Manager state). */
export const VERSION_NOT_FOUND = 'NOT_FOUND';
const VERSION_STATES: Record<number, string> = { 0: 'STATE_UNSPECIFIED', 1: 'ENABLED', 2: 'DISABLED', 3: 'DESTROYED' };

/** Which API a call went to and the role that lets a deployer make it: for messages the Cloud Run mapping cannot give. */
export interface ApiContext {
  api: string;
  title: string;
  role: string;
}

export const SERVICE_USAGE: ApiContext = { api: 'serviceusage.googleapis.com', title: 'Service Usage API', role: 'Service Usage Viewer (roles/serviceusage.serviceUsageViewer)' };
export const ARTIFACT_REGISTRY: ApiContext = { api: 'artifactregistry.googleapis.com', title: 'Artifact Registry API', role: 'Artifact Registry Reader (roles/artifactregistry.reader)' };
export const SECRET_MANAGER: ApiContext = { api: 'secretmanager.googleapis.com', title: 'Secret Manager API', role: 'Secret Manager Viewer (roles/secretmanager.viewer)' };

export class GooglePreflight implements PreflightApi {
  private readonly callOptions: CallOptions;

  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly serviceUsage: ServiceUsageClient,
    private readonly artifactRegistry: ArtifactRegistryClient,
    private readonly secretManager: SecretManagerServiceClient,
  ) {
    this.callOptions = callOptionsFor(endpoint);
  }

  static async connect(target: MentorTarget): Promise<GooglePreflight> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GooglePreflight(target, endpoint, new ServiceUsageClient(options), new ArtifactRegistryClient(options),
      new SecretManagerServiceClient(options));
  }

  async enabledServices(): Promise<Set<string>> {
    return this.call(SERVICE_USAGE, `list the enabled APIs of project ${this.target.project}`, async () => {
      const enabled = new Set<string>();
      const request = { parent: `projects/${this.target.project}`, filter: 'state:ENABLED', pageSize: PAGE_SIZE };
      for await (const service of this.serviceUsage.listServicesAsync(request, this.callOptions)) {
        // name is projects/NUMBER/services/run.googleapis.com; config.name is the bare service name
        const name = service.config?.name || service.name?.split('/').pop();
        if (name) enabled.add(name);
      }
      return enabled;
    });
  }

  async repository(location: string, repository: string): Promise<{ exists: boolean; format?: string }> {
    const name = `projects/${this.target.project}/locations/${location}/repositories/${repository}`;
    return this.call(ARTIFACT_REGISTRY, `check the Artifact Registry repository ${repository} in ${location}`, async () => {
      try {
        const [found] = await this.artifactRegistry.getRepository({ name }, this.callOptions);
        return { exists: true, format: enumName(found.format, REPOSITORY_FORMATS) };
      } catch (error) {
        if (isNotFound(error)) return { exists: false };
        throw error;
      }
    });
  }

  async secret(secret: string, version: string): Promise<{ exists: boolean; versionState?: string }> {
    const secretName = secret.startsWith('projects/') ? secret.replace(/\/versions\/[^/]+$/, '') : `projects/${this.target.project}/secrets/${secret}`;
    const short = secretName.split('/').pop() ?? secret;
    return this.call(SECRET_MANAGER, `check the secret ${short} (version ${version})`, async () => {
      try {
        await this.secretManager.getSecret({ name: secretName }, this.callOptions);
      } catch (error) {
        if (isNotFound(error)) return { exists: false };
        throw error;
      }
      try {
        const [found] = await this.secretManager.getSecretVersion({ name: `${secretName}/versions/${version}` }, this.callOptions);
        return { exists: true, versionState: enumName(found.state, VERSION_STATES) };
      } catch (error) {
        if (isNotFound(error)) return { exists: true, versionState: VERSION_NOT_FOUND };
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.serviceUsage.close(), this.artifactRegistry.close(), this.secretManager.close()]);
  }

  private async call<T>(api: ApiContext, action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw preflightError(error, api, action, this.target.project, this.endpoint);
    }
  }
}

/**
 * The shared mapping names the Cloud Run API and role; for these three APIs a disabled API or a missing
 * permission must name the right ones. Everything else goes through the shared mapping.
 */
export function preflightError(error: unknown, api: ApiContext, action: string, project: string, endpoint?: string): UserFacingError {
  if (error instanceof UserFacingError) return error;
  const e = (error ?? {}) as { code?: unknown; reason?: string; details?: string; message?: string; errorInfoMetadata?: Record<string, string> };
  const detail = (e.details || e.message || '').replace(/^\d+ [A-Z_]+: /, '').trim();
  if (e.reason === 'SERVICE_DISABLED' || /has not been used in project|is disabled/i.test(detail)) {
    const disabled = e.errorInfoMetadata?.service || api.api;
    const url = e.errorInfoMetadata?.activationUrl ?? `https://console.cloud.google.com/apis/library/${disabled}?project=${project}`;
    return new UserFacingError(`Cannot ${action}: ${disabled} is not enabled in project ${project}.`, 'apiDisabled',
      [{ kind: 'openUrl', label: 'Enable API', url },
        { kind: 'copyText', label: 'Copy gcloud Command', text: `gcloud services enable ${disabled} --project ${project}` },
        { kind: 'retry', label: 'Retry' }], detail);
  }
  if (e.code === Code.PERMISSION_DENIED) {
    return new UserFacingError(`Permission denied to ${action} in project ${project}. You need a role such as ${api.role}. ${detail}`.trim(),
      'permissionDenied',
      [{ kind: 'openUrl', label: 'Open IAM', url: `https://console.cloud.google.com/iam-admin/iam?project=${project}` },
        { kind: 'openSettings', label: 'Change Project', setting: 'mentor.project' }], detail);
  }
  return toUserFacingError(error, { action, endpoint, project });
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === Code.NOT_FOUND;
}

function enumName(value: unknown, names: Record<number, string>): string | undefined {
  if (typeof value === 'number') return names[value] ?? String(value);
  return typeof value === 'string' && value ? value : undefined;
}
