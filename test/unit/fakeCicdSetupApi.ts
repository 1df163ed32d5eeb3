// An in-memory CicdSetupApi for the continuous-deployment steps' unit tests: connections that move through
// Cloud Build's GitHub stages when the user "visits" their actionUri, repositories, triggers, service-account
// policies with etags (and optional conflicts), who may act as whom, and Pub/Sub topics. Every write is counted.
import { CicdConnection, CicdRepository, CicdSetupApi, TriggerInfo, TriggerSpec } from '../../src/gcp/cicdSetupApi';
import { IamPolicy } from '../../src/gcp/setupApi';

export class FakeCicdSetupApi implements CicdSetupApi {
  connections = new Map<string, CicdConnection>();
  repositories = new Map<string, CicdRepository[]>();
  triggers = new Map<string, TriggerInfo>();
  saPolicies = new Map<string, IamPolicy>();
  /** Service accounts the caller may act as (iam.serviceAccounts.actAs). */
  actAs = new Set<string>();
  actAsEveryone = true;
  topics = new Set<string>();
  /** setServiceAccountIamPolicy calls that fail with ABORTED (someone else changed the policy first). */
  saPolicyConflicts = 0;
  writes: string[] = [];
  visited: string[] = [];
  private etag = 0;
  private triggerIds = 0;

  /** What the user's browser does with an actionUri: OAuth first, then the app's installation. */
  visit(uri: string): void {
    this.visited.push(uri);
    for (const c of this.connections.values()) {
      if (c.actionUri !== uri) continue;
      if (c.stage === 'PENDING_USER_OAUTH') Object.assign(c, { stage: 'PENDING_INSTALL_APP', message: 'Install the Cloud Build GitHub app.', actionUri: `https://github.example/install?c=${c.name}` });
      else if (c.stage === 'PENDING_INSTALL_APP') Object.assign(c, { stage: 'COMPLETE', message: '', actionUri: '' });
    }
  }

  async listConnections(projectId: string, location: string) {
    return [...this.connections.values()].filter((c) => c.name.startsWith(`projects/${projectId}/locations/${location}/`)).map((c) => ({ ...c }));
  }

  async getConnection(name: string) {
    const c = this.connections.get(name);
    return c && { ...c };
  }

  async createConnection(projectId: string, location: string, connectionId: string) {
    const name = `projects/${projectId}/locations/${location}/connections/${connectionId}`;
    if (this.connections.has(name)) throw Object.assign(new Error('6 ALREADY_EXISTS: connection exists'), { code: 6 });
    this.writes.push(`createConnection ${connectionId}`);
    const connection: CicdConnection = { name, github: true, stage: 'PENDING_USER_OAUTH', message: 'Please log in to https://github.com using a robot account.',
      actionUri: `https://github.example/oauth?c=${name}`, disabled: false };
    this.connections.set(name, connection);
    return { ...connection };
  }

  async listRepositories(connection: string) {
    return (this.repositories.get(connection) ?? []).map((r) => ({ ...r }));
  }

  async createRepository(connection: string, id: string, remoteUri: string) {
    const list = this.repositories.get(connection) ?? [];
    const name = `${connection}/repositories/${id}`;
    if (list.some((r) => r.name === name)) throw Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6 });
    this.writes.push(`createRepository ${id} ${remoteUri}`);
    list.push({ name, remoteUri });
    this.repositories.set(connection, list);
    return { name, remoteUri };
  }

  async listTriggers(projectId: string, location: string) {
    return [...this.triggers.values()].filter((t) => t.resourceName.startsWith(`projects/${projectId}/locations/${location}/`)).map((t) => structuredClone(t));
  }

  async createTrigger(projectId: string, location: string, spec: TriggerSpec) {
    if ([...this.triggers.values()].some((t) => t.name === spec.name)) throw Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6 });
    const id = `trigger-${++this.triggerIds}`;
    const trigger: TriggerInfo = { ...structuredClone(spec), id, resourceName: `projects/${projectId}/locations/${location}/triggers/${id}`, disabled: false };
    this.writes.push(`createTrigger ${spec.name}`);
    this.triggers.set(trigger.resourceName, trigger);
    return structuredClone(trigger);
  }

  async updateTrigger(resourceName: string, spec: TriggerSpec) {
    const current = this.triggers.get(resourceName);
    if (!current) throw Object.assign(new Error('5 NOT_FOUND'), { code: 5 });
    this.writes.push(`updateTrigger ${spec.name}`);
    const updated = { ...current, ...structuredClone(spec) };
    this.triggers.set(resourceName, updated);
    return structuredClone(updated);
  }

  async getServiceAccountIamPolicy(_projectId: string, email: string) {
    return structuredClone(this.saPolicy(email));
  }

  async setServiceAccountIamPolicy(_projectId: string, email: string, policy: IamPolicy) {
    const current = this.saPolicy(email);
    if (this.saPolicyConflicts > 0) {
      this.saPolicyConflicts--;
      this.saPolicies.set(email, { ...current, etag: `sa${this.etag++}`, bindings: [...current.bindings, { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:other@example.com'] }] });
      throw Object.assign(new Error('10 ABORTED: There were concurrent policy changes.'), { code: 10 });
    }
    if (policy.etag !== current.etag) throw Object.assign(new Error('10 ABORTED: etag mismatch'), { code: 10 });
    this.writes.push(`setIamPolicy serviceAccount ${email}`);
    const updated = { ...structuredClone(policy), etag: `sa${this.etag++}` };
    this.saPolicies.set(email, updated);
    return structuredClone(updated);
  }

  async testServiceAccountPermissions(_projectId: string, email: string, permissions: readonly string[]) {
    return permissions.filter((p) => p === 'iam.serviceAccounts.actAs' && (this.actAsEveryone || this.actAs.has(email)));
  }

  async topicExists(projectId: string, topicId: string) { return this.topics.has(`projects/${projectId}/topics/${topicId}`); }

  async createTopic(projectId: string, topicId: string) {
    this.writes.push(`createTopic ${topicId}`);
    this.topics.add(`projects/${projectId}/topics/${topicId}`);
  }

  async close() {}

  private saPolicy(email: string): IamPolicy {
    const policy = this.saPolicies.get(email) ?? { version: 1, etag: `sa${this.etag++}`, bindings: [] };
    this.saPolicies.set(email, policy);
    return policy;
  }
}
