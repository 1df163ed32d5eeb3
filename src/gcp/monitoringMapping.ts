// Wire → our types for ListTimeSeries, kept apart from the client so it is unit-tested without loading it.
// The gRPC client decodes with defaults and oneof names (int64 as strings, every value field present, `value`
// naming the one that is set); the REST fallback sends only the set field. Both map the same way.
import type { MetricPoint, MetricSeries, TimeSeriesQuery } from '../core/metricQueries';

type Int64 = number | string | { toString(): string } | null | undefined;

export interface RawTimestamp { seconds?: Int64; nanos?: number | null }

export interface RawTypedValue {
  value?: string | null;
  int64Value?: Int64;
  doubleValue?: number | null;
  boolValue?: boolean | null;
  distributionValue?: { count?: Int64; mean?: number | null } | null;
}

export interface RawTimeSeries {
  metric?: { type?: string | null; labels?: Record<string, string> | null } | null;
  resource?: { type?: string | null; labels?: Record<string, string> | null } | null;
  points?: { interval?: { startTime?: RawTimestamp | null; endTime?: RawTimestamp | null } | null; value?: RawTypedValue | null }[] | null;
}

const toNumber = (v: Int64): number => (v === null || v === undefined ? 0 : Number(typeof v === 'object' ? v.toString() : v));

export function timestampMs(t: RawTimestamp | null | undefined): number {
  return t ? toNumber(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN;
}

/** The number a point carries: int64/double as is, a distribution's mean, a bool as 0/1. */
export function typedValue(value: RawTypedValue | null | undefined): number {
  if (!value) return NaN;
  const which = value.value ?? (value.int64Value !== undefined && value.int64Value !== null ? 'int64Value'
    : value.doubleValue !== undefined && value.doubleValue !== null ? 'doubleValue'
      : value.distributionValue ? 'distributionValue' : value.boolValue !== undefined && value.boolValue !== null ? 'boolValue' : undefined);
  switch (which) {
    case 'int64Value': return toNumber(value.int64Value);
    case 'doubleValue': return Number(value.doubleValue);
    case 'distributionValue': return toNumber(value.distributionValue?.count) > 0 ? Number(value.distributionValue?.mean ?? 0) : NaN;
    case 'boolValue': return value.boolValue ? 1 : 0;
    default: return NaN;
  }
}

export function toMetricSeries(raw: RawTimeSeries): MetricSeries {
  const points: MetricPoint[] = (raw.points ?? []).map((p) => {
    const end = timestampMs(p.interval?.endTime);
    const start = timestampMs(p.interval?.startTime);
    // A GAUGE point may omit startTime: it is an instant.
    return { start: Number.isFinite(start) && start > 0 ? start : end, end, value: typedValue(p.value) };
  }).filter((p) => Number.isFinite(p.end));
  // Monitoring sends points newest first; everything downstream reads oldest first.
  points.sort((a, b) => a.end - b.end);
  return { metric: { ...(raw.metric?.labels ?? {}) }, resource: { ...(raw.resource?.labels ?? {}) }, points };
}

const timestamp = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });

/** Our query as a ListTimeSeriesRequest (proto-JSON-ish object the client encodes). */
export function toListTimeSeriesRequest(project: string, query: TimeSeriesQuery, pageSize: number, pageToken?: string) {
  return {
    name: `projects/${project}`,
    filter: query.filter,
    interval: { startTime: timestamp(query.startTime), endTime: timestamp(query.endTime) },
    aggregation: {
      alignmentPeriod: { seconds: query.alignmentPeriodSeconds },
      perSeriesAligner: query.perSeriesAligner,
      ...(query.crossSeriesReducer ? { crossSeriesReducer: query.crossSeriesReducer, groupByFields: query.groupByFields ?? [] } : {}),
    },
    view: 'FULL' as const,
    pageSize,
    ...(pageToken ? { pageToken } : {}),
  };
}
