// Deploy → verify → rollout: the Cloud Run half. A new revision starts at 0% with the "candidate" tag,
// is health-checked on its tag URL, then moves through the configured steps; any failure or
// cancellation restores the split that served before.
import { serviceResourceName, shortName } from '../core/cloudRunNames';
import { DeployConfig, ingressValue, revisionTemplate } from '../core/deployConfig';
import { DeployPlan, describePlan, planNewService, planServiceChanges, unlistedEnv } from '../core/deployPlan';
import { patchLiveService, ServiceSpec } from '../core/servicePatch';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { ServiceSummary, TrafficTarget } from '../core/model';
import { CANDIDATE_TAG, candidateSplit, nextRevisionName, pinnedSplit } from '../core/rolloutPlan';
import { describeCheck, describeResolved, HealthCheckStep, ResolvedHealthCheck } from '../core/healthCheck';
import { cloudChecks, runHealthChecks } from '../docker/healthCheckProbe';
import { toRawTraffic, toServiceSummary } from '../gcp/cloudRunMapping';
import { DeployDeps, DeployUi } from './types';
import { gateCounts } from './gateCounts';


export interface Release {
  service: ServiceSummary;
  revision: string;
  created: boolean;
  /**
   * No revision served before (a new service, or one whose revisions never became ready): the new revision
   * takes all traffic at once and is verified on the service URL; there is no split to roll through.
   */
  takesAllTraffic: boolean;
  /** The split that served before this deploy, pinned to revisions; empty for a new service. */
  previous: TrafficTarget[];
  /** The health check verify and the rollout gates run on Cloud Run. */
  health: HealthPlan;
}

/** The checks chosen for the app, and the one the local smoke test passed (when it ran). */
export interface HealthPlan {
  steps: readonly HealthCheckStep[];
  resolved?: ResolvedHealthCheck;
}

export async function deployRevision(config: DeployConfig, image: string, health: HealthPlan, deps: DeployDeps, ui: DeployUi,
  signal?: AbortSignal): Promise<Release> {
  const name = serviceResourceName(config.project, config.region, config.service);
  // Read once: the plan, the write (with this read's etag) and the restore point all come from it.
  const live = await deps.cloudRun.getServiceSpec(name);
  const latestCreated = live?.latestCreatedRevision ? shortName(live.latestCreatedRevision) : undefined;
  const revision = nextRevisionName(config.service, latestCreated);
  if (!live) return createService(config, name, image, revision, health, deps, ui, signal);

  const { names: unlistedNames, ...unlisted } = unlistedEnv(live as ServiceSpec, config);
  let removeEnv: string[] = [];
  if (unlistedNames.length) {
    const answer = await ui.confirmDroppedRefs(config.service, { creates: false, changes: [], ...unlisted });
    if (answer === 'cancel') throw new UserCancelledError();
    if (answer === 'remove') removeEnv = unlistedNames;
  }
  const patched = patchLiveService(live as ServiceSpec, config, config.explicit, image, revision, removeEnv);
  const publicBefore = await deps.cloudRun.isPublic(name);
  const publicAfter = config.explicit.has('allowUnauthenticated') ? config.allowUnauthenticated : publicBefore;
  const plan: DeployPlan = { creates: false, changes: planServiceChanges(live as ServiceSpec, patched, { publicBefore, publicAfter }),
    ...(removeEnv.length ? { droppedEnv: [], droppedSecrets: [] } : unlisted),
    healthCheck: describeHealthPlan(health), notes: await verificationNotes(publicAfter, live.uri, deps) };
  if (!(await ui.confirmPlan(config.service, describePlan(plan), plan))) throw new UserCancelledError();

  const previous = pinnedSplit(toServiceSummary(live).trafficStatuses);
  // Nothing serves (say the first revision never became ready): there is no split to protect or roll through.
  const takesAllTraffic = !previous.some((t) => t.percent > 0);
  ui.progress('deploy', `updating ${config.service} with revision ${revision}${takesAllTraffic ? ' (no revision serves now: it takes all traffic)' : ''}`);
  const traffic = takesAllTraffic ? [{ kind: 'latest' as const, percent: 100 }, ...previous] : candidateSplit(previous, revision, 0);
  const spec = { ...patched, traffic: traffic.map(toRawTraffic), trafficStatuses: undefined };
  let service: ServiceSummary;
  try {
    service = await deps.cloudRun.deployService(spec as never, false, signal);
  } catch (error) {
    if (error instanceof UserCancelledError) {
      ui.warn(`Stopped waiting for Cloud Run: it goes on creating ${revision} with 0% of traffic; what serves ${config.service} is unchanged.`);
      throw error;
    }
    if (error instanceof UserFacingError && error.kind === 'conflict') throw changedSincePlanned(config.service, error);
    throw await withRevisionDetails(error, config, revision, deps);
  }
  if (publicAfter !== publicBefore && (await deps.cloudRun.setPublic(name, publicAfter))) {
    ui.log(`${config.service} is now ${publicAfter ? 'public: roles/run.invoker granted to allUsers' : 'private: allUsers no longer invokes it'}`);
  }
  return { service, revision, created: false, takesAllTraffic, previous, health };
}

