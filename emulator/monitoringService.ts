// google.monitoring.v3.MetricService for the emulator: ListTimeSeries over the MetricStore, and the metric and
// monitored-resource descriptors of what it records. Requests arrive decoded like every gRPC request here
// (Timestamps/Durations as {seconds, nanos}, enums as names), so they are turned into the proto3 JSON the store
// speaks, and its JSON answer back; the REST transcoder serves the same methods from their google.api.http rules.
import { invalidArgument, notFound } from './apiError';
import type { Timestamp } from './apiTypes';
import { parseFilter } from './monitoringFilter';
import type { MetricStore } from './monitoringMetrics';
import { RESOURCE_LABELS, RESOURCE_TYPE, type ListTimeSeriesRequestJson, type MetricInfo, type TimeSeriesJson } from './monitoringTypes';
import type { Registration } from './platformGrpc';
import type { LoadedProtos } from './protos';
import { paginate } from './pagination';

export const MONITORING_API = 'monitoring.googleapis.com';

interface Duration { seconds?: string | number; nanos?: number }

interface Aggregation { alignmentPeriod?: Duration; perSeriesAligner?: string; crossSeriesReducer?: string; groupByFields?: string[] }

function aggregationJson(agg: Aggregation | undefined): ListTimeSeriesRequestJson['aggregation'] {
  if (!agg) return undefined;
  const period = agg.alignmentPeriod;
  return {
    alignmentPeriod: period ? `${Number(period.seconds ?? 0) + (period.nanos ?? 0) / 1e9}s` : undefined,
    perSeriesAligner: agg.perSeriesAligner,
    crossSeriesReducer: agg.crossSeriesReducer,
    groupByFields: agg.groupByFields,
  };
}

interface ListTimeSeriesRequest {
  name?: string;
  filter?: string;
  interval?: { startTime?: Timestamp; endTime?: Timestamp };
  aggregation?: Aggregation;
  secondaryAggregation?: Aggregation;
  orderBy?: string;
  view?: string;
  pageSize?: number;
  pageToken?: string;
}

interface ListRequest { name?: string; filter?: string; pageSize?: number; pageToken?: string }

function iso(ts: Timestamp | undefined): string | undefined {
  if (!ts) return undefined;
  return new Date(Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

function timestamp(text: string | undefined): Timestamp | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

/** A decoded ListTimeSeriesRequest as the store's proto3 JSON. */
export function requestJson(req: ListTimeSeriesRequest): ListTimeSeriesRequestJson {
  return {
    name: req.name ?? '',
    filter: req.filter ?? '',
    interval: { startTime: iso(req.interval?.startTime), endTime: iso(req.interval?.endTime) },
    aggregation: aggregationJson(req.aggregation),
    secondaryAggregation: aggregationJson(req.secondaryAggregation),
    orderBy: req.orderBy,
    view: req.view,
    pageSize: req.pageSize,
    pageToken: req.pageToken,
  };
}

/** The store's JSON series as the gRPC encoder takes it (timestamps as messages; the same few ends recur). */
function seriesMessages(series: TimeSeriesJson[]): object[] {
  const cache = new Map<string, Timestamp | undefined>();
  const at = (text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!cache.has(text)) cache.set(text, timestamp(text));
    return cache.get(text);
  };
  return series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, interval: { startTime: at(p.interval.startTime), endTime: at(p.interval.endTime) } })) }));
}

function projectOf(name: string | undefined, what: string): string {
  const m = /^projects\/([^/]+)$/.exec(name ?? '');
  if (!m) throw invalidArgument(`Field name had an invalid value of "${name ?? ''}": ${what} takes projects/PROJECT_ID_OR_NUMBER.`);
  return m[1];
}

function metricDescriptor(project: string, m: MetricInfo): object {
  return {
    name: `projects/${project}/metricDescriptors/${m.type}`,
    type: m.type,
    labels: m.labels.map((l) => ({ key: l.key, valueType: 'STRING', description: l.description })),
    metricKind: m.kind,
    valueType: m.valueType,
    unit: m.unit,
    description: m.description,
    displayName: m.displayName,
    metadata: { launchStage: 'GA', samplePeriod: { seconds: '60' }, ingestDelay: { seconds: '180' } },
    launchStage: 'GA',
    monitoredResourceTypes: [RESOURCE_TYPE],
  };
}

