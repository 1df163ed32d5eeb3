// Cloud Run Admin v2 behaviour (Services, Revisions, IAM) over the emulator state. Transport-free:
// methods take decoded requests, return response messages and throw ApiError.
import { randomBytes } from 'node:crypto';
import { grpc } from 'google-gax';
import { parseResourceName, revisionNameProblem, serviceIdProblem, autoRevisionName } from '../src/core/cloudRunNames';
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from './apiError';
import type { IamPolicy, Operation, Revision, RevisionTemplate, Service } from './apiTypes';
import {
  LATEST, REVISION, defaultStartFailureMessage, etagFor, missingRevisionMessage, missingTrafficRevisions, randomRevisionSuffix,
  templateFingerprint,
} from './cloudRunRules';
import type { FaultInjector } from './faults';
import type { OperationOutcome, OperationStore } from './operations';
import type { RuntimeManager } from './runtimeManager';
import { paginate } from './pagination';
import type { LoadedProtos } from './protos';
import {
  beginReconcile, finishFailed, finishServing, isRevisionReady, markRevisionFailed, markRevisionReady, markServiceReady, settleTraffic, newRevision, newServiceRecord, serviceView,
  shortRevisionName, type ServiceAddress,
} from './resourceBuilders';
import { mergeWithMask, specOf, specsEqual, validatedSpec, type ServiceSpec } from './serviceSpec';
import type { StateStore, ServiceRecord } from './stateStore';
import { nowTimestamp, timestampKey } from './timestamps';
import { validatedPolicy } from './iamPolicies';

const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const LIST_LIMITS = { defaultSize: 100, maxSize: 1000 };

export interface CloudRunDeps {
  state: StateStore;
  operations: OperationStore;
  faults: FaultInjector;
  protos: LoadedProtos;
  /** Shown as creator/lastModifier: the emulator has no caller identity. */
  user: string;
  /** Runtime mode: new revisions run on the local Docker engine (see runtimeManager.ts). */
  runtime?: RuntimeManager;
}

export class CloudRunBackend {
  constructor(private readonly deps: CloudRunDeps) {}

  private get services(): Record<string, ServiceRecord> {
    return this.deps.state.data.services;
  }

  // ---- Services -------------------------------------------------------------------------------

  createService(req: { parent?: string; service?: Service; serviceId?: string; validateOnly?: boolean }): Operation {
    const { project, location } = parseParent(req.parent);
    const serviceId = req.serviceId ?? '';
    const idProblem = serviceIdProblem(serviceId);
    if (idProblem) throw invalidArgument(`Violation in CreateServiceRequest.service_id: ${idProblem}`);
    const where = 'CreateServiceRequest.service';
    if (!req.service?.template) throw invalidArgument(`Violation in ${where}.template: required field not present.`);
    const address = { project, location, service: serviceId };
    const name = `${req.parent}/services/${serviceId}`;
    if (this.services[name]) throw alreadyExists('Resource already exists.');
    const spec = validatedSpec(where, project, serviceId, specOf(req.service));
    const now = nowTimestamp();
    const record = newServiceRecord(address, now, this.deps.user);
    return this.deploy(record, address, spec, true, req.validateOnly === true);
  }

  updateService(req: { service?: Service; updateMask?: { paths?: string[] }; validateOnly?: boolean; allowMissing?: boolean }): Operation {
    const where = 'UpdateServiceRequest.service';
    const address = parseServiceName(req.service?.name, `${where}.name`);
    const name = `projects/${address.project}/locations/${address.location}/services/${address.service}`;
    const existing = this.services[name];
    if (!existing) {
      if (!req.allowMissing) throw notFound(missingServiceMessage(address));
      return this.createService({
        parent: `projects/${address.project}/locations/${address.location}`,
        service: req.service,
        serviceId: address.service,
        validateOnly: req.validateOnly,
      });
    }
    if (req.service?.etag && req.service.etag !== existing.service.etag) {
      throw aborted(`The etag '${req.service.etag}' does not match the current etag of '${name}'; read the service again and retry.`);
    }
    const merged = mergeWithMask(specOf(existing.service), specOf(req.service ?? {}), req.updateMask?.paths);
    const spec = validatedSpec(where, address.project, address.service, merged);
    const record = req.validateOnly ? structuredClone(existing) : existing;
    return this.deploy(record, address, spec, false, req.validateOnly === true);
  }

