// Cloud Run Admin v1 over HTTP/JSON, the API gcloud drives: the Knative serving paths
// (/apis/serving.knative.dev/v1/namespaces/NS/services|revisions|configurations|routes, on the regional host
// REGION-run.googleapis.com, whose region prefix says the location) and the One Platform paths
// (/v1/projects/P/locations/L/services… with getIamPolicy/setIamPolicy). There is no v1 state: every call goes
// through the same CloudRunBackend as v2 gRPC, so a v1 write shows in v2 and the other way round.
import { serviceIdProblem } from '../src/core/cloudRunNames';
import { invalidArgument, notFound } from './apiError';
import type { IamPolicy } from './apiTypes';
import type { CloudRunBackend } from './cloudRunBackend';
import { fromV1Service, type Json, type KnMeta, type KnTemplate, type KnTraffic } from './cloudRunV1Template';
import {
  KNATIVE_BASE, matchesLabelSelector, v1Configuration, v1DeletedStatus, v1List, v1Revision, v1Route, v1Service,
} from './cloudRunV1Mapping';
import { paginate } from './pagination';
import { RUN_API } from './platformGrpc';
import { numberOf, resolveProject } from './projects';
import { shortRevisionName } from './resourceBuilders';
import type { RestHandler, RestRequest, RestResponse } from './restTypes';
import type { ServiceUsageBackend } from './serviceUsageBackend';
import { specOf } from './serviceSpec';
import type { ServiceRecord, StateStore } from './stateStore';

export interface CloudRunV1Deps {
  cloudRun: CloudRunBackend;
  state: StateStore;
  /** When given, calls into a project where run.googleapis.com is disabled answer SERVICE_DISABLED. */
  serviceUsage?: ServiceUsageBackend;
}

type Collection = 'services' | 'revisions' | 'configurations' | 'routes';
const COLLECTIONS = new Set<string>(['services', 'revisions', 'configurations', 'routes']);
const LIST_LIMITS = { defaultSize: 500, maxSize: 1000 };
/** Regions `GET /v1/projects/P/locations` lists (gcloud shows them when a region is wrong). */
const REGIONS = ['asia-east1', 'asia-northeast1', 'asia-south1', 'asia-southeast1', 'australia-southeast1', 'europe-west1',
  'europe-west2', 'europe-west3', 'europe-west4', 'northamerica-northeast1', 'southamerica-east1', 'us-central1', 'us-east1',
  'us-east4', 'us-west1', 'us-west2'];

interface Target {
  project: string;
  /** undefined = the global endpoint: every region (list methods only). */
  location?: string;
  collection: Collection;
  name?: string;
  /** getIamPolicy / setIamPolicy / testIamPermissions on /v1 service paths. */
  verb?: string;
}

/** "us-central1" from a regional host such as us-central1-run.googleapis.com or us-central1-run.emu.localhost:8123. */
export function regionOfHost(host: string | undefined): string | undefined {
  return /^([a-z]+-[a-z]+\d+)-run\./.exec(host ?? '')?.[1];
}

