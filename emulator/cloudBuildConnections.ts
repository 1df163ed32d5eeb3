// Cloud Build v2 RepositoryManager: connections to GitHub and the repositories linked through them. GitHub
// itself is played by this machine: a new connection waits in PENDING_USER_OAUTH with an actionUri that is a
// page of the emulator (/_emulator/github/oauth); opening it, as the user's browser would, authorizes
// (PENDING_INSTALL_APP, next actionUri /_emulator/github/install) and opening that installs the app
// (COMPLETE). A repository's remoteUri is its clone URL; a local git repository (absolute path or file://)
// stands in for github.com and is what the push watcher fires triggers from.
import { randomBytes, randomUUID } from 'node:crypto';
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from './apiError';
import type { Operation } from './apiTypes';
import { etagFor } from './cloudRunRules';
import type { OperationStore } from './operations';
import { paginate } from './pagination';
import { resolveProject } from './projects';
import type { LoadedProtos } from './protos';
import type { RestHandler } from './restTypes';
import type { CloudBuildData, StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

type Message = Record<string, unknown> & { name: string };
interface InstallationState { stage: string; message?: string; actionUri?: string }

/** connection_id / repository_id: "alphanumeric characters and any of -._~%!$&'()*+,;=@" (the proto). */
const RESOURCE_ID = /^[A-Za-z0-9\-._~%!$&'()*+,;=@]{1,63}$/;
const LIST_LIMITS = { defaultSize: 50, maxSize: 1000 };
const CONNECTION_TYPE = 'google.devtools.cloudbuild.v2.Connection';
const REPOSITORY_TYPE = 'google.devtools.cloudbuild.v2.Repository';
const OAUTH_MESSAGE = 'Please log in to https://github.com using a robot account and then follow this link to authorize Cloud Build to access that account. After authorization, your GitHub authorization token will be stored in Cloud Secret Manager.';
const INSTALL_MESSAGE = 'Please finish installing Cloud Build on GitHub by following this link.';
const READ_TOKEN_TTL_MS = 3600_000;

function page(title: string, body: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(body)}</p></body></html>`;
}

export class CloudBuildConnections {
  /** "http://HOST:PORT" of the REST port, where the GitHub stand-in's pages are (set once it listens). */
  publicBase = 'http://127.0.0.1';

  constructor(private readonly deps: {
    state: StateStore; operations: OperationStore; protos: LoadedProtos;
    /** Called when a repository is linked (the push watcher takes its baseline). */
    linked?(remoteUri: string): void;
    /** Clone URLs FetchLinkableRepositories offers besides the ones already linked. */
    linkable?: () => string[];
    /** Keeps the GitHub OAuth token in Secret Manager, where Cloud Build stores it on authorization. */
    storeOAuthToken?(project: string, secretId: string, token: string): void;
  }) {}

  private get data(): CloudBuildData {
    return this.deps.state.data.cloudBuild;
  }

  private normalize(name: string | undefined, what: string, pattern: RegExp): string {
    const m = pattern.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid ${what} "${name ?? ''}".`);
    return (name as string).replace(/^projects\/[^/]+/, `projects/${resolveProject(this.deps.state.data, m[1])}`);
  }

  private operation(parent: string, target: string, verb: string, finish: () => { response?: unknown; type?: string; error?: { code: number; message: string } }): Operation {
    const { protos, operations } = this.deps;
    const location = /^projects\/[^/]+\/locations\/[^/]+/.exec(parent)?.[0] ?? parent;
    const metadata = { createTime: nowTimestamp(), target, verb, apiVersion: 'v2' };
    return operations.start(location, protos.pack('google.devtools.cloudbuild.v2.OperationMetadata', metadata), () => {
      const outcome = finish();
      if (outcome.error) return { error: outcome.error };
      return { response: protos.pack(outcome.type ?? 'google.protobuf.Empty', (outcome.response ?? {}) as object) };
    });
  }

  // ---- connections ----

  createConnection(req: { parent?: string; connection?: Message; connectionId?: string }): Operation {
    const parent = this.normalize(req.parent, 'parent', /^projects\/([^/]+)\/locations\/[^/]+$/);
    if (!req.connection) throw invalidArgument('connection is required.');
    const id = req.connectionId ?? '';
    if (!RESOURCE_ID.test(id)) throw invalidArgument(`Invalid connection_id "${id}": use 1-63 alphanumeric characters or any of -._~%!$&'()*+,;=@.`);
    const github = req.connection.githubConfig as { authorizerCredential?: { oauthTokenSecretVersion?: string }; appInstallationId?: string } | undefined;
    if (!github) throw invalidArgument('connection must have github_config: the emulator models GitHub connections (github.com) only.');
    const name = `${parent}/connections/${id}`;
    if (this.data.connections[name]) throw alreadyExists(`connection "${name}" already exists`);
    const now = nowTimestamp();
    const connection: Message = {
      ...structuredClone(req.connection), name, createTime: now, updateTime: now, uid: randomUUID(), reconciling: false,
      annotations: req.connection.annotations ?? {}, disabled: req.connection.disabled ?? false,
    };
    const hasToken = Boolean(github.authorizerCredential?.oauthTokenSecretVersion);
    connection.installationState = !hasToken ? this.oauthState(name) : github.appInstallationId ? { stage: 'COMPLETE' } : this.installState(name);
    connection.etag = etagFor(name, JSON.stringify(connection));
    return this.operation(parent, name, 'create', () => {
      if (this.data.connections[name]) return { error: { code: 6, message: `connection "${name}" already exists` } };
      this.data.connections[name] = connection;
      this.deps.state.changed();
      return { type: CONNECTION_TYPE, response: connection };
    });
  }

  private oauthState(name: string): InstallationState {
    return { stage: 'PENDING_USER_OAUTH', message: OAUTH_MESSAGE, actionUri: `${this.publicBase}/_emulator/github/oauth?connection=${encodeURIComponent(name)}` };
  }

  private installState(name: string): InstallationState {
    return { stage: 'PENDING_INSTALL_APP', message: INSTALL_MESSAGE, actionUri: `${this.publicBase}/_emulator/github/install?connection=${encodeURIComponent(name)}` };
  }

  getConnection(req: { name?: string }): Message {
    return structuredClone(this.connection(req.name));
  }

  private connection(ref: string | undefined): Message {
    const name = this.normalize(ref, 'connection name', /^projects\/([^/]+)\/locations\/[^/]+\/connections\/[^/]+$/);
    const found = this.data.connections[name];
    if (!found) throw notFound(`connection "${name}" not found`);
    return found as Message;
  }

  listConnections(req: { parent?: string; pageSize?: number; pageToken?: string }): { connections: Message[]; nextPageToken: string } {
    const parent = this.normalize(req.parent, 'parent', /^projects\/([^/]+)\/locations\/[^/]+$/);
    const names = Object.keys(this.data.connections).filter((n) => n.startsWith(`${parent}/connections/`)).sort();
    const p = paginate(names, req, `connections:${parent}`, LIST_LIMITS);
    return { connections: p.items.map((n) => structuredClone(this.data.connections[n]) as Message), nextPageToken: p.nextPageToken };
  }

  updateConnection(req: { connection?: Message; updateMask?: { paths?: string[] }; etag?: string }): Operation {
    const current = this.connection(req.connection?.name);
    const etag = req.etag || (req.connection?.etag as string | undefined);
    if (etag && etag !== current.etag) throw aborted(`the etag "${etag}" does not match the connection's current etag; read it again`);
    const paths = req.updateMask?.paths?.length ? req.updateMask.paths : ['github_config', 'disabled', 'annotations'];
    const updated: Message = structuredClone(current);
    for (const p of paths) {
      const field = p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      if (!['githubConfig', 'disabled', 'annotations'].includes(field)) throw invalidArgument(`update_mask path "${p}" cannot be updated`);
      updated[field] = structuredClone(req.connection?.[field]);
    }
    updated.updateTime = nowTimestamp();
    updated.etag = etagFor(current.name, JSON.stringify(updated));
    return this.operation(current.name, current.name, 'update', () => {
      this.data.connections[current.name] = updated;
      this.deps.state.changed();
      return { type: CONNECTION_TYPE, response: updated };
    });
  }

  deleteConnection(req: { name?: string; etag?: string }): Operation {
    const current = this.connection(req.name);
    if (req.etag && req.etag !== current.etag) throw aborted(`the etag "${req.etag}" does not match the connection's current etag`);
    return this.operation(current.name, current.name, 'delete', () => {
      delete this.data.connections[current.name];
      for (const repo of Object.keys(this.data.repositories)) if (repo.startsWith(`${current.name}/repositories/`)) delete this.data.repositories[repo];
      this.deps.state.changed();
      return {};
    });
  }

  /** The GitHub stand-in's pages: each GET moves the connection one stage on, as the user's browser would. */
  readonly pages: RestHandler = async (request) => {
    const m = /^\/_emulator\/github\/(oauth|install)$/.exec(request.path);
    if (!m || request.method !== 'GET') return undefined;
    const name = request.query.get('connection') ?? '';
    const connection = this.data.connections[name] as Message | undefined;
    if (!connection) return { status: 404, json: {}, html: page('Not found', `There is no connection "${name}".`) };
    const state = connection.installationState as InstallationState;
    const github = (connection.githubConfig ??= {}) as Record<string, unknown>;
    if (m[1] === 'oauth' && state.stage === 'PENDING_USER_OAUTH') {
      const [, project] = /^projects\/([^/]+)/.exec(name) ?? [];
      const secretId = `${name.split('/').pop() as string}-github-oauthtoken-${randomBytes(3).toString('hex')}`;
      try {
        this.deps.storeOAuthToken?.(project, secretId, `gho_emulator${randomBytes(16).toString('hex')}`);
      } catch {
        // the connection works without it; only the secret is missing then
      }
      github.authorizerCredential = { oauthTokenSecretVersion: `projects/${project}/secrets/${secretId}/versions/latest`, username: 'mentor-emulator-robot' };
      connection.installationState = this.installState(name);
    } else if (m[1] === 'install' && state.stage === 'PENDING_INSTALL_APP') {
      github.appInstallationId = String(10_000_000 + (randomBytes(3).readUIntBE(0, 3) % 89_999_999));
      connection.installationState = { stage: 'COMPLETE' };
    } else {
      return { status: 200, json: {}, html: page('Nothing to do', `The connection is at stage ${state.stage}.`) };
    }
    connection.updateTime = nowTimestamp();
    connection.etag = etagFor(name, JSON.stringify(connection));
    this.deps.state.changed();
    const stage = (connection.installationState as InstallationState).stage;
    return stage === 'COMPLETE'
      ? { status: 200, json: {}, html: page('Connected', 'Cloud Build is installed on GitHub for this connection. You can close this page.') }
      : { status: 200, json: {}, html: page('Authorized', 'GitHub authorized Cloud Build. Next: install the Cloud Build app.') };
  };

  // ---- repositories ----

  createRepository(req: { parent?: string; repository?: Message; repositoryId?: string }): Operation {
    const connection = this.connection(req.parent);
    const stage = (connection.installationState as InstallationState | undefined)?.stage;
    if (stage !== 'COMPLETE') {
      throw failedPrecondition(`connection "${connection.name}" is not ready: its installation state is ${stage ?? 'unknown'}; finish the steps at its installationState.actionUri first`);
    }
    const id = req.repositoryId ?? '';
    if (!RESOURCE_ID.test(id)) throw invalidArgument(`Invalid repository_id "${id}": use 1-63 alphanumeric characters or any of -._~%!$&'()*+,;=@.`);
    const remoteUri = req.repository?.remoteUri as string | undefined;
    if (!remoteUri) throw invalidArgument('repository.remote_uri is required (the clone URL, e.g. https://github.com/OWNER/REPO.git).');
    const name = `${connection.name}/repositories/${id}`;
    if (this.data.repositories[name]) throw alreadyExists(`repository "${name}" already exists`);
    const now = nowTimestamp();
    const repository: Message = { annotations: {}, ...structuredClone(req.repository ?? {}), name, remoteUri, createTime: now, updateTime: now, webhookId: String(randomBytes(4).readUInt32BE(0)) };
    repository.etag = etagFor(name, JSON.stringify(repository));
    return this.operation(connection.name, name, 'create', () => {
      if (this.data.repositories[name]) return { error: { code: 6, message: `repository "${name}" already exists` } };
      this.data.repositories[name] = repository;
      this.deps.state.changed();
      this.deps.linked?.(remoteUri);
      return { type: REPOSITORY_TYPE, response: repository };
    });
  }

  getRepository(req: { name?: string }): Message {
    return structuredClone(this.repository(req.name));
  }

  repository(ref: string | undefined): Message {
    const name = this.normalize(ref, 'repository name', /^projects\/([^/]+)\/locations\/[^/]+\/connections\/[^/]+\/repositories\/[^/]+$/);
    const found = this.data.repositories[name];
    if (!found) throw notFound(`repository "${name}" not found`);
    return found as Message;
  }

  listRepositories(req: { parent?: string; pageSize?: number; pageToken?: string }): { repositories: Message[]; nextPageToken: string } {
    const connection = this.connection(req.parent);
    const names = Object.keys(this.data.repositories).filter((n) => n.startsWith(`${connection.name}/repositories/`)).sort();
    const p = paginate(names, req, `repositories:${connection.name}`, LIST_LIMITS);
    return { repositories: p.items.map((n) => structuredClone(this.data.repositories[n]) as Message), nextPageToken: p.nextPageToken };
  }

  deleteRepository(req: { name?: string; etag?: string }): Operation {
    const current = this.repository(req.name);
    if (req.etag && req.etag !== current.etag) throw aborted(`the etag "${req.etag}" does not match the repository's current etag`);
    return this.operation(current.name, current.name, 'delete', () => {
      delete this.data.repositories[current.name];
      this.deps.state.changed();
      return {};
    });
  }

  /** What the GitHub app could link: the clone URLs given to the emulator plus those already linked in the project. */
  fetchLinkableRepositories(req: { connection?: string; pageSize?: number; pageToken?: string }): { repositories: Message[]; nextPageToken: string } {
    const connection = this.connection(req.connection);
    const project = connection.name.split('/')[1];
    const linked = Object.values(this.data.repositories).filter((r) => (r.name as string).startsWith(`projects/${project}/`)).map((r) => r.remoteUri as string);
    const uris = [...new Set([...(this.deps.linkable?.() ?? []), ...linked])].sort();
    const p = paginate(uris, req, `linkable:${connection.name}`, LIST_LIMITS);
    return { repositories: p.items.map((remoteUri) => ({ name: '', remoteUri })), nextPageToken: p.nextPageToken };
  }

  fetchReadToken(req: { repository?: string }): { token: string; expirationTime: object } {
    this.repository(req.repository);
    return { token: `ghs_emulator${randomBytes(12).toString('hex')}`, expirationTime: { seconds: String(Math.floor((Date.now() + READ_TOKEN_TTL_MS) / 1000)), nanos: 0 } };
  }
}
