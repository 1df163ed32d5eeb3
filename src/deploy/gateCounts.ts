// What a rollout gate counts for the candidate: its requests and 5xx since the split moved, from Cloud
// Monitoring when it has caught up (its points arrive up to ~2 minutes late on Google), else from the
// candidate's request logs. The gate's output line names the source it used and why.
import { DeployDeps } from './types';

export interface GateCounts {
  requests: number;
  errors: number;
  /** "Cloud Monitoring" or "request logs (why Monitoring was not used)". */
  source: string;
  p95Ms?: number;
}

/** A Monitoring point must reach the gate's last minute to cover it (Cloud Run writes one per minute). */
const FRESH_MS = 60_000;

export async function gateCounts(service: string, revision: string, since: Date, deps: Pick<DeployDeps, 'logs' | 'metrics'>,
  now: () => Date = () => new Date()): Promise<GateCounts> {
  const until = now();
  let why = 'Cloud Monitoring is not connected';
  if (deps.metrics) {
    try {
      const counts = await deps.metrics.requestCounts(service, revision, since, until);
      if (counts.newestPoint && counts.newestPoint.getTime() >= until.getTime() - FRESH_MS) {
        return { requests: counts.requests, errors: counts.errors, p95Ms: counts.p95Ms, source: 'Cloud Monitoring' };
      }
      why = counts.newestPoint
        ? `Cloud Monitoring's newest point for ${revision} ends ${counts.newestPoint.toISOString().slice(11, 19)} UTC, before this gate's last minute`
        : `Cloud Monitoring has no point for ${revision} yet`;
    } catch (error) {
      why = `Cloud Monitoring failed: ${(error as Error).message}`;
    }
  }
  const statuses = await deps.logs.requestStatuses(service, revision, since.toISOString()).catch(() => [] as number[]);
  return { requests: statuses.length, errors: statuses.filter((s) => s >= 500).length, source: `request logs (${why})` };
}