/** A first deploy: shows what will be created (public or not) and asks, then creates it. */
async function createService(config: DeployConfig, name: string, image: string, revision: string, health: HealthPlan, deps: DeployDeps,
  ui: DeployUi, signal?: AbortSignal): Promise<Release> {
  const plan: DeployPlan = { creates: true, changes: planNewService(config, image), droppedEnv: [], droppedSecrets: [],
    healthCheck: describeHealthPlan(health), notes: await verificationNotes(config.allowUnauthenticated, undefined, deps) };
  if (!(await ui.confirmPlan(config.service, describePlan(plan), plan))) throw new UserCancelledError();
  ui.progress('deploy', `creating ${config.service} with revision ${revision}`);
  let service: ServiceSummary;
  try {
    service = await deps.cloudRun.deployService({ name, template: revisionTemplate(config, image, revision), ingress: ingressValue(config.ingress) } as never, true, signal);
  } catch (error) {
    if (error instanceof UserCancelledError) {
      ui.warn(`Stopped waiting for Cloud Run: it goes on creating ${config.service}; delete the service if you do not want it.`);
      throw error;
    }
    throw await withRevisionDetails(error, config, revision, deps);
  }
  if (config.allowUnauthenticated && (await deps.cloudRun.setPublic(name, true))) {
    ui.log(`${config.service} is now public: roles/run.invoker granted to allUsers`);
  }
  return { service, revision, created: true, takesAllTraffic: true, previous: [], health };
}

/** Said up front, not as a 403 after the push: a private service whose health checks cannot authenticate. */
async function verificationNotes(isPublic: boolean, uri: string | null | undefined, deps: DeployDeps): Promise<string[]> {
  if (isPublic || !deps.authHeaders) return [];
  const headers = await deps.authHeaders(uri || 'https://service.run.app').catch(() => undefined);
  return headers ? [] : ['The service is private and these credentials give no identity token, so its health checks will get 401/403 and ' +
    'the deploy will stop at verify. Use a service account (GOOGLE_APPLICATION_CREDENTIALS), run ' +
    '"gcloud auth application-default login" again, or set mentor.allowUnauthenticated.'];
}

/** The etag read at plan time no longer matches: someone changed the service; nothing was written. */
function changedSincePlanned(service: string, error: UserFacingError): UserFacingError {
  return new UserFacingError(`${service} changed since you planned this deploy (another deploy, the Cloud Console or gcloud). ` +
    'Nothing was overwritten and traffic is unchanged: deploy again to plan against what runs now.', 'conflict',
  [{ kind: 'command', label: 'Deploy Again', command: 'mentor.deploy' }], error.detail);
}

/** A failed deploy says why in the revision's own words, with its last log lines. */
async function withRevisionDetails(error: unknown, config: DeployConfig, revision: string, deps: DeployDeps): Promise<unknown> {
  if (!(error instanceof UserFacingError)) return error;
  const condition = await deps.cloudRun.getRevision(`${serviceResourceName(config.project, config.region, config.service)}/revisions/${revision}`)
    .then((r) => r.stateMessage, () => undefined);
  const lines = await deps.logs.recentLines(config.service, revision, 20).catch(() => []);
  const detail = [error.detail, ...(lines.length ? ['Last log lines:', ...lines] : [])].filter(Boolean).join('\n');
  return new UserFacingError(`Deploying ${revision} failed: ${condition ?? error.message}` +
    (lines.length ? `\nLast log line: ${lines[lines.length - 1]}` : ''), 'operationFailed', error.actions, detail);
}

