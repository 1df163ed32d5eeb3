// MonitoringApi over the official generated Monitoring v3 MetricServiceClient. The deep import keeps the
// chunk to this one client (the package index also loads the alert, uptime, group and SLO clients).
import { MetricServiceClient } from '@google-cloud/monitoring/build/src/v3/metric_service_client';
import type { CallOptions } from 'google-gax';
import type { MetricSeries, TimeSeriesQuery } from '../core/metricQueries';
import { MentorTarget } from '../core/settings';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { toUserFacingError } from './errorMapping';
import { MONITORING_API, MonitoringApi } from './monitoringApi';
import { RawTimeSeries, toListTimeSeriesRequest, toMetricSeries } from './monitoringMapping';

const PAGE_SIZE = 10_000;
/** A panel asks for at most a few thousand series; more pages than this means a runaway filter. */
const MAX_PAGES = 20;

export class GoogleMonitoring implements MonitoringApi {
  private readonly callOptions: CallOptions;

  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly client: MetricServiceClient,
  ) {
    this.callOptions = callOptionsFor(endpoint);
  }

  static async connect(target: MentorTarget): Promise<GoogleMonitoring> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GoogleMonitoring(target, endpoint, new MetricServiceClient(options));
  }

  async listTimeSeries(query: TimeSeriesQuery): Promise<MetricSeries[]> {
    const metricType = /metric\.type = "([^"]+)"/.exec(query.filter)?.[1] ?? 'metrics';
    return this.call(`read ${metricType.replace(/^run\.googleapis\.com\//, '')} from Cloud Monitoring`, async () => {
      const series: MetricSeries[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const request = toListTimeSeriesRequest(this.target.project, query, PAGE_SIZE, pageToken);
        const [items, , response] = await this.client.listTimeSeries(request as never, this.callOptions);
        series.push(...items.map((raw) => toMetricSeries(raw as RawTimeSeries)));
        pageToken = response?.nextPageToken || undefined;
        if (!pageToken) break;
      }
      return series;
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private async call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toUserFacingError(error, { action, endpoint: this.endpoint, project: this.target.project, api: MONITORING_API });
    }
  }
}
