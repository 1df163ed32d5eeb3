// DeployMetrics over Cloud Monitoring: the candidate's request counts (ALIGN_DELTA + REDUCE_SUM by response
// class) and p95 (ALIGN/REDUCE_PERCENTILE_95) over one alignment period spanning the gate.
import { requestCountQuery, revisionPercentileQuery } from '../core/metricQueries';
import type { MonitoringApi } from '../gcp/monitoringApi';
import { DeployMetrics } from './types';

export function deployMetricsFrom(monitoring: () => Promise<MonitoringApi>, project: string, region: string): DeployMetrics {
  return {
    async requestCounts(service, revision, since, until) {
      const scope = { project, region, service, revision };
      const p95 = revisionPercentileQuery(scope, since, until, 95);
      const api = await monitoring();
      const [counts, latency] = await Promise.all([
        api.listTimeSeries(requestCountQuery(scope, { startTime: p95.startTime, endTime: p95.endTime, alignmentPeriodSeconds: p95.alignmentPeriodSeconds })),
        api.listTimeSeries(p95).catch(() => []),
      ]);
      const points = (cls?: string) => counts.filter((s) => !cls || s.metric.response_code_class === cls).flatMap((s) => s.points);
      const total = (cls?: string) => points(cls).reduce((sum, p) => sum + p.value, 0);
      const newest = Math.max(-Infinity, ...points().map((p) => p.end));
      const p95Point = latency.flatMap((s) => s.points).at(-1);
      return {
        requests: total(), errors: total('5xx'),
        newestPoint: Number.isFinite(newest) ? new Date(newest) : undefined,
        p95Ms: p95Point && Number.isFinite(p95Point.value) ? p95Point.value : undefined,
      };
    },
  };
}