  /**
   * Applies a validated spec: makes a revision when the template changed, records the new desired state
   * and starts the operation that makes it (or fails to make it) the serving state.
   */
  private deploy(record: ServiceRecord, a: ServiceAddress, spec: ServiceSpec, isNew: boolean, validateOnly: boolean): Operation {
    const now = nowTimestamp();
    const svc = record.service;
    const template = spec.template!;
    const fingerprint = templateFingerprint(template);
    let revision: Revision | undefined;
    if (template.revision) {
      const problem = revisionNameProblem(a.service, template.revision);
      if (problem) throw invalidArgument(`Violation in template.revision: ${problem}`);
      const known = record.revisionFingerprints[template.revision];
      if (known !== undefined && known !== fingerprint) {
        throw alreadyExists(`Revision named '${template.revision}' with different configuration already exists.`);
      }
      if (known === undefined) revision = this.makeRevision(record, a, template, template.revision, fingerprint);
    } else if (isNew || fingerprint !== templateFingerprint(svc.template ?? {})) {
      const counter = record.revisionCounter + 1;
      revision = this.makeRevision(record, a, template, autoRevisionName(a.service, counter, randomRevisionSuffix()), fingerprint);
    }
    const specChanged = isNew || revision !== undefined || !specsEqual(specOf(svc), spec);
    for (const key of Object.keys(specOf(svc))) delete (svc as Record<string, unknown>)[key];
    Object.assign(svc, structuredClone(spec));
    if (revision) svc.latestCreatedRevision = revision.name;
    beginReconcile(record, now, this.deps.user, specChanged);

    const known = new Set(record.revisions.map((r) => shortRevisionName(r.name)));
    const missing = missingTrafficRevisions(svc.traffic ?? [], known);
    const parent = `projects/${a.project}/locations/${a.location}`;
    const { protos, operations } = this.deps;
    if (validateOnly) return operations.startDone(parent, protos.packService(svc), { response: protos.packService(svc) });

    const failure = missing.length
      ? { code: grpc.status.INTERNAL, message: missingRevisionMessage(missing[0]) }
      : this.deps.faults.takeOperationFailure();
    const name = svc.name!;
    this.services[name] = record;
    this.deps.state.changed();
    const generation = svc.generation;
    const runtime = this.deps.runtime;
    return operations.start(parent, protos.packService(svc), async (): Promise<OperationOutcome> => {
      let failed = failure && {
        code: failure.code || grpc.status.INTERNAL,
        message: failure.message || (revision ? defaultStartFailureMessage(shortRevisionName(revision.name)) : 'The service could not be updated.'),
        reason: undefined as string | undefined,
      };
      if (!failed && revision && runtime) {
        // The operation ends only once the revision's container is up, or has failed like on Cloud Run.
        const prepared = await runtime.prepareRevision(record, a, revision);
        if (!prepared.ok) failed = { code: grpc.status.INTERNAL, message: prepared.message, reason: prepared.reason };
      }
      const at = nowTimestamp();
      const current = this.services[name];
      // A newer update (or a delete) superseded this one: only this operation's revision still settles.
      const superseded = current !== record || record.service.generation !== generation;
      if (failed) {
        if (!superseded) finishFailed(record, failed.message, at, revision, failed.reason);
        else if (revision) markRevisionFailed(revision, failed.message, at, failed.reason);
        if (runtime && record.runtime) await runtime.servingChanged(record);
        return { error: { code: failed.code, message: failed.message } };
      }
      if (!runtime || !record.runtime) {
        if (!superseded) finishServing(record, a, at, revision);
        else if (revision) markRevisionReady(revision, at);
        return { response: protos.packService(record.service) };
      }
      // Ready only once the proxy serves the new split: a poller that sees Ready (gcloud, the rollout) must
      // reach the revisions it names, also when one was scaled to zero and has to start first.
      if (!superseded) settleTraffic(record, a, at, revision);
      else if (revision) markRevisionReady(revision, at);
      await runtime.servingChanged(record);
      if (!superseded && this.services[name] === record && record.service.generation === generation) {
        markServiceReady(record.service, nowTimestamp());
        this.deps.state.changed();
      }
      return { response: protos.packService(record.service) };
    });
  }

  private makeRevision(
    record: ServiceRecord, a: ServiceAddress, template: RevisionTemplate, shortName: string, fingerprint: string,
  ): Revision {
    const revision = newRevision(a, shortName, template, nowTimestamp(), this.deps.user);
    record.revisionCounter += 1;
    record.revisionFingerprints[shortName] = fingerprint;
    record.revisions.unshift(revision);
    return revision;
  }

  getService(req: { name?: string }): Service {
    return serviceView(this.record(parseServiceName(req.name, 'name')).service);
  }