function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createCloudRunV1Handler(deps: CloudRunV1Deps): RestHandler {
  const { cloudRun, state } = deps;
  const services = () => state.data.services;

  const project = (ref: string) => {
    const id = resolveProject(state.data, ref);
    deps.serviceUsage?.check(id, RUN_API);
    return id;
  };

  function parse(req: RestRequest): Target | undefined {
    const host = header(req, 'host');
    const segments = req.path.split('/').filter(Boolean);
    if (req.path.startsWith(`${KNATIVE_BASE}/`)) {
      const rest = segments.slice(3);
      if (rest[0] === 'namespaces' && rest.length >= 3) {
        return target(project(rest[1]), regionOfHost(host), rest[2], rest.slice(3));
      }
      if (rest[0] === 'projects' && (rest[2] === 'locations' || rest[2] === 'regions') && rest.length >= 5) {
        return target(project(rest[1]), rest[3], rest[4], rest.slice(5));
      }
      return undefined;
    }
    if (segments[0] === 'v1' && segments[1] === 'projects' && segments[3] === 'locations' && segments.length >= 6) {
      const last = segments.length - 1;
      const colon = segments[last].indexOf(':');
      const verb = colon >= 0 ? segments[last].slice(colon + 1) : undefined;
      if (colon >= 0) segments[last] = segments[last].slice(0, colon);
      const t = target(project(segments[2]), segments[4] === '-' ? undefined : segments[4], segments[5], segments.slice(6));
      return t && { ...t, verb };
    }
    return undefined;
  }

  function target(projectId: string, location: string | undefined, collection: string, rest: string[]): Target | undefined {
    if (!COLLECTIONS.has(collection) || rest.length > 1) return undefined;
    return { project: projectId, location, collection: collection as Collection, name: rest[0] };
  }

  function regional(t: Target): string {
    if (!t.location) {
      throw invalidArgument('The global endpoint supports list methods only: call the regional endpoint of the resource, ' +
        'https://REGION-run.googleapis.com (gcloud: --region).');
    }
    return t.location;
  }

  const v2Name = (t: Target, name: string) => `projects/${t.project}/locations/${regional(t)}/services/${name}`;

  /** Service records of the target's project, in its location or (global endpoint) in all of them. */
  function recordsOf(t: Target): ServiceRecord[] {
    const prefix = t.location ? `projects/${t.project}/locations/${t.location}/services/` : `projects/${t.project}/locations/`;
    return Object.keys(services()).filter((n) => n.startsWith(prefix)).sort().map((n) => services()[n]);
  }

  function recordOf(t: Target, name: string): ServiceRecord {
    const full = v2Name(t, name);
    cloudRun.getService({ name: full }); // validates the name and throws Cloud Run's NOT_FOUND
    return services()[full];
  }

  function revisionOf(t: Target, name: string): { record: ServiceRecord; full: string } {
    const location = regional(t);
    for (const record of recordsOf(t)) {
      const revision = record.revisions.find((r) => shortRevisionName(r.name) === name);
      if (revision) return { record, full: revision.name };
    }
    throw notFound(`Resource '${name}' of kind 'REVISION' in region '${location}' in project '${t.project}' does not exist.`);
  }

  function page(req: RestRequest, kind: string, items: Json[], query: string): RestResponse {
    const limit = Number(req.query.get('limit') ?? 0);
    const p = paginate(items, { pageSize: limit > 0 ? limit : undefined, pageToken: req.query.get('continue') ?? undefined }, query, LIST_LIMITS);
    return ok(v1List(kind, p.items, p.nextPageToken));
  }

  const byLabels = (req: RestRequest, items: Json[]) =>
    items.filter((o) => matchesLabelSelector(req.query.get('labelSelector'), ((o.metadata as KnMeta).labels ?? {})));

  function servicesCall(req: RestRequest, t: Target): RestResponse | undefined {
    const dryRun = req.query.get('dryRun') === 'all';
    if (!t.name) {
      if (req.method === 'GET') return page(req, 'Service', byLabels(req, recordsOf(t).map(v1Service)), `v1services:${t.project}/${t.location ?? '-'}`);
      if (req.method !== 'POST') return undefined;
      const body = knService(req.body);
      const name = body.metadata?.name ?? '';
      const problem = serviceIdProblem(name);
      if (problem) throw invalidArgument(`metadata.name: ${problem}`);
      checkNamespace(body.metadata, t.project);
      checkTemplate(body.spec?.template);
      const parent = `projects/${t.project}/locations/${regional(t)}`;
      cloudRun.createService({ parent, serviceId: name, service: fromV1Service(body, undefined), validateOnly: dryRun });
      return ok(dryRun ? body : v1Service(services()[`${parent}/services/${name}`]));
    }
    const full = v2Name(t, t.name);
    if (req.method === 'GET') return ok(v1Service(recordOf(t, t.name)));
    if (req.method === 'PUT') {
      const body = knService(req.body);
      if (body.metadata?.name && body.metadata.name !== t.name) {
        throw invalidArgument(`metadata.name: '${body.metadata.name}' does not match the name in the URL, '${t.name}'.`);
      }
      checkNamespace(body.metadata, t.project);
      checkTemplate(body.spec?.template);
      const existing = recordOf(t, t.name);
      const rv = body.metadata?.resourceVersion;
      const service = { ...fromV1Service(body, specOf(existing.service)), name: full, ...(rv ? { etag: `"${rv}"` } : {}) };
      cloudRun.updateService({ service, validateOnly: dryRun });
      return ok(dryRun ? body : v1Service(services()[full]));
    }
    if (req.method === 'DELETE') {
      const record = recordOf(t, t.name);
      cloudRun.deleteService({ name: full, validateOnly: dryRun });
      return ok(v1DeletedStatus('services', t.name, record.service.uid));
    }
    return undefined;
  }

  function revisionsCall(req: RestRequest, t: Target): RestResponse | undefined {
    if (!t.name) {
      if (req.method !== 'GET') return undefined;
      const items = recordsOf(t).flatMap((record) => record.revisions.map((r) => v1Revision(record, r)));
      return page(req, 'Revision', byLabels(req, items), `v1revisions:${t.project}/${t.location ?? '-'}/${req.query.get('labelSelector') ?? ''}`);
    }
    const { record, full } = revisionOf(t, t.name);
    if (req.method === 'GET') return ok(v1Revision(record, record.revisions.find((r) => r.name === full)!));
    if (req.method === 'DELETE') {
      const revision = record.revisions.find((r) => r.name === full)!;
      cloudRun.deleteRevision({ name: full, validateOnly: req.query.get('dryRun') === 'all' });
      return ok(v1DeletedStatus('revisions', t.name, revision.uid));
    }
    return undefined;
  }

  function derivedCall(req: RestRequest, t: Target, kind: 'Configuration' | 'Route'): RestResponse | undefined {
    if (req.method !== 'GET') return undefined;
    const view = kind === 'Route' ? v1Route : v1Configuration;
    if (!t.name) return page(req, kind, byLabels(req, recordsOf(t).map(view)), `v1${kind}:${t.project}/${t.location ?? '-'}`);
    const full = v2Name(t, t.name);
    const record = services()[full];
    if (!record) {
      throw notFound(`Resource '${t.name}' of kind '${kind.toUpperCase()}' in region '${t.location}' in project '${t.project}' does not exist.`);
    }
    return ok(view(record));
  }

  function iamCall(req: RestRequest, t: Target): RestResponse | undefined {
    if (t.collection !== 'services' || !t.name) return undefined;
    const resource = v2Name(t, t.name);
    const body = (req.body ?? {}) as Json;
    if (t.verb === 'getIamPolicy' && (req.method === 'GET' || req.method === 'POST')) return ok(cloudRun.getIamPolicy({ resource }));
    if (t.verb === 'setIamPolicy' && req.method === 'POST') {
      const policy = { ...(body.policy as IamPolicy | undefined) };
      // gcloud echoes the etag (a bytes field) in URL-safe base64; the same bytes are the same etag.
      const current = cloudRun.getIamPolicy({ resource }).etag;
      if (policy.etag && current && sameBytes(policy.etag, current)) policy.etag = current;
      return ok(cloudRun.setIamPolicy({ resource, policy }));
    }
    if (t.verb === 'testIamPermissions' && req.method === 'POST') {
      // Asked before a service exists too (gcloud run deploy, to decide whether to offer --allow-unauthenticated):
      // Cloud Run answers from the project's permissions then; the emulator's caller owns everything.
      return ok({ permissions: (body.permissions as string[] | undefined) ?? [] });
    }
    return undefined;
  }

  return async (req) => {
    const locations = /^\/v1\/projects\/([^/]+)\/locations$/.exec(req.path);
    if (locations && req.method === 'GET' && isRunHost(header(req, 'host'))) return ok(locationList(locations[1]));
    const t = parse(req);
    if (!t) return undefined;
    if (t.verb) return iamCall(req, t);
    if (t.collection === 'services') return servicesCall(req, t);
    if (t.collection === 'revisions') return revisionsCall(req, t);
    return derivedCall(req, t, t.collection === 'routes' ? 'Route' : 'Configuration');
  };
}

