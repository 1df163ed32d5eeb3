// Alert policies and open incidents for the explorer and the alert commands. Nothing is read at activation:
// the first explorer load (or an alert command) connects, and each explorer refresh asks for the project's
// open incidents once (one REST call for all services, never one per row). The Monitoring clients are in
// their own chunk (alertsClient.ts), loaded on that first use.
import * as vscode from 'vscode';
import type { MentorTarget } from '../core/settings';
import { TargetConnection } from '../gcp/targetConnection';
import { markTimeline } from '../core/timeline';
import type { AlertPolicySummary, AlertsApi, IncidentSummary } from '../gcp/alertsApi';

export class AlertsFeature implements vscode.Disposable {
  private policies: Promise<AlertPolicySummary[]> | undefined;
  private incidents: IncidentSummary[] = [];
  /** The last incidents load failed for this reason (logged once per distinct reason, not per refresh). */
  private lastIncidentError: string | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** A service's policies changed (its id), or the open incidents did (undefined). */
  readonly onDidChange = this.changed.event;

  private readonly connection: TargetConnection<AlertsApi>;

  constructor(
    readTarget: () => MentorTarget,
    private readonly log: vscode.LogOutputChannel,
    connect: (target: MentorTarget) => Promise<AlertsApi> = async (t) => (await import('../gcp/alertsApi')).connectAlerts(t),
  ) {
    this.connection = new TargetConnection(readTarget, connect);
  }

  api(): Promise<AlertsApi> {
    return this.connection.api();
  }

  /** The settings changed: drop the connection and everything read through it. */
  reset(): void {
    this.connection.reset();
    this.policies = undefined;
    this.incidents = [];
  }

  /** The next read asks Monitoring again (the explorer was refreshed, or Mentor changed a policy). */
  invalidate(): void {
    this.policies = undefined;
  }

  /** Policies watching a service (its mentor-service label, or a condition filter naming it). */
  async policiesOf(serviceId: string): Promise<AlertPolicySummary[]> {
    if (!this.policies) {
      const load = this.api().then((api) => api.listPolicies());
      this.policies = load;
      load.catch(() => { if (this.policies === load) this.policies = undefined; });
    }
    return (await this.policies).filter((p) => p.service === serviceId);
  }

  /** Open incidents of a service from the last load. */
  incidentsOf(serviceId: string): IncidentSummary[] {
    return this.incidents.filter((i) => i.service === serviceId);
  }

  /** Reloads the project's open incidents; quiet on failure (the rows simply show none). */
  async loadIncidents(): Promise<void> {
    try {
      markTimeline('incidents.load');
      const api = await this.api();
      markTimeline('incidents.connected');
      const incidents = await api.listOpenIncidents();
      markTimeline('incidents.listed');
      const before = JSON.stringify(this.incidents.map((i) => i.name));
      this.incidents = incidents;
      this.lastIncidentError = undefined;
      if (JSON.stringify(incidents.map((i) => i.name)) !== before) this.changed.fire(undefined);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      if (message !== this.lastIncidentError) this.log.warn(`Open alerts could not be read: ${message}`);
      this.lastIncidentError = message;
    }
  }

  /** After Mentor created or deleted a policy of a service. */
  policiesChanged(serviceId: string): void {
    this.invalidate();
    this.changed.fire(serviceId);
  }

  dispose(): void {
    this.changed.dispose();
    void this.connection.dispose();
  }
}
