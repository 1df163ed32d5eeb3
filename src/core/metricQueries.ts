// The Cloud Monitoring questions the metrics panel, the explorer's sparklines and the rollout gates ask,
// as ListTimeSeries requests in our own types (the client maps them to the wire). Cloud Run writes one
// point per minute per series (resource cloud_run_revision); every chart asks Monitoring to align and
// reduce on the server so a 7-day range of 50 revisions comes back as a few hundred points, not millions.

export type Aligner =
  | 'ALIGN_DELTA' | 'ALIGN_RATE' | 'ALIGN_MEAN' | 'ALIGN_MAX' | 'ALIGN_SUM'
  | 'ALIGN_PERCENTILE_50' | 'ALIGN_PERCENTILE_95' | 'ALIGN_PERCENTILE_99';
export type Reducer =
  | 'REDUCE_SUM' | 'REDUCE_MEAN' | 'REDUCE_MAX'
  | 'REDUCE_PERCENTILE_50' | 'REDUCE_PERCENTILE_95' | 'REDUCE_PERCENTILE_99';

export interface TimeSeriesQuery {
  /** Monitoring filter: one metric.type plus resource labels. */
  filter: string;
  startTime: Date;
  endTime: Date;
  /** ≥ 60 (Cloud Run samples once a minute). */
  alignmentPeriodSeconds: number;
  perSeriesAligner: Aligner;
  crossSeriesReducer?: Reducer;
  /** e.g. resource.label.revision_name; the labels a reduced series keeps. */
  groupByFields?: string[];
}

export interface MetricPoint {
  /** Epoch ms. A DELTA point covers [start, end). */
  start: number;
  end: number;
  value: number;
}

export interface MetricSeries {
  /** The metric labels the series kept (after grouping), e.g. response_code_class. */
  metric: Record<string, string>;
  /** The resource labels the series kept, e.g. revision_name. */
  resource: Record<string, string>;
  /** Oldest first. */
  points: MetricPoint[];
}

export const METRIC = {
  requestCount: 'run.googleapis.com/request_count',
  requestLatencies: 'run.googleapis.com/request_latencies',
  instanceCount: 'run.googleapis.com/container/instance_count',
  cpu: 'run.googleapis.com/container/cpu/utilizations',
  memory: 'run.googleapis.com/container/memory/utilizations',
} as const;

export const BY_REVISION = 'resource.label.revision_name';
export const BY_RESPONSE_CLASS = 'metric.label.response_code_class';
export const BY_INSTANCE_STATE = 'metric.label.state';

export type MetricRange = '1h' | '6h' | '1d' | '7d';

/** Each range at an alignment that gives 60–170 points per line: enough to read, cheap to draw. */
export const METRIC_RANGES: Record<MetricRange, { label: string; seconds: number; alignmentSeconds: number }> = {
  '1h': { label: '1 hour', seconds: 3600, alignmentSeconds: 60 },
  '6h': { label: '6 hours', seconds: 6 * 3600, alignmentSeconds: 300 },
  '1d': { label: '1 day', seconds: 24 * 3600, alignmentSeconds: 900 },
  '7d': { label: '7 days', seconds: 7 * 24 * 3600, alignmentSeconds: 3600 },
};

export function isMetricRange(value: unknown): value is MetricRange {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METRIC_RANGES, value);
}

/** Which revisions of which service: the resource labels of cloud_run_revision. */
export interface MetricScope {
  project: string;
  region: string;
  service: string;
  /** Only this revision; undefined for all of the service's revisions. */
  revision?: string;
}

/** A filter value in Monitoring's filter language: double-quoted, with \ and " escaped. */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function metricFilter(metricType: string, scope: MetricScope): string {
  return [
    `metric.type = ${quoteFilterValue(metricType)}`,
    'resource.type = "cloud_run_revision"',
    `resource.labels.service_name = ${quoteFilterValue(scope.service)}`,
    // Services of the same name may run in other regions of the project.
    `resource.labels.location = ${quoteFilterValue(scope.region)}`,
    ...(scope.revision ? [`resource.labels.revision_name = ${quoteFilterValue(scope.revision)}`] : []),
  ].join(' AND ');
}

/** The panel's queries for one refresh, by what each one feeds. */
export interface PanelQueries {
  /** Counts per response class per period (of the picked revision, or all): request rate and 5xx ratio. */
  requests: TimeSeriesQuery;
  /** Counts per revision and response class in ONE period spanning the range: the summary's exact totals. */
  revisionTotals: TimeSeriesQuery;
  latencyP50: TimeSeriesQuery;
  latencyP95: TimeSeriesQuery;
  latencyP99: TimeSeriesQuery;
  /** One point per revision over the whole range: the summary table's p95. */
  revisionP95: TimeSeriesQuery;
  instances: TimeSeriesQuery;
  cpu: TimeSeriesQuery;
  memory: TimeSeriesQuery;
}

