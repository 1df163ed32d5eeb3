// Runs a Cloud Build build on the local engine (the BuildExecutor of buildExecution.ts), modelled on Cloud
// Build's worker: FETCHSOURCE (the commit into /workspace), BUILD (each step a container; waitFor decides
// order and concurrency: no waitFor = after every earlier step, "-" = at once, ids = after those), PUSH
// (Build.images), DONE; one failing step fails the build and cancels the steps still running, the rest never
// start. Statuses, timings, exit codes and results go onto the Build, each change to reporter.changed, every
// log line to reporter.log. Nothing (containers, volumes, temp dirs) stays behind.
import { promises as fs } from 'node:fs';
import type { BuildExecutor, BuildMessage, BuildReporter, BuildSource, BuildStepMessage } from './buildExecution';
import { pushBuildImages } from './buildExecutorPush';
import { ensureImage, runStepContainer, StepStartError, type StepOutcome } from './buildStepContainer';
import {
  DEFAULT_BUILD_TIMEOUT_MS, dependencies, durationMs, extraHosts, locationOf, scriptFile, stepEnv, stepLabel, workingDir, type Step,
} from './buildStepEnv';
import { stepSecrets, type SecretAccess } from './buildStepSecrets';
import { BuildWorkspace, fetchSource, FetchSourceError, pickHelperImage } from './buildWorkspace';
import { projectNumber as derivedProjectNumber } from './cloudRunRules';
import type { RegistryCredentials, RuntimeEngine } from './runtimeEngine';
import { nowTimestamp } from './timestamps';

export interface EngineBuildExecutorOptions {
  engine: RuntimeEngine;
  /** The emulator's REST address ("127.0.0.1:PORT"); steps reach it through host networking. */
  restAddress: string;
  /** The project's number (PROJECT_NUMBER); default: the emulator's derived one (cloudRunRules.projectNumber). */
  projectNumber?: (projectId: string) => string;
  /** Credentials for pulls of step images and pushes of Build.images, by registry host ("*" = any). */
  registryAuth?: Record<string, RegistryCredentials>;
  /**
   * Reads a Secret Manager version for availableSecrets.secretManager as the build's service account
   * (buildStepSecrets.secretManagerAccess). Unset = steps with secretEnv fail with a clear message.
   */
  accessSecret?: SecretAccess;
}

type FinalStatus = 'SUCCESS' | 'FAILURE' | 'INTERNAL_ERROR' | 'TIMEOUT' | 'CANCELLED';

interface Stop {
  status: Exclude<FinalStatus, 'SUCCESS'>;
  statusDetail?: string;
  failureInfo?: { type: string; detail: string };
  /** The last log line, after the status line ("ERROR: build step 0 … failed: …"). */
  errorLine?: string;
}

export class EngineBuildExecutor implements BuildExecutor {
  constructor(private readonly options: EngineBuildExecutorOptions) {}

  async run(build: BuildMessage, source: BuildSource | undefined, reporter: BuildReporter, signal: AbortSignal): Promise<void> {
    await new BuildRun(this.options, build, source, reporter, signal).run();
  }
}

class BuildRun {
  private stop?: Stop;
  /** Aborted (reason: the Stop's status) when the build stops: running step containers are killed. */
  private readonly kill = new AbortController();
  private workspace?: BuildWorkspace;
  private sourceDir?: string;
  private readonly steps: Step[];
  private readonly number: string;
  private readonly auth: Record<string, RegistryCredentials>;

  constructor(private readonly options: EngineBuildExecutorOptions, private readonly build: BuildMessage,
    private readonly source: BuildSource | undefined, private readonly reporter: BuildReporter, private readonly signal: AbortSignal) {
    this.steps = build.steps as Step[];
    this.number = (options.projectNumber ?? derivedProjectNumber)(build.projectId);
    this.auth = options.registryAuth ?? {};
  }

