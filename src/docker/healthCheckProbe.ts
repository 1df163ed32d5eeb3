// Runs the chosen health checks in order against a base URL, within one deadline: the first check the
// app passes wins; a check the app refuses with a 4xx hands over to the next one, with a note saying so.
import { accepts, HealthCheckStep, refuses, ResolvedHealthCheck } from '../core/healthCheck';
import { HealthProbeResult, waitForHealthy } from './healthProbe';

export interface HealthCheckRun {
  baseUrl: string;
  steps: readonly HealthCheckStep[];
  timeoutMs: number;
  signal?: AbortSignal;
  stillRunning?: () => Promise<boolean>;
  headers?: Record<string, string>;
  /**
   * Statuses that prove nothing about the app, so they neither pass nor refuse a check: on Cloud Run a 401
   * or 403 can come from Google's front end (IAM) before the request reaches the container.
   */
  inconclusive?: readonly number[];
  attemptTimeoutMs?: number;
  intervalMs?: number;
  /** Called when a check starts (for progress messages). */
  onStep?: (step: HealthCheckStep) => void;
}

export type HealthCheckOutcome =
  | (ResolvedHealthCheck & { ok: true; elapsedMs: number })
  | { ok: false; step: HealthCheckStep; probe: Exclude<HealthProbeResult, { ok: true }>; notes: string[] };

export async function runHealthChecks(run: HealthCheckRun): Promise<HealthCheckOutcome> {
  const started = Date.now();
  const notes: string[] = [];
  const base = run.baseUrl.replace(/\/$/, '');
  const inconclusive = new Set(run.inconclusive ?? []);
  for (let index = 0; index < run.steps.length; index++) {
    const step = run.steps[index];
    const last = index === run.steps.length - 1;
    run.onStep?.(step);
    const probe = await waitForHealthy({
      url: `${base}${step.path}`, timeoutMs: Math.max(1, run.timeoutMs - (Date.now() - started)), signal: run.signal,
      stillRunning: run.stillRunning, headers: run.headers, attemptTimeoutMs: run.attemptTimeoutMs, intervalMs: run.intervalMs,
      accept: (status) => accepts(step, status) && !inconclusive.has(status),
      refuse: last ? undefined : (status) => refuses(step, status) && !inconclusive.has(status),
    });
    if (probe.ok) return { ok: true, step, status: probe.status, notes, elapsedMs: Date.now() - started };
    if (probe.reason !== 'refused') return { ok: false, step, probe, notes };
    notes.push(`GET ${step.path} answered ${probe.lastStatus}, so it was not used`);
  }
  throw new Error('runHealthChecks needs at least one step');
}

/** Cloud checks of a revision: the check the smoke test resolved, accepted only with the kind of answer the app gave locally. */
export function cloudChecks(resolved: ResolvedHealthCheck | undefined, steps: readonly HealthCheckStep[]):
  { steps: readonly HealthCheckStep[]; inconclusive: number[] } {
  const iam = [401, 403];
  if (!resolved) return { steps, inconclusive: iam };
  return { steps: [resolved.step], inconclusive: iam.filter((status) => status !== resolved.status) };
}
