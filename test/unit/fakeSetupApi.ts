// An in-memory SetupApi for the wizard's unit tests: projects, billing, APIs, repositories, service accounts
// (optionally invisible for a few reads after creation), IAM policies with etags, secrets. Every write is
// counted, so a test can say "a re-run changed nothing".
import { BillingAccountInfo, IamPolicy, ProjectInfo, ServiceAccountInfo, SetupApi, SignInStatus } from '../../src/gcp/setupApi';

export class FakeSetupApi implements SetupApi {
  signInStatus: SignInStatus = { signedIn: true, account: 'dev@example.com', quotaProject: 'q' };
  projects = new Map<string, ProjectInfo>();
  billing = new Map<string, string>();
  accounts: BillingAccountInfo[] = [{ name: 'billingAccounts/AAA', displayName: 'Main', open: true }];
  enabled = new Map<string, Set<string>>();
  repositories = new Map<string, string>();
  serviceAccounts = new Map<string, ServiceAccountInfo>();
  /** Reads of a new service account that still answer "not found". */
  serviceAccountLag = 0;
  private lagLeft = new Map<string, number>();
  policies = new Map<string, IamPolicy>();
  secrets = new Map<string, Uint8Array[]>();
  granted = new Set<string>(['run.services.create', 'run.services.update', 'run.services.setIamPolicy',
    'artifactregistry.repositories.uploadArtifacts', 'iam.serviceAccounts.actAs', 'secretmanager.versions.add',
    'secretmanager.secrets.setIamPolicy', 'cloudbuild.builds.create']);
  /** PERMISSION_DENIED answers for calls right after an enable. */
  deniedAfterEnable = 0;
  /** setIamPolicy calls that fail with ABORTED (someone else changed the policy). */
  policyConflicts = 0;
  writes: string[] = [];
  private etagCounter = 0;

  async signIn() { return this.signInStatus; }

  async searchProjects(query: string, pageToken?: string) {
    const all = [...this.projects.values()].filter((p) => !query || p.projectId.startsWith(query) || p.displayName.toLowerCase().startsWith(query.toLowerCase()));
    const start = Number(pageToken ?? 0);
    const page = all.slice(start, start + 50);
    return { projects: page, nextPageToken: start + 50 < all.length ? String(start + 50) : undefined };
  }

  async getProject(id: string) { return this.projects.get(id); }

  async createProject(projectId: string, displayName: string) {
    if (this.projects.has(projectId)) throw Object.assign(new Error('exists'), { code: 6 });
    this.writes.push(`createProject ${projectId}`);
    const project = { projectId, displayName, state: 'ACTIVE' };
    this.projects.set(projectId, project);
    return project;
  }

  async getProjectBilling(projectId: string) {
    const name = this.billing.get(projectId);
    const account = this.accounts.find((a) => a.name === name);
    return { billingAccountName: name, billingEnabled: Boolean(account?.open) };
  }

  async listBillingAccounts() { return this.accounts; }

  /** Accounts whose link Google refuses, with the error it answers. */
  linkRefusals = new Map<string, Error>();

  async linkBilling(projectId: string, name: string) {
    const refusal = this.linkRefusals.get(name);
    if (refusal) throw refusal;
    this.writes.push(`linkBilling ${projectId} ${name}`);
    this.billing.set(projectId, name);
    return this.getProjectBilling(projectId);
  }

  async enabledServices(projectId: string, services: readonly string[]) {
    this.denyIfJustEnabled();
    const enabled = this.enabled.get(projectId) ?? new Set();
    return new Set(services.filter((s) => enabled.has(s)));
  }

  async enableServices(projectId: string, services: readonly string[]) {
    this.writes.push(`enableServices ${services.join(',')}`);
    const enabled = this.enabled.get(projectId) ?? new Set();
    for (const s of services) enabled.add(s);
    this.enabled.set(projectId, enabled);
    this.deniedLeft = this.deniedAfterEnable;
  }

