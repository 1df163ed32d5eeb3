// The emulator's use of the Docker engine: resolve an image the way Cloud Run imports it (pull from its
// registry, note the digest), start one labelled container per serving revision, follow its output, and
// clean up. Connection and API-version negotiation are the extension's own (src/docker/connect).
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { connectDocker } from '../src/docker/connect';
import { engineMessage, isStatus } from '../src/docker/container';
import type { DockerodeEngine } from '../src/docker/dockerodeEngine';
import { Demuxer, LineSplitter } from '../src/docker/streams';

export const LABEL_INSTANCE = 'mentor.emulator';
const LABEL_PID = 'mentor.emulator.pid';
const LABEL_HOST = 'mentor.emulator.host';
export const LABEL_SERVICE = 'mentor.emulator.service';
export const LABEL_REVISION = 'mentor.emulator.revision';
const PULL_TIMEOUT_MS = 120_000;
const STOP_GRACE_SECONDS = 1;

export interface RegistryCredentials {
  username: string;
  password: string;
}

export type ImageResolution =
  | { ok: true; id: string; digestRef?: string }
  | { ok: false; reason: 'CONTAINER_MISSING' | 'CONTAINER_PERMISSION_DENIED' | 'INTERNAL'; detail: string };

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  /** Published on 127.0.0.1 at free host ports. */
  ports: number[];
  memoryBytes?: number;
  cpus?: number;
  command?: string[];
  args?: string[];
  workingDir?: string;
  labels: Record<string, string>;
}

export interface StartedContainer {
  id: string;
  /** container port → host port on 127.0.0.1 */
  hostPorts: Record<number, number>;
}

/** "127.0.0.1:5000" from "127.0.0.1:5000/app/api:v1"; "" for Docker Hub names. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : '';
}

/** The repository part: the reference without :tag or @digest. */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

function isLocalRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\./.test(name) || name === '[::1]';
}

export class RuntimeEngine {
  /** Every container this emulator process starts carries it, so stop() finds exactly its own. */
  readonly instanceId = randomBytes(6).toString('hex');
  private readonly followers = new Set<AbortController>();

  private constructor(readonly docker: Dockerode, readonly host: string, readonly cpus: number) {}

  static async connect(host: string, timeoutMs = 3000): Promise<RuntimeEngine> {
    const engine = (await connectDocker({ host, timeoutMs })) as DockerodeEngine;
    const info = (await engine.docker.info()) as { NCPU?: number };
    return new RuntimeEngine(engine.docker, engine.info.host, info.NCPU ?? os.cpus().length);
  }

  /**
   * Pulls `ref` from its registry (credentials from `auth` by registry host, "*" for any other) and returns
   * the image id and the digest reference. Only for local registries (127.0.0.0/8, localhost) is the registry
   * authoritative; for others a copy the engine already has is used when the pull fails (offline).
   */
  async resolveImage(ref: string, auth: Record<string, RegistryCredentials>): Promise<ImageResolution> {
    const registry = registryOf(ref);
    const pulled = await this.pull(ref, registry ? auth[registry] ?? auth['*'] : undefined, registry);
    if (!pulled.ok && (isLocalRegistry(registry) || !(await this.inspectImage(ref)))) return pulled;
    const image = await this.inspectImage(ref);
    if (!image) return { ok: false, reason: 'CONTAINER_MISSING', detail: `No such image: ${ref}` };
    const repository = repositoryOf(ref);
    const digestRef = (image.RepoDigests ?? []).find((d) => repositoryOf(d) === repository);
    return { ok: true, id: image.Id, digestRef };
  }

