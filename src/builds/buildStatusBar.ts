// The status bar item for the build of HEAD's commit: queued / working · step / Deployed / failed · step.
// Clicking it shows that build's log. Hidden while HEAD has no build.
import * as vscode from 'vscode';
import type { BuildSummary } from '../core/builds';
import { statusBarAccessibleLabel, statusBarText, statusBarTooltip } from '../core/buildText';

export const SHOW_BUILD_LOG_COMMAND = 'mentor.showBuildLog';

export class BuildStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mentor.build', vscode.StatusBarAlignment.Left, 47);

  constructor() {
    this.item.name = 'Mentor: Build of HEAD';
  }

  update(build: BuildSummary | undefined): void {
    if (!build) return this.item.hide();
    this.item.text = statusBarText(build);
    this.item.tooltip = statusBarTooltip(build);
    this.item.accessibilityInformation = { label: statusBarAccessibleLabel(build) };
    this.item.command = { title: 'Show Build Log', command: SHOW_BUILD_LOG_COMMAND, arguments: [build.id] };
    this.item.backgroundColor = build.phase === 'failure' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
