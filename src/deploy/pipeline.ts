// "Deploy", end to end: preflight → build → local smoke test → push → deploy → verify → rollout.
// Each step is timed; cancellation is honoured between and inside steps, and traffic never stays on an
// unverified revision (the new revision starts at 0% and rollout restores the old split on failure).
import { UserCancelledError } from '../core/errors';
import { buildImage, pushImage, smokeTest } from './imageSteps';
import { preflight } from './preflight';
import { CANDIDATE_TAG } from '../core/rolloutPlan';
import { chooseHealthChecks } from '../core/healthCheck';
import { folderProjectFiles } from '../local/folderFiles';
import { startCommandPortError } from '../local/startCommandCheck';
import { deployRevision, HealthPlan, Release, rollout, verify } from './releaseSteps';
import { DeployDeps, DeployInput, DeployResult, DeployStep, DeployUi, StepTiming } from './types';

export async function runDeploy(input: DeployInput, deps: DeployDeps, ui: DeployUi, signal: AbortSignal): Promise<DeployResult> {
  const timings: StepTiming[] = [];
  const step = async <T>(name: DeployStep, work: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new UserCancelledError();
    ui.progress(name, '');
    const started = Date.now();
    // Listed in the order the steps start (the smoke test and the push overlap).
    const timing: StepTiming = { step: name, ms: 0 };
    timings.push(timing);
    try {
      return await work();
    } finally {
      timing.ms = Date.now() - started;
    }
  };
  const { config } = input;
  await step('preflight', async () => {
    await preflight(config, deps, ui);
    const portError = await startCommandPortError(input.folder, config.port);
    if (portError) throw portError;
  });
  const healthPlan: HealthPlan = { steps: await chooseHealthChecks(folderProjectFiles(input.folder), config.healthPath) };
  const engine = await deps.docker();
  const local = await step('build', () => buildImage(engine, input, ui, signal));
  // The smoke test runs while the image is pushed; nothing is deployed before it passes, and either
  // failing stops the other (its container removed, its upload cancelled) before the error is reported.
  const both = new AbortController();
  const stopBoth = () => both.abort();
  signal.addEventListener('abort', stopBoth, { once: true });
  let firstFailure: { error: unknown } | undefined;
  const failFast = <T>(work: Promise<T>) => work.catch((error: unknown) => { firstFailure ??= { error }; stopBoth(); throw error; });
  const [, pushing] = await Promise.allSettled([
    config.smokeTest ? failFast(step('smoke test', async () => { healthPlan.resolved = await smokeTest(engine, local, input, healthPlan.steps, ui, both.signal); }))
      : Promise.resolve(),
    failFast(step('push', () => pushImage(engine, local, input, deps, ui, both.signal))),
  ]);
  signal.removeEventListener('abort', stopBoth);
  // The step that failed first is the reason; the other one only stopped because of it.
  if (firstFailure) throw firstFailure.error;
  if (pushing.status === 'rejected') throw pushing.reason;
  const pushed = pushing.value;
  const release = await step('deploy', () => deployRevision(config, pushed.reference, healthPlan, deps, ui, signal));
  let health: Awaited<ReturnType<typeof verify>>;
  try {
    health = await step('verify', () => verify(config, release, deps, ui, signal));
  } catch (error) {
    // The candidate has 0% (or, for a new service, there was nothing before): only its tag is to undo.
    if (!release.takesAllTraffic) await dropCandidateTag(release, deps, ui);
    throw error;
  }
  const service = await step('rollout', () => rollout(config, release, deps, ui, signal));
  return {
    service: config.service, revision: release.revision, url: service.uri ?? health.url, healthPath: health.path, healthStatus: health.status,
    healthMs: health.ms, image: pushed.reference, push: pushed, created: release.created, previousTraffic: release.previous, timings,
  };
}

/** After a failed verify: the split as it was (without the candidate tag), or why the tag stays. */
async function dropCandidateTag(release: Release, deps: DeployDeps, ui: DeployUi): Promise<void> {
  try {
    await deps.cloudRun.updateTraffic(release.service.name, release.previous);
    ui.warn(`${release.revision} keeps 0% of traffic and no longer has the "${CANDIDATE_TAG}" tag; ${release.service.id} serves as before.`);
  } catch (error) {
    ui.warn(`${release.revision} keeps 0% of traffic; its "${CANDIDATE_TAG}" tag stays because removing it failed: ${(error as Error).message}`);
  }
}
