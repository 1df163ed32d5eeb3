// One build step as one container on the engine, the way Cloud Build's worker runs it: the step image (local
// copy first, else pulled), /workspace and /builder/home volumes, the engine socket at /var/run/docker.sock,
// host networking, its own /builder/outputs directory, output followed line by line, the exit code, then
// $BUILDER_OUTPUT/output read back and the container removed. A timeout or an abort kills it.
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { engineMessage, isStatus } from '../src/docker/container';
import { BUILDER_HOME, BUILDER_OUTPUT_DIR, SCRIPT_PATH, STEP_OUTPUT_LIMIT, WORKSPACE_DIR } from './buildStepEnv';
import { makeTar, readFirstFile, type TarEntry } from './buildWorkspaceTar';
import { registryOf, repositoryOf, type RegistryCredentials, type RuntimeEngine } from './runtimeEngine';

export const LABEL_BUILD = 'mentor.emulator.build';
export const LABEL_BUILD_STEP = 'mentor.emulator.build.step';
const PULL_TIMEOUT_MS = 300_000;

export type ImageCheck =
  | { ok: true; pulled: boolean; digest: string }
  | { ok: false; detail: string };

/**
 * The step image: the engine's copy when it has one (Cloud Build: "If the image is available in the host's
 * Docker daemon's cache, it will be run directly"), else a pull. `digest` is the image's registry digest
 * ("" when it has none, e.g. built or imported locally) for results.buildStepImages.
 */
export async function ensureImage(engine: RuntimeEngine, name: string, auth: Record<string, RegistryCredentials>,
  onLine: (text: string) => void, signal?: AbortSignal): Promise<ImageCheck> {
  const local = await inspectImage(engine.docker, name);
  if (local) {
    const digest = digestOf(local, name);
    onLine(digest ? `Already have image (with digest): ${name}` : `Already have image: ${name}`);
    return { ok: true, pulled: false, digest };
  }
  onLine(`Pulling image: ${name}`);
  const registry = registryOf(name);
  const credentials = registry ? auth[registry] ?? auth['*'] : undefined;
  try {
    const stream = (await engine.docker.pull(name, credentials ? { authconfig: { ...credentials, serveraddress: registry } } : {})) as Readable;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { stream.destroy(); reject(new Error(`the pull did not finish within ${PULL_TIMEOUT_MS / 1000} s`)); }, PULL_TIMEOUT_MS);
      // a stopped build does not wait for its pulls
      signal?.addEventListener('abort', () => { clearTimeout(timer); stream.destroy(); reject(new Error('the build stopped during the pull')); }, { once: true });
      engine.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        clearTimeout(timer);
        const failed = err ?? events.find((e) => e.error)?.error;
        if (failed) reject(failed instanceof Error ? failed : new Error(failed));
        else resolve();
      }, (event: { status?: string; id?: string; progress?: string }) => {
        if (event.status && !event.progress) onLine(event.id ? `${event.id}: ${event.status}` : event.status);
      });
    });
  } catch (error) {
    return { ok: false, detail: engineMessage(error) };
  }
  const pulled = await inspectImage(engine.docker, name);
  if (!pulled) return { ok: false, detail: `the pull ended but the engine has no image ${name}` };
  return { ok: true, pulled: true, digest: digestOf(pulled, name) };
}

async function inspectImage(docker: Dockerode, name: string): Promise<Dockerode.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(name).inspect();
  } catch {
    return undefined;
  }
}

function digestOf(image: Dockerode.ImageInspectInfo, name: string): string {
  const repository = repositoryOf(name);
  const match = (image.RepoDigests ?? []).find((d) => repositoryOf(d) === repository);
  return match?.slice(match.indexOf('@') + 1) ?? '';
}

export interface StepContainerSpec {
  buildId: string;
  index: number;
  image: string;
  /** Replaces the image's entrypoint; the image's own when unset. */
  entrypoint?: string[];
  args?: string[];
  /** Written to SCRIPT_PATH (mode 0755) before the start; then run as the entrypoint. */
  script?: Buffer;
  workingDir: string;
  env: string[];
  workspaceVolume: string;
  homeVolume: string;
  /** Further named volumes: engine volume → mount path. */
  volumes?: { source: string; target: string }[];
  /** Host path of the engine's socket, mounted at /var/run/docker.sock. */
  dockerSocket?: string;
  extraHosts: string[];
}

