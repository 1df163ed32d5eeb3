// DeployLogs over the Cloud Logging API: a failed revision's last lines, and request statuses for the
// rollout's error-rate gate.
import { buildFilter, formatEntry, quote } from '../core/logEntries';
import type { CloudLoggingApi } from '../gcp/cloudLogging';
import { DeployLogs } from './types';

export function deployLogsFrom(logging: () => Promise<CloudLoggingApi>, project: string, region: string): DeployLogs {
  return {
    async recentLines(service, revision, limit) {
      const entries = await (await logging()).listEntries({
        filter: buildFilter({ project, region, service }, { revision }), orderBy: 'timestamp desc', pageSize: limit,
      });
      return entries.reverse().map(formatEntry);
    },
    async requestStatuses(service, revision, sinceIso) {
      const filter = `${buildFilter({ project, region, service }, { revision }, sinceIso)} AND ` +
        `logName=${quote(`projects/${project}/logs/run.googleapis.com%2Frequests`)}`;
      const entries = await (await logging()).listEntries({ filter, orderBy: 'timestamp asc', pageSize: 1000, maxEntries: 10_000 });
      return entries.flatMap((e) => (e.request ? [e.request.status] : []));
    },
  };
}
