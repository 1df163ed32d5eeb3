// One instance of a revision: a container started with Cloud Run's contract, its output forwarded to
// Cloud Logging, and the startup probe (default: TCP on $PORT) that decides whether it ever serves.
import * as http from 'node:http';
import * as net from 'node:net';
import type { LogEntry } from './apiTypes';
import { type RevisionRef, containerLineEntry, systemEntry } from './runtimeLogs';
import { LABEL_REVISION, LABEL_SERVICE, type RuntimeEngine } from './runtimeEngine';

export interface ProbePlan {
  kind: 'tcp' | 'http';
  port: number;
  path?: string;
  /** Cloud Run's default probe (TCP, period 240 s, one failure) words its messages differently. */
  isDefault: boolean;
  failureThreshold: number;
  deadlineMs: number;
}

export interface InstancePlan {
  ref: RevisionRef;
  /** Full service name, for the container's labels. */
  serviceName: string;
  image: string;
  /** The container's name in messages ("hello-1"). */
  containerName: string;
  port: number;
  env: Record<string, string>;
  probe: ProbePlan;
  memoryBytes?: number;
  memoryText?: string;
  cpus?: number;
  command?: string[];
  args?: string[];
  workingDir?: string;
}

export interface InstanceDeps {
  engine: RuntimeEngine;
  writeLogs(entries: LogEntry[]): void;
}

export type StartResult = { ok: true; instance: Instance } | { ok: false; detail: string };

const TCP_HOLD_MS = 150;
const PROBE_PAUSE_MS = 200;

/** A running container for a revision. `hostPort` is where the proxy sends requests. */
export class Instance {
  exited?: { code?: number; oomKilled?: boolean };
  private stopping = false;
  private readonly abort = new AbortController();
  onExit?: () => void;

  constructor(
    private readonly deps: InstanceDeps,
    readonly plan: InstancePlan,
    readonly id: string,
    readonly hostPort: number,
    readonly probePort: number,
  ) {}

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  /** Follows the output until the container exits, then reports the exit like Cloud Run. */
  follow(): void {
    const { ref, containerName } = this.plan;
    const write = (entry: LogEntry) => this.deps.writeLogs([entry]);
    this.deps.engine.followLogs(this.id, (stream, line) => write(containerLineEntry(ref, stream, line, this.id, containerName)), this.abort.signal)
      .catch(() => undefined)
      .then(async () => {
        if (this.stopping) return;
        const state = await this.deps.engine.state(this.id).catch(() => ({ running: false, exitCode: undefined, oomKilled: false }));
        if (state.running || this.stopping) return;
        this.exited = { code: state.exitCode, oomKilled: state.oomKilled };
        if (state.oomKilled) {
          write(systemEntry(ref, 'ERROR', `Memory limit of ${this.plan.memoryText ?? 'the instance'} exceeded. Consider increasing the memory limit, ` +
            'see https://cloud.google.com/run/docs/configuring/memory-limits', this.id));
        }
        write(systemEntry(ref, 'WARNING', `Container called exit(${state.exitCode ?? 1}).`, this.id));
        this.onExit?.();
      })
      .catch(() => undefined);
  }

  async stop(graceful = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    await this.deps.engine.remove(this.id, graceful).catch(() => undefined);
  }
}

/** Starts a container for the plan and waits for its startup probe; on failure the container is gone. */
export async function startInstance(deps: InstanceDeps, plan: InstancePlan): Promise<StartResult> {
  const suffix = Math.random().toString(36).slice(2, 7);
  const ports = [...new Set([plan.port, plan.probe.port])];
  let started;
  try {
    started = await deps.engine.start({
      name: `mentor-emu-${plan.ref.revision}-${suffix}`.slice(0, 120),
      image: plan.image,
      env: plan.env,
      ports,
      memoryBytes: plan.memoryBytes,
      cpus: plan.cpus,
      command: plan.command,
      args: plan.args,
      workingDir: plan.workingDir,
      labels: { [LABEL_SERVICE]: plan.serviceName, [LABEL_REVISION]: plan.ref.revision },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    deps.writeLogs([systemEntry(plan.ref, 'ERROR', `The container could not be started: ${detail}`)]);
    return { ok: false, detail };
  }
  const instance = new Instance(deps, plan, started.id, started.hostPorts[plan.port] ?? 0, started.hostPorts[plan.probe.port] ?? 0);
  instance.follow();
  const { probe, ref, containerName } = plan;
  const where = probe.kind === 'http' ? `on path "${probe.path ?? '/'}"` : `on port ${probe.port}`;
  const label = `${probe.isDefault ? 'Default ' : ''}STARTUP ${probe.kind.toUpperCase()} probe`;
  const deadline = Date.now() + probe.deadlineMs;
  let attempts = 0;
  while (Date.now() < deadline && !instance.exited) {
    attempts++;
    if (await probeOnce(probe, instance.probePort)) {
      deps.writeLogs([systemEntry(ref, 'INFO', `${label} succeeded after ${attempts} attempt${attempts === 1 ? '' : 's'} for container "${containerName}" ${where}.`, instance.id)]);
      return { ok: true, instance };
    }
    await sleep(PROBE_PAUSE_MS);
  }
  if (instance.exited) await sleep(50); // let the exit entry land before the probe's
  const times = probe.failureThreshold;
  deps.writeLogs([systemEntry(ref, 'ERROR',
    `${label} failed ${times} time${times === 1 ? '' : 's'} consecutively for container "${containerName}" ${where}. The instance was not started.`, instance.id)]);
  await instance.stop(false);
  return { ok: false, detail: instance.exited ? `exit(${instance.exited.code ?? 1})` : 'startup probe timed out' };
}

function probeOnce(probe: ProbePlan, port: number): Promise<boolean> {
  return probe.kind === 'http' ? httpProbe(port, probe.path ?? '/') : tcpProbe(port);
}

/**
 * Docker's port proxy accepts a connection before the app listens and closes it right after when nothing
 * answers inside; so "listening" = the connection is still open a moment later.
 */
function tcpProbe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 1000);
    const socket = net.connect(port, '127.0.0.1', () => {
      clearTimeout(timer);
      setTimeout(() => finish(!socket.destroyed && socket.readyState === 'open'), TCP_HOLD_MS);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
  });
}

function httpProbe(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 1000, headers: { 'user-agent': 'GoogleHC/1.0' } }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