  async run(): Promise<void> {
    const b = this.build;
    b.status = 'WORKING';
    b.startTime ??= nowTimestamp();
    for (const step of this.steps) {
      step.status = 'QUEUED';
      delete step.timing;
      delete step.exitCode;
    }
    b.results = { ...(b.results ?? {}), buildStepOutputs: this.steps.map(() => ''), buildStepImages: this.steps.map(() => '') };
    b.timing = {};
    this.changed();
    this.log(`starting build ${JSON.stringify(b.id)}`);
    const timeoutMs = durationMs(b.timeout) ?? DEFAULT_BUILD_TIMEOUT_MS;
    const timedOut: Stop = { status: 'TIMEOUT', statusDetail: `Build timeout after ${Math.round(timeoutMs / 1000)}s`, errorLine: 'ERROR: context deadline exceeded' };
    const timer = setTimeout(() => this.halt(timedOut), timeoutMs);
    // the API side may enforce the build's timeout itself: an abort with reason "timeout" is that, not a cancel
    const onAbort = () => this.halt(this.signal.reason === 'timeout' ? timedOut : { status: 'CANCELLED' });
    this.signal.addEventListener('abort', onAbort, { once: true });
    if (this.signal.aborted) onAbort();
    try {
      await this.phases();
    } catch (error) {
      this.halt({ status: 'INTERNAL_ERROR', statusDetail: `The build could not run on the local engine: ${(error as Error).message}`,
        errorLine: `ERROR: ${(error as Error).message}` });
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
      await this.workspace?.remove().catch(() => undefined);
      if (this.sourceDir) await fs.rm(this.sourceDir, { recursive: true, force: true }).catch(() => undefined);
    }
    this.finish();
  }

  private async phases(): Promise<void> {
    let deps: number[][];
    try {
      deps = this.steps.map((_, i) => dependencies(this.steps, i));
    } catch (error) {
      // CreateBuild refuses such a build on Google; should one get here, it fails before anything runs
      const detail = `invalid build: ${(error as Error).message}`;
      this.halt({ status: 'FAILURE', statusDetail: detail, errorLine: `ERROR: ${detail}` });
      return;
    }
    if (this.stop) return;
    this.workspace = await BuildWorkspace.create(this.options.engine, this.build.id,
      [...this.buildVolumes(), ...this.steps.flatMap((s) => s.volumes ?? [])].map((v) => v.name));
    await this.phase('FETCHSOURCE', () => this.fetch());
    if (this.stop) return;
    await this.phase('BUILD', () => this.runSteps(deps));
    if (this.stop || !this.build.images?.length) return;
    await this.phase('PUSH', async () => {
      const { images, failure } = await pushBuildImages(this.options.engine, this.build, this.auth, (text) => this.log(text), this.kill.signal);
      (this.build.results as { images?: unknown[] }).images = images;
      if (failure) this.halt({ status: 'FAILURE', statusDetail: failure.detail, failureInfo: failure, errorLine: `ERROR: ${failure.detail}` });
    });
  }

  /** Logs the phase's name (Cloud Build's status lines) and records build.timing[name]. */
  private async phase(name: 'FETCHSOURCE' | 'BUILD' | 'PUSH', body: () => Promise<void>): Promise<void> {
    this.log(name);
    const timing = this.build.timing as Record<string, unknown>;
    const span: { startTime: unknown; endTime?: unknown } = { startTime: nowTimestamp() };
    timing[name] = span;
    try {
      await body();
    } finally {
      span.endTime = nowTimestamp();
      this.changed();
    }
  }

  private async fetch(): Promise<void> {
    if (!this.source || !this.workspace) return; // no source: /workspace stays empty
    try {
      this.sourceDir = await fetchSource(this.source, (text) => this.log(text), this.kill.signal);
    } catch (error) {
      if (this.stop) return; // cancelled or timed out while fetching
      if (!(error instanceof FetchSourceError)) throw error;
      const detail = `failed to fetch commit ${this.source.commitSha} from ${this.source.repository}: ${error.message}`;
      this.halt({ status: 'FAILURE', statusDetail: detail, failureInfo: { type: 'FETCH_SOURCE_FAILED', detail }, errorLine: `ERROR: ${detail}` });
      return;
    }
    let helper = await pickHelperImage(this.options.engine.docker, this.steps.map((s) => s.name));
    if (!helper && this.steps.length) {
      const first = await ensureImage(this.options.engine, this.steps[0].name, this.auth, (text) => this.log(text));
      if (first.ok) helper = this.steps[0].name;
    }
    if (!helper) {
      // nothing to create the copying container from: step 0's image failure says why
      this.failImage(0, 'no image is available locally');
      return;
    }
    await this.workspace.populate(this.sourceDir, helper);
  }