export interface StepOutcome {
  exitCode: number;
  /** The first STEP_OUTPUT_LIMIT bytes of $BUILDER_OUTPUT/output, if the step wrote it. */
  output?: Buffer;
  /** Why the step was killed, if it was: the `kill` signal's reason. */
  killed?: string;
}

/** Starting the container failed (bad entrypoint, missing working dir…): Cloud Build's "starting step container failed". */
export class StepStartError extends Error {}

/**
 * Runs the step to its end (or until `kill` aborts: then the container is killed and `killed` is the abort
 * reason) and removes its container. Resolves with the exit code; rejects with StepStartError when the
 * container could not start, other errors when the engine failed.
 */
export async function runStepContainer(engine: RuntimeEngine, spec: StepContainerSpec, onLine: (text: string) => void, kill: AbortSignal): Promise<StepOutcome> {
  const mounts: Dockerode.MountConfig = [
    volumeMount(spec.workspaceVolume, WORKSPACE_DIR),
    volumeMount(spec.homeVolume, BUILDER_HOME),
    ...(spec.volumes ?? []).map((v) => volumeMount(v.source, v.target)),
  ];
  if (spec.dockerSocket) mounts.push({ Type: 'bind', Source: spec.dockerSocket, Target: '/var/run/docker.sock' });
  const entrypoint = spec.script ? [SCRIPT_PATH] : spec.entrypoint;
  const container = await engine.docker.createContainer({
    name: `mentor-build-${spec.buildId.slice(0, 8)}-step-${spec.index}-${engine.instanceId.slice(0, 6)}`,
    Image: spec.image,
    Env: spec.env,
    ...(entrypoint ? { Entrypoint: entrypoint } : {}),
    ...(spec.args?.length && !spec.script ? { Cmd: spec.args } : {}),
    WorkingDir: spec.workingDir,
    Labels: { ...engine.ownerLabels(), [LABEL_BUILD]: spec.buildId, [LABEL_BUILD_STEP]: String(spec.index) },
    Tty: false,
    HostConfig: { NetworkMode: 'host', Mounts: mounts, ExtraHosts: spec.extraHosts },
  });
  try {
    const entries: TarEntry[] = [
      { name: 'builder/', type: 'dir', mode: 0o755 },
      // world-writable: a step image may run as a non-root user and still write $BUILDER_OUTPUT/output
      { name: `${BUILDER_OUTPUT_DIR.slice(1)}/`, type: 'dir', mode: 0o777 },
    ];
    if (spec.script) entries.push({ name: SCRIPT_PATH.slice(1), type: 'file', mode: 0o755, data: spec.script });
    await drain(await container.putArchive(makeTar(entries), { path: '/' }));
    if (kill.aborted) return { exitCode: -1, killed: String(kill.reason ?? 'aborted') };
    try {
      await container.start();
    } catch (error) {
      throw new StepStartError(engineMessage(error));
    }
    let killed: string | undefined;
    const onKill = () => {
      killed = String(kill.reason ?? 'aborted');
      container.kill().catch(() => undefined);
    };
    kill.addEventListener('abort', onKill, { once: true });
    if (kill.aborted) onKill();
    try {
      const logs = engine.followLogs(container.id, (_stream, line) => onLine(line), new AbortController().signal);
      const waited = (await container.wait()) as { StatusCode: number };
      await logs.catch(() => undefined);
      const output = await readOutput(container);
      return { exitCode: waited.StatusCode, output, killed };
    } finally {
      kill.removeEventListener('abort', onKill);
    }
  } finally {
    await container.remove({ force: true, v: true }).catch((error: unknown) => {
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    });
  }
}

/**
 * A named volume at `target`. NoCopy: an empty volume must stay empty (the engine would otherwise copy the
 * image's own files at that path into it on first use).
 */
export function volumeMount(source: string, target: string): Dockerode.MountSettings {
  return { Type: 'volume', Source: source, Target: target, VolumeOptions: { NoCopy: true } as NonNullable<Dockerode.MountSettings['VolumeOptions']> };
}

async function readOutput(container: Dockerode.Container): Promise<Buffer | undefined> {
  try {
    const stream = (await container.getArchive({ path: `${BUILDER_OUTPUT_DIR}/output` })) as Readable;
    return await readFirstFile(stream, STEP_OUTPUT_LIMIT);
  } catch (error) {
    if (isStatus(error, 404)) return undefined; // the step wrote no output
    throw error;
  }
}

async function drain(stream: NodeJS.ReadableStream | undefined): Promise<void> {
  if (!stream) return;
  for await (const chunk of stream as Readable) void chunk;
}