  listServices(req: { parent?: string; pageSize?: number; pageToken?: string }): { services: Service[]; nextPageToken: string } {
    const { project, location } = parseParent(req.parent);
    const prefix = location === '-' ? `projects/${project}/locations/` : `projects/${project}/locations/${location}/services/`;
    const names = Object.keys(this.services).filter((n) => n.startsWith(prefix)).sort();
    const page = paginate(names, req, `services:${req.parent}`, LIST_LIMITS);
    return { services: page.items.map((n) => serviceView(this.services[n].service)), nextPageToken: page.nextPageToken };
  }

  deleteService(req: { name?: string; validateOnly?: boolean; etag?: string }): Operation {
    const address = parseServiceName(req.name, 'name');
    const record = this.record(address);
    const svc = record.service;
    if (req.etag && req.etag !== svc.etag) throw aborted(`The etag '${req.etag}' does not match the current etag of '${svc.name}'.`);
    const parent = `projects/${address.project}/locations/${address.location}`;
    const { protos, operations } = this.deps;
    if (req.validateOnly) return operations.startDone(parent, protos.packService(svc), { response: protos.packService(svc) });
    const failure = this.deps.faults.takeOperationFailure();
    svc.reconciling = true;
    this.deps.state.changed();
    return operations.start(parent, protos.packService(svc), async (): Promise<OperationOutcome> => {
      svc.reconciling = false;
      if (failure) {
        return { error: { code: failure.code || grpc.status.INTERNAL, message: failure.message || `Service '${address.service}' could not be deleted.` } };
      }
      if (this.services[svc.name!] === record) delete this.services[svc.name!];
      if (record.runtime) await this.deps.runtime?.serviceDeleted(record);
      return { response: protos.packService(svc) };
    });
  }

  // ---- Revisions ------------------------------------------------------------------------------

  getRevision(req: { name?: string }): Revision {
    return structuredClone(this.revisionOf(req.name).revision);
  }

  listRevisions(req: { parent?: string; pageSize?: number; pageToken?: string }): { revisions: Revision[]; nextPageToken: string } {
    const address = parseServiceName(req.parent, 'parent', true);
    let revisions: Revision[];
    if (address.service === '-') {
      const prefix = `projects/${address.project}/locations/${address.location}/services/`;
      revisions = Object.entries(this.services)
        .filter(([n]) => n.startsWith(prefix))
        .flatMap(([, r]) => r.revisions)
        .sort(newestFirst);
    } else {
      revisions = this.record(address).revisions;
    }
    const page = paginate(revisions, req, `revisions:${req.parent}`, LIST_LIMITS);
    return { revisions: page.items.map((r) => structuredClone(r)), nextPageToken: page.nextPageToken };
  }

  deleteRevision(req: { name?: string; validateOnly?: boolean; etag?: string }): Operation {
    const { record, revision, address } = this.revisionOf(req.name);
    const short = shortRevisionName(revision.name);
    if (servesTraffic(record, short)) {
      throw failedPrecondition(
        `Revision '${short}' is serving traffic and cannot be deleted. Route its traffic to other revisions first.`,
      );
    }
    if (req.etag && req.etag !== revision.etag) throw aborted(`The etag '${req.etag}' does not match the current etag of '${revision.name}'.`);
    const parent = `projects/${address.project}/locations/${address.location}`;
    const { protos, operations } = this.deps;
    if (req.validateOnly) return operations.startDone(parent, protos.packRevision(revision), { response: protos.packRevision(revision) });
    const failure = this.deps.faults.takeOperationFailure();
    return operations.start(parent, protos.packRevision(revision), async (): Promise<OperationOutcome> => {
      if (failure) {
        return { error: { code: failure.code || grpc.status.INTERNAL, message: failure.message || `Revision '${short}' could not be deleted.` } };
      }
      removeRevision(record, short);
      if (record.runtime) await this.deps.runtime?.revisionDeleted(record, short);
      return { response: protos.packRevision(revision) };
    });
  }

  // ---- IAM ------------------------------------------------------------------------------------

  getIamPolicy(req: { resource?: string }): IamPolicy {
    return structuredClone(this.record(parseServiceName(req.resource, 'resource')).iamPolicy);
  }