function resourceDescriptor(project: string): object {
  return {
    name: `projects/${project}/monitoredResourceDescriptors/${RESOURCE_TYPE}`,
    type: RESOURCE_TYPE,
    displayName: 'Cloud Run Revision',
    description: 'A revision in Cloud Run (fully managed).',
    labels: RESOURCE_LABELS.map((key) => ({ key, valueType: 'STRING', description: `The ${key.replace(/_/g, ' ')} of the revision.` })),
    launchStage: 'GA',
  };
}

function descriptorFilter(filter: string | undefined): (m: MetricInfo) => boolean {
  if (!filter?.trim()) return () => true;
  const parsed = parseFilter(filter);
  return (m) => parsed.matches({ metricType: m.type, resourceType: RESOURCE_TYPE, metricLabels: {}, resourceLabels: {}, project: '' });
}

export class MonitoringService {
  /** `refresh` runs before each ListTimeSeries (the recorder samples the instances, engine stats included). */
  constructor(private readonly store: MetricStore, private readonly refresh: () => Promise<void> = async () => undefined) {}

  async listTimeSeries(req: ListTimeSeriesRequest): Promise<object> {
    await this.refresh();
    const page = this.store.listTimeSeriesPage(requestJson(req));
    return { ...page, timeSeries: seriesMessages(page.timeSeries), unit: page.unit ?? '' };
  }

  listMetricDescriptors(req: ListRequest): object {
    const project = projectOf(req.name, 'ListMetricDescriptors');
    const all = this.store.metricInfos().filter(descriptorFilter(req.filter)).map((m) => metricDescriptor(project, m));
    const page = paginate(all, req, `${req.name}|${req.filter ?? ''}`, { defaultSize: 100, maxSize: 10_000 });
    return { metricDescriptors: page.items, nextPageToken: page.nextPageToken };
  }

  getMetricDescriptor(req: { name?: string }): object {
    const m = /^projects\/([^/]+)\/metricDescriptors\/(.+)$/.exec(req.name ?? '');
    if (!m) throw invalidArgument(`Field name had an invalid value of "${req.name ?? ''}": projects/PROJECT/metricDescriptors/METRIC_TYPE.`);
    const info = this.store.metricInfos().find((i) => i.type === m[2]);
    if (!info) throw notFound(`Could not find descriptor for metric '${m[2]}'.`);
    return metricDescriptor(m[1], info);
  }

  listMonitoredResourceDescriptors(req: ListRequest): object {
    const project = projectOf(req.name, 'ListMonitoredResourceDescriptors');
    const parsed = req.filter?.trim() ? parseFilter(req.filter) : undefined;
    const keep = !parsed || parsed.matches({ metricType: '', resourceType: RESOURCE_TYPE, metricLabels: {}, resourceLabels: {}, project });
    return { resourceDescriptors: keep ? [resourceDescriptor(project)] : [], nextPageToken: '' };
  }

  getMonitoredResourceDescriptor(req: { name?: string }): object {
    const m = /^projects\/([^/]+)\/monitoredResourceDescriptors\/(.+)$/.exec(req.name ?? '');
    if (!m) throw invalidArgument(`Field name had an invalid value of "${req.name ?? ''}": projects/PROJECT/monitoredResourceDescriptors/TYPE.`);
    if (m[2] !== RESOURCE_TYPE) throw notFound(`The monitored resource descriptor ${m[2]} does not exist (the emulator knows ${RESOURCE_TYPE}).`);
    return resourceDescriptor(m[1]);
  }
}

export function monitoringRegistrations(protos: LoadedProtos, service: MonitoringService): Registration[] {
  return [{
    definition: protos.metricService,
    api: MONITORING_API,
    impls: {
      ListTimeSeries: (req: never) => service.listTimeSeries(req),
      ListMetricDescriptors: (req: never) => service.listMetricDescriptors(req),
      GetMetricDescriptor: (req: never) => service.getMetricDescriptor(req),
      ListMonitoredResourceDescriptors: (req: never) => service.listMonitoredResourceDescriptors(req),
      GetMonitoredResourceDescriptor: (req: never) => service.getMonitoredResourceDescriptor(req),
    },
  }];
}
