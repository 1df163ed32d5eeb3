// Builds services and revisions the way Cloud Run reports them, and moves them between the states a
// deployment goes through (reconciling → serving, or → failed with the last serving state kept).
// Shared by the request handlers and the seeds, so seeded data looks exactly like deployed data.
import { randomUUID } from 'node:crypto';
import type { Condition, Revision, RevisionTemplate, Service, Timestamp } from './apiTypes';
import {
  condition, etagFor, resolveTrafficStatuses, revisionLogUri, serviceUri, serviceUrls, templateFingerprint,
} from './cloudRunRules';
import type { ServiceRecord } from './stateStore';

export interface ServiceAddress {
  project: string;
  location: string;
  service: string;
}

export function serviceName(a: ServiceAddress): string {
  return `projects/${a.project}/locations/${a.location}/services/${a.service}`;
}

export function shortRevisionName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** A new revision, still being deployed. Its configuration comes from the service template. */
export function newRevision(
  a: ServiceAddress,
  shortName: string,
  template: RevisionTemplate,
  at: Timestamp,
  creator: string,
): Revision {
  const config: RevisionTemplate = structuredClone(template);
  const { labels, annotations } = config;
  delete config.revision;
  delete config.labels;
  delete config.annotations;
  const name = `${serviceName(a)}/revisions/${shortName}`;
  return {
    ...config,
    name,
    uid: randomUUID(),
    generation: '1',
    labels: labels ?? {},
    annotations: annotations ?? {},
    createTime: at,
    updateTime: at,
    service: serviceName(a),
    containers: config.containers ?? [],
    reconciling: true,
    conditions: [
      condition('Ready', 'CONDITION_RECONCILING', at),
      condition('ContainerHealthy', 'CONDITION_PENDING', at),
      condition('ResourcesAvailable', 'CONDITION_RECONCILING', at),
    ],
    observedGeneration: '1',
    logUri: revisionLogUri(a.project, a.service, shortName),
    creator,
    etag: etagFor(name, templateFingerprint(template)),
  };
}

export function markRevisionReady(revision: Revision, at: Timestamp): void {
  revision.reconciling = false;
  revision.updateTime = at;
  revision.conditions = [
    condition('Ready', 'CONDITION_SUCCEEDED', at),
    condition('ContainerHealthy', 'CONDITION_SUCCEEDED', at),
    condition('ResourcesAvailable', 'CONDITION_SUCCEEDED', at),
  ];
}

/**
 * `reason` (a CommonReason such as CONTAINER_MISSING or SECRETS_ACCESS_CHECK_FAILED) when the container never
 * ran; without it the container failed its health check.
 */
export function markRevisionFailed(revision: Revision, message: string, at: Timestamp, reason?: string): void {
  revision.reconciling = false;
  revision.updateTime = at;
  revision.conditions = [
    condition('Ready', 'CONDITION_FAILED', at, { message, ...(reason ? { reason } : {}) }),
    condition('ContainerHealthy', 'CONDITION_FAILED', at, reason ? { message, reason } : { message, revisionReason: 'HEALTH_CHECK_CONTAINER_ERROR' }),
    condition('ResourcesAvailable', 'CONDITION_SUCCEEDED', at),
  ];
}

export function isRevisionReady(revision: Revision): boolean {
  return revision.conditions.some((c) => c.type === 'Ready' && c.state === 'CONDITION_SUCCEEDED');
}

export function newServiceRecord(a: ServiceAddress, at: Timestamp, creator: string): ServiceRecord {
  return {
    service: {
      name: serviceName(a),
      uid: randomUUID(),
      generation: '0',
      createTime: at,
      updateTime: at,
      creator,
      lastModifier: creator,
      observedGeneration: '0',
      conditions: [],
      trafficStatuses: [],
      urls: [],
    },
    revisions: [],
    revisionCounter: 0,
    iamPolicy: { version: 1, bindings: [], etag: Buffer.from(randomUUID()).toString('base64').slice(0, 12) },
    revisionFingerprints: {},
  };
}

