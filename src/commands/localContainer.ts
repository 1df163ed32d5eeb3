// Commands around the running local container: stop, show logs, open, and the status bar's menu.
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import { MentorCommand, MentorContext } from './context';

function requireRunning(ctx: MentorContext): string {
  if (!ctx.localRun.running || !ctx.localRun.url) {
    throw new UserFacingError('No local container is running.', 'notFound',
      [{ kind: 'command', label: 'Run Container Locally', command: 'mentor.runLocally' }]);
  }
  return ctx.localRun.url;
}

export const stopLocalContainer: MentorCommand = {
  id: 'mentor.stopLocalContainer',
  async run(ctx) {
    const service = ctx.localRun.service;
    const stopped = await ctx.localRun.stop();
    void vscode.window.setStatusBarMessage(stopped ? `Stopped ${service} (local)` : 'No local container was running.', 4000);
    return stopped;
  },
};

export const showLocalLogs: MentorCommand = {
  id: 'mentor.showLocalLogs',
  run(ctx) {
    ctx.localRun.showLogs();
  },
};

export const openLocalContainer: MentorCommand = {
  id: 'mentor.openLocalContainer',
  async run(ctx) {
    await vscode.env.openExternal(vscode.Uri.parse(requireRunning(ctx)));
  },
};

export const localContainerActions: MentorCommand = {
  id: 'mentor.localContainerActions',
  async run(ctx) {
    const url = requireRunning(ctx);
    const picked = await vscode.window.showQuickPick([
      { label: '$(globe) Open in Browser', description: url, command: openLocalContainer.id },
      { label: '$(output) Show Logs', command: showLocalLogs.id },
      { label: '$(debug-stop) Stop', command: stopLocalContainer.id },
    ], { placeHolder: `${ctx.localRun.service} (local)` });
    if (picked) await vscode.commands.executeCommand(picked.command);
  },
};
