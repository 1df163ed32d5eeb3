// Cloud Monitoring v3 in proto3 JSON (camelCase, RFC 3339 timestamps, "60s" durations, int64 as strings), the
// shape of the REST wire and of MetricStore's in-process interface (contract 2 of issue #13), plus the Cloud
// Run metric types the emulator records (google/monitoring/v3/metric.proto, google/api/distribution.proto).

export interface TimeIntervalJson {
  /** RFC 3339; omitted = endTime (a single instant). */
  startTime?: string;
  endTime?: string;
}

export interface AggregationJson {
  /** "60s"; required (≥ 60 s) when perSeriesAligner is not ALIGN_NONE. */
  alignmentPeriod?: string;
  perSeriesAligner?: string;
  crossSeriesReducer?: string;
  /** "metric.label.response_code_class", "resource.label.revision_name" (also `.labels.`, quoted keys). */
  groupByFields?: string[];
}

export interface ListTimeSeriesRequestJson {
  /** "projects/P" */
  name: string;
  filter: string;
  interval: TimeIntervalJson;
  aggregation?: AggregationJson;
  /** Applied to the output of `aggregation`; the emulator supports its cross-series reducer (no re-alignment). */
  secondaryAggregation?: AggregationJson;
  /** Google's own name for the series order; accepted, the emulator always orders by labels. */
  orderBy?: string;
  /** FULL (default) or HEADERS. */
  view?: 'FULL' | 'HEADERS' | string;
  pageSize?: number;
  pageToken?: string;
}

export interface BucketOptionsJson {
  exponentialBuckets?: { numFiniteBuckets: number; growthFactor: number; scale: number };
}

export interface DistributionJson {
  count: string;
  mean?: number;
  sumOfSquaredDeviation?: number;
  bucketOptions: BucketOptionsJson;
  bucketCounts: string[];
}

export interface TypedValueJson {
  int64Value?: string;
  doubleValue?: number;
  distributionValue?: DistributionJson;
}

export interface PointJson {
  interval: { startTime?: string; endTime: string };
  value: TypedValueJson;
}

export type MetricKind = 'GAUGE' | 'DELTA' | 'CUMULATIVE';
export type ValueType = 'INT64' | 'DOUBLE' | 'DISTRIBUTION';

export interface TimeSeriesJson {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
  metricKind: MetricKind;
  valueType: ValueType;
  /** Newest first; empty with view HEADERS. */
  points: PointJson[];
  unit?: string;
}

export interface ListTimeSeriesResponseJson {
  timeSeries: TimeSeriesJson[];
  nextPageToken: string;
  executionErrors: unknown[];
  unit?: string;
}

export const RESOURCE_TYPE = 'cloud_run_revision';
export const REQUEST_COUNT = 'run.googleapis.com/request_count';
export const REQUEST_LATENCIES = 'run.googleapis.com/request_latencies';
export const INSTANCE_COUNT = 'run.googleapis.com/container/instance_count';
export const CPU_UTILIZATIONS = 'run.googleapis.com/container/cpu/utilizations';
export const MEMORY_UTILIZATIONS = 'run.googleapis.com/container/memory/utilizations';

export interface MetricInfo {
  type: string;
  kind: MetricKind;
  valueType: ValueType;
  unit: string;
  displayName: string;
  description: string;
  labels: { key: string; description: string }[];
}

const CODE_LABELS = [
  { key: 'response_code', description: 'HTTP response code of a request.' },
  { key: 'response_code_class', description: 'HTTP response code class of a request.' },
];

/** What Cloud Run publishes (cloud.google.com/monitoring/api/metrics_gcp#gcp-run), as far as the emulator records. */
export const CLOUD_RUN_METRICS: readonly MetricInfo[] = [
  {
    type: REQUEST_COUNT, kind: 'DELTA', valueType: 'INT64', unit: '1', displayName: 'Request Count',
    description: 'Number of requests reaching the revision. Excludes requests that are not reaching your container instances (e.g. unauthorized requests or when maximum number of instances is reached).',
    labels: CODE_LABELS,
  },
  {
    type: REQUEST_LATENCIES, kind: 'DELTA', valueType: 'DISTRIBUTION', unit: 'ms', displayName: 'Request Latency',
    description: 'Distribution of request latency in milliseconds reaching the revision.',
    labels: CODE_LABELS,
  },
  {
    type: INSTANCE_COUNT, kind: 'GAUGE', valueType: 'INT64', unit: '1', displayName: 'Instance Count',
    description: 'Number of container instances that exist for the revision.',
    labels: [{ key: 'state', description: 'The state of the container instance, one of "active" or "idle".' }],
  },
  {
    type: CPU_UTILIZATIONS, kind: 'DELTA', valueType: 'DISTRIBUTION', unit: '10^2.%', displayName: 'Container CPU Utilization',
    description: 'Container CPU utilization distribution across all container instances of the revision.',
    labels: [],
  },
  {
    type: MEMORY_UTILIZATIONS, kind: 'DELTA', valueType: 'DISTRIBUTION', unit: '10^2.%', displayName: 'Container Memory Utilization',
    description: 'Container memory utilization distribution across all container instances of the revision.',
    labels: [],
  },
];

export const RESOURCE_LABELS = ['project_id', 'service_name', 'revision_name', 'location', 'configuration_name'] as const;

/** "2xx" for 200..299; Cloud Run's response_code_class. */
export function codeClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
