// What one build step container is given, as Cloud Build gives it (pure; no engine calls): the environment
// (HOME, BUILDER_OUTPUT, the gcloud environment pointed at the emulator, automapped substitutions,
// options.env, the step's env, its secrets), the working directory, the extra host names gcloud needs, the
// log prefix "Step #N - \"id\"", and the durations. Cloud Build's worker is the model: steps run with
// HOME=/builder/home (one volume shared by all steps), /workspace shared, $BUILDER_OUTPUT a per-step dir.
import * as path from 'node:path';
import type { BuildMessage, BuildStepMessage } from './buildExecution';
import { GCLOUD_RUN_HOST, gcloudEnv } from './gcloudEnv';

export const WORKSPACE_DIR = '/workspace';
export const BUILDER_HOME = '/builder/home';
export const BUILDER_OUTPUT_DIR = '/builder/outputs';
/** Inside HOME, so gcloud's state lives as long as the build (never the host's ~/.config/gcloud). */
export const GCLOUD_CONFIG_DIR = `${BUILDER_HOME}/.config/gcloud`;
/** Where a step's `script` is written; outside /workspace so the user's tree stays as checked out. */
export const SCRIPT_PATH = '/builder/step-script';
/** Cloud Build's default build timeout (10 minutes) when the build names none. */
export const DEFAULT_BUILD_TIMEOUT_MS = 600_000;
/** "Only the first 50KB of data is stored" (Results.build_step_outputs in cloudbuild.proto). */
export const STEP_OUTPUT_LIMIT = 50 * 1024;

/**
 * The regions gcloud may prefix the Cloud Run host with (the list the emulator's Cloud Run v1 surface gives
 * and scripts/engine/gcloud-hosts.sh writes into the host's /etc/hosts); the build's own region is added.
 */
export const RUN_REGIONS = ['asia-east1', 'asia-northeast1', 'asia-south1', 'asia-southeast1', 'australia-southeast1',
  'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4', 'northamerica-northeast1', 'southamerica-east1',
  'us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west2'];

/** BuildStep fields of the proto the seam's interface does not name. */
export interface StepExtras {
  automapSubstitutions?: boolean;
  allowFailure?: boolean;
  allowExitCodes?: number[];
  volumes?: { name: string; path: string }[];
}

export type Step = BuildStepMessage & StepExtras;

export interface StepEnvContext {
  build: BuildMessage;
  step: Step;
  /** The emulator's REST address ("127.0.0.1:PORT"), reachable from the step through host networking. */
  restAddress: string;
  projectNumber: string;
  /** Resolved `secretEnv` values by variable name. */
  secrets?: Record<string, string>;
  /** DOCKER_HOST for the step when the engine is not a local socket that can be mounted. */
  dockerHost?: string;
}

/** "projects/P/locations/L/builds/ID" → L; builds created without a location run in "global". */
export function locationOf(build: BuildMessage): string {
  return /\/locations\/([^/]+)\//.exec(build.name ?? '')?.[1] ?? 'global';
}

/** The substitutions every build has (Cloud Build docs "Using default substitutions"), then the build's own. */
export function allSubstitutions(build: BuildMessage, projectNumber: string): Record<string, string> {
  return {
    PROJECT_ID: build.projectId,
    BUILD_ID: build.id,
    PROJECT_NUMBER: projectNumber,
    LOCATION: locationOf(build),
    ...(build.substitutions ?? {}),
  };
}

function automaps(build: BuildMessage, step: Step): boolean {
  if (typeof step.automapSubstitutions === 'boolean') return step.automapSubstitutions; // the step's overrides the build's
  return (build.options as { automapSubstitutions?: boolean } | undefined)?.automapSubstitutions === true;
}

function putAll(env: Map<string, string>, entries: string[] | undefined): void {
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
}

/**
 * The step's environment as KEY=VALUE lines, later sources winning: the worker's (HOME, BUILDER_OUTPUT),
 * the gcloud environment, automapped substitutions (only with automapSubstitutions, as in Cloud Build: a
 * build's substitutions are not env vars otherwise), options.env, the step's env, then its secretEnv.
 */
export function stepEnv(ctx: StepEnvContext): string[] {
  const env = new Map<string, string>();
  env.set('HOME', BUILDER_HOME);
  env.set('BUILDER_OUTPUT', BUILDER_OUTPUT_DIR);
  for (const [k, v] of Object.entries(gcloudEnv({ restAddress: ctx.restAddress, project: ctx.build.projectId, configDir: GCLOUD_CONFIG_DIR }))) env.set(k, v);
  if (ctx.dockerHost) env.set('DOCKER_HOST', ctx.dockerHost);
  if (automaps(ctx.build, ctx.step)) {
    for (const [k, v] of Object.entries(allSubstitutions(ctx.build, ctx.projectNumber))) env.set(k, v);
  }
  putAll(env, ctx.build.options?.env);
  putAll(env, ctx.step.env);
  for (const [k, v] of Object.entries(ctx.secrets ?? {})) env.set(k, v);
  // Cloud Build: "the $BUILDER_OUTPUT variable is read-only"
  env.set('BUILDER_OUTPUT', BUILDER_OUTPUT_DIR);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** `dir` is relative to /workspace; an absolute one is taken as is (BuildStep.dir). */
export function workingDir(step: BuildStepMessage): string {
  return path.posix.resolve(WORKSPACE_DIR, step.dir ?? '');
}

/** HOST:127.0.0.1 for the global Cloud Run name and each region-prefixed one gcloud calls. */
export function extraHosts(location: string): string[] {
  const regions = new Set(RUN_REGIONS);
  if (location !== 'global') regions.add(location);
  return [GCLOUD_RUN_HOST, ...[...regions].map((r) => `${r}-${GCLOUD_RUN_HOST}`)].map((h) => `${h}:127.0.0.1`);
}

/** How Cloud Build names a step in its log: `Step #2 - "deploy"`, or `Step #2` without an id. */
export function stepLabel(index: number, step: BuildStepMessage): string {
  return step.id ? `Step #${index} - ${JSON.stringify(step.id)}` : `Step #${index}`;
}

/** A google.protobuf.Duration in proto-JSON shape ({seconds, nanos}) or its JSON string form ("600s") → ms. */
export function durationMs(d: { seconds?: string | number; nanos?: number } | string | undefined): number | undefined {
  if (d === undefined || d === null) return undefined;
  if (typeof d === 'string') {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(d.trim());
    return m ? Math.round(Number(m[1]) * 1000) : undefined;
  }
  const ms = Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
  return ms > 0 ? ms : undefined;
}

/** The file run for a `script` step: "#!/bin/sh" when the script names no interpreter (Cloud Build's rule). */
export function scriptFile(script: string): Buffer {
  return Buffer.from(script.startsWith('#!') ? script : `#!/bin/sh\n${script}`);
}

/**
 * Which step indices step `index` waits for (BuildStep.wait_for): none for ["-"], the named ids, or, when
 * empty, every earlier step. Only earlier steps can be named (as in Cloud Build's worker).
 */
export function dependencies(steps: BuildStepMessage[], index: number): number[] {
  const waitFor = steps[index].waitFor ?? [];
  if (!waitFor.length) return steps.slice(0, index).map((_, i) => i);
  const deps: number[] = [];
  for (const id of waitFor) {
    if (id === '-') continue;
    const at = steps.findIndex((s) => s.id === id);
    if (at < 0) throw new Error(`build step ${index} waits for "${id}", which no step has as its id`);
    if (at >= index) throw new Error(`build step ${index} waits for "${id}", which is not an earlier step`);
    deps.push(at);
  }
  return deps;
}
