// Service Usage v1: which Google APIs a project has enabled. The deploy preflight reads it, and the
// emulator's other APIs answer PERMISSION_DENIED / SERVICE_DISABLED (with google.rpc.ErrorInfo in the
// status details, as Google does) while theirs is disabled. Projects without an entry have every API on.
import { grpc } from 'google-gax';
import { ApiError, invalidArgument } from './apiError';
import type { Operation } from './apiTypes';
import type { OperationStore } from './operations';
import { paginate } from './pagination';
import { numberOf, resolveProject } from './projects';
import type { LoadedProtos } from './protos';
import type { StateStore } from './stateStore';

/** The APIs the emulator knows, with the titles Google shows. */
export const API_TITLES: Readonly<Record<string, string>> = {
  'aiplatform.googleapis.com': 'Vertex AI API',
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'cloudbuild.googleapis.com': 'Cloud Build API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'cloudtrace.googleapis.com': 'Cloud Trace API',
  'compute.googleapis.com': 'Compute Engine API',
  'containerregistry.googleapis.com': 'Container Registry API',
  'firestore.googleapis.com': 'Cloud Firestore API',
  'generativelanguage.googleapis.com': 'Generative Language API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'logging.googleapis.com': 'Cloud Logging API',
  'monitoring.googleapis.com': 'Cloud Monitoring API',
  'pubsub.googleapis.com': 'Cloud Pub/Sub API',
  'run.googleapis.com': 'Cloud Run Admin API',
  'secretmanager.googleapis.com': 'Secret Manager API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'storage.googleapis.com': 'Cloud Storage API',
};

/** What Google turns on in a project it creates (of the APIs above); Cloud Run's own APIs are not among them. */
export const DEFAULT_NEW_PROJECT_APIS = [
  'cloudtrace.googleapis.com', 'logging.googleapis.com', 'monitoring.googleapis.com', 'serviceusage.googleapis.com', 'storage.googleapis.com',
];

const OPERATION_METADATA = 'google.api.serviceusage.v1.OperationMetadata';
const MAX_BATCH = 20;
const LIST_LIMITS = { defaultSize: 50, maxSize: 200 };

interface ServiceMessage {
  name: string;
  parent: string;
  config: { name: string; title: string };
  state: 'ENABLED' | 'DISABLED';
}

export interface ServiceUsageDeps {
  state: StateStore;
  operations: OperationStore;
  protos: LoadedProtos;
  /**
   * How long an API stays SERVICE_DISABLED for its callers after an enable operation finished (Google: "If you
   * enabled this API recently, wait a few minutes for the action to propagate"). Default 0: no delay.
   */
  propagationMs?: number;
}

export class ServiceUsageBackend {
  /** project id → API → epoch ms from which calls to it succeed. In memory: a restart ends every wait. */
  private readonly propagating = new Map<string, Map<string, number>>();

  constructor(private readonly deps: ServiceUsageDeps) {}

  isEnabled(projectRef: string, api: string): boolean {
    const states = this.deps.state.data.apiStates[this.project(projectRef)];
    return states ? states[api] === true : true;
  }

  /** For the Control service and seeds: the first change gives the project an explicit list. */
  setEnabled(projectRef: string, api: string, enabled: boolean): void {
    if (!API_TITLES[api]) throw invalidArgument(`Unknown service '${api}'; the emulator knows ${Object.keys(API_TITLES).join(', ')}.`);
    const project = this.project(projectRef);
    const states = this.deps.state.data.apiStates;
    states[project] ??= Object.fromEntries(Object.keys(API_TITLES).map((name) => [name, true]));
    states[project][api] = enabled;
    this.deps.state.changed();
  }

  /** Throws Google's SERVICE_DISABLED error when `api` is off in the request's project. */
  check(projectRef: string | undefined, api: string): void {
    if (!projectRef) return;
    if (this.isEnabled(projectRef, api) && !this.stillPropagating(this.project(projectRef), api)) return;
    throw this.serviceDisabled(projectRef, api);
  }

  private stillPropagating(project: string, api: string): boolean {
    const readyAt = this.propagating.get(project)?.get(api);
    if (readyAt === undefined) return false;
    if (Date.now() >= readyAt) {
      this.propagating.get(project)?.delete(api);
      return false;
    }
    return true;
  }

  serviceDisabled(projectRef: string, api: string): ApiError {
    const number = numberOf(this.project(projectRef));
    const title = API_TITLES[api] ?? api;
    const activationUrl = `https://console.developers.google.com/apis/api/${api}/overview?project=${number}`;
    const message = `${title} has not been used in project ${number} before or it is disabled. Enable it by visiting ` +
      `${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate ` +
      'to our systems and retry.';
    const { protos } = this.deps;
    const details = protos.serialize('google.rpc.Status', {
      code: grpc.status.PERMISSION_DENIED,
      message,
      details: [
        protos.pack('google.rpc.ErrorInfo', {
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { service: api, consumer: `projects/${number}`, activationUrl, serviceTitle: title, containerInfo: number },
        }),
        protos.pack('google.rpc.Help', { links: [{ description: 'Google developers console API activation', url: activationUrl }] }),
      ],
    });
    return new ApiError(grpc.status.PERMISSION_DENIED, message, details);
  }

