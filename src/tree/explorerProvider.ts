// Cloud Run explorer: services of the configured project/region → their revisions. It asks the
// CloudRunConnection for data and never touches an SDK. Errors become a view message plus action rows,
// never an exception out of getChildren.
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import { ServiceSummary } from '../core/model';
import { listingKey, type LastKnownServices } from '../core/lastKnownServices';
import { markTimeline } from '../core/timeline';
import { CloudRunConnection } from '../gcp/cloudRunConnection';
import type { AlertsFeature } from '../alerts/alertsFeature';
import type { BuildsFeature } from '../builds/buildsFeature';
import type { RevisionSparklines } from '../metrics/revisionSparklines';
import { AlertPolicyNode, AlertsNode, alertPolicyItem, alertsItem } from './alertNodes';
import { BuildNode, BuildsNode, buildItem, buildsItem } from './buildNodes';
import type { LastKnownStore } from './lastKnownStore';
import { ExplorerNode, MessageNode, RevisionNode, ServiceNode, messageItem, revisionItem, revisionTooltip, serviceItem, serviceTooltip } from './nodes';

/** Rows of a loaded level are drawn within a frame or two of VS Code asking for them. */
const INCIDENTS_AFTER_ROWS_MS = 500;
export const EXPLORER_VIEW_ID = 'mentor.explorer';
/** Long enough for VS Code to take the last-known rows to the screen before the live load starts. */
const LIVE_AFTER_LAST_KNOWN_MS = 200;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type ExplorerState = 'loading' | 'ready' | 'empty' | 'error';

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<ExplorerState>();
  /** Fires after each load of the first level (tests and the status bar wait on it). */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly serviceNodes = new Map<string, ServiceNode>();
  /** One "Builds" node per service (by service id), kept so a change redraws exactly that node. */
  private readonly buildsNodes = new Map<string, BuildsNode>();
  private readonly buildsListener: vscode.Disposable | undefined;
  /** The revision rows last shown per service, so arriving sparklines redraw exactly those rows. */
  private readonly revisionNodes = new Map<string, RevisionNode[]>();
  private readonly sparklinesListener: vscode.Disposable | undefined;
  /** One "Alerts" node per service (by service id), kept so a change redraws exactly that node. */
  private readonly alertsNodes = new Map<string, AlertsNode>();
  private alertsListener: vscode.Disposable | undefined;
  /** Alert policies and open incidents; until set, services show no Alerts node. */
  private alerts: AlertsFeature | undefined;
  private view: vscode.TreeView<ExplorerNode> | undefined;
  /** The first-level load under way; the view and commands asking at the same time share it. */
  private pendingLoad: Promise<ExplorerNode[]> | undefined;
  /** Bumped per load so a slow, superseded load cannot overwrite what a newer one showed. */
  private loadGeneration = 0;
  state: ExplorerState = 'loading';
  /** Listings (project/region/endpoint) this window has loaded: only the first load shows last-known rows. */
  private readonly listedThisWindow = new Set<string>();
  /** The live rows that replace last-known ones, for VS Code's next ask. */
  private liveHandoff: ExplorerNode[] | undefined;
  private incidentsTimer: ReturnType<typeof setTimeout> | undefined;
  /** For the timeline: when VS Code first asks for a row of the level just loaded. */
  private firstServiceNode: ServiceNode | undefined;

  constructor(
    private readonly connection: CloudRunConnection,
    private readonly log: vscode.LogOutputChannel,
    /** Build status; without it (or until CI/CD is found) services show no Builds node. */
    private readonly builds?: BuildsFeature,
    /** Requests/errors of the last hour on revision rows; without it rows show none. */
    private readonly sparklines?: RevisionSparklines,
    /** The first level as the last load saw it, shown while a listing's first live load of this window runs. */
    private readonly lastKnown?: LastKnownStore,
  ) {
    this.sparklinesListener = sparklines?.onDidChange((service) => {
      for (const node of this.revisionNodes.get(service) ?? []) this.changed.fire(node);
    });
    this.buildsListener = builds?.onDidChangeBuilds((service) => {
      if (service === undefined) for (const node of this.serviceNodes.values()) this.changed.fire(node);
      else {
        const node = this.buildsNodes.get(service);
        if (node) this.changed.fire(node);
      }
    });
  }

  attach(view: vscode.TreeView<ExplorerNode>): void {
    this.view = view;
  }

  /** Shows an Alerts node under each service and open incidents on the service rows. */
  showAlerts(alerts: AlertsFeature): void {
    this.alerts = alerts;
    this.alertsListener?.dispose();
    this.alertsListener = alerts.onDidChange((service) => {
      const node = service === undefined ? undefined : this.alertsNodes.get(service);
      if (service === undefined) this.showIncidents();
      else if (node) this.changed.fire(node);
    });
  }

  refresh(): void {
    this.pendingLoad = undefined;
    this.alerts?.invalidate();
    this.sparklines?.invalidate();
    this.changed.fire(undefined);
  }

  /** Re-reads one service and redraws only its row and revisions. */
  async refreshService(serviceName: string): Promise<void> {
    const node = this.serviceNodes.get(serviceName);
    if (!node) return this.refresh();
    try {
      node.service = await (await this.connection.api()).getService(serviceName);
    } catch (error) {
      this.log.warn(`Refreshing ${serviceName} failed: ${(error as Error).message}`);
    }
    this.changed.fire(node);
    this.alerts?.invalidate();
    void this.alerts?.loadIncidents();
  }

  /** Shows a spinner and a short note on the service while Mentor changes it; undefined clears it. */
  setBusy(serviceName: string, note: string | undefined): void {
    const node = this.serviceNodes.get(serviceName);
    if (!node) return;
    node.busy = note;
    this.changed.fire(node);
  }

  /** The service nodes currently shown (quick picks reuse them instead of calling the API again). */
  get services(): ServiceSummary[] {
    return [...this.serviceNodes.values()].map((n) => n.service);
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'service':
        if (node === this.firstServiceNode) markTimeline('services.firstItem');
        return serviceItem(node);
      case 'revision': return revisionItem(node, this.sparklines?.get(node.service.name)?.get(node.revision.id));
      case 'message': return messageItem(node);
      case 'builds': return buildsItem(node);
      case 'build': return buildItem(node);
      case 'alerts': return alertsItem(node, this.alerts?.incidentsOf(node.service.id) ?? []);
      case 'alertPolicy': return alertPolicyItem(node);
    }
  }

  /** Tooltips are made on hover: 200 markdown tooltips would cost the first level ~100 ms on its way to the screen. */
  resolveTreeItem(item: vscode.TreeItem, node: ExplorerNode): vscode.TreeItem {
    if (node.kind === 'service') item.tooltip = serviceTooltip(node);
    if (node.kind === 'revision') item.tooltip = revisionTooltip(node, this.sparklines?.get(node.service.name)?.get(node.revision.id));
    return item;
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node.kind === 'revision' || node.kind === 'builds' || node.kind === 'alerts') return this.serviceNodes.get(node.service.name);
    if (node.kind === 'build' || node.kind === 'alertPolicy') return node.parent;
    return undefined;
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) {
      const handoff = this.liveHandoff;
      this.liveHandoff = undefined;
      if (handoff) return handoff;
      if (this.pendingLoad) return this.pendingLoad;
      const key = listingKey(this.connection.target);
      const saved = this.lastKnown && !this.listedThisWindow.has(key) ? this.lastKnown.read(key) : undefined;
      this.listedThisWindow.add(key);
      // With last-known rows to show, the live load waits until VS Code has them: loading the Google client
      // holds the extension host for a few hundred ms.
      const load = this.loadServices(saved?.then((s) => (s?.services.length ? delay(LIVE_AFTER_LAST_KNOWN_MS) : undefined)));
      this.pendingLoad = load;
      void load.finally(() => { if (this.pendingLoad === load) this.pendingLoad = undefined; });
      return saved ? this.lastKnownWhile(await saved, key, load) : load;
    }
    if (node.kind === 'service') {
      const revisions = await this.loadRevisions(node);
      const alerts = this.alerts ? [this.alertsNodeOf(node.service)] : [];
      return this.builds?.enabled ? [this.buildsNodeOf(node.service), ...alerts, ...revisions] : [...alerts, ...revisions];
    }
    if (node.kind === 'builds') return this.loadBuilds(node);
    if (node.kind === 'alerts') return this.loadAlertPolicies(node);
    return [];
  }

  /** Loads the first level; `startAfter` holds the calls back (not the generation: a later load still wins). */
  private async loadServices(startAfter?: Promise<unknown>): Promise<ExplorerNode[]> {
    const generation = ++this.loadGeneration;
    const isCurrent = () => generation === this.loadGeneration;
    this.setState('loading');
    const { project, region, apiEndpoint } = this.connection.target;
    try {
      await startAfter;
      markTimeline('services.load');
      const api = await this.connection.api();
      markTimeline('services.connected');
      const services = await api.listServices();
      markTimeline('services.listed');
      if (!isCurrent()) return [];
      this.serviceNodes.clear();
      for (const service of services) this.serviceNodes.set(service.name, { kind: 'service', service });
      this.setMessage(undefined);
      void this.lastKnown?.write(listingKey({ project, region, apiEndpoint }), services);
      if (services.length === 0) {
        this.setState('empty');
        return [{ kind: 'message', icon: 'info', text: `No Cloud Run services in ${project} / ${region}` },
          { kind: 'message', icon: 'gear', text: 'Change project or region…',
            action: { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.project' } }];
      }
      this.firstServiceNode = this.serviceNodes.values().next().value;
      this.setState('ready');
      // With the tree, never at activation: one call for the open incidents of every service shown, once the
      // rows are on screen (loading the alerts client takes the extension host ~200 ms, which would hold them back).
      this.scheduleIncidents();
      this.applyIncidents();
      return [...this.serviceNodes.values()];
    } catch (error) {
      if (!isCurrent()) return [];
      this.serviceNodes.clear();
      this.setState('error');
      return this.errorNodes(error, true);
    }
  }

  /**
   * The first time this window lists a project/region: the rows the last load saved, if they come before the
   * live ones, with the view saying so and a progress bar; the live rows replace them as soon as they arrive.
   */
  private lastKnownWhile(saved: LastKnownServices | undefined, key: string, load: Promise<ExplorerNode[]>): Promise<ExplorerNode[]> | ExplorerNode[] {
    if (!saved?.services.length || listingKey(this.connection.target) !== key) return load;
    markTimeline('services.lastKnownShown');
    this.setMessage(`Last known at ${saved.savedAt.toLocaleTimeString()}; refreshing…`);
    void vscode.window.withProgress({ location: { viewId: EXPLORER_VIEW_ID } }, () => load.catch(() => undefined));
    void load.then((nodes) => {
      if (this.pendingLoad && this.pendingLoad !== load) return; // a refresh since: its load draws the rows
      this.liveHandoff = nodes;
      this.changed.fire(undefined);
    }, () => undefined);
    return saved.services.map((service): ServiceNode => ({ kind: 'service', service, lastKnownAt: saved.savedAt }));
  }

  private async loadRevisions(node: ServiceNode): Promise<ExplorerNode[]> {
    try {
      const revisions = await (await this.connection.api()).listRevisions(node.service.name);
      if (revisions.length === 0) return [{ kind: 'message', icon: 'info', text: 'No revisions' }];
      const nodes = revisions.map((revision): RevisionNode => ({ kind: 'revision', revision, service: node.service }));
      this.revisionNodes.set(node.service.name, nodes);
      // One query for all of the service's rows, answered after they are drawn.
      this.sparklines?.request(node.service);
      return nodes;
    } catch (error) {
      return this.errorNodes(error, false);
    }
  }

  private buildsNodeOf(service: ServiceSummary): BuildsNode {
    const node = this.buildsNodes.get(service.id) ?? { kind: 'builds', service };
    node.service = service;
    this.buildsNodes.set(service.id, node);
    return node;
  }

  private async loadBuilds(node: BuildsNode): Promise<ExplorerNode[]> {
    try {
      const builds = await this.builds!.serviceBuilds(node.service.id);
      if (builds.length === 0) return [{ kind: 'message', icon: 'info', text: `No builds tagged "${node.service.id}" yet` }];
      return builds.map((build): BuildNode => ({ kind: 'build', build, parent: node }));
    } catch (error) {
      return this.errorNodes(error, false);
    }
  }

  private alertsNodeOf(service: ServiceSummary): AlertsNode {
    const node = this.alertsNodes.get(service.id) ?? { kind: 'alerts', service };
    node.service = service;
    this.alertsNodes.set(service.id, node);
    return node;
  }

  private async loadAlertPolicies(node: AlertsNode): Promise<ExplorerNode[]> {
    try {
      const policies = await this.alerts!.policiesOf(node.service.id);
      if (policies.length === 0) {
        return [{ kind: 'message', icon: 'add', text: 'No alert policies — Create Alert…',
          action: { kind: 'command', label: 'Create Alert…', command: 'mentor.createAlert', args: [this.serviceNodes.get(node.service.name) ?? node.service.name] } }];
      }
      const open = this.alerts!.incidentsOf(node.service.id);
      return policies.map((policy): AlertPolicyNode => ({ kind: 'alertPolicy', policy, parent: node, incidents: open.filter((i) => i.policyName === policy.name) }));
    } catch (error) {
      return this.errorNodes(error, false);
    }
  }

  /** Copies the last loaded incidents onto the service rows; true for rows whose incidents changed. */
  private applyIncidents(): ServiceNode[] {
    const changed: ServiceNode[] = [];
    for (const node of this.serviceNodes.values()) {
      const open = this.alerts?.incidentsOf(node.service.id) ?? [];
      const before = (node.openIncidents ?? []).map((i) => i.name).join();
      node.openIncidents = open;
      if (open.map((i) => i.name).join() !== before) changed.push(node);
    }
    return changed;
  }

  /** New incidents arrived: redraw the rows (and Alerts nodes) whose incidents changed. */
  private showIncidents(): void {
    for (const node of this.applyIncidents()) {
      this.changed.fire(node);
      const alertsNode = this.alertsNodes.get(node.service.id);
      if (alertsNode) this.changed.fire(alertsNode);
    }
  }

  private scheduleIncidents(): void {
    if (!this.alerts) return;
    clearTimeout(this.incidentsTimer);
    this.incidentsTimer = setTimeout(() => void this.alerts?.loadIncidents(), INCIDENTS_AFTER_ROWS_MS);
  }

  private errorNodes(error: unknown, asViewMessage: boolean): MessageNode[] {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(message, ...(error instanceof UserFacingError && error.detail ? [error.detail] : []));
    if (asViewMessage) this.setMessage(message);
    const actions = error instanceof UserFacingError ? error.actions : [];
    return [
      { kind: 'message', icon: 'error', text: asViewMessage ? 'Could not load Cloud Run services' : message },
      ...actions.map((action): MessageNode => ({ kind: 'message', icon: actionIcon(action.kind), text: action.label, action })),
    ];
  }

  private setMessage(message: string | undefined): void {
    if (this.view) this.view.message = message;
  }

  private setState(state: ExplorerState): void {
    this.state = state;
    void vscode.commands.executeCommand('setContext', 'mentor.explorerState', state);
    if (state !== 'loading') this.stateChanged.fire(state);
  }

  dispose(): void {
    clearTimeout(this.incidentsTimer);
    this.changed.dispose();
    this.stateChanged.dispose();
    this.buildsListener?.dispose();
    this.sparklinesListener?.dispose();
    this.alertsListener?.dispose();
  }
}

function actionIcon(kind: string): string {
  return ({ retry: 'refresh', openSettings: 'gear', openUrl: 'link-external', copyText: 'copy', openFile: 'go-to-file', command: 'play' } as Record<string, string>)[kind] ?? 'arrow-right';
}