  private async runSteps(deps: number[][]): Promise<void> {
    const done: Promise<boolean>[] = [];
    this.steps.forEach((_, i) => {
      done[i] = (async () => {
        const ok = await Promise.all(deps[i].map((d) => done[d]));
        if (ok.some((x) => !x) || this.stop) return false; // never started: stays QUEUED
        return this.runStep(i);
      })();
    });
    await Promise.all(done);
  }

  /** Runs step i; true if later steps may go on (success, or a failure the step allows). */
  private async runStep(i: number): Promise<boolean> {
    const step = this.steps[i];
    const multiple = this.steps.length > 1;
    const label = stepLabel(i, step);
    step.status = 'WORKING';
    step.timing = { startTime: nowTimestamp() };
    this.changed();
    if (multiple) this.log(`Starting ${label}`);
    const stepLog = (text: string) => this.log(text, i);
    try {
      const pullStart = nowTimestamp();
      const image = await ensureImage(this.options.engine, step.name, this.auth, stepLog, this.kill.signal);
      if (this.stop) return this.endStep(i, this.stoppedStepStatus(), undefined);
      if (image.ok && image.pulled) (step as unknown as Record<string, unknown>).pullTiming = { startTime: pullStart, endTime: nowTimestamp() };
      if (!image.ok) return this.failImage(i, image.detail);
      (this.build.results as { buildStepImages: string[] }).buildStepImages[i] = image.digest;
      const secrets = await stepSecrets(this.build, step, this.options.accessSecret);
      if (typeof secrets === 'string') return this.endStep(i, 'FAILURE', undefined, this.stepFailure(i, secrets));
      if (this.stop) return this.endStep(i, this.stoppedStepStatus(), undefined);
      const outcome = await this.runContainer(i, secrets);
      if (outcome.output?.length) (this.build.results as { buildStepOutputs: string[] }).buildStepOutputs[i] = outcome.output.toString('base64');
      if (outcome.killed === 'STEP_TIMEOUT') {
        const seconds = (durationMs(step.timeout) ?? 0) / 1000;
        return this.endStep(i, 'TIMEOUT', outcome.exitCode, { status: 'TIMEOUT',
          statusDetail: `Build step failure: build step ${i} ${JSON.stringify(step.name)} failed: step timed out after ${seconds}s`,
          errorLine: `ERROR: build step ${i} ${JSON.stringify(step.name)} failed: context deadline exceeded` });
      }
      if (outcome.killed) return this.endStep(i, this.stoppedStepStatus(), outcome.exitCode);
      if (outcome.exitCode === 0) return this.endStep(i, 'SUCCESS', 0);
      if (allowed(step, outcome.exitCode)) {
        this.endStep(i, 'FAILURE', outcome.exitCode);
        return true;
      }
      return this.endStep(i, 'FAILURE', outcome.exitCode, this.stepFailure(i, `step exited with non-zero status: ${outcome.exitCode}`));
    } catch (error) {
      if (error instanceof StepStartError) return this.endStep(i, 'FAILURE', undefined, this.stepFailure(i, `starting step container failed: ${error.message}`));
      throw error;
    } finally {
      if (multiple) this.log(`Finished ${label}`);
    }
  }

