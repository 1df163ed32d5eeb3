// CloudRunApi over the official v2 clients. Deep imports of the generated clients keep the bundle to
// what we use (the package index pulls in every Cloud Run client).
import { ServicesClient } from '@google-cloud/run/build/src/v2/services_client';
import { RevisionsClient } from '@google-cloud/run/build/src/v2/revisions_client';
import type { protos } from '@google-cloud/run';
import type { CallOptions, ClientOptions } from 'google-gax';
import { serviceResourceName, shortName } from '../core/cloudRunNames';
import { RevisionSummary, ServiceSummary, TrafficTarget } from '../core/model';
import { MentorTarget } from '../core/settings';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { CloudRunApi, RawService } from './cloudRun';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { toRawTraffic, toRevisionSummary, toServiceSummary } from './cloudRunMapping';
import { Code, toUserFacingError } from './errorMapping';

/** Large pages: a project with hundreds of services loads in a few calls instead of one per 50. */
const PAGE_SIZE = 500;

export class GoogleCloudRun implements CloudRunApi {
  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly services: ServicesClient,
    private readonly clientOptions: ClientOptions,
  ) {
    // Google's retry settings ride out transient UNAVAILABLE for ~10 s; a refused local emulator is not
    // transient, so it fails fast there (callOptionsFor). autoPaginate:false: the *Async iterators page themselves.
    this.callOptions = callOptionsFor(endpoint);
  }

  private readonly callOptions: CallOptions;
  private revisionsClient?: RevisionsClient;

  /** Made on first use: each client compiles its protos (~40 ms), and the first listing needs only services. */
  private get revisions(): RevisionsClient {
    return (this.revisionsClient ??= new RevisionsClient(this.clientOptions));
  }

  static async connect(target: MentorTarget): Promise<GoogleCloudRun> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GoogleCloudRun(target, endpoint, new ServicesClient(options), options);
  }

  private get location(): string {
    return `projects/${this.target.project}/locations/${this.target.region}`;
  }

  async listServices(): Promise<ServiceSummary[]> {
    return this.call(`list Cloud Run services in ${this.target.project}/${this.target.region}`, async () => {
      const services: ServiceSummary[] = [];
      for await (const raw of this.services.listServicesAsync({ parent: this.location, pageSize: PAGE_SIZE }, this.callOptions)) {
        services.push(toServiceSummary(raw));
      }
      return services.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  async getService(serviceName: string): Promise<ServiceSummary> {
    return this.call(`get service ${shortName(serviceName)}`, async () => toServiceSummary(await this.getRaw(serviceName)));
  }

  async listRevisions(serviceName: string): Promise<RevisionSummary[]> {
    return this.call(`list revisions of ${shortName(serviceName)}`, async () => {
      const revisions: RevisionSummary[] = [];
      for await (const raw of this.revisions.listRevisionsAsync({ parent: this.fullName(serviceName), pageSize: PAGE_SIZE }, this.callOptions)) {
        revisions.push(toRevisionSummary(raw));
      }
      return revisions;
    });
  }

  async updateTraffic(serviceName: string, targets: TrafficTarget[], signal?: AbortSignal): Promise<ServiceSummary> {
    return this.call(`update traffic of ${shortName(serviceName)}`, async () => {
      if (signal?.aborted) throw new UserCancelledError();
      // UpdateService replaces the whole service: send back what Cloud Run has, changing only traffic,
      // with its etag so a concurrent change is refused instead of overwritten.
      const current = await this.getRaw(serviceName);
      const [operation] = await this.services.updateService({
        service: { ...current, traffic: targets.map(toRawTraffic), trafficStatuses: undefined },
      });
      const [updated] = await untilDone(operation, signal);
      return toServiceSummary(updated as protos.google.cloud.run.v2.IService);
    });
  }

  async getServiceSpec(serviceName: string): Promise<RawService | undefined> {
    try {
      return await this.getRaw(serviceName);
    } catch (error) {
      if ((error as { code?: number }).code === Code.NOT_FOUND) return undefined;
      throw toUserFacingError(error, { action: `get service ${shortName(serviceName)}`, endpoint: this.endpoint, project: this.target.project });
    }
  }

  async deployService(spec: RawService, create: boolean, signal?: AbortSignal): Promise<ServiceSummary> {
    const id = shortName(spec.name ?? '');
    return this.call(`${create ? 'create' : 'update'} service ${id}`, async () => {
      if (signal?.aborted) throw new UserCancelledError();
      const [operation] = create
        ? await this.services.createService({ parent: this.location, serviceId: id, service: { ...spec, name: undefined } })
        : await this.services.updateService({ service: spec });
      const [done] = await untilDone(operation, signal);
      return toServiceSummary(done as RawService);
    }, 'operationFailed');
  }

  async getRevision(revisionName: string): Promise<RevisionSummary> {
    return this.call(`get revision ${shortName(revisionName)}`, async () => {
      const name = revisionName.includes('/') ? revisionName : `${this.fullName(revisionName.replace(/-\d{5}-[a-z0-9]+$/, ''))}/revisions/${revisionName}`;
      const [revision] = await this.revisions.getRevision({ name }, this.callOptions);
      return toRevisionSummary(revision);
    });
  }

  async isPublic(serviceName: string): Promise<boolean> {
    return this.call(`read who may invoke ${shortName(serviceName)}`, async () => {
      const [policy] = await this.services.getIamPolicy({ resource: this.fullName(serviceName) });
      return (policy.bindings ?? []).some((b) => b.role === 'roles/run.invoker' && (b.members ?? []).includes('allUsers'));
    });
  }

  async setPublic(serviceName: string, makePublic: boolean): Promise<boolean> {
    const what = makePublic ? 'public (roles/run.invoker for allUsers)' : 'private (no allUsers invoker)';
    return this.call(`make ${shortName(serviceName)} ${what}`, async () => {
      const resource = this.fullName(serviceName);
      // get → modify → set with the policy's etag: a concurrent IAM change is refused, not overwritten.
      const [policy] = await this.services.getIamPolicy({ resource });
      const bindings = (policy.bindings ?? []).map((b) => ({ ...b, members: [...(b.members ?? [])] }));
      const invoker = bindings.find((b) => b.role === 'roles/run.invoker');
      if (makePublic === !!invoker?.members.includes('allUsers')) return false;
      if (makePublic && invoker) invoker.members.push('allUsers');
      else if (makePublic) bindings.push({ role: 'roles/run.invoker', members: ['allUsers'] });
      else invoker!.members = invoker!.members.filter((m) => m !== 'allUsers');
      await this.services.setIamPolicy({ resource, policy: { ...policy, bindings: bindings.filter((b) => b.members.length) } });
      return true;
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.services.close(), this.revisionsClient?.close()]);
  }

  private async getRaw(serviceName: string): Promise<protos.google.cloud.run.v2.IService> {
    const [service] = await this.services.getService({ name: this.fullName(serviceName) }, this.callOptions);
    return service;
  }

  private fullName(serviceName: string): string {
    return serviceName.includes('/') ? serviceName : serviceResourceName(this.target.project, this.target.region, serviceName);
  }

  private async call<T>(action: string, work: () => Promise<T>, lroFailureKind?: 'operationFailed'): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UserCancelledError) throw error;
      const mapped = toUserFacingError(error, { action, endpoint: this.endpoint, project: this.target.project });
      // A failed long-running operation (revision not ready) is a deploy failure, not a request error.
      return Promise.reject(lroFailureKind && mapped.kind === 'unknown'
        ? new UserFacingError(mapped.message, lroFailureKind, [], mapped.detail) : mapped);
    }
  }
}

/** The operation's result, or UserCancelledError as soon as `signal` aborts (the operation itself goes on). */
function untilDone<T>(operation: { promise(): Promise<T> }, signal: AbortSignal | undefined): Promise<T> {
  if (signal?.aborted) return Promise.reject(new UserCancelledError());
  const done = operation.promise();
  if (!signal) return done;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new UserCancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
