// SetupApi over the official clients. Each family (Resource Manager, Billing, Service Usage + Artifact
// Registry + Secret Manager, IAM REST) is imported when a step first needs it, so opening the wizard loads
// none of them. Credentials are resolved on first use too: "not signed in" is a step's answer, not a crash.
import type { AuthClient } from 'google-auth-library';
import type { CallOptions, ClientOptions } from 'google-gax';
import { UserFacingError } from '../core/errors';
import { MentorTarget, parseApiEndpoint } from '../core/settings';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { ensureGoogleCredentials } from './credentials';
import { Code } from './errorMapping';
import { BillingAccountInfo, IamPolicy, ProjectBilling, ProjectInfo, ProjectPage, ServiceAccountInfo, SetupApi, SignInStatus } from './setupApi';
import { fromGrpcPolicy, restToGrpcError, toGrpcPolicy } from './setupMapping';

/** Rows per page of the project chooser: enough to scan, few enough to load at once in an organisation with thousands. */
export const PROJECT_PAGE_SIZE = 50;
const REST_TIMEOUT_MS = 30_000;
const SERVICE_STATE_ENABLED = new Set<unknown>(['ENABLED', 2]);
const PROJECT_STATES: Record<number, string> = { 0: 'STATE_UNSPECIFIED', 1: 'ACTIVE', 2: 'DELETE_REQUESTED' };

type Lazy<T> = () => Promise<T>;

function lazy<T>(make: () => Promise<T>): Lazy<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make().catch((error: unknown) => {
    made = undefined; // a failed start (no credentials yet) is retried on the next call
    throw error;
  }));
}

type Closable = { close(): Promise<void> };

export class GoogleSetupApi implements SetupApi {
  private readonly callOptions: CallOptions;
  private readonly started: Closable[] = [];
  private readonly options: Lazy<ClientOptions>;
  private readonly projects;
  private readonly billing;
  private readonly deployApis;
  private readonly iam;

  private constructor(private readonly target: MentorTarget, private readonly emulator: string | undefined) {
    this.callOptions = callOptionsFor(emulator);
    this.options = lazy(async () => (await buildClientOptions(this.target)).options);
    this.projects = lazy(async () => this.keep(new (await import('./resourceManagerClient')).ProjectsClient(await this.options())));
    this.billing = lazy(async () => this.keep(new (await import('./billingClient')).CloudBillingClient(await this.options())));
    this.deployApis = lazy(async () => {
      const [m, options] = await Promise.all([import('./deployApiClients'), this.options()]);
      return { usage: this.keep(new m.ServiceUsageClient(options)), registry: this.keep(new m.ArtifactRegistryClient(options)),
        secrets: this.keep(new m.SecretManagerServiceClient(options)) };
    });
    this.iam = lazy(async () => {
      const { iam_v1 } = await import('./iamRestClient');
      // The emulator serves REST on its gRPC port, without credentials; Google gets the ADC client checked first.
      const auth = this.emulator ? undefined : await ensureGoogleCredentials();
      return new iam_v1.Iam({ rootUrl: this.emulator ? `http://${this.emulator}/` : 'https://iam.googleapis.com/', auth: auth as never, timeout: REST_TIMEOUT_MS });
    });
  }

  static async connect(target: MentorTarget): Promise<GoogleSetupApi> {
    const local = parseApiEndpoint(target.apiEndpoint);
    return new GoogleSetupApi(target, local ? `${local.host}:${local.port}` : undefined);
  }

  async signIn(): Promise<SignInStatus> {
    if (this.emulator) return { signedIn: true, emulator: this.emulator };
    let client: AuthClient;
    try {
      client = await ensureGoogleCredentials();
    } catch (error) {
      return { signedIn: false, problem: error instanceof UserFacingError ? (error.detail ?? error.message) : (error as Error).message };
    }
    const named = client as { email?: string; quotaProjectId?: string };
    return { signedIn: true, account: named.email, quotaProject: named.quotaProjectId };
  }

  async searchProjects(query: string, pageToken?: string): Promise<ProjectPage> {
    // Project IDs are [a-z0-9-]; a display name may have more, but a prefix of letters and digits finds it.
    const term = query.trim().replace(/[^A-Za-z0-9-]/g, '');
    const [projects, , response] = await (await this.projects()).searchProjects(
      { query: term ? `id:${term}* name:${term}*` : '', pageSize: PROJECT_PAGE_SIZE, pageToken: pageToken ?? '' }, this.callOptions);
    return { projects: projects.map(toProjectInfo), nextPageToken: response?.nextPageToken || undefined };
  }