  private async runContainer(i: number, secrets: Record<string, string>): Promise<StepOutcome> {
    const step = this.steps[i];
    const engineHost = this.options.engine.host;
    const socket = engineHost.startsWith('unix://') ? engineHost.slice('unix://'.length) : undefined;
    const dockerHost = /^(tcp|http|https):\/\//.test(engineHost) ? engineHost : undefined;
    // the step's own timeout kills only this container; the build's stop kills all of them
    const kill = new AbortController();
    const onStop = () => kill.abort(this.kill.signal.reason);
    this.kill.signal.addEventListener('abort', onStop, { once: true });
    if (this.kill.signal.aborted) onStop();
    const stepTimeout = durationMs(step.timeout);
    const timer = stepTimeout ? setTimeout(() => kill.abort('STEP_TIMEOUT'), stepTimeout) : undefined;
    try {
      return await runStepContainer(this.options.engine, {
        buildId: this.build.id,
        index: i,
        image: step.name,
        entrypoint: step.entrypoint ? [step.entrypoint] : undefined,
        args: step.args,
        script: step.script ? scriptFile(step.script) : undefined,
        workingDir: workingDir(step),
        env: stepEnv({ build: this.build, step, restAddress: this.options.restAddress, projectNumber: this.number, secrets, dockerHost }),
        workspaceVolume: this.workspace!.workspaceVolume,
        homeVolume: this.workspace!.homeVolume,
        volumes: [...this.buildVolumes(), ...(step.volumes ?? [])].map((v) => ({ source: this.workspace!.volumeFor(v.name), target: v.path })),
        dockerSocket: socket,
        extraHosts: extraHosts(locationOf(this.build)),
      }, (text) => this.log(text, i), kill.signal);
    } finally {
      if (timer) clearTimeout(timer);
      this.kill.signal.removeEventListener('abort', onStop);
    }
  }

  /** options.volumes: mounted into every step. */
  private buildVolumes(): { name: string; path: string }[] {
    return (this.build.options as { volumes?: { name: string; path: string }[] } | undefined)?.volumes ?? [];
  }

  private failImage(i: number, detail: string): boolean {
    const name = this.steps[i].name;
    return this.endStep(i, 'FAILURE', undefined,
      this.stepFailure(i, `error pulling build step ${i} ${JSON.stringify(name)}: image ${name} not found locally and could not be pulled: ${detail}`));
  }

  /** Cloud Build's wording: `Build step failure: build step 1 "gcr.io/cloud-builders/docker" failed: <why>`. */
  private stepFailure(i: number, why: string): Stop {
    const what = `build step ${i} ${JSON.stringify(this.steps[i].name)} failed: ${why}`;
    const detail = `Build step failure: ${what}`;
    return { status: 'FAILURE', statusDetail: detail, failureInfo: { type: 'USER_BUILD_STEP', detail }, errorLine: `ERROR: ${what}` };
  }

  private stoppedStepStatus(): string {
    return this.stop?.status === 'TIMEOUT' ? 'TIMEOUT' : 'CANCELLED';
  }

  private endStep(i: number, status: string, exitCode: number | undefined, stop?: Stop): boolean {
    const step = this.steps[i] as BuildStepMessage;
    step.status = status;
    if (exitCode !== undefined && exitCode >= 0) step.exitCode = exitCode;
    step.timing = { ...(step.timing ?? {}), endTime: nowTimestamp() };
    this.changed();
    if (stop) this.halt(stop);
    return status === 'SUCCESS';
  }

  /** The first stop wins; the running containers are killed. */
  private halt(stop: Stop): void {
    if (this.stop) return;
    this.stop = stop;
    this.kill.abort(stop.status);
  }

  private finish(): void {
    const b = this.build;
    const stop = this.stop;
    b.status = stop?.status ?? 'SUCCESS';
    if (stop?.statusDetail) b.statusDetail = stop.statusDetail;
    if (stop?.failureInfo) b.failureInfo = stop.failureInfo;
    b.finishTime = nowTimestamp();
    if (!stop) this.log('DONE');
    else if (stop.status === 'TIMEOUT') this.log('TIMEOUT');
    else if (stop.status !== 'CANCELLED') this.log('ERROR');
    if (stop?.errorLine) this.log(stop.errorLine);
    this.changed();
  }

  private changed(): void {
    try {
      this.reporter.changed(this.build);
    } catch {
      // the API side's bookkeeping failing must not stop the build
    }
  }

  private log(text: string, step?: number): void {
    try {
      this.reporter.log(step === undefined ? { text } : { step, text });
    } catch {
      // as above
    }
  }
}

/** allowExitCodes takes precedence over allowFailure (BuildStep.allow_exit_codes). */
function allowed(step: Step, exitCode: number): boolean {
  if (step.allowExitCodes?.length) return step.allowExitCodes.map(Number).includes(exitCode);
  return step.allowFailure === true;
}
