// activate(): build the few services, register the explorer and commands, push every disposable.
// Nothing here loads a Google client: that happens on the explorer's first request.
import * as vscode from 'vscode';
import { AlertsFeature } from './alerts/alertsFeature';
import { BuildsFeature } from './builds/buildsFeature';
import { allCommands } from './commands';
import { MentorContext } from './commands/context';
import { registerCommands } from './commands/registerCommand';
import { DockerConnection } from './docker/dockerConnection';
import { CloudRunConnection } from './gcp/cloudRunConnection';
import { LocalRunSession } from './local/localRunSession';
import { PROPOSAL_SCHEME, ProposedFiles } from './local/proposedFiles';
import { InsightHandle } from './insight/insightActivation';
import { CloudDiagnostics } from './logs/cloudDiagnostics';
import { TailManager } from './logs/tailManager';
import { MonitoringConnection } from './metrics/monitoringConnection';
import { RevisionSparklines } from './metrics/revisionSparklines';
import { EXPLORER_VIEW_ID, ExplorerProvider } from './tree/explorerProvider';
import { LastKnownStore } from './tree/lastKnownStore';
import { ExplorerNode } from './tree/nodes';
import { readTarget, TRUSTED_ENDPOINTS_KEY } from './workspaceSettings';

/** What activate() returns: used by the integration tests to reach the real tree and connection. */
export interface MentorApi {
  readonly explorer: ExplorerProvider;
  readonly treeView: vscode.TreeView<ExplorerNode>;
  readonly lastKnown: LastKnownStore;
  readonly connection: CloudRunConnection;
  readonly localRun: LocalRunSession;
  readonly tails: TailManager;
  readonly cloudDiagnostics: CloudDiagnostics;
  readonly builds: BuildsFeature;
  /** Revision-row sparklines (tests check one query per expanded service). */
  readonly sparklines: RevisionSparklines;
  readonly alerts: AlertsFeature;
  /** Route insight: the CodeLens feature once loaded (tests wait on its provider). */
  readonly insight: InsightHandle;
  /** How long activate() took, for the benchmark. */
  readonly activationMs: number;
  /** performance.now() when activate() started, and when the first bundled module started to run (bench). */
  readonly activateStartedAt: number;
  readonly firstModuleAt: number | undefined;
}

export function activate(context: vscode.ExtensionContext): MentorApi {
  const started = Date.now();
  const activateStartedAt = performance.now();
  const log = vscode.window.createOutputChannel('Mentor', { log: true });
  const readTargetNow = () => readTarget(context.globalState.get<string[]>(TRUSTED_ENDPOINTS_KEY, []));
  const connection = new CloudRunConnection(readTargetNow);
  const builds = new BuildsFeature(readTargetNow, log);
  const monitoring = new MonitoringConnection(readTargetNow);
  const sparklines = new RevisionSparklines(monitoring, log);
  const alerts = new AlertsFeature(readTargetNow, log);
  const lastKnown = new LastKnownStore(context.storageUri, log);
  const explorer = new ExplorerProvider(connection, log, builds, sparklines, lastKnown);
  explorer.showAlerts(alerts);
  const treeView = vscode.window.createTreeView(EXPLORER_VIEW_ID, { treeDataProvider: explorer, showCollapseAll: true });
  explorer.attach(treeView);
  context.subscriptions.push(log, builds, alerts, explorer, treeView, sparklines, { dispose: () => void monitoring.dispose() });

  const docker = new DockerConnection(() => vscode.workspace.getConfiguration('mentor').get<string>('dockerHost', '').trim());
  const buildOutput = vscode.window.createOutputChannel('Mentor: Build');
  const deployOutput = vscode.window.createOutputChannel('Mentor: Deploy');
  const deployButton = vscode.window.createStatusBarItem('mentor.deploy', vscode.StatusBarAlignment.Left, 49);
  deployButton.name = 'Mentor: Deploy';
  deployButton.text = '$(cloud-upload) Deploy';
  deployButton.tooltip = 'Deploy this folder to Cloud Run (Mentor)';
  deployButton.command = 'mentor.deploy';
  deployButton.show();
  const localRun = new LocalRunSession();
  const proposals = new ProposedFiles();
  context.subscriptions.push(buildOutput, deployOutput, deployButton, localRun, proposals, { dispose: () => void docker.dispose() },
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, proposals));
  const cloudDiagnostics = new CloudDiagnostics();
  const tails = new TailManager(readTargetNow, log, cloudDiagnostics);
  const insight = new InsightHandle(cloudDiagnostics, log);
  context.subscriptions.push(tails, cloudDiagnostics, insight);

  const ctx: MentorContext = {
    extension: context, log, connection, explorer, previousTraffic: new Map(), docker, buildOutput, deployOutput, localRun, proposals,
    tails, cloudDiagnostics, deployButton, deploysRunning: new Set(), builds, monitoring, sparklines, rollouts: new Map(), alerts, insight,
  };
  registerCommands(ctx, allCommands);

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('mentor.dockerHost')) docker.reset();
    if (['project', 'region', 'apiEndpoint'].some((key) => event.affectsConfiguration(`mentor.${key}`))) {
      log.info('Cloud Run target changed; reconnecting.');
      connection.reset();
      monitoring.reset();
      alerts.reset();
      void builds.reset();
      explorer.refresh();
    }
  }));
  context.subscriptions.push({ dispose: () => void connection.dispose() });

  // Build status waits for CI/CD: a cloudbuild.yaml at a folder's top, one found once the view is shown, or created later.
  builds.watchForCicd(treeView);
  // Route insight waits for a Python editor of an app; its code loads only then.
  insight.watch(ctx);
  // After activate() returns, and from its own chunk: activation pays nothing for the first-open offer.
  setTimeout(() => void import('./setup/firstOpenOffer').then((m) => m.offerSetupOnce(context))
    .catch((error: unknown) => log.warn(`Setup offer: ${(error as Error)?.message ?? error}`)), 0);

  const activationMs = Date.now() - started;
  log.info(`Mentor activated in ${activationMs} ms`);
  const firstModuleAt = (globalThis as { __mentorFirstModuleAt?: number }).__mentorFirstModuleAt;
  return { explorer, treeView, lastKnown, connection, localRun, tails, cloudDiagnostics, builds, sparklines, alerts, insight, activationMs, activateStartedAt,
    firstModuleAt };
}

export function deactivate(): void {
  // Disposables in context.subscriptions close the connection and channels.
}