  async getProject(projectId: string): Promise<ProjectInfo | undefined> {
    try {
      const [project] = await (await this.projects()).getProject({ name: `projects/${projectId}` }, this.callOptions);
      return toProjectInfo(project);
    } catch (error) {
      // Google answers PERMISSION_DENIED for a project that does not exist, so as not to reveal which IDs are taken.
      if (hasCode(error, Code.NOT_FOUND, Code.PERMISSION_DENIED)) return undefined;
      throw error;
    }
  }

  async createProject(projectId: string, displayName: string): Promise<ProjectInfo> {
    const [operation] = await (await this.projects()).createProject({ project: { projectId, displayName } }, this.callOptions);
    const [project] = await operation.promise();
    return toProjectInfo(project);
  }

  // The request's name is the project's ("projects/ID"); the http rule adds "/billingInfo" itself.
  async getProjectBilling(projectId: string): Promise<ProjectBilling> {
    const [info] = await (await this.billing()).getProjectBillingInfo({ name: `projects/${projectId}` }, this.callOptions);
    return { billingAccountName: info.billingAccountName || undefined, billingEnabled: Boolean(info.billingEnabled) };
  }

  async listBillingAccounts(): Promise<BillingAccountInfo[]> {
    const accounts: BillingAccountInfo[] = [];
    for await (const account of (await this.billing()).listBillingAccountsAsync({ pageSize: 100 }, this.callOptions)) {
      accounts.push({ name: account.name ?? '', displayName: account.displayName ?? '', open: Boolean(account.open) });
    }
    return accounts;
  }

  async linkBilling(projectId: string, billingAccountName: string): Promise<ProjectBilling> {
    const [info] = await (await this.billing()).updateProjectBillingInfo(
      { name: `projects/${projectId}`, projectBillingInfo: { billingAccountName } }, this.callOptions);
    return { billingAccountName: info.billingAccountName || undefined, billingEnabled: Boolean(info.billingEnabled) };
  }

  async enabledServices(projectId: string, services: readonly string[]): Promise<Set<string>> {
    const [response] = await (await this.deployApis()).usage.batchGetServices(
      { parent: `projects/${projectId}`, names: services.map((s) => `projects/${projectId}/services/${s}`) }, this.callOptions);
    return new Set((response.services ?? []).filter((s) => SERVICE_STATE_ENABLED.has(s.state))
      .map((s) => s.config?.name || s.name?.split('/').pop() || ''));
  }

  async enableServices(projectId: string, services: readonly string[]): Promise<void> {
    const [operation] = await (await this.deployApis()).usage.batchEnableServices(
      { parent: `projects/${projectId}`, serviceIds: [...services] }, this.callOptions);
    await operation.promise();
  }

  async repositoryFormat(projectId: string, location: string, repositoryId: string): Promise<string | undefined> {
    try {
      const [repository] = await (await this.deployApis()).registry.getRepository(
        { name: `projects/${projectId}/locations/${location}/repositories/${repositoryId}` }, this.callOptions);
      const format = repository.format;
      return typeof format === 'number' ? (format === 1 ? 'DOCKER' : String(format)) : (format ?? 'FORMAT_UNSPECIFIED');
    } catch (error) {
      if (hasCode(error, Code.NOT_FOUND)) return undefined;
      throw error;
    }
  }

  async createDockerRepository(projectId: string, location: string, repositoryId: string): Promise<void> {
    try {
      const [operation] = await (await this.deployApis()).registry.createRepository({
        parent: `projects/${projectId}/locations/${location}`, repositoryId,
        repository: { format: 'DOCKER', description: 'Container images deployed to Cloud Run by Mentor' },
      }, this.callOptions);
      await operation.promise();
    } catch (error) {
      if (!hasCode(error, Code.ALREADY_EXISTS)) throw error; // created meanwhile: what we wanted
    }
  }