  private deniedLeft = 0;
  private denyIfJustEnabled() {
    if (this.deniedLeft > 0) {
      this.deniedLeft--;
      throw Object.assign(new Error('7 PERMISSION_DENIED: API not ready'), { code: 7 });
    }
  }

  async repositoryFormat(projectId: string, location: string, id: string) {
    this.denyIfJustEnabled();
    return this.repositories.get(`${projectId}/${location}/${id}`);
  }

  async createDockerRepository(projectId: string, location: string, id: string) {
    this.denyIfJustEnabled();
    this.writes.push(`createRepository ${id}`);
    this.repositories.set(`${projectId}/${location}/${id}`, 'DOCKER');
  }

  async getServiceAccount(_projectId: string, email: string) {
    const left = this.lagLeft.get(email) ?? 0;
    if (left > 0) {
      this.lagLeft.set(email, left - 1);
      return undefined;
    }
    return this.serviceAccounts.get(email);
  }

  async createServiceAccount(projectId: string, accountId: string, displayName: string) {
    const email = `${accountId}@${projectId}.iam.gserviceaccount.com`;
    this.writes.push(`createServiceAccount ${email}`);
    this.serviceAccounts.set(email, { email, displayName });
    this.lagLeft.set(email, this.serviceAccountLag);
    return { email, displayName };
  }

  async getProjectIamPolicy(projectId: string) { return this.policy(`projects/${projectId}`); }
  async setProjectIamPolicy(projectId: string, policy: IamPolicy) { return this.setPolicy(`projects/${projectId}`, policy); }

  async testProjectPermissions(_projectId: string, permissions: readonly string[]) { return permissions.filter((p) => this.granted.has(p)); }

  async secretExists(projectId: string, id: string) { return this.secrets.has(`${projectId}/${id}`); }

  async createSecret(projectId: string, id: string) {
    this.writes.push(`createSecret ${id}`);
    this.secrets.set(`${projectId}/${id}`, []);
  }

  async addSecretVersion(projectId: string, id: string, value: Uint8Array) {
    const versions = this.secrets.get(`${projectId}/${id}`);
    if (!versions) throw Object.assign(new Error('no secret'), { code: 5 });
    this.writes.push(`addSecretVersion ${id}`);
    versions.push(new Uint8Array(value)); // the real client sends a copy: the caller may zero its buffer afterwards
    return String(versions.length);
  }

  async getSecretIamPolicy(projectId: string, id: string) { return this.policy(`projects/${projectId}/secrets/${id}`); }
  async setSecretIamPolicy(projectId: string, id: string, policy: IamPolicy) { return this.setPolicy(`projects/${projectId}/secrets/${id}`, policy); }

  async close() {}

  private policy(resource: string): IamPolicy {
    const policy = this.policies.get(resource) ?? { version: 1, etag: `e${this.etagCounter++}`, bindings: [] };
    this.policies.set(resource, policy);
    return structuredClone(policy);
  }

  private setPolicy(resource: string, policy: IamPolicy): IamPolicy {
    const current = this.policy(resource);
    if (this.policyConflicts > 0) {
      this.policyConflicts--;
      // Someone else's change lands first: the etag moves on and ours is refused.
      this.policies.set(resource, { ...current, etag: `e${this.etagCounter++}`, bindings: [...current.bindings, { role: 'roles/viewer', members: ['user:other@example.com'] }] });
      throw Object.assign(new Error('10 ABORTED: There were concurrent policy changes.'), { code: 10 });
    }
    if (policy.etag !== current.etag) throw Object.assign(new Error('10 ABORTED: etag mismatch'), { code: 10 });
    this.writes.push(`setIamPolicy ${resource}`);
    const updated = { ...structuredClone(policy), etag: `e${this.etagCounter++}` };
    this.policies.set(resource, updated);
    return structuredClone(updated);
  }
}
