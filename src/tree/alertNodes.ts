// The explorer's "Alerts" node under a service, its rows (one per alert policy watching the service), and
// how open incidents read on the service row. Items only: the data comes from AlertsFeature through
// ExplorerProvider.
import * as vscode from 'vscode';
import { relativeTime } from '../core/format';
import type { ServiceSummary } from '../core/model';
import type { AlertPolicySummary, IncidentSummary } from '../gcp/alertsApi';

export interface AlertsNode {
  readonly kind: 'alerts';
  service: ServiceSummary;
}

export interface AlertPolicyNode {
  readonly kind: 'alertPolicy';
  readonly policy: AlertPolicySummary;
  /** Open incidents of this policy on the service. */
  readonly incidents: IncidentSummary[];
  readonly parent: AlertsNode;
}

export function alertsItem(node: AlertsNode, open: IncidentSummary[]): vscode.TreeItem {
  const item = new vscode.TreeItem('Alerts', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${node.service.name}/alerts`;
  item.iconPath = open.length ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('bell');
  item.contextValue = 'alerts';
  item.description = open.length ? `${open.length} open` : 'Cloud Monitoring';
  item.tooltip = `Cloud Monitoring alert policies watching ${node.service.id}`;
  return item;
}

export function alertPolicyItem(node: AlertPolicyNode): vscode.TreeItem {
  const { policy, incidents } = node;
  // Under its service the "service: " prefix Mentor's policy names carry says nothing new.
  const prefix = `${node.parent.service.id}: `;
  const name = policy.displayName.startsWith(prefix) ? policy.displayName.slice(prefix.length) : policy.displayName;
  const item = new vscode.TreeItem(name || policy.name.split('/').pop() || policy.name, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.parent.service.name}/alerts/${policy.name}`;
  const firing = incidents.length > 0;
  item.iconPath = firing ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('errorForeground'))
    : policy.enabled ? new vscode.ThemeIcon('bell') : new vscode.ThemeIcon('bell-slash');
  const channels = policy.notificationChannels.length;
  item.description = [
    firing ? `firing · opened ${relativeTime(incidents[0].openTime ?? new Date())}` : policy.enabled ? 'ok' : 'disabled',
    channels ? `${channels} channel${channels === 1 ? '' : 's'}` : 'no notifications',
  ].join(' · ');
  item.contextValue = 'alertPolicy';
  item.tooltip = [
    policy.displayName,
    ...policy.conditions.map((c) => `Condition: ${c.displayName}`),
    ...incidents.map((i) => `Open incident${i.revision ? ` on ${i.revision}` : ''} since ${i.openTime?.toLocaleString() ?? '?'}`),
    policy.name,
  ].join('\n');
  return item;
}

/** "1 open alert" for the service row's description, or undefined when none is open. */
export function incidentBadge(open: IncidentSummary[]): string | undefined {
  if (!open.length) return undefined;
  return `${open.length} open alert${open.length === 1 ? '' : 's'}`;
}

/** Tooltip lines for the service row: what is firing, where, since when. */
export function incidentLines(open: IncidentSummary[]): string[] {
  return open.map((i) => `Alert open: ${i.policyDisplayName}${i.revision ? ` on ${i.revision}` : ''} — open since ${i.openTime?.toLocaleString() ?? '?'}`);
}
