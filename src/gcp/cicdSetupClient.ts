// CicdSetupApi over the official clients: Cloud Build v2 RepositoryManager (connections, repositories) and v1
// CloudBuild (triggers) from @google-cloud/cloudbuild, the Pub/Sub Admin PublisherClient from
// @google-cloud/pubsub-api, and IAM v1 REST for a service account's own policy. Each family is imported when
// a step first needs it (deep imports keep the other generated clients out of the bundle).
import type { CallOptions, ClientOptions } from 'google-gax';
import { UserFacingError } from '../core/errors';
import { MentorTarget, parseApiEndpoint } from '../core/settings';
import { CicdConnection, CicdRepository, CicdSetupApi, ConnectionStage, TriggerInfo, TriggerSpec } from './cicdSetupApi';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { ensureGoogleCredentials } from './credentials';
import { Code } from './errorMapping';
import { IamPolicy } from './setupApi';
import { restToGrpcError } from './setupMapping';

const REST_TIMEOUT_MS = 30_000;
const STAGES: Record<number, ConnectionStage> = { 0: 'STAGE_UNSPECIFIED', 1: 'PENDING_CREATE_APP', 2: 'PENDING_USER_OAUTH', 3: 'PENDING_INSTALL_APP', 10: 'COMPLETE' };

type Closable = { close(): Promise<void> };

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make().catch((error: unknown) => {
    made = undefined; // a failed start (no credentials yet) is retried on the next call
    throw error;
  }));
}

export class GoogleCicdSetupApi implements CicdSetupApi {
  private readonly callOptions: CallOptions;
  private readonly started: Closable[] = [];
  private readonly options;
  private readonly repositories;
  private readonly builds;
  private readonly publisher;
  private readonly iam;

  private constructor(private readonly target: MentorTarget, private readonly emulator: string | undefined, private readonly pubsubHost: string | undefined) {
    this.callOptions = callOptionsFor(emulator);
    this.options = lazy(async () => (await buildClientOptions(this.target)).options);
    this.repositories = lazy(async () => this.keep(new (await import('./cloudBuildV2Client')).RepositoryManagerClient(await this.options())));
    this.builds = lazy(async () => this.keep(new (await import('./cloudBuildV1Client')).CloudBuildClient(await this.options())));
    this.publisher = lazy(async () => this.keep(new (await import('./pubsubAdminClient')).PublisherClient(await this.pubsubOptions())));
    this.iam = lazy(async () => {
      const { iam_v1 } = await import('./iamRestClient');
      const auth = this.emulator ? undefined : await ensureGoogleCredentials();
      return new iam_v1.Iam({ rootUrl: this.emulator ? `http://${this.emulator}/` : 'https://iam.googleapis.com/', auth: auth as never, timeout: REST_TIMEOUT_MS });
    });
  }

  static async connect(target: MentorTarget, pubsubHost?: string): Promise<GoogleCicdSetupApi> {
    const local = parseApiEndpoint(target.apiEndpoint);
    return new GoogleCicdSetupApi(target, local ? `${local.host}:${local.port}` : undefined, pubsubHost?.trim() || undefined);
  }

  /** Pub/Sub is not part of Mentor's emulator: the standard PUBSUB_EMULATOR_HOST names Google's own emulator. */
  private async pubsubOptions(): Promise<ClientOptions> {
    if (this.pubsubHost) {
      const m = /^(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(this.pubsubHost);
      if (!m) throw new UserFacingError(`PUBSUB_EMULATOR_HOST "${this.pubsubHost}" is not host:port (for example 127.0.0.1:8085).`, 'configuration');
      const [{ grpc }, { PassThroughClient }] = await Promise.all([import('./gaxGrpc'), import('./googleAuthLibrary')]);
      return { apiEndpoint: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), sslCreds: grpc.credentials.createInsecure(),
        authClient: new PassThroughClient(), projectId: this.target.project };
    }
    if (this.emulator) {
      throw new UserFacingError(`Mentor talks to the emulator at ${this.emulator}, which does not serve Pub/Sub. Start Google's Pub/Sub emulator ` +
        '("gcloud beta emulators pubsub start") and set PUBSUB_EMULATOR_HOST to its host:port before starting VS Code.', 'configuration');
    }
    return this.options();
  }