  // ---- google.api.serviceusage.v1.ServiceUsage ------------------------------------------------

  getService(req: { name?: string }): ServiceMessage {
    const { project, api } = this.parseName(req.name, 'name');
    return this.message(project, this.known(api));
  }

  listServices(req: { parent?: string; pageSize?: number; pageToken?: string; filter?: string }): { services: ServiceMessage[]; nextPageToken: string } {
    const project = this.parseParent(req.parent);
    const filter = (req.filter ?? '').replace(/\s+/g, '');
    if (filter && filter !== 'state:ENABLED' && filter !== 'state:DISABLED') {
      throw invalidArgument(`Invalid filter '${req.filter}': the allowed filters are "state:ENABLED" and "state:DISABLED".`);
    }
    const all = Object.keys(API_TITLES).sort().map((api) => this.message(project, api));
    const matching = filter ? all.filter((s) => `state:${s.state}` === filter) : all;
    const page = paginate(matching, req, `apis:${project}:${filter}`, LIST_LIMITS);
    return { services: page.items, nextPageToken: page.nextPageToken };
  }

  batchGetServices(req: { parent?: string; names?: string[] }): { services: ServiceMessage[] } {
    const project = this.parseParent(req.parent);
    const names = req.names ?? [];
    if (names.length > 30) throw invalidArgument(`At most 30 services can be read at once, got ${names.length}.`);
    return { services: names.map((n) => this.message(project, this.known(this.parseName(n, 'names').api))) };
  }

  enableService(req: { name?: string }): Operation {
    const { project, api } = this.parseName(req.name, 'name');
    this.known(api);
    return this.change(project, [api], true, (services) =>
      this.deps.protos.pack('google.api.serviceusage.v1.EnableServiceResponse', { service: services[0] }));
  }

  disableService(req: { name?: string }): Operation {
    const { project, api } = this.parseName(req.name, 'name');
    this.known(api);
    return this.change(project, [api], false, (services) =>
      this.deps.protos.pack('google.api.serviceusage.v1.DisableServiceResponse', { service: services[0] }));
  }

  batchEnableServices(req: { parent?: string; serviceIds?: string[] }): Operation {
    const project = this.parseParent(req.parent);
    const ids = req.serviceIds ?? [];
    if (ids.length === 0) throw invalidArgument('Violation in BatchEnableServicesRequest.service_ids: at least one service is required.');
    if (ids.length > MAX_BATCH) {
      throw invalidArgument(`A single request can enable at most ${MAX_BATCH} services, got ${ids.length}.`);
    }
    // Atomic, like Google: one unknown service fails the whole batch before anything changes.
    const unknown = ids.filter((id) => !API_TITLES[id]);
    if (unknown.length) throw this.notFoundOrDenied(unknown);
    return this.change(project, ids, true, (services) =>
      this.deps.protos.pack('google.api.serviceusage.v1.BatchEnableServicesResponse', { services, failures: [] }));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private change(project: string, apis: string[], enabled: boolean, response: (s: ServiceMessage[]) => ReturnType<LoadedProtos['pack']>): Operation {
    const number = numberOf(project);
    const metadata = this.deps.protos.pack(OPERATION_METADATA, {
      resourceNames: apis.map((api) => `services/${api}/projectSettings/${number}`),
    });
    return this.deps.operations.start('', metadata, () => {
      const propagationMs = this.deps.propagationMs ?? 0;
      for (const api of apis) {
        const wasEnabled = this.isEnabled(project, api);
        this.setEnabled(project, api, enabled);
        if (enabled && !wasEnabled && propagationMs > 0) {
          if (!this.propagating.has(project)) this.propagating.set(project, new Map());
          this.propagating.get(project)!.set(api, Date.now() + propagationMs);
        }
      }
      return { response: response(apis.map((api) => this.message(project, api))) };
    });
  }

  private message(project: string, api: string): ServiceMessage {
    const number = numberOf(project);
    return {
      name: `projects/${number}/services/${api}`,
      parent: `projects/${number}`,
      config: { name: api, title: API_TITLES[api] ?? api },
      state: this.isEnabled(project, api) ? 'ENABLED' : 'DISABLED',
    };
  }

  private known(api: string): string {
    if (!API_TITLES[api]) throw this.notFoundOrDenied([api]);
    return api;
  }

  private notFoundOrDenied(apis: string[]): ApiError {
    return new ApiError(grpc.status.PERMISSION_DENIED, `Not found or permission denied for service(s): ${apis.join(', ')}.`);
  }

  private project(ref: string): string {
    return resolveProject(this.deps.state.data, ref);
  }

  private parseParent(parent: string | undefined): string {
    const m = /^projects\/([^/]+)$/.exec(parent ?? '');
    if (!m) throw invalidArgument(`Invalid parent '${parent ?? ''}': expected projects/PROJECT_NUMBER (or projects/PROJECT_ID).`);
    return this.project(m[1]);
  }

  private parseName(name: string | undefined, field: string): { project: string; api: string } {
    const m = /^projects\/([^/]+)\/services\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid ${field} '${name ?? ''}': expected projects/PROJECT_NUMBER/services/SERVICE.`);
    return { project: this.project(m[1]), api: m[2] };
  }
}
