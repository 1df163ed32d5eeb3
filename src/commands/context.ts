// What every command receives. Built once in activate(); no global state elsewhere.
import * as vscode from 'vscode';
import { TrafficTarget } from '../core/model';
import type { AlertsFeature } from '../alerts/alertsFeature';
import { BuildsFeature } from '../builds/buildsFeature';
import { DockerConnection } from '../docker/dockerConnection';
import { CloudRunConnection } from '../gcp/cloudRunConnection';
import { LocalRunSession } from '../local/localRunSession';
import type { RevisionSparklines } from '../metrics/revisionSparklines';
import type { MonitoringConnection } from '../metrics/monitoringConnection';
import type { RolloutSteering } from '../deploy/rolloutSteering';
import { CloudDiagnostics } from '../logs/cloudDiagnostics';
import { TailManager } from '../logs/tailManager';
import { ProposedFiles } from '../local/proposedFiles';
import { ExplorerProvider } from '../tree/explorerProvider';
import type { InsightHandle } from '../insight/insightActivation';

export interface MentorContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly connection: CloudRunConnection;
  readonly explorer: ExplorerProvider;
  /** Desired traffic per service before Mentor last changed it, for Undo. */
  readonly previousTraffic: Map<string, TrafficTarget[]>;
  readonly docker: DockerConnection;
  readonly buildOutput: vscode.OutputChannel;
  readonly deployOutput: vscode.OutputChannel;
  readonly localRun: LocalRunSession;
  readonly proposals: ProposedFiles;
  /** Live Cloud Run log tails, one per service. */
  readonly tails: TailManager;
  /** Tracebacks from cloud logs as diagnostics; revisionTookAllTraffic() clears the old revisions'. */
  readonly cloudDiagnostics: CloudDiagnostics;
  /** The status bar's Deploy button: shows (and refuses) a deploy already running in this window. */
  readonly deployButton: vscode.StatusBarItem;
  /** Services being deployed from this window right now (full resource names). */
  readonly deploysRunning: Set<string>;
  /** Cloud Build status (status bar, Builds nodes, notices); on once the workspace has CI/CD. */
  readonly builds: BuildsFeature;
  /** Cloud Monitoring, connected on first use (the metrics panel, the sparklines, the rollout gates). */
  readonly monitoring: MonitoringConnection;
  /** Requests and errors per revision for the explorer's revision rows (one query per expanded service). */
  readonly sparklines: RevisionSparklines;
  /** Rollouts this window runs, by service resource name: the metrics panel's Promote / Roll back steer them. */
  readonly rollouts: Map<string, RolloutSteering>;
  /** Cloud Monitoring alert policies and open incidents (Alerts nodes, incident badges, alert commands). */
  readonly alerts: AlertsFeature;
  /** Route insight (CodeLens numbers, inline production errors): loaded on the first Python editor of an app. */
  readonly insight: InsightHandle;
}

export interface MentorCommand<Args extends unknown[] = unknown[]> {
  readonly id: string;
  run(ctx: MentorContext, ...args: Args): Promise<unknown> | unknown;
}

/** A command as activation registers it: the id now, the implementation on first use. */
export interface LazyCommand {
  readonly id: string;
  load(): Promise<MentorCommand<never[]>>;
}
