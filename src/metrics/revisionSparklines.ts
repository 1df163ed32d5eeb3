// Requests and errors of the last hour on the explorer's revision rows: ONE Cloud Monitoring query per
// service (grouped by revision), made when the service is expanded — never at activation, never per row —
// and cached for a minute (Cloud Run writes a point per minute). The maths loads with the first query.
import * as vscode from 'vscode';
import type { RevisionSparkline } from '../core/metricSeries';
import type { ServiceSummary } from '../core/model';
import type { MonitoringConnection } from './monitoringConnection';

interface Entry {
  at: number;
  lines: Map<string, RevisionSparkline>;
}

export class RevisionSparklines implements vscode.Disposable {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a service's resource name when its revisions' lines arrived. */
  readonly onDidChange = this.changed.event;
  /** Queries made, by service resource name (tests check it is one per service, not one per row). */
  private readonly queriesByService = new Map<string, number>();

  constructor(
    private readonly monitoring: MonitoringConnection,
    private readonly log: vscode.LogOutputChannel,
    private readonly ttlMs = 60_000,
  ) {}

  /** The last lines read for the service (maybe a minute old), by revision id. */
  get(serviceName: string): Map<string, RevisionSparkline> | undefined {
    return this.cache.get(serviceName)?.lines;
  }

  /** Starts the service's one query unless its lines are fresh or already being read. */
  request(service: ServiceSummary): void {
    const cached = this.cache.get(service.name);
    if ((cached && Date.now() - cached.at < this.ttlMs) || this.pending.has(service.name)) return;
    const work = this.load(service).finally(() => this.pending.delete(service.name));
    this.pending.set(service.name, work);
  }

  queriesOf(serviceName: string): number {
    return this.queriesByService.get(serviceName) ?? 0;
  }

  /** Refresh: the next expansion reads again (the lines shown stay until the new ones arrive). */
  invalidate(): void {
    for (const entry of this.cache.values()) entry.at = 0;
  }

  /** Waits for a query under way (tests). */
  async settled(serviceName: string): Promise<void> {
    await this.pending.get(serviceName);
  }

  private async load(service: ServiceSummary): Promise<void> {
    try {
      const [{ sparklineQuery }, { revisionSparklines, timeGrid }] = await Promise.all([import('../core/metricQueries'), import('../core/metricSeries')]);
      const query = sparklineQuery({ project: service.project, region: service.region, service: service.id }, new Date());
      this.queriesByService.set(service.name, this.queriesOf(service.name) + 1);
      const series = await (await this.monitoring.api()).listTimeSeries(query);
      this.cache.set(service.name, { at: Date.now(), lines: revisionSparklines(timeGrid(query), series) });
      this.changed.fire(service.name);
    } catch (error) {
      // Rows stay as they are (the metrics panel explains a missing API or role); retried after the TTL.
      this.cache.set(service.name, { at: Date.now(), lines: this.cache.get(service.name)?.lines ?? new Map() });
      this.log.debug(`Sparklines of ${service.id}: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
