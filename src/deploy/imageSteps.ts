// Build → local smoke test → push: the image half of a deploy, on the local engine.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cloudRunEnv } from '../core/containerContract';
import { imageRepository, registryHost } from '../core/deployConfig';
import { UserFacingError } from '../core/errors';
import { diagnosePort } from '../core/portDiagnosis';
import { parseCpu, parseMemory } from '../core/resources';
import { describeCheck, describeResolved, HealthCheckStep, ResolvedHealthCheck } from '../core/healthCheck';
import { refuseSecretsInContext } from '../docker/contextSecrets';
import { runHealthChecks } from '../docker/healthCheckProbe';
import type { DockerEngine, PushResult } from '../docker/types';
import { DeployDeps, DeployInput, DeployUi } from './types';

const SMOKE_TEST_TIMEOUT_MS = 60_000;

export async function buildImage(engine: DockerEngine, input: DeployInput, ui: DeployUi, signal: AbortSignal): Promise<string> {
  const { service } = input.config;
  const local = `${service}:local`;
  const tags = [local, ...(input.sourceTag ? [`${service}:${input.sourceTag}`] : [])];
  // Before anything is built: a secret in a pushed image can be read by whoever pulls it, layers never forget.
  await refuseSecretsInContext(input.folder, 'Dockerfile', input.config.allowedFilesInImage);
  let lastStep = 0;
  const result = await engine.build({
    contextDir: input.folder, dockerfile: 'Dockerfile', tags, signal,
    onProgress: ({ line, step, totalSteps }) => {
      ui.log(line);
      if (step && totalSteps && step !== lastStep) ui.progress('build', `step ${(lastStep = step)} of ${totalSteps}`);
    },
  });
  ui.log(`Built ${tags.join(', ')} (${result.contextFiles} files, ${(result.contextBytes / 1024).toFixed(0)} KiB context)`);
  return local;
}

/**
 * Runs the image like Cloud Run would and requires its health check to pass before anything is deployed.
 * Returns the check that passed: verify and the rollout gates use the same one on Cloud Run.
 */
export async function smokeTest(engine: DockerEngine, image: string, input: DeployInput, checks: readonly HealthCheckStep[], ui: DeployUi,
  signal: AbortSignal): Promise<ResolvedHealthCheck> {
  const { config } = input;
  ui.progress('smoke test', `running ${image} locally`);
  const container = await engine.run({
    image, containerPort: config.port, memoryBytes: parseMemory(config.memory), nanoCpus: parseCpu(config.cpu),
    env: { ...config.env, ...cloudRunEnv(config.service, `${config.service}-smoke-test`, config.port) },
    labels: { 'mentor.service': config.service, 'mentor.purpose': 'smoke-test' },
  });
  try {
    const outcome = await runHealthChecks({
      baseUrl: `http://127.0.0.1:${container.hostPort}`, steps: checks, timeoutMs: SMOKE_TEST_TIMEOUT_MS, signal,
      stillRunning: async () => (await container.state()).running,
      onStep: (step) => ui.progress('smoke test', describeCheck(step)),
    });
    if (outcome.ok) {
      ui.log(`Smoke test passed after ${outcome.elapsedMs} ms. ${describeResolved(outcome)}`);
      return outcome;
    }
    const { probe, step } = outcome;
    if (probe.reason === 'aborted') throw Object.assign(new Error('Cancelled.'), { name: 'AbortError' });
    const dockerfile = await readFile(join(input.folder, 'Dockerfile'), 'utf8').catch(() => '');
    const diagnosis = probe.reason === 'timeout' && probe.lastStatus === undefined
      ? diagnosePort(config.port, await container.listeningSockets().catch(() => []), [{ path: 'Dockerfile', text: dockerfile }]).message
      : probe.reason === 'exited' ? 'The container exited.' : `GET ${step.path} answered ${probe.lastStatus} (${step.reason}).`;
    throw new UserFacingError(`The local smoke test failed, so nothing was pushed or deployed. ${diagnosis}`, 'operationFailed',
      [{ kind: 'command', label: 'Run Locally', command: 'mentor.runLocally' }]);
  } finally {
    await container.stop(2).catch(() => undefined);
  }
}

export async function pushImage(engine: DockerEngine, local: string, input: DeployInput, deps: DeployDeps, ui: DeployUi,
  signal: AbortSignal): Promise<PushResult> {
  const { config } = input;
  const target = `${imageRepository(config)}:${input.sourceTag ?? `deploy-${Date.now()}`}`;
  await engine.tag(local, target);
  ui.progress('push', `pushing ${target}`);
  const layers = new Map<string, string>();
  const result = await engine.push(target, {
    auth: await deps.registryAuth(registryHost(config)),
    signal,
    onProgress: ({ layer, status }) => {
      if (!layer || layers.get(layer) === status) return;
      layers.set(layer, status);
      if (!/^(Pushing|Waiting)$/.test(status)) ui.log(`${layer}: ${status}`);
    },
  });
  ui.log(`Pushed ${result.reference}: ${result.layersPushed} layers uploaded (${(result.pushedBytes / 1024).toFixed(0)} KiB), ` +
    `${result.layersReused} already there`);
  return result;
}