  async listConnections(projectId: string, location: string): Promise<CicdConnection[]> {
    const out: CicdConnection[] = [];
    for await (const c of (await this.repositories()).listConnectionsAsync({ parent: `projects/${projectId}/locations/${location}` }, this.callOptions)) {
      out.push(toConnection(c));
    }
    return out;
  }

  async getConnection(name: string): Promise<CicdConnection | undefined> {
    try {
      const [c] = await (await this.repositories()).getConnection({ name }, this.callOptions);
      return toConnection(c);
    } catch (error) {
      if (hasCode(error, Code.NOT_FOUND)) return undefined;
      throw error;
    }
  }

  async createConnection(projectId: string, location: string, connectionId: string): Promise<CicdConnection> {
    const [operation] = await (await this.repositories()).createConnection(
      { parent: `projects/${projectId}/locations/${location}`, connectionId, connection: { githubConfig: {} } }, this.callOptions);
    const [connection] = await operation.promise();
    return toConnection(connection);
  }

  async listRepositories(connectionName: string): Promise<CicdRepository[]> {
    const out: CicdRepository[] = [];
    for await (const r of (await this.repositories()).listRepositoriesAsync({ parent: connectionName }, this.callOptions)) {
      out.push({ name: r.name ?? '', remoteUri: r.remoteUri ?? '' });
    }
    return out;
  }

  async createRepository(connectionName: string, repositoryId: string, remoteUri: string): Promise<CicdRepository> {
    const [operation] = await (await this.repositories()).createRepository(
      { parent: connectionName, repositoryId, repository: { remoteUri } }, this.callOptions);
    const [repository] = await operation.promise();
    return { name: repository.name ?? `${connectionName}/repositories/${repositoryId}`, remoteUri: repository.remoteUri ?? remoteUri };
  }

  async listTriggers(projectId: string, location: string): Promise<TriggerInfo[]> {
    const out: TriggerInfo[] = [];
    for await (const t of (await this.builds()).listBuildTriggersAsync({ parent: `projects/${projectId}/locations/${location}`, projectId }, this.callOptions)) {
      out.push(toTrigger(t));
    }
    return out;
  }

  async createTrigger(projectId: string, location: string, spec: TriggerSpec): Promise<TriggerInfo> {
    const [trigger] = await (await this.builds()).createBuildTrigger(
      { parent: `projects/${projectId}/locations/${location}`, projectId, trigger: fromSpec(spec) }, this.callOptions);
    return toTrigger(trigger);
  }

  async updateTrigger(resourceName: string, spec: TriggerSpec): Promise<TriggerInfo> {
    const [, projectId, , , , triggerId] = resourceName.split('/');
    // Only Mentor's fields, by mask: what Mentor does not manage (ignoredFiles, a filter, approval) stays as the user set it.
    const [trigger] = await (await this.builds()).updateBuildTrigger({
      projectId, triggerId, trigger: { ...fromSpec(spec), resourceName, id: triggerId },
      updateMask: { paths: ['description', 'repository_event_config', 'filename', 'service_account', 'substitutions', 'tags'] },
    }, this.callOptions);
    return toTrigger(trigger);
  }

  async getServiceAccountIamPolicy(projectId: string, email: string): Promise<IamPolicy> {
    try {
      const { data } = await (await this.iam()).projects.serviceAccounts.getIamPolicy({
        resource: `projects/${projectId}/serviceAccounts/${email}`, 'options.requestedPolicyVersion': 3 });
      return fromRestPolicy(data);
    } catch (error) {
      throw restToGrpcError(error);
    }
  }

  async setServiceAccountIamPolicy(projectId: string, email: string, policy: IamPolicy): Promise<IamPolicy> {
    try {
      const version = policy.bindings.some((b) => b.condition) ? 3 : (policy.version ?? 1);
      const { data } = await (await this.iam()).projects.serviceAccounts.setIamPolicy({
        resource: `projects/${projectId}/serviceAccounts/${email}`, requestBody: { policy: { ...policy, version } } });
      return fromRestPolicy(data);
    } catch (error) {
      throw restToGrpcError(error);
    }
  }