/** Runs the app's health check on the candidate's tag URL (or the service URL for a new service). */
export async function verify(config: DeployConfig, release: Release, deps: DeployDeps, ui: DeployUi, signal: AbortSignal):
  Promise<{ url: string; path: string; status: number; ms: number }> {
  const base = candidateBaseUrl(config, release);
  const outcome = await runCloudChecks(base, release, config.verifyTimeoutSeconds * 1000, deps, signal,
    (step) => ui.progress('verify', `GET ${base}${step.path}`));
  const url = `${base}${outcome.step.path}`;
  if (outcome.ok) {
    ui.log(`Verify: GET ${url} ${outcome.status} in ${outcome.elapsedMs} ms (${outcome.step.reason})`);
    return { url, path: outcome.step.path, status: outcome.status, ms: outcome.elapsedMs };
  }
  const { probe } = outcome;
  if (probe.reason === 'aborted') throw new UserCancelledError();
  const privateHint = probe.lastStatus === 401 || probe.lastStatus === 403
    ? ' The service is private: set mentor.allowUnauthenticated, or use service-account credentials so Mentor can send an ID token.' : '';
  throw new UserFacingError(`${release.revision} did not pass its health check: GET ${url} ` +
    `${probe.lastStatus ? `answered ${probe.lastStatus}` : `failed (${probe.lastError ?? 'no answer'})`} (${outcome.step.reason}).${privateHint}`,
  'operationFailed');
}

/** The check the smoke test resolved (or the whole chain when it did not run), where a 401/403 from IAM proves nothing. */
async function runCloudChecks(base: string, release: Release, timeoutMs: number, deps: DeployDeps, signal: AbortSignal,
  onStep?: (step: HealthCheckStep) => void) {
  const { steps, inconclusive } = cloudChecks(release.health.resolved, release.health.steps);
  return runHealthChecks({ baseUrl: base, steps, inconclusive, timeoutMs, signal, onStep, ...(await headers(deps, base)) });
}

/** The new revision's URL: its tag URL, or the service URL for a new service (which has no tag). */
function candidateBaseUrl(config: DeployConfig, release: Release): string {
  const tagged = release.service.trafficStatuses.find((t) => t.tag === CANDIDATE_TAG)?.uri;
  const base = (release.takesAllTraffic ? release.service.uri : tagged ?? release.service.uri) ?? '';
  if (!base) throw new UserFacingError(`Cloud Run returned no URL for ${config.service}.`, 'operationFailed');
  return base.replace(/\/$/, '');
}

/** The plan's line about health: what the smoke test found, or what verify will try. */
function describeHealthPlan(health: HealthPlan): string {
  return health.resolved ? describeResolved(health.resolved)
    : `Health check (no smoke test ran): ${health.steps.map((step) => describeCheck(step)).join('; else ')}.`;
}

async function headers(deps: DeployDeps, url: string): Promise<{ headers?: Record<string, string> }> {
  const extra = await deps.authHeaders?.(url);
  return extra ? { headers: extra } : {};
}

/** Moves traffic through the steps with health and error-rate gates; restores `previous` on failure. */
export async function rollout(config: DeployConfig, release: Release, deps: DeployDeps, ui: DeployUi, signal: AbortSignal): Promise<ServiceSummary> {
  if (release.takesAllTraffic) return release.service;
  const name = release.service.name;
  const steps = config.rollout.strategy === 'allAtOnce' ? [100] : config.rollout.steps.filter((s) => s > 0);
  let service = release.service;
  try {
    for (const step of steps) {
      if (signal.aborted) throw new UserCancelledError();
      const decision = deps.steering?.decision;
      if (decision === 'rollBack') throw new Error('Roll back was chosen in the metrics panel.');
      // Promote skips the remaining gates: the next move is straight to 100%.
      const percent = decision === 'promote' ? 100 : step;
      if (decision === 'promote') ui.log(`Promoted from the metrics panel: 100% to ${release.revision}, remaining gates skipped.`);
      ui.progress('rollout', `${percent}% to ${release.revision}`);
      service = await deps.cloudRun.updateTraffic(name, candidateSplit(release.previous, release.revision, percent), signal);
      if (percent === 100) return service;
      await gate(config, release, percent, deps, ui, signal);
    }
    return service;
  } catch (error) {
    ui.warn(`Rolling back: restoring the previous traffic split (${describeSplit(release.previous)}).`);
    try {
      await deps.cloudRun.updateTraffic(name, release.previous);
    } catch (restoreError) {
      throw await restoreFailed(name, release, deps, error, restoreError);
    }
    if (error instanceof UserCancelledError || (error as Error).name === 'AbortError') throw error;
    throw new UserFacingError(`Rollout of ${release.revision} stopped and rolled back: ${(error as Error).message} ` +
      `Traffic is back on ${release.previous.filter((t) => t.percent > 0).map((t) => t.revision).join(', ')}.`, 'operationFailed');
  }
}

