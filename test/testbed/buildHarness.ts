// What the build executor tests share: a Build message, a reporter that records every change and log line,
// and the check that a build left nothing on the engine (containers or volumes labelled with its id).
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BuildLogLine, BuildMessage, BuildReporter, BuildStepMessage } from '../../emulator/buildExecution';
import { LABEL_BUILD } from '../../emulator/buildStepContainer';
import type { RuntimeEngine } from '../../emulator/runtimeEngine';

export const PROJECT = 'exec-test';
export const BUSYBOX = 'busybox:latest';
export const PYTHON = 'python:3.11-slim';

export function newBuild(steps: (BuildStepMessage & Record<string, unknown>)[], extra: Partial<BuildMessage> = {}): BuildMessage {
  const id = randomUUID();
  return { id, name: `projects/${PROJECT}/locations/us-central1/builds/${id}`, projectId: PROJECT, status: 'QUEUED', steps, ...extra };
}

export class RecordingReporter implements BuildReporter {
  readonly statuses: string[] = [];
  readonly stepStatuses: string[][] = [];
  readonly lines: BuildLogLine[] = [];
  private readonly waiters: { match: (l: BuildLogLine) => boolean; resolve: () => void }[] = [];

  changed(build: BuildMessage): void {
    if (this.statuses.at(-1) !== build.status) this.statuses.push(build.status);
    build.steps.forEach((s, i) => {
      const seen = (this.stepStatuses[i] ??= []);
      if (s.status && seen.at(-1) !== s.status) seen.push(s.status);
    });
  }

  log(line: BuildLogLine): void {
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (w.match(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Text of the build's own lines (step undefined). */
  main(): string[] {
    return this.lines.filter((l) => l.step === undefined).map((l) => l.text);
  }

  /** Text of step i's lines. */
  step(i: number): string[] {
    return this.lines.filter((l) => l.step === i).map((l) => l.text);
  }

  /** Resolves when a line with this text arrives (or already did). */
  waitFor(text: string, timeoutMs = 30_000): Promise<void> {
    if (this.lines.some((l) => l.text === text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line "${text}" within ${timeoutMs} ms; got ${JSON.stringify(this.lines)}`)), timeoutMs);
      this.waiters.push({ match: (l) => l.text === text, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }
}

/** Fails if any container or volume of this build is still on the engine. */
export async function assertNothingLeft(engine: RuntimeEngine, build: BuildMessage): Promise<void> {
  const filters = JSON.stringify({ label: [`${LABEL_BUILD}=${build.id}`] });
  const containers = await engine.docker.listContainers({ all: true, filters });
  assert.deepEqual(containers.map((c) => c.Names), [], `containers of build ${build.id} left behind`);
  const volumes = (await engine.docker.listVolumes({ filters })).Volumes ?? [];
  assert.deepEqual(volumes.map((v) => v.Name), [], `volumes of build ${build.id} left behind`);
}

export const ms = (t: { seconds: string | number; nanos?: number } | undefined): number =>
  t ? Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;