  setIamPolicy(req: { resource?: string; policy?: IamPolicy }): IamPolicy {
    const record = this.record(parseServiceName(req.resource, 'resource'));
    const policy = validatedPolicy(req.policy);
    if (req.policy?.etag && req.policy.etag !== record.iamPolicy.etag) {
      throw aborted('There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
    }
    record.iamPolicy = { ...policy, etag: randomBytes(8).toString('base64') };
    this.deps.state.changed();
    return structuredClone(record.iamPolicy);
  }

  testIamPermissions(req: { resource?: string; permissions?: string[] }): { permissions: string[] } {
    this.record(parseServiceName(req.resource, 'resource'));
    // The emulator's caller owns everything.
    return { permissions: req.permissions ?? [] };
  }

  // ---- helpers --------------------------------------------------------------------------------

  private record(a: ServiceAddress): ServiceRecord {
    const record = this.services[`projects/${a.project}/locations/${a.location}/services/${a.service}`];
    if (!record) throw notFound(missingServiceMessage(a));
    return record;
  }

  private revisionOf(name: string | undefined): { record: ServiceRecord; revision: Revision; address: ServiceAddress } {
    const parsed = name ? parseResourceName(name) : undefined;
    if (!parsed?.revision) throw invalidArgument(`Invalid revision name '${name ?? ''}': expected projects/P/locations/L/services/S/revisions/R.`);
    const address = { project: parsed.project, location: parsed.location, service: parsed.service };
    const record = this.services[`projects/${address.project}/locations/${address.location}/services/${address.service}`];
    const revision = record?.revisions.find((r) => r.name === name);
    if (!record || !revision) {
      throw notFound(`Resource '${parsed.revision}' of kind 'REVISION' in region '${address.location}' in project '${address.project}' does not exist.`);
    }
    return { record, revision, address };
  }
}

function parseParent(parent: string | undefined): { project: string; location: string } {
  const m = PARENT.exec(parent ?? '');
  if (!m) throw invalidArgument(`Invalid parent '${parent ?? ''}': expected projects/PROJECT/locations/LOCATION.`);
  return { project: m[1], location: m[2] };
}

function parseServiceName(name: string | undefined, field: string, allowWildcard = false): ServiceAddress {
  const parsed = name ? parseResourceName(name) : undefined;
  if (!parsed || parsed.revision !== undefined) {
    throw invalidArgument(`Invalid ${field} '${name ?? ''}': expected projects/PROJECT/locations/LOCATION/services/SERVICE.`);
  }
  if (!(allowWildcard && parsed.service === '-')) {
    const problem = serviceIdProblem(parsed.service);
    if (problem) throw invalidArgument(`Invalid ${field} '${name}': ${problem}`);
  }
  return { project: parsed.project, location: parsed.location, service: parsed.service };
}

function missingServiceMessage(a: ServiceAddress): string {
  return `Resource '${a.service}' of kind 'SERVICE' in region '${a.location}' in project '${a.project}' does not exist.`;
}

function newestFirst(a: Revision, b: Revision): number {
  const diff = timestampKey(b.createTime) - timestampKey(a.createTime);
  if (diff !== 0n) return diff > 0n ? 1 : -1;
  return b.name.localeCompare(a.name);
}

/** Serving = a non-zero share now, or a non-zero share in the desired traffic (directly or via LATEST). */
function servesTraffic(record: ServiceRecord, short: string): boolean {
  const svc = record.service;
  const latestReady = svc.latestReadyRevision ? shortRevisionName(svc.latestReadyRevision) : '';
  const live = (svc.trafficStatuses ?? []).some((t) => t.revision === short && (t.percent ?? 0) > 0);
  const desired = (svc.traffic ?? []).some((t) => (t.percent ?? 0) > 0 &&
    ((t.type === REVISION && t.revision === short) || (t.type === LATEST && latestReady === short)));
  return live || desired;
}

/** Deletes a revision; 0 % targets that pointed at it (tags) go with it, as in Cloud Run. */
function removeRevision(record: ServiceRecord, short: string): void {
  const svc = record.service;
  record.revisions = record.revisions.filter((r) => shortRevisionName(r.name) !== short);
  delete record.revisionFingerprints[short];
  const before = (svc.traffic ?? []).length;
  svc.traffic = (svc.traffic ?? []).filter((t) => !(t.type === REVISION && t.revision === short));
  svc.trafficStatuses = (svc.trafficStatuses ?? []).filter((t) => !(t.type === REVISION && t.revision === short));
  if (svc.traffic.length !== before) {
    svc.generation = svc.observedGeneration = String(Number(svc.generation ?? '0') + 1);
    svc.etag = etagFor(svc.uid ?? '', svc.generation, svc.updateTime?.seconds ?? '');
  }
  const survivor = (full: string | undefined, pick: (r: Revision) => boolean) =>
    full && shortRevisionName(full) === short ? record.revisions.find(pick)?.name : full;
  svc.latestCreatedRevision = survivor(svc.latestCreatedRevision, () => true);
  svc.latestReadyRevision = survivor(svc.latestReadyRevision, isRevisionReady);
}