  private async pull(ref: string, credentials: RegistryCredentials | undefined, registry: string): Promise<ImageResolution | { ok: true }> {
    const options = credentials ? { authconfig: { ...credentials, serveraddress: registry } } : {};
    try {
      const stream = (await this.docker.pull(ref, options)) as Readable;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          stream.destroy();
          reject(new Error(`the pull did not finish within ${PULL_TIMEOUT_MS / 1000} s`));
        }, PULL_TIMEOUT_MS);
        this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
          clearTimeout(timer);
          const failed = err ?? events.find((e) => e.error)?.error;
          if (failed) reject(failed instanceof Error ? failed : new Error(failed));
          else resolve();
        });
      });
      return { ok: true };
    } catch (error) {
      const detail = engineMessage(error);
      if (/unauthorized|authentication required|no basic auth|denied/i.test(detail)) return { ok: false, reason: 'CONTAINER_PERMISSION_DENIED', detail };
      if (/not found|manifest unknown|does not exist|no such/i.test(detail) || isStatus(error, 404)) return { ok: false, reason: 'CONTAINER_MISSING', detail };
      return { ok: false, reason: 'INTERNAL', detail };
    }
  }

  private async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      return await this.docker.getImage(ref).inspect();
    } catch {
      return undefined;
    }
  }

  /**
   * The labels that mark a container or volume as this emulator process's (removeAll finds them, and a later
   * emulator on this host removes them once this process is dead). Also put on build step containers.
   */
  ownerLabels(): Record<string, string> {
    return { [LABEL_INSTANCE]: this.instanceId, [LABEL_PID]: String(process.pid), [LABEL_HOST]: os.hostname() };
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const exposed = Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, {}]));
    const bindings = Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, [{ HostIp: '127.0.0.1', HostPort: '' }]]));
    const hostConfig: Dockerode.HostConfig = { PortBindings: bindings };
    if (spec.memoryBytes) {
      hostConfig.Memory = spec.memoryBytes;
      hostConfig.MemorySwap = spec.memoryBytes;
    }
    if (spec.cpus) hostConfig.NanoCpus = Math.round(Math.min(spec.cpus, this.cpus) * 1e9);
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      ...(spec.command?.length ? { Entrypoint: spec.command } : {}),
      ...(spec.args?.length ? { Cmd: spec.args } : {}),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      ExposedPorts: exposed,
      Labels: { ...spec.labels, ...this.ownerLabels() },
      Tty: false,
      HostConfig: hostConfig,
    });
    try {
      await container.start();
      const inspect = await container.inspect();
      const hostPorts: Record<number, number> = {};
      for (const p of spec.ports) {
        const binding = inspect.NetworkSettings?.Ports?.[`${p}/tcp`]?.find((b) => b?.HostPort);
        if (binding) hostPorts[p] = Number(binding.HostPort);
      }
      return { id: inspect.Id, hostPorts };
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Streams the container's output line by line until it exits (or `signal` aborts). */
  async followLogs(id: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void, signal: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    this.followers.add(controller);
    const splitters = {
      stdout: new LineSplitter((line) => onLine('stdout', line)),
      stderr: new LineSplitter((line) => onLine('stderr', line)),
    };
    try {
      const stream = (await this.docker.getContainer(id).logs({
        follow: true, stdout: true, stderr: true, abortSignal: controller.signal,
      } as Dockerode.ContainerLogsOptions & { follow: true })) as unknown as Readable;
      const demuxer = new Demuxer((name, data) => splitters[name].push(data));
      controller.signal.addEventListener('abort', () => stream.destroy(), { once: true });
      for await (const chunk of stream) demuxer.push(chunk as Buffer);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      splitters.stdout.flush();
      splitters.stderr.flush();
      signal.removeEventListener('abort', abort);
      this.followers.delete(controller);
    }
  }

  async state(id: string): Promise<{ running: boolean; exitCode?: number; oomKilled?: boolean }> {
    try {
      const s = (await this.docker.getContainer(id).inspect()).State;
      return { running: s.Running, exitCode: s.Running ? undefined : s.ExitCode, oomKilled: s.OOMKilled };
    } catch (error) {
      if (isStatus(error, 404)) return { running: false };
      throw error;
    }
  }

  /**
   * A container's resource use from one one-shot stats call (~40 ms; without one-shot Docker samples twice, a
   * second apart): cumulative CPU time, and memory in use without the page cache (as `docker stats` shows it).
   * Undefined when the engine cannot say (container gone, old API).
   */
  async usage(id: string): Promise<{ cpuNs: number; memoryBytes: number; memoryLimit: number } | undefined> {
    try {
      const s = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as never)) as unknown as EngineStats;
      const total = s.cpu_stats?.cpu_usage?.total_usage;
      if (typeof total !== 'number' || typeof s.memory_stats?.usage !== 'number') return undefined;
      const cache = s.memory_stats.stats?.inactive_file ?? s.memory_stats.stats?.total_inactive_file ?? 0;
      return { cpuNs: total, memoryBytes: Math.max(0, s.memory_stats.usage - cache), memoryLimit: s.memory_stats.limit ?? 0 };
    } catch {
      return undefined;
    }
  }

  /**
   * SIGTERM, a short grace period (Cloud Run gives 10 s; the emulator is in a hurry), then removal;
   * `graceful: false` kills at once (an instance that never started, emulator shutdown).
   */
  async remove(id: string, graceful = true): Promise<void> {
    const container = this.docker.getContainer(id);
    if (graceful) await container.stop({ t: STOP_GRACE_SECONDS }).catch(() => undefined);
    await container.remove({ force: true, v: true }).catch((error: unknown) => {
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    });
  }

  /**
   * Removes this process's containers, or with `orphans`, those of emulators on this host that died; then the
   * labelled volumes (build workspaces) the same way, once no container uses them.
   */
  async removeAll(orphans = false): Promise<number> {
    const filters = orphans ? { label: [LABEL_INSTANCE, `${LABEL_HOST}=${os.hostname()}`] } : { label: [`${LABEL_INSTANCE}=${this.instanceId}`] };
    const list = await this.docker.listContainers({ all: true, filters: JSON.stringify(filters) } as Dockerode.ContainerListOptions);
    const doomed = orphans ? list.filter((c) => !isAlive(Number(c.Labels?.[LABEL_PID]))) : list;
    await Promise.all(doomed.map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    const volumes = (await this.docker.listVolumes({ filters: JSON.stringify(filters) } as Dockerode.VolumeListOptions).catch(() => undefined))?.Volumes ?? [];
    const doomedVolumes = orphans ? volumes.filter((v) => !isAlive(Number(v.Labels?.[LABEL_PID]))) : volumes;
    await Promise.all(doomedVolumes.map((v) => this.docker.getVolume(v.Name).remove().catch(() => undefined)));
    return doomed.length;
  }

  close(): void {
    for (const follower of this.followers) follower.abort();
    this.followers.clear();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The part of Docker's stats answer `usage` reads. */
interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number } };
}
