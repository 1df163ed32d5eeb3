// The explorer's "Builds" node under a service and its rows (one per recent build). Items only: the builds
// come from BuildsFeature through ExplorerProvider.
import * as vscode from 'vscode';
import type { BuildSummary } from '../core/builds';
import type { ServiceSummary } from '../core/model';
import { buildRow, buildTooltipLines } from '../core/buildText';

export interface BuildsNode {
  readonly kind: 'builds';
  service: ServiceSummary;
}

export interface BuildNode {
  readonly kind: 'build';
  readonly build: BuildSummary;
  readonly parent: BuildsNode;
}

const ICONS: Record<BuildSummary['phase'], vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  working: new vscode.ThemeIcon('sync~spin'),
  success: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failure: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
};

export function buildsItem(node: BuildsNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Builds', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${node.service.name}/builds`;
  item.iconPath = new vscode.ThemeIcon('tools');
  item.contextValue = 'builds';
  item.description = 'Cloud Build';
  item.tooltip = `Recent Cloud Build builds of ${node.service.id} (tagged "${node.service.id}")`;
  return item;
}

export function buildItem(node: BuildNode): vscode.TreeItem {
  const { build } = node;
  const { label, description } = buildRow(build);
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.parent.service.name}/builds/${build.id}`;
  item.description = description;
  item.iconPath = ICONS[build.phase];
  item.contextValue = `build:${build.phase}`;
  item.tooltip = buildTooltipLines(build).join('\n');
  item.command = { title: 'Show Build Log', command: 'mentor.showBuildLog', arguments: [build.id] };
  return item;
}
