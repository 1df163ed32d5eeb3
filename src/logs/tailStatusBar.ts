// One status bar item for every tail: live / reconnecting (n) / stopped, and how many ERROR (or worse)
// entries the tails showed — a stream that dies is visible, never silent.
import * as vscode from 'vscode';
import type { TailStatus } from './tailSession';

export interface TailView {
  service: string;
  status: TailStatus;
}

const ICONS: Record<TailStatus['state'], string> = {
  live: '$(pulse)',
  connecting: '$(sync~spin)',
  reconnecting: '$(sync~spin)',
  stopped: '$(circle-slash)',
};

export function stateLabel(status: TailStatus): string {
  if (status.state === 'reconnecting') return status.attempt > 0 ? `reconnecting (${status.attempt})` : 'reconnecting';
  if (status.state === 'stopped' && status.lastError) return 'stopped (error)';
  return status.state;
}

export class TailStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mentor.tail', vscode.StatusBarAlignment.Left, 48);

  constructor() {
    this.item.name = 'Mentor: Log Tail';
    this.item.command = 'mentor.tailActions';
  }

  update(tails: readonly TailView[]): void {
    if (tails.length === 0) {
      this.item.hide();
      return;
    }
    const errors = tails.reduce((sum, t) => sum + t.status.errorEntries, 0);
    const errorText = errors ? ` $(error) ${errors}` : '';
    if (tails.length === 1) {
      const [{ service, status }] = tails;
      this.item.text = `${ICONS[status.state]} ${service}: ${stateLabel(status)}${errorText}`;
    } else {
      const counts = new Map<string, number>();
      for (const t of tails) counts.set(stateLabel(t.status), (counts.get(stateLabel(t.status)) ?? 0) + 1);
      const worst = tails.some((t) => t.status.state === 'reconnecting' || t.status.state === 'connecting') ? '$(sync~spin)'
        : tails.some((t) => t.status.state === 'live') ? ICONS.live : ICONS.stopped;
      this.item.text = `${worst} Tails: ${[...counts].map(([label, n]) => `${n} ${label}`).join(' · ')}${errorText}`;
    }
    const tooltip = new vscode.MarkdownString(undefined, true);
    for (const { service, status } of tails) {
      tooltip.appendMarkdown(`**${service}** — ${stateLabel(status)}\n\n`);
      tooltip.appendText(`${status.entries} entries, ${status.errorEntries} errors, ${status.streamFailures} stream failures, ` +
        `${status.reconnects} reconnects${status.lastError ? `\nStopped: ${status.lastError}` : ''}\n\n`);
    }
    tooltip.appendMarkdown('Click for Show Output / Change Filter / Stop Tail.');
    this.item.tooltip = tooltip;
    this.item.backgroundColor = tails.some((t) => t.status.state === 'stopped' && t.status.lastError)
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : tails.some((t) => t.status.state === 'reconnecting') ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