/** Records a new desired state: bumps generation when it changed and starts reconciling. */
export function beginReconcile(record: ServiceRecord, at: Timestamp, modifier: string, specChanged: boolean): void {
  const svc = record.service;
  if (specChanged) {
    svc.generation = String(Number(svc.generation ?? '0') + 1);
    svc.updateTime = at;
    svc.lastModifier = modifier;
  }
  svc.etag = etagFor(svc.uid ?? '', svc.generation ?? '0', svc.updateTime?.seconds ?? '');
  svc.reconciling = true;
  const reconciling = (type: string) => condition(type, 'CONDITION_RECONCILING', at);
  svc.terminalCondition = reconciling('Ready');
  svc.conditions = [reconciling('Ready'), reconciling('ConfigurationsReady'), reconciling('RoutesReady')];
}

/** The deployment succeeded: `revision` (if a new one was made) is ready and the traffic is live. */
export function finishServing(record: ServiceRecord, a: ServiceAddress, at: Timestamp, revision?: Revision): void {
  settleTraffic(record, a, at, revision);
  markServiceReady(record.service, at);
}

/** The traffic the finished deployment serves (resolved statuses, URLs); the service still reports reconciling. */
export function settleTraffic(record: ServiceRecord, a: ServiceAddress, at: Timestamp, revision?: Revision): void {
  const svc = record.service;
  if (revision) {
    markRevisionReady(revision, at);
    svc.latestReadyRevision = revision.name;
  } else if (!svc.latestReadyRevision) {
    const ready = record.revisions.find(isRevisionReady);
    if (ready) svc.latestReadyRevision = ready.name;
  }
  const latestReady = svc.latestReadyRevision ? shortRevisionName(svc.latestReadyRevision) : '';
  svc.trafficStatuses = resolveTrafficStatuses(svc.traffic ?? [], latestReady, (tag) =>
    serviceUri(a.project, a.location, a.service, tag));
  svc.uri = serviceUri(a.project, a.location, a.service);
  svc.urls = serviceUrls(a.project, a.location, a.service);
}

/** Ready: the last step of a deployment, once its traffic is served. */
export function markServiceReady(svc: Service, at: Timestamp): void {
  svc.observedGeneration = svc.generation;
  svc.reconciling = false;
  const ok = (type: string) => condition(type, 'CONDITION_SUCCEEDED', at);
  svc.terminalCondition = ok('Ready');
  svc.conditions = [ok('Ready'), ok('ConfigurationsReady'), ok('RoutesReady')];
}

/**
 * The deployment failed. Like Cloud Run, the service keeps serving what it served before (trafficStatuses,
 * latestReadyRevision, uri untouched) and reports the failure in its conditions.
 */
export function finishFailed(record: ServiceRecord, message: string, at: Timestamp, revision?: Revision, reason?: string): void {
  const svc = record.service;
  if (revision) markRevisionFailed(revision, message, at, reason);
  svc.observedGeneration = svc.generation;
  svc.reconciling = false;
  const failed: Condition = condition('Ready', 'CONDITION_FAILED', at, {
    message,
    ...(revision ? { reason: 'REVISION_FAILED' } : {}),
  });
  svc.terminalCondition = failed;
  svc.conditions = [
    failed,
    revision
      ? condition('ConfigurationsReady', 'CONDITION_FAILED', at, { message, reason: 'REVISION_FAILED' })
      : condition('ConfigurationsReady', 'CONDITION_SUCCEEDED', at),
    revision
      ? condition('RoutesReady', 'CONDITION_SUCCEEDED', at)
      : condition('RoutesReady', 'CONDITION_FAILED', at, { message }),
  ];
}

/** Copy of a service for answers: never hand out the stored object itself. */
export function serviceView(svc: Service): Service {
  return structuredClone(svc);
}
