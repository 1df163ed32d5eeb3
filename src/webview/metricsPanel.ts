// Hosts the metrics webview of one service: strict CSP with a nonce, the bundle and uPlot's stylesheet from
// dist/, a ready handshake before the first post, typed messages (metricsProtocol.ts). It refreshes every
// minute while visible (Cloud Run writes a point per minute) and stops when hidden or closed.
import * as vscode from 'vscode';
import { MentorContext } from '../commands/context';
import { ErrorAction, UserFacingError } from '../core/errors';
import { MetricRange } from '../core/metricQueries';
import { ServiceSummary } from '../core/model';
import { RevisionNode } from '../tree/nodes';
import { canaryRevisions, loadMetricsView } from '../metrics/metricsView';
import { MetricsMessage, MetricsView, isMetricsRequest } from './metricsProtocol';
import { webviewHtml } from './webviewHtml';

const REFRESH_MS = 60_000;
const openPanels = new Map<string, MetricsPanel>();

export class MetricsPanel implements vscode.Disposable {
  private ready = false;
  private range: MetricRange = '1h';
  private timer: NodeJS.Timeout | undefined;
  private errorActions: readonly ErrorAction[] = [];
  /** Bumped per load so a slow load cannot overwrite what a newer one showed. */
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last view shown (the integration test and the bench read it next to the DOM). */
  lastView: MetricsView | undefined;

  static show(ctx: MentorContext, service: ServiceSummary, revision?: string): MetricsPanel {
    const existing = openPanels.get(service.name);
    if (existing) {
      existing.revision = revision;
      existing.panel.reveal();
      void existing.reload();
      return existing;
    }
    const distUri = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('mentor.metrics', `Metrics: ${service.id}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [distUri],
      retainContextWhenHidden: false,
    });
    const created = new MetricsPanel(ctx, panel, service, revision);
    openPanels.set(service.name, created);
    return created;
  }

  static of(serviceName: string): MetricsPanel | undefined {
    return openPanels.get(serviceName);
  }

  private constructor(private readonly ctx: MentorContext, readonly panel: vscode.WebviewPanel, private service: ServiceSummary,
    private revision: string | undefined) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'cloud-run.svg');
    panel.webview.html = webviewHtml(panel.webview, ctx.extension.extensionUri, 'metrics.js', `Metrics: ${service.id}`,
      `Loading metrics of ${service.id}…`, 'metrics.css');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onRequest(message)),
      // A hidden webview is torn down (retainContextWhenHidden: false); it says ready again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) { this.ready = false; this.stopTimer(); } }),
      // A traffic change (Promote, Roll back, a rollout step) redraws the canary at once.
      ctx.explorer.onDidChangeTreeData((node) => {
        if (node?.kind === 'service' && node.service.name === this.service.name && !node.busy) void this.reload();
      }),
    );
  }

  private async onRequest(message: unknown): Promise<void> {
    if (!isMetricsRequest(message)) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.reload();
      case 'refresh':
        return this.reload();
      case 'setRange':
        this.range = message.range;
        return this.reload();
      case 'setRevision':
        this.revision = message.revision;
        return this.reload();
      case 'promote':
      case 'rollBack':
        return this.steerRollout(message.type);
      case 'errorAction': {
        const action = this.errorActions[message.index];
        if (action?.kind === 'retry') return this.reload();
        if (action) await vscode.commands.executeCommand('mentor.runErrorAction', action);
        return;
      }
      case 'painted':
        this.ctx.log.debug(`Metrics of ${this.service.id}: drawn in ${Math.round(message.ms)} ms`);
    }
  }

  async reload(): Promise<void> {
    if (!this.ready) return;
    const generation = ++this.generation;
    this.stopTimer();
    this.post({ type: 'loading', note: 'Refreshing…' });
    try {
      const cloudRun = await this.ctx.connection.api();
      const [service, revisions] = await Promise.all([cloudRun.getService(this.service.name), cloudRun.listRevisions(this.service.name)]);
      this.service = service;
      const view = await loadMetricsView(await this.ctx.monitoring.api(), {
        service, revisions: revisions.map((r) => r.id), range: this.range, revision: this.revision,
        rolloutRunning: this.ctx.deploysRunning.has(service.name), now: new Date(),
      });
      if (generation !== this.generation) return;
      this.errorActions = [];
      this.lastView = view;
      this.post({ type: 'show', view });
      this.ctx.log.debug(`Metrics of ${service.id} (${this.range}): ${view.loadMs} ms, ${view.asOf}`);
    } catch (error) {
      if (generation !== this.generation) return;
      this.errorActions = error instanceof UserFacingError ? error.actions : [];
      this.post({ type: 'error', message: (error as Error).message, actions: this.errorActions.map((a) => a.label) });
      this.ctx.log.warn(`Metrics of ${this.service.id}: ${(error as Error).message}`);
    } finally {
      if (generation === this.generation) this.startTimer();
    }
  }

  /** Promote: all traffic to the candidate; Roll back: all to the revision that served before. */
  private async steerRollout(decision: 'promote' | 'rollBack'): Promise<void> {
    const pair = canaryRevisions(this.service.trafficStatuses);
    if (!pair) return this.post({ type: 'error', message: `No rollout of ${this.service.id} is under way any more.`, actions: [] });
    // A rollout this window runs goes on moving traffic: let it act (it restores the previous split itself).
    const control = this.ctx.rollouts.get(this.service.name);
    if (control) return decision === 'promote' ? control.promote() : control.rollBack();
    const target = decision === 'promote' ? pair.candidate : pair.serving;
    const revision = (await (await this.ctx.connection.api()).listRevisions(this.service.name)).find((r) => r.id === target);
    if (!revision) return this.post({ type: 'error', message: `Revision ${target} no longer exists.`, actions: [] });
    const node: RevisionNode = { kind: 'revision', revision, service: this.service };
    await vscode.commands.executeCommand('mentor.routeAllTraffic', node);
  }

  private startTimer(): void {
    if (this.ready && this.panel.visible) this.timer = setTimeout(() => void this.reload(), REFRESH_MS);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private post(message: MetricsMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.stopTimer();
    this.generation++;
    openPanels.delete(this.service.name);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
