// "Deploy", end to end: preflight → build → local smoke test → push → deploy → verify → rollout.
// Each step is timed; cancellation is honoured between and inside steps, and traffic never stays on an
// unverified revision (the new revision starts at 0% and rollout restores the old split on failure).
import { UserCancelledError } from '../core/errors';
import { buildImage, pushImage, smokeTest } from './imageSteps';
import { preflight } from './preflight';
import { deployRevision, rollout, verify } from './releaseSteps';
import { DeployDeps, DeployInput, DeployResult, DeployStep, DeployUi, StepTiming } from './types';

export async function runDeploy(input: DeployInput, deps: DeployDeps, ui: DeployUi, signal: AbortSignal): Promise<DeployResult> {
  const timings: StepTiming[] = [];
  const step = async <T>(name: DeployStep, work: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new UserCancelledError();
    ui.progress(name, '');
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings.push({ step: name, ms: Date.now() - started });
    }
  };
  const { config } = input;
  await step('preflight', () => preflight(config, deps, ui));
  const engine = await deps.docker();
  const local = await step('build', () => buildImage(engine, input, ui, signal));
  if (config.smokeTest) await step('smoke test', () => smokeTest(engine, local, input, ui, signal));
  const pushed = await step('push', () => pushImage(engine, local, input, deps, ui, signal));
  const release = await step('deploy', () => deployRevision(config, pushed.reference, deps, ui));
  let health: Awaited<ReturnType<typeof verify>>;
  try {
    health = await step('verify', () => verify(config, release, deps, ui, signal));
  } catch (error) {
    // The candidate has 0% (or, for a new service, there was nothing before): nothing to restore.
    if (!release.created) ui.warn(`${release.revision} keeps 0% of traffic; ${config.service} still serves the previous revisions.`);
    throw error;
  }
  const service = await step('rollout', () => rollout(config, release, deps, ui, signal));
  return {
    service: config.service, revision: release.revision, url: service.uri ?? health.url, healthStatus: health.status,
    healthMs: health.ms, image: pushed.reference, push: pushed, created: release.created, previousTraffic: release.previous, timings,
  };
}