function sameBytes(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

function ok(json: unknown): RestResponse {
  return { status: 200, json };
}

/** The run host, global or regional (`/v1/projects/P/locations` also exists in other APIs). */
function isRunHost(host: string | undefined): boolean {
  return /^(([a-z]+-[a-z]+\d+)-)?run\./.test(host ?? '');
}

function locationList(project: string): Json {
  return {
    locations: REGIONS.map((r) => ({
      name: `projects/${project}/locations/${r}`,
      locationId: r,
      labels: { 'cloud.googleapis.com/region': r },
    })),
  };
}

interface KnService {
  apiVersion?: string;
  kind?: string;
  metadata?: KnMeta;
  spec?: { template?: KnTemplate; traffic?: KnTraffic[] };
}

function knService(body: unknown): KnService {
  if (!body || typeof body !== 'object') throw invalidArgument('The request has no Service in its body.');
  const s = body as KnService;
  if (s.kind && s.kind !== 'Service') throw invalidArgument(`kind: expected 'Service', got '${s.kind}'.`);
  return s;
}

/** Cloud Run accepts the project id or its number as namespace; another project's is refused. */
function checkNamespace(m: KnMeta | undefined, projectId: string): void {
  if (m?.namespace && m.namespace !== projectId && m.namespace !== numberOf(projectId)) {
    throw invalidArgument(`metadata.namespace: '${m.namespace}' does not match the namespace in the URL, '${projectId}'.`);
  }
}

function checkTemplate(t: KnTemplate | undefined): void {
  if (!t) throw invalidArgument('spec.template: required field not present.');
  const containers = t.spec?.containers ?? [];
  if (!containers.length) throw invalidArgument('spec.template.spec.containers: at least one container is required.');
  containers.forEach((c, i) => {
    if (!c.image) throw invalidArgument(`spec.template.spec.containers[${i}].image: required field not present.`);
  });
}

