// Hosts the service details webview: strict CSP with a nonce, scripts only from dist/, a ready
// handshake before the first post, and typed messages (protocol.ts). One panel per service.
import * as vscode from 'vscode';
import { webviewHtml } from './webviewHtml';
import { MentorContext } from '../commands/context';
import { ServiceSummary } from '../core/model';
import { RevisionNode } from '../tree/nodes';
import { PanelMessage, isPanelRequest } from './protocol';
import { toRevisionViews, toServiceView } from './serviceView';

const openPanels = new Map<string, ServiceDetailsPanel>();

export class ServiceDetailsPanel implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: MentorContext, service: ServiceSummary): ServiceDetailsPanel {
    const existing = openPanels.get(service.name);
    if (existing) {
      existing.panel.reveal();
      void existing.reload();
      return existing;
    }
    const distUri = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('mentor.serviceDetails', `Cloud Run: ${service.id}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [distUri],
      retainContextWhenHidden: false,
    });
    const created = new ServiceDetailsPanel(ctx, panel, service);
    openPanels.set(service.name, created);
    return created;
  }

  private constructor(private readonly ctx: MentorContext, readonly panel: vscode.WebviewPanel, private service: ServiceSummary) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'cloud-run.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.onRequest(message)),
      // Stay in step with the explorer: any refresh of this service (or of everything) reloads the panel.
      ctx.explorer.onDidChangeTreeData((node) => {
        if (!node || (node.kind === 'service' && node.service.name === this.service.name)) {
          if (node?.kind === 'service' && node.busy) this.post({ type: 'busy', note: node.busy });
          else void this.reload();
        }
      }),
    );
  }

  private async onRequest(message: unknown): Promise<void> {
    if (!isPanelRequest(message)) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.reload();
      case 'refresh':
        return this.reload();
      case 'openUrl':
        await vscode.env.openExternal(vscode.Uri.parse(message.url));
        return;
      case 'routeAllTraffic': {
        const revisions = await (await this.ctx.connection.api()).listRevisions(this.service.name);
        const revision = revisions.find((r) => r.id === message.revision);
        if (!revision) return this.post({ type: 'error', message: `Revision ${message.revision} no longer exists.` });
        const node: RevisionNode = { kind: 'revision', revision, service: this.service };
        await vscode.commands.executeCommand('mentor.routeAllTraffic', node);
      }
    }
  }

  async reload(): Promise<void> {
    if (!this.ready) return;
    try {
      const api = await this.ctx.connection.api();
      const [service, revisions] = await Promise.all([api.getService(this.service.name), api.listRevisions(this.service.name)]);
      this.service = service;
      this.post({ type: 'show', service: toServiceView(service), revisions: toRevisionViews(service, revisions) });
    } catch (error) {
      this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private post(message: PanelMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.ctx.extension.extensionUri, 'webview.js', `Cloud Run: ${this.service.id}`, `Loading ${this.service.id}…`);
  }

  dispose(): void {
    openPanels.delete(this.service.name);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
