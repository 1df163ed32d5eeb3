// Explorer nodes and how each one looks. Items only: data comes from ExplorerProvider.
import * as vscode from 'vscode';
import { ErrorAction } from '../core/errors';
import { relativeTime, shortDigest } from '../core/format';
import { RevisionSummary, ServiceSummary, ResourceState } from '../core/model';
import { describeSplit, isServing, revisionTrafficLabel, summarizeSplit } from '../core/traffic';
import type { IncidentSummary } from '../gcp/alertsApi';
import { incidentBadge, incidentLines, type AlertPolicyNode, type AlertsNode } from './alertNodes';
import type { BuildNode, BuildsNode } from './buildNodes';

export interface ServiceNode {
  readonly kind: 'service';
  service: ServiceSummary;
  /** Set while Mentor changes this service ("Routing traffic…"). */
  busy?: string;
  /** Cloud Monitoring incidents open on this service (from the last explorer refresh). */
  openIncidents?: IncidentSummary[];
  /** Set on a row from the last load of an earlier window, shown until the live listing arrives. */
  lastKnownAt?: Date;
}

export interface RevisionNode {
  readonly kind: 'revision';
  readonly revision: RevisionSummary;
  readonly service: ServiceSummary;
}

export interface MessageNode {
  readonly kind: 'message';
  readonly text: string;
  readonly icon: string;
  readonly action?: ErrorAction;
}

export type ExplorerNode = ServiceNode | RevisionNode | MessageNode | BuildsNode | BuildNode | AlertsNode | AlertPolicyNode;

const STATE_ICONS: Record<ResourceState, vscode.ThemeIcon> = {
  ready: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  deploying: new vscode.ThemeIcon('loading~spin'),
  unknown: new vscode.ThemeIcon('circle-outline'),
};

export function serviceItem(node: ServiceNode): vscode.TreeItem {
  const { service } = node;
  const item = new vscode.TreeItem(service.id, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = service.name;
  const host = service.uri ? service.uri.replace(/^https?:\/\//, '') : 'no URL yet';
  const open = node.openIncidents ?? [];
  const badge = incidentBadge(open);
  item.description = node.busy ?? [badge, summarizeSplit(service.trafficStatuses), host].filter(Boolean).join(' · ');
  item.iconPath = node.busy ? STATE_ICONS.deploying
    : badge && service.state === 'ready' ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('errorForeground')) : STATE_ICONS[service.state];
  // A last-known row offers no actions: they would act on what the row showed a while ago.
  item.contextValue = node.lastKnownAt ? 'lastKnownService' : service.uri ? 'service:hasUrl' : 'service';
  return item;
}

/** A service row's tooltip, made when VS Code resolves the row (hover), not for every row drawn. */
export function serviceTooltip(node: ServiceNode): vscode.MarkdownString {
  const { service } = node;
  const open = node.openIncidents ?? [];
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${service.id}** — ${service.state}${node.lastKnownAt ? ` (last known at ${node.lastKnownAt.toLocaleTimeString()})` : ''}\n\n`);
  if (service.uri) tooltip.appendMarkdown(`[${service.uri}](${service.uri})\n\n`);
  if (service.stateMessage) tooltip.appendText(`${service.stateMessage}\n\n`);
  tooltip.appendText(`Traffic: ${describeSplit(service.trafficStatuses)}\n`);
  if (service.latestCreatedRevision) tooltip.appendText(`Latest revision: ${service.latestCreatedRevision}\n`);
  if (open.length) tooltip.appendText(`\n${incidentLines(open).join('\n')}\n`);
  return tooltip;
}

/** The last hour of a revision, from Cloud Monitoring: "▁▂▅█" and "1.2k req/h, 0.3% 5xx". */
export interface RevisionActivity {
  blocks: string;
  text: string;
}

export function revisionItem(node: RevisionNode, activity?: RevisionActivity): vscode.TreeItem {
  const { revision, service } = node;
  const serving = isServing(revision.id, service.trafficStatuses);
  // Serving revisions stand out: highlighted label, filled icon, traffic share first.
  const label: vscode.TreeItemLabel = { label: revision.id, highlights: serving ? [[0, revision.id.length]] : [] };
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = revision.name;
  const traffic = revisionTrafficLabel(revision.id, service.trafficStatuses);
  const created = revision.createTime ? relativeTime(revision.createTime) : '';
  item.description = [traffic, created, activity ? `${activity.blocks} ${activity.text}` : ''].filter(Boolean).join(' · ');
  item.iconPath = revision.state !== 'ready' ? STATE_ICONS[revision.state]
    : serving ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green'))
      : new vscode.ThemeIcon('circle-outline');
  item.contextValue = `revision:${revision.state}${serving ? ':serving' : ''}`;
  return item;
}

/** A revision row's tooltip, made when VS Code resolves the row (hover). */
export function revisionTooltip(node: RevisionNode, activity?: RevisionActivity): vscode.MarkdownString {
  const { revision, service } = node;
  const serving = isServing(revision.id, service.trafficStatuses);
  const traffic = revisionTrafficLabel(revision.id, service.trafficStatuses);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${revision.id}** — ${revision.state}${serving ? `, serving ${traffic}` : ''}\n\n`);
  if (revision.stateMessage) tooltip.appendText(`${revision.stateMessage}\n\n`);
  if (revision.image) tooltip.appendMarkdown(`Image: \`${revision.image}\`\n\n`);
  if (revision.imageDigest) tooltip.appendMarkdown(`Digest: \`${shortDigest(revision.imageDigest)}\`\n\n`);
  if (revision.createTime) tooltip.appendText(`Created ${revision.createTime.toLocaleString()}`);
  if (activity) tooltip.appendText(`\n\nLast hour: ${activity.blocks} ${activity.text}`);
  return tooltip;
}

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(node.icon);
  item.contextValue = 'message';
  if (node.action) {
    item.command = { title: node.action.label, command: 'mentor.runErrorAction', arguments: [node.action] };
  }
  return item;
}
