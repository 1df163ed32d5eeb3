// A build's /workspace and /builder/home: two Docker volumes per build, labelled like the emulator's other
// containers (so a later emulator removes them if this one dies), removed when the build ends. The source is
// fetched the way a GitHub-triggered Cloud Build fetches it (a shallow fetch of the one commit, .git kept)
// into a temporary directory on this machine, then copied into the volume through the engine's archive API
// (a helper container that is created, never started): the engine may not see this machine's directories,
// so no bind mount of a host path is used.
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { engineMessage } from '../src/docker/container';
import type { BuildSource } from './buildExecution';
import { LABEL_BUILD, volumeMount } from './buildStepContainer';
import { WORKSPACE_DIR } from './buildStepEnv';
import type { RuntimeEngine } from './runtimeEngine';

const GIT_TIMEOUT_MS = 120_000;

/** The fetch failed (bad repository, unknown commit): the build fails with FETCH_SOURCE_FAILED. */
export class FetchSourceError extends Error {}

export class BuildWorkspace {
  private readonly named = new Map<string, string>();
  private readonly created: string[] = [];

  private constructor(private readonly engine: RuntimeEngine, private readonly buildId: string, readonly workspaceVolume: string, readonly homeVolume: string) {}

  /**
   * Creates the build's volumes: /workspace, /builder/home, and one per name in `named` (BuildStep.volumes and
   * options.volumes: "Each volume is created as an empty volume prior to execution … discarded" after).
   */
  static async create(engine: RuntimeEngine, buildId: string, named: string[] = []): Promise<BuildWorkspace> {
    const base = `mentor-build-${buildId}-${engine.instanceId}`;
    const labels = { ...engine.ownerLabels(), [LABEL_BUILD]: buildId };
    const workspace = new BuildWorkspace(engine, buildId, `${base}-workspace`, `${base}-home`);
    const all = [workspace.workspaceVolume, workspace.homeVolume];
    for (const name of new Set(named)) {
      workspace.named.set(name, `${base}-vol-${name}`);
      all.push(`${base}-vol-${name}`);
    }
    try {
      for (const name of all) {
        await engine.docker.createVolume({ Name: name, Labels: labels });
        workspace.created.push(name);
      }
    } catch (error) {
      await workspace.remove();
      throw error;
    }
    return workspace;
  }

  /** The engine's volume for a build volume name (BuildStep.volumes[].name). */
  volumeFor(name: string): string {
    const volume = this.named.get(name);
    if (!volume) throw new Error(`volume "${name}" was not created for this build`);
    return volume;
  }

  /** Copies the directory's tree (host `tar`) into the workspace volume through a never-started helper container. */
  async populate(dir: string, helperImage: string): Promise<void> {
    const helper: Dockerode.Container = await this.engine.docker.createContainer({
      Image: helperImage,
      Labels: { ...this.engine.ownerLabels(), [LABEL_BUILD]: this.buildId },
      // the helper never runs; an entrypoint is still required by images that define none
      Entrypoint: ['/nonexistent'],
      HostConfig: { Mounts: [volumeMount(this.workspaceVolume, WORKSPACE_DIR)] },
    });
    try {
      const tar = spawn('tar', ['-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      tar.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const exited = new Promise<number>((resolve, reject) => { tar.on('error', reject); tar.on('close', (code) => resolve(code ?? -1)); });
      const response = await helper.putArchive(tar.stdout, { path: WORKSPACE_DIR });
      for await (const chunk of response as AsyncIterable<unknown>) void chunk;
      const code = await exited;
      if (code !== 0) throw new Error(`tar exited with ${code}: ${stderr.trim()}`);
    } finally {
      await helper.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  async remove(): Promise<void> {
    for (const name of this.created) {
      await this.engine.docker.getVolume(name).remove({ force: true }).catch(() => undefined);
    }
  }
}

/**
 * The first of `candidates` the engine has, else any tagged image it has (the helper is never started, so any
 * image will do), else undefined.
 */
export async function pickHelperImage(docker: Dockerode, candidates: string[]): Promise<string | undefined> {
  for (const name of candidates) {
    if (await docker.getImage(name).inspect().then(() => true, () => false)) return name;
  }
  const images = await docker.listImages().catch(() => [] as Dockerode.ImageInfo[]);
  return images.flatMap((i) => i.RepoTags ?? []).find((t) => t && t !== '<none>:<none>');
}

function git(args: string[], cwd: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-c', 'protocol.version=2', '-c', 'advice.detachedHead=false', ...args], { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 4 << 20, signal },
      (error, stdout, stderr) => {
        const text = `${stdout}${stderr}`;
        if (error) reject(new FetchSourceError(text.trim() || error.message));
        else resolve(text);
      });
  });
}

/** A path git can fetch from: absolute paths become file:// URLs (a plain path would ignore --depth). */
export function fetchUrl(repository: string): string {
  return path.isAbsolute(repository) ? `file://${repository}` : repository;
}

/**
 * Checks the commit out into a new temporary directory (caller removes it) and logs git's lines with the
 * directory shown as /workspace, as in a triggered build's FETCHSOURCE phase.
 */
export async function fetchSource(source: BuildSource, onLine: (text: string) => void, signal?: AbortSignal): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-build-source-'));
  const log = (text: string) => {
    for (const line of text.split('\n')) if (line.trim()) onLine(line.split(dir).join(WORKSPACE_DIR).replace(/\r$/, ''));
  };
  try {
    log(await git(['init'], dir, signal));
    log(await git(['fetch', '--depth', '1', fetchUrl(source.repository), source.commitSha], dir, signal));
    log(await git(['reset', '--hard', 'FETCH_HEAD'], dir, signal));
    return dir;
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    if (error instanceof FetchSourceError) throw error;
    throw new FetchSourceError(engineMessage(error));
  }
}
