// The narrow interface the metrics features use for Cloud Monitoring: plain requests and series in our own
// types (src/core/metricQueries.ts), nothing of the client. The implementation (and
// @google-cloud/monitoring's MetricServiceClient behind it) loads on the first call, in its own chunk.
import type { MetricSeries, TimeSeriesQuery } from '../core/metricQueries';
import type { MentorTarget } from '../core/settings';

/** How errors name the API: where to enable it, and the role that reads metrics. */
export const MONITORING_API = {
  title: 'Cloud Monitoring API',
  service: 'monitoring.googleapis.com',
  role: 'Monitoring Viewer (roles/monitoring.viewer)',
};

export interface MonitoringApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  /** ListTimeSeries (view FULL) with every page read; points oldest first in each series. */
  listTimeSeries(query: TimeSeriesQuery): Promise<MetricSeries[]>;
  close(): Promise<void>;
}

export async function connectMonitoring(target: MentorTarget): Promise<MonitoringApi> {
  const { GoogleMonitoring } = await import('./monitoringClient');
  return GoogleMonitoring.connect(target);
}
