// The container "Run Locally" started: its log channel, a status bar item (starting / running :port),
// and stopping it. One at a time; stopped when VS Code closes the window.
import * as vscode from 'vscode';
import type { RunningContainer } from '../docker/types';

export class LocalRunSession implements vscode.Disposable {
  private container: RunningContainer | undefined;
  private logs: AbortController | undefined;
  private channel: vscode.OutputChannel | undefined;
  private readonly statusItem = vscode.window.createStatusBarItem('mentor.localRun', vscode.StatusBarAlignment.Left, 50);
  service: string | undefined;
  url: string | undefined;

  constructor() {
    this.statusItem.name = 'Mentor: Local Container';
    this.statusItem.command = 'mentor.localContainerActions';
  }

  get running(): RunningContainer | undefined {
    return this.container;
  }

  /** Takes over a just-started container: streams its output and shows it as starting. */
  attach(service: string, container: RunningContainer): vscode.OutputChannel {
    this.container = container;
    this.service = service;
    this.url = `http://127.0.0.1:${container.hostPort}`;
    this.channel ??= vscode.window.createOutputChannel(`Mentor: ${service} (local)`);
    this.channel.clear();
    this.channel.appendLine(`[mentor] container ${container.name} → ${this.url}`);
    this.logs = new AbortController();
    const channel = this.channel;
    container.followLogs((line) => channel.appendLine(line.text), this.logs.signal)
      .then(() => channel.appendLine('[mentor] container output ended'),
        (error: Error) => { if (error.name !== 'AbortError') channel.appendLine(`[mentor] log stream failed: ${error.message}`); });
    this.show('$(loading~spin)', `${service} starting on :${container.hostPort}…`);
    return channel;
  }

  markHealthy(startupMs: number): void {
    if (!this.container || !this.service) return;
    this.show('$(vm-running)', `${this.service} :${this.container.hostPort}`,
      `Running locally at ${this.url} (healthy after ${(startupMs / 1000).toFixed(1)} s). Click for Open / Logs / Stop.`);
  }

  showLogs(): void {
    this.channel?.show(true);
  }

  async stop(): Promise<boolean> {
    const container = this.container;
    this.container = undefined;
    this.logs?.abort();
    this.statusItem.hide();
    if (!container) return false;
    this.channel?.appendLine(`[mentor] stopping ${container.name}`);
    await container.stop();
    return true;
  }

  private show(icon: string, text: string, tooltip = text): void {
    this.statusItem.text = `${icon} ${text}`;
    this.statusItem.tooltip = tooltip;
    this.statusItem.show();
  }

  dispose(): void {
    void this.stop();
    this.statusItem.dispose();
    this.channel?.dispose();
  }
}
