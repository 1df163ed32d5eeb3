// What Cloud Build checks in a Build before accepting it, and the fields it fills in on creation (name, id,
// QUEUED, timeouts, logUrl, logsBucket, the default service account). Names: the API answers with the project
// number in `name` (projects/NUMBER/locations/L/builds/ID) and the id in `projectId`.
import { invalidArgument } from './apiError';
import type { BuildMessage } from './buildExecution';
import { checkSubstitutionKeys } from './cloudBuildSubstitutions';
import { defaultServiceAccount } from './cloudRunRules';
import { numberOf } from './projects';
import { nowTimestamp } from './timestamps';

export const FINAL_STATUSES = new Set(['SUCCESS', 'FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED']);
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const DEFAULT_QUEUE_TTL_SECONDS = 3600;
const SERVICE_ACCOUNT = /^projects\/[^/]+\/serviceAccounts\/[^/]+$/;
const MAX_STEPS = 300;

export function durationMs(d: { seconds?: string | number; nanos?: number } | undefined, fallbackSeconds: number): number {
  if (!d || (d.seconds === undefined && d.nanos === undefined)) return fallbackSeconds * 1000;
  return Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

/** The console page of a build, as Cloud Build sets `logUrl` (regional builds name their region). */
export function buildLogUrl(projectNumber: string, location: string, id: string): string {
  const region = location === 'global' ? '' : `;region=${location}`;
  return `https://console.cloud.google.com/cloud-build/builds${region}/${id}?project=${projectNumber}`;
}

/** The checks of CreateBuild that do not depend on substitutions. */
export function checkBuildRequest(build: BuildMessage | undefined): asserts build is BuildMessage {
  if (!build) throw invalidArgument('Request contains an invalid argument: build is required.');
  const steps = build.steps ?? [];
  if (steps.length === 0) throw invalidArgument('invalid build: build must have at least one step');
  if (steps.length > MAX_STEPS) throw invalidArgument(`invalid build: a build may have at most ${MAX_STEPS} steps, this one has ${steps.length}`);
  const ids = new Set<string>();
  steps.forEach((step, i) => {
    if (!step.name) throw invalidArgument(`invalid build: step ${i} must specify a name (the builder image, e.g. gcr.io/cloud-builders/docker)`);
    if (step.args?.length && step.script) throw invalidArgument(`invalid build: step ${i} has both args and script; use one of them`);
    for (const dep of step.waitFor ?? []) {
      if (dep !== '-' && !ids.has(dep)) throw invalidArgument(`invalid build: step ${i} depends on step "${dep}", which is not an earlier step's id`);
    }
    if (step.id) {
      if (ids.has(step.id)) throw invalidArgument(`invalid build: step id "${step.id}" is used more than once`);
      ids.add(step.id);
    }
  });
  checkSubstitutionKeys(build.substitutions);
  if (build.serviceAccount) {
    if (!SERVICE_ACCOUNT.test(build.serviceAccount)) {
      throw invalidArgument(`invalid value for 'build.service_account': "${build.serviceAccount}" must be projects/PROJECT_ID/serviceAccounts/EMAIL`);
    }
    const logging = build.options?.logging ?? '';
    const bucketBehavior = (build.options as { defaultLogsBucketBehavior?: string } | undefined)?.defaultLogsBucketBehavior;
    if (!build.logsBucket && bucketBehavior !== 'REGIONAL_USER_OWNED_BUCKET' && logging !== 'CLOUD_LOGGING_ONLY' && logging !== 'NONE') {
      throw invalidArgument("if 'build.service_account' is specified, the build must either (a) specify 'build.logs_bucket', (b) use the REGIONAL_USER_OWNED_BUCKET build.options.default_logs_bucket_behavior option, or (c) use either CLOUD_LOGGING_ONLY / NONE logging options");
    }
  }
}

/** The stored build as CreateBuild answers it: QUEUED, named, timed, with its defaults. */
export function newBuild(fields: BuildMessage, project: string, location: string, id: string): BuildMessage {
  const number = numberOf(project);
  const logging = fields.options?.logging ?? '';
  const build: BuildMessage = {
    ...structuredClone(fields),
    id,
    name: `projects/${number}/locations/${location}/builds/${id}`,
    projectId: project,
    status: 'QUEUED',
    createTime: nowTimestamp(),
    timeout: fields.timeout?.seconds || fields.timeout?.nanos ? fields.timeout : { seconds: String(DEFAULT_TIMEOUT_SECONDS), nanos: 0 },
    queueTtl: (fields.queueTtl as object | undefined) ?? { seconds: String(DEFAULT_QUEUE_TTL_SECONDS), nanos: 0 },
    logUrl: buildLogUrl(number, location, id),
    // Projects that started using Cloud Build after mid-2024 build as the Compute Engine default account.
    serviceAccount: fields.serviceAccount || `projects/${project}/serviceAccounts/${defaultServiceAccount(project)}`,
  };
  if (!build.logsBucket && logging !== 'CLOUD_LOGGING_ONLY' && logging !== 'NONE') {
    build.logsBucket = `gs://${number}.cloudbuild-logs.googleusercontent.com`;
  }
  delete build.startTime;
  delete build.finishTime;
  delete build.results;
  delete build.failureInfo;
  delete build.statusDetail;
  for (const step of build.steps) {
    delete step.status;
    delete step.timing;
    delete step.exitCode;
  }
  return build;
}

/** The log label Cloud Build puts on each line: `Step #2 - "deploy"`, or MAIN for the build's own lines. */
export function stepLabel(build: BuildMessage, step: number | undefined): string {
  if (step === undefined) return 'MAIN';
  const id = build.steps[step]?.id;
  return id ? `Step #${step} - "${id}"` : `Step #${step}`;
}