export interface QueryWindow {
  startTime: Date;
  endTime: Date;
  alignmentPeriodSeconds: number;
}

/** The range ending now, on whole seconds (Monitoring's timestamps are seconds for Cloud Run's points). */
export function rangeWindow(range: MetricRange, now: Date): QueryWindow {
  const { seconds, alignmentSeconds } = METRIC_RANGES[range];
  const end = Math.floor(now.getTime() / 1000) * 1000;
  return { startTime: new Date(end - seconds * 1000), endTime: new Date(end), alignmentPeriodSeconds: alignmentSeconds };
}

export function panelQueries(scope: MetricScope, range: MetricRange, now: Date): PanelQueries {
  const window = rangeWindow(range, now);
  const latency = (p: 50 | 95 | 99): TimeSeriesQuery => ({
    ...window, filter: metricFilter(METRIC.requestLatencies, scope),
    perSeriesAligner: `ALIGN_PERCENTILE_${p}`, crossSeriesReducer: `REDUCE_PERCENTILE_${p}`,
  });
  // The summary lists every revision even when one is picked; per revision × per period would be 25,000
  // points for 50 revisions over 7 days, so the chart and the totals are separate, small answers.
  const whole = { ...window, alignmentPeriodSeconds: METRIC_RANGES[range].seconds };
  return {
    requests: { ...requestCountQuery(scope, window), groupByFields: [BY_RESPONSE_CLASS] },
    revisionTotals: requestCountQuery({ ...scope, revision: undefined }, whole),
    latencyP50: latency(50),
    latencyP95: latency(95),
    latencyP99: latency(99),
    revisionP95: revisionPercentileQuery({ ...scope, revision: undefined }, window.startTime, window.endTime, 95),
    instances: {
      ...window, filter: metricFilter(METRIC.instanceCount, scope),
      perSeriesAligner: 'ALIGN_MAX', crossSeriesReducer: 'REDUCE_SUM', groupByFields: [BY_INSTANCE_STATE],
    },
    cpu: utilizationQuery(METRIC.cpu, scope, window),
    memory: utilizationQuery(METRIC.memory, scope, window),
  };
}

/** request_count as exact counts per period (ALIGN_DELTA), summed per revision and response class. */
export function requestCountQuery(scope: MetricScope, window: QueryWindow): TimeSeriesQuery {
  return {
    ...window, filter: metricFilter(METRIC.requestCount, scope),
    perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: [BY_REVISION, BY_RESPONSE_CLASS],
  };
}

/** One latency percentile per revision over [start, end]: a single alignment period spanning it. */
export function revisionPercentileQuery(scope: MetricScope, start: Date, end: Date, p: 50 | 95 | 99): TimeSeriesQuery {
  const seconds = Math.max(60, Math.ceil((end.getTime() - start.getTime()) / 1000));
  return {
    filter: metricFilter(METRIC.requestLatencies, scope),
    startTime: new Date(end.getTime() - seconds * 1000), endTime: end, alignmentPeriodSeconds: seconds,
    perSeriesAligner: `ALIGN_PERCENTILE_${p}`, crossSeriesReducer: `REDUCE_PERCENTILE_${p}`, groupByFields: [BY_REVISION],
  };
}

/** The busiest instance's load: p95 of the utilization distribution, the highest across revisions. */
function utilizationQuery(metricType: string, scope: MetricScope, window: QueryWindow): TimeSeriesQuery {
  return { ...window, filter: metricFilter(metricType, scope), perSeriesAligner: 'ALIGN_PERCENTILE_95', crossSeriesReducer: 'REDUCE_MAX' };
}

/** The explorer's sparklines: the last hour in 5-minute counts, every revision of the service in one query. */
export const SPARKLINE_WINDOW = { seconds: 3600, alignmentSeconds: 300 };

export function sparklineQuery(scope: MetricScope, now: Date): TimeSeriesQuery {
  const end = Math.floor(now.getTime() / 1000) * 1000;
  return requestCountQuery({ ...scope, revision: undefined },
    { startTime: new Date(end - SPARKLINE_WINDOW.seconds * 1000), endTime: new Date(end), alignmentPeriodSeconds: SPARKLINE_WINDOW.alignmentSeconds });
}
