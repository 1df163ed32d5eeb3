// One refresh of the metrics panel: the panel's nine queries in parallel, then the series maths into the view
// the webview draws. No vscode import: the bench runs it against the emulator as the panel does.
import { CANDIDATE_TAG } from '../core/rolloutPlan';
import { MetricRange, MetricScope, panelQueries } from '../core/metricQueries';
import {
  Chart, RevisionMetrics, errorRatioChart, formatRatio, instancesChart, levelChart, newestPointTime, requestRateChart, revisionSummaries, timeGrid,
} from '../core/metricSeries';
import type { ServiceSummary, TrafficTarget } from '../core/model';
import { revisionTrafficLabel } from '../core/traffic';
import type { MonitoringApi } from '../gcp/monitoringApi';
import type { CanaryView, MetricsView, RevisionRowView } from '../webview/metricsProtocol';

export interface MetricsViewInput {
  service: ServiceSummary;
  /** Revision ids as Cloud Run lists them (newest first). */
  revisions: string[];
  range: MetricRange;
  revision?: string;
  rolloutRunning: boolean;
  now: Date;
}

export async function loadMetricsView(api: MonitoringApi, input: MetricsViewInput): Promise<MetricsView> {
  const started = performance.now();
  const { service, range, revision, now } = input;
  const scope: MetricScope = { project: service.project, region: service.region, service: service.id, revision };
  const q = panelQueries(scope, range, now);
  const [requests, totals, p50, p95, p99, revisionP95, instances, cpu, memory] = await Promise.all(
    [q.requests, q.revisionTotals, q.latencyP50, q.latencyP95, q.latencyP99, q.revisionP95, q.instances, q.cpu, q.memory]
      .map((query) => api.listTimeSeries(query)));
  const grid = timeGrid(q.requests);
  const charts: Chart[] = [
    requestRateChart(grid, requests),
    errorRatioChart(grid, requests),
    levelChart('latency', 'Request latency', 'ms', grid, [{ label: 'p50', series: p50 }, { label: 'p95', series: p95 }, { label: 'p99', series: p99 }]),
    instancesChart(grid, instances),
    levelChart('cpu', 'CPU utilization (p95)', '%', grid, [{ label: 'cpu', series: cpu }], 100),
    levelChart('memory', 'Memory utilization (p95)', '%', grid, [{ label: 'memory', series: memory }], 100),
  ];
  const summary = revisionSummaries(totals, revisionP95, input.revisions).map((r) => rowView(r, service.trafficStatuses));
  const newest = newestPointTime(requests, p95, instances, cpu, memory);
  const all = [requests, totals, p50, p95, p99, instances, cpu, memory];
  return {
    service: service.id, project: service.project, region: service.region, range, revision,
    revisions: input.revisions,
    charts, summary,
    asOf: newest ? `as of ${clock(newest)}` : 'no data in this range',
    empty: all.every((series) => series.every((s) => s.points.length === 0)),
    canary: canaryOf(summary, service.trafficStatuses, input.rolloutRunning),
    loadMs: Math.round(performance.now() - started),
  };
}

function rowView(r: RevisionMetrics, statuses: readonly TrafficTarget[]): RevisionRowView {
  return {
    revision: r.revision, requests: r.requests, errors: r.errors,
    errorRatioText: formatRatio(r.errorRatio),
    p95Ms: r.p95Ms,
    p95Text: r.p95Ms === undefined ? '—' : `${r.p95Ms < 10 ? r.p95Ms.toFixed(1) : Math.round(r.p95Ms)} ms`,
    trafficLabel: revisionTrafficLabel(r.revision, statuses),
  };
}

/** The candidate (tagged, below 100%) and the revision serving most of the rest, if a rollout is under way. */
export function canaryRevisions(statuses: readonly TrafficTarget[]): { candidate: string; serving: string; percent: number } | undefined {
  const tagged = statuses.find((s) => s.tag === CANDIDATE_TAG && s.revision);
  if (!tagged?.revision) return undefined;
  const share = (rev: string) => statuses.filter((s) => s.revision === rev).reduce((sum, s) => sum + s.percent, 0);
  const percent = share(tagged.revision);
  if (percent >= 100) return undefined;
  const others = [...new Set(statuses.filter((s) => s.revision && s.revision !== tagged.revision && s.percent > 0).map((s) => s.revision!))];
  const serving = others.sort((a, b) => share(b) - share(a))[0];
  return serving ? { candidate: tagged.revision, serving, percent } : undefined;
}

function canaryOf(summary: RevisionRowView[], statuses: readonly TrafficTarget[], rolloutRunning: boolean): CanaryView | undefined {
  const pair = canaryRevisions(statuses);
  if (!pair) return undefined;
  const row = (revision: string) => summary.find((r) => r.revision === revision) ??
    { revision, requests: 0, errors: 0, errorRatioText: '—', p95Text: '—', trafficLabel: revisionTrafficLabel(revision, statuses) };
  return { candidate: row(pair.candidate), serving: row(pair.serving), candidatePercent: pair.percent, rolloutRunning };
}

/** HH:MM in the machine's time zone: what the user's clock says. */
export function clock(when: Date): string {
  return `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`;
}