  async getServiceAccount(projectId: string, email: string): Promise<ServiceAccountInfo | undefined> {
    try {
      const { data } = await (await this.iam()).projects.serviceAccounts.get({ name: `projects/${projectId}/serviceAccounts/${email}` });
      return { email: data.email ?? email, displayName: data.displayName ?? undefined };
    } catch (error) {
      const mapped = restToGrpcError(error);
      if (mapped.code === Code.NOT_FOUND) return undefined;
      throw mapped;
    }
  }

  async createServiceAccount(projectId: string, accountId: string, displayName: string): Promise<ServiceAccountInfo> {
    try {
      const { data } = await (await this.iam()).projects.serviceAccounts.create({
        name: `projects/${projectId}`, requestBody: { accountId, serviceAccount: { displayName } } });
      return { email: data.email ?? `${accountId}@${projectId}.iam.gserviceaccount.com`, displayName: data.displayName ?? undefined };
    } catch (error) {
      const mapped = restToGrpcError(error);
      if (mapped.code === Code.ALREADY_EXISTS) return { email: `${accountId}@${projectId}.iam.gserviceaccount.com`, displayName };
      throw mapped;
    }
  }

  async getProjectIamPolicy(projectId: string): Promise<IamPolicy> {
    const [policy] = await (await this.projects()).getIamPolicy(
      { resource: `projects/${projectId}`, options: { requestedPolicyVersion: 3 } }, this.callOptions);
    return fromGrpcPolicy(policy);
  }

  async setProjectIamPolicy(projectId: string, policy: IamPolicy): Promise<IamPolicy> {
    const [updated] = await (await this.projects()).setIamPolicy({ resource: `projects/${projectId}`, policy: toGrpcPolicy(policy) }, this.callOptions);
    return fromGrpcPolicy(updated);
  }

  async testProjectPermissions(projectId: string, permissions: readonly string[]): Promise<string[]> {
    const [response] = await (await this.projects()).testIamPermissions({ resource: `projects/${projectId}`, permissions: [...permissions] }, this.callOptions);
    return response.permissions ?? [];
  }

  async secretExists(projectId: string, secretId: string): Promise<boolean> {
    try {
      await (await this.deployApis()).secrets.getSecret({ name: `projects/${projectId}/secrets/${secretId}` }, this.callOptions);
      return true;
    } catch (error) {
      if (hasCode(error, Code.NOT_FOUND)) return false;
      throw error;
    }
  }

  async createSecret(projectId: string, secretId: string): Promise<void> {
    try {
      await (await this.deployApis()).secrets.createSecret(
        { parent: `projects/${projectId}`, secretId, secret: { replication: { automatic: {} } } }, this.callOptions);
    } catch (error) {
      if (!hasCode(error, Code.ALREADY_EXISTS)) throw error;
    }
  }

  async addSecretVersion(projectId: string, secretId: string, value: Uint8Array): Promise<string> {
    const [version] = await (await this.deployApis()).secrets.addSecretVersion(
      { parent: `projects/${projectId}/secrets/${secretId}`, payload: { data: Buffer.from(value) } }, this.callOptions);
    return version.name?.split('/').pop() ?? 'latest';
  }

  async getSecretIamPolicy(projectId: string, secretId: string): Promise<IamPolicy> {
    const [policy] = await (await this.deployApis()).secrets.getIamPolicy({ resource: `projects/${projectId}/secrets/${secretId}` }, this.callOptions);
    return fromGrpcPolicy(policy);
  }

  async setSecretIamPolicy(projectId: string, secretId: string, policy: IamPolicy): Promise<IamPolicy> {
    const [updated] = await (await this.deployApis()).secrets.setIamPolicy(
      { resource: `projects/${projectId}/secrets/${secretId}`, policy: toGrpcPolicy(policy) }, this.callOptions);
    return fromGrpcPolicy(updated);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.started.splice(0).map((c) => c.close()));
  }

  private keep<T extends Closable>(client: T): T {
    this.started.push(client);
    return client;
  }
}

function toProjectInfo(project: { projectId?: string | null; displayName?: string | null; state?: unknown }): ProjectInfo {
  const state = typeof project.state === 'number' ? (PROJECT_STATES[project.state] ?? String(project.state)) : String(project.state || 'ACTIVE');
  return { projectId: project.projectId ?? '', displayName: project.displayName ?? '', state };
}

function hasCode(error: unknown, ...codes: number[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: number }).code as number);
}