  async testServiceAccountPermissions(projectId: string, email: string, permissions: readonly string[]): Promise<string[]> {
    try {
      const { data } = await (await this.iam()).projects.serviceAccounts.testIamPermissions({
        resource: `projects/${projectId}/serviceAccounts/${email}`, requestBody: { permissions: [...permissions] } });
      return data.permissions ?? [];
    } catch (error) {
      throw restToGrpcError(error);
    }
  }

  async topicExists(projectId: string, topicId: string): Promise<boolean> {
    try {
      await (await this.publisher()).getTopic({ topic: `projects/${projectId}/topics/${topicId}` }, this.callOptions);
      return true;
    } catch (error) {
      if (hasCode(error, Code.NOT_FOUND)) return false;
      throw error;
    }
  }

  async createTopic(projectId: string, topicId: string): Promise<void> {
    try {
      await (await this.publisher()).createTopic({ name: `projects/${projectId}/topics/${topicId}` }, this.callOptions);
    } catch (error) {
      if (!hasCode(error, Code.ALREADY_EXISTS)) throw error; // created meanwhile: what we wanted
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.started.splice(0).map((c) => c.close()));
  }

  private keep<T extends Closable>(client: T): T {
    this.started.push(client);
    return client;
  }
}

interface RawConnection {
  name?: string | null;
  githubConfig?: unknown;
  installationState?: { stage?: unknown; message?: string | null; actionUri?: string | null } | null;
  disabled?: boolean | null;
}

/** Plain calls return enum names, operation results numbers: both become the name. */
export function toConnection(c: RawConnection): CicdConnection {
  const stage = c.installationState?.stage;
  return {
    name: c.name ?? '',
    github: Boolean(c.githubConfig),
    stage: typeof stage === 'number' ? (STAGES[stage] ?? 'STAGE_UNSPECIFIED') : ((stage as ConnectionStage | undefined) || 'STAGE_UNSPECIFIED'),
    message: c.installationState?.message ?? '',
    actionUri: c.installationState?.actionUri ?? '',
    disabled: Boolean(c.disabled),
  };
}

interface RawTrigger {
  id?: string | null;
  resourceName?: string | null;
  name?: string | null;
  description?: string | null;
  filename?: string | null;
  serviceAccount?: string | null;
  disabled?: boolean | null;
  substitutions?: Record<string, string> | null;
  tags?: string[] | null;
  repositoryEventConfig?: { repository?: string | null; push?: { branch?: string | null } | null } | null;
}

export function toTrigger(t: RawTrigger): TriggerInfo {
  return {
    id: t.id ?? '',
    resourceName: t.resourceName ?? '',
    name: t.name ?? '',
    description: t.description ?? '',
    repository: t.repositoryEventConfig?.repository ?? '',
    branch: t.repositoryEventConfig?.push?.branch ?? '',
    filename: t.filename ?? '',
    serviceAccount: t.serviceAccount ?? '',
    substitutions: { ...(t.substitutions ?? {}) },
    tags: [...(t.tags ?? [])],
    disabled: Boolean(t.disabled),
  };
}

export function fromSpec(spec: TriggerSpec) {
  return {
    name: spec.name, description: spec.description, filename: spec.filename, serviceAccount: spec.serviceAccount,
    substitutions: { ...spec.substitutions }, tags: [...spec.tags],
    repositoryEventConfig: { repository: spec.repository, push: { branch: spec.branch } },
  };
}

function fromRestPolicy(data: { version?: number | null; etag?: string | null; bindings?: { role?: string | null; members?: string[] | null;
  condition?: { expression?: string | null; title?: string | null; description?: string | null } | null }[] | null }): IamPolicy {
  return {
    version: data.version ?? undefined,
    etag: data.etag ?? undefined,
    bindings: (data.bindings ?? []).map((b) => ({
      role: b.role ?? '', members: [...(b.members ?? [])],
      ...(b.condition ? { condition: { expression: b.condition.expression ?? undefined, title: b.condition.title ?? undefined,
        description: b.condition.description ?? undefined } } : {}),
    })),
  };
}

function hasCode(error: unknown, ...codes: number[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: number }).code as number);
}