const describeSplit = (split: readonly TrafficTarget[]) =>
  split.map((t) => `${t.revision} ${t.percent}%${t.tag ? ` (tag ${t.tag})` : ''}`).join(', ');

/** Restoring after a failed step failed too: the split that serves NOW, and Restore to try again. */
export class RestoreFailedError extends UserFacingError {
  constructor(message: string, readonly serviceName: string, readonly previous: TrafficTarget[], detail?: string) {
    super(message, 'operationFailed', [{ kind: 'command', label: 'Restore', command: 'mentor.undoTrafficChange', args: [serviceName] }], detail);
  }
}

async function restoreFailed(name: string, release: Release, deps: DeployDeps, cause: unknown, restoreError: unknown): Promise<RestoreFailedError> {
  const serving = await deps.cloudRun.getService(name).then((s) => describeSplit(s.trafficStatuses.filter((t) => t.percent > 0 || t.tag)), () => 'unknown (the service could not be read)');
  return new RestoreFailedError(`Rollout of ${release.revision} stopped (${(cause as Error).message}), and restoring the previous split failed: ` +
    `${(restoreError as Error).message} Now serving: ${serving}. Restore sets ${describeSplit(release.previous)}.`, name, release.previous,
  restoreError instanceof UserFacingError ? restoreError.detail : undefined);
}

/** Health checks of the candidate over the interval, then its 5xx rate from request logs. */
async function gate(config: DeployConfig, release: Release, percent: number, deps: DeployDeps, ui: DeployUi, signal: AbortSignal): Promise<void> {
  const since = new Date();
  const pause = (config.rollout.intervalSeconds * 1000) / config.rollout.healthChecks;
  const base = candidateBaseUrl(config, release);
  for (let check = 1; check <= config.rollout.healthChecks; check++) {
    await sleep(pause, signal, deps.steering?.signal);
    if (deps.steering?.decision) return;
    const probe = await runCloudChecks(base, release, 10_000, deps, signal);
    if (!probe.ok) {
      if (probe.probe.reason === 'aborted') throw new UserCancelledError();
      throw new Error(`health check ${check}/${config.rollout.healthChecks} at ${percent}% failed ` +
        `(GET ${base}${probe.step.path} ${probe.probe.lastStatus ?? probe.probe.lastError ?? 'no answer'}).`);
    }
    ui.log(`Gate ${percent}%: health check ${check}/${config.rollout.healthChecks} ${probe.status}`);
  }
  const counts = await gateCounts(config.service, release.revision, since, deps);
  const rate = counts.requests ? (100 * counts.errors) / counts.requests : undefined;
  ui.log(`Gate ${percent}%: ${counts.requests} requests, ${counts.errors} answered 5xx, error rate ${rate === undefined ? 'n/a' : `${rate.toFixed(1)}%`}` +
    `${counts.p95Ms === undefined ? '' : `, p95 ${Math.round(counts.p95Ms)} ms`} (from ${counts.source})`);
  if (rate !== undefined && rate > config.rollout.maxErrorRatePercent) {
    throw new Error(`error rate ${rate.toFixed(1)}% at ${percent}% is above mentor.rollout.maxErrorRatePercent (${config.rollout.maxErrorRatePercent}%).`);
  }
}

/** Rejects on cancel; resolves early when `wake` aborts (a decision from the metrics panel). */
function sleep(ms: number, signal: AbortSignal, wake?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (wake?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); reject(new UserCancelledError()); }, { once: true });
    wake?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
