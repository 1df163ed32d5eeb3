// Typed messages between the metrics panel and its webview. Shared by both sides, so no vscode import
// (and only types from src/core, so the webview bundle stays small). Times travel as epoch seconds / ISO.
import type { MetricRange } from '../core/metricQueries';
import type { Chart } from '../core/metricSeries';

export const RANGE_CHOICES: readonly { range: MetricRange; label: string }[] = [
  { range: '1h', label: '1 hour' }, { range: '6h', label: '6 hours' }, { range: '1d', label: '1 day' }, { range: '7d', label: '7 days' },
];

export interface RevisionRowView {
  revision: string;
  requests: number;
  errors: number;
  /** "0.3%", "—" without requests. */
  errorRatioText: string;
  /** "123 ms", "—" without latency points. */
  p95Text: string;
  p95Ms?: number;
  /** "100%", "50% (candidate)", "" when it serves nothing. */
  trafficLabel: string;
}

/** A rollout under way: the revision tagged "candidate" next to the one that serves most of the rest. */
export interface CanaryView {
  candidate: RevisionRowView;
  serving: RevisionRowView;
  candidatePercent: number;
  /** A deploy from this window is rolling it out: the buttons steer that rollout instead of the split. */
  rolloutRunning: boolean;
}

export interface MetricsView {
  service: string;
  project: string;
  region: string;
  range: MetricRange;
  /** The revision filter; undefined = all revisions. */
  revision?: string;
  revisions: string[];
  charts: Chart[];
  summary: RevisionRowView[];
  /** "as of 14:05" (Monitoring shows points up to ~2 minutes late), or "no data in this range". */
  asOf: string;
  /** Nothing at all in the range: the panel says why instead of drawing empty charts. */
  empty: boolean;
  canary?: CanaryView;
  /** How long the queries took (the bench and the log read it). */
  loadMs: number;
}

/** Extension → webview. */
export type MetricsMessage =
  | { type: 'show'; view: MetricsView }
  | { type: 'loading'; note: string }
  | { type: 'error'; message: string; actions: string[] };

/** Webview → extension. */
export type MetricsRequest =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'setRange'; range: MetricRange }
  | { type: 'setRevision'; revision?: string }
  | { type: 'promote' }
  | { type: 'rollBack' }
  /** One of the last error's actions, by index. */
  | { type: 'errorAction'; index: number }
  /** The webview drew a view (first paint / refresh), with how long drawing took. */
  | { type: 'painted'; ms: number };

export function isMetricsRequest(value: unknown): value is MetricsRequest {
  if (!value || typeof value !== 'object') return false;
  const m = value as { type?: unknown; range?: unknown; revision?: unknown; index?: unknown; ms?: unknown };
  switch (m.type) {
    case 'ready': case 'refresh': case 'promote': case 'rollBack':
      return true;
    case 'setRange':
      return RANGE_CHOICES.some((c) => c.range === m.range);
    case 'setRevision':
      return m.revision === undefined || (typeof m.revision === 'string' && m.revision.length < 200);
    case 'errorAction':
      return Number.isInteger(m.index) && (m.index as number) >= 0;
    case 'painted':
      return typeof m.ms === 'number';
    default:
      return false;
  }
}
