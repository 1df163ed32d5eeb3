// A container Mentor started (or found again by label): logs, state, listening sockets, stop.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { Demuxer, LineSplitter, parseProcNetTcp, type ListeningSocket, type StreamName } from './streams';
import type { ContainerState, LogLine, RunningContainer } from './types';

export const MANAGED_LABEL = 'mentor.managed';
export const PORT_LABEL = 'mentor.containerPort';

/** Programs tried in turn to print /proc/net/tcp{,6}: slim images have cat, distroless Python ones only python. */
const PROC_NET_READERS: string[][] = [
  ['cat', '/proc/net/tcp', '/proc/net/tcp6'],
  ...['python3', 'python'].map((python) => [
    python,
    '-c',
    "import os\nfor f in ('/proc/net/tcp','/proc/net/tcp6'):\n if os.path.exists(f): print(open(f).read())",
  ]),
];

export class DockerodeContainer implements RunningContainer {
  constructor(
    private readonly container: Dockerode.Container,
    readonly id: string,
    readonly name: string,
    readonly hostPort: number,
    private readonly followers: Set<AbortController>,
  ) {}

  async followLogs(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.followers.add(controller);
    try {
      let stream: Readable;
      try {
        stream = (await this.container.logs({
          follow: true,
          stdout: true,
          stderr: true,
          timestamps: false,
          abortSignal: controller.signal,
        } as Dockerode.ContainerLogsOptions & { follow: true })) as unknown as Readable;
      } catch (error) {
        if (controller.signal.aborted) return;
        throw error;
      }
      const splitters: Record<StreamName, LineSplitter> = {
        stdout: new LineSplitter((text) => onLine({ stream: 'stdout', text })),
        stderr: new LineSplitter((text) => onLine({ stream: 'stderr', text })),
      };
      const demuxer = new Demuxer((name, data) => splitters[name].push(data));
      const stopOnAbort = () => stream.destroy();
      controller.signal.addEventListener('abort', stopOnAbort, { once: true });
      try {
        for await (const chunk of stream) demuxer.push(chunk as Buffer);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      } finally {
        controller.signal.removeEventListener('abort', stopOnAbort);
        splitters.stdout.flush();
        splitters.stderr.flush();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.followers.delete(controller);
    }
  }

  async state(): Promise<ContainerState> {
    let inspect: Dockerode.ContainerInspectInfo;
    try {
      inspect = await this.container.inspect();
    } catch (error) {
      if (isStatus(error, 404)) return { running: false, error: 'The container no longer exists.' };
      throw error;
    }
    const state = inspect.State;
    return {
      running: state.Running,
      exitCode: state.Running ? undefined : state.ExitCode,
      oomKilled: state.OOMKilled,
      error: state.Error || undefined,
    };
  }

  async listeningSockets(): Promise<ListeningSocket[]> {
    let lastError: unknown;
    for (const cmd of PROC_NET_READERS) {
      try {
        const { exitCode, stdout } = await this.exec(cmd);
        // cat exits 1 when /proc/net/tcp6 is missing (IPv6 off) but has printed /proc/net/tcp
        if (stdout.includes('local_address')) return parseProcNetTcp(stdout);
        lastError = new Error(`${cmd[0]} exited with ${exitCode}`);
      } catch (error) {
        if (isStatus(error, 409) || isStatus(error, 404)) throw new Error(`The container is not running: ${engineMessage(error)}`);
        lastError = error;
      }
    }
    throw new Error(`Could not read the container's listening sockets: ${engineMessage(lastError)}`);
  }

  async stop(graceSeconds = 10): Promise<void> {
    try {
      await this.container.stop({ t: graceSeconds });
    } catch (error) {
      // 304: already stopped; 404: already removed
      if (!isStatus(error, 304) && !isStatus(error, 404)) throw error;
    }
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      // 404: gone; 409: "removal of container … is already in progress"
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    }
  }

  private async exec(cmd: string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    const exec = await this.container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
    const stream = (await exec.start({ Detach: false, Tty: false })) as unknown as Readable;
    const out: Record<StreamName, Buffer[]> = { stdout: [], stderr: [] };
    const demuxer = new Demuxer((name, data) => out[name].push(data));
    for await (const chunk of stream) demuxer.push(chunk as Buffer);
    const info = await exec.inspect();
    return {
      exitCode: info.ExitCode,
      stdout: Buffer.concat(out.stdout).toString('utf8'),
      stderr: Buffer.concat(out.stderr).toString('utf8'),
    };
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === status;
}

/** The engine's own message from a dockerode error ("No such image: x"), else the error's message. */
export function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const json = (error as { json?: unknown }).json;
    if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
      return (json as { message: string }).message.trim();
    }
    if (typeof json === 'string' && json.trim()) return json.trim();
    if (Buffer.isBuffer(json) && json.length) return json.toString('utf8').trim();
    if (error instanceof Error) return error.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
  }
  return String(error);
}
