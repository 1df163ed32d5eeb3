// The one wrapper every command goes through: times it, treats cancellation as silent, and turns
// errors into a message with the actions that fix them (Retry re-runs the command with its arguments).
import * as vscode from 'vscode';
import { ErrorAction, UserFacingError, isCancellation } from '../core/errors';
import { LazyCommand, MentorContext } from './context';

export function registerCommands(ctx: MentorContext, commands: readonly LazyCommand[]): void {
  for (const command of commands) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: never[]) =>
      runCommand(ctx, command, args)));
  }
}

async function runCommand(ctx: MentorContext, command: LazyCommand, args: never[]): Promise<unknown> {
  const started = Date.now();
  try {
    const implementation = await command.load();
    if (implementation.id !== command.id) throw new Error(`commands/index.ts maps ${command.id} to ${implementation.id}`);
    const result = await implementation.run(ctx, ...args);
    ctx.log.info(`${command.id} finished in ${Date.now() - started} ms`);
    return result;
  } catch (error) {
    if (isCancellation(error)) {
      ctx.log.info(`${command.id} cancelled after ${Date.now() - started} ms`);
      return undefined;
    }
    ctx.log.error(`${command.id} failed after ${Date.now() - started} ms: ${(error as Error)?.message ?? error}`,
      ...(error instanceof UserFacingError && error.detail ? [error.detail] : []));
    void showError(ctx, error, () => runCommand(ctx, command, args));
    return undefined;
  }
}

async function showError(ctx: MentorContext, error: unknown, retry: () => Promise<unknown>): Promise<void> {
  const actions: readonly ErrorAction[] = error instanceof UserFacingError ? error.actions
    : [{ kind: 'openUrl', label: 'Show Log', url: 'command:mentor.showLog' }];
  const message = error instanceof Error ? error.message : String(error);
  const chosen = await vscode.window.showErrorMessage(message, ...actions.map((a) => a.label));
  const action = actions.find((a) => a.label === chosen);
  if (!action) return;
  if (action.kind === 'retry') await retry();
  else await runErrorAction(ctx, action);
}

/** Performs an ErrorAction; also registered as mentor.runErrorAction for the explorer's message rows. */
export async function runErrorAction(ctx: MentorContext, action: ErrorAction): Promise<void> {
  switch (action.kind) {
    case 'openSettings':
      await vscode.commands.executeCommand('workbench.action.openWorkspaceSettings', { query: action.setting });
      return;
    case 'openUrl':
      if (action.url.startsWith('command:')) await vscode.commands.executeCommand(action.url.slice('command:'.length));
      else await vscode.env.openExternal(vscode.Uri.parse(action.url));
      return;
    case 'copyText':
      await vscode.env.clipboard.writeText(action.text);
      void vscode.window.showInformationMessage(`Copied "${action.text}" to the clipboard.`);
      return;
    case 'openFile': {
      const position = new vscode.Position(Math.max(0, action.line - 1), 0);
      await vscode.window.showTextDocument(vscode.Uri.file(action.path), { selection: new vscode.Range(position, position) });
      return;
    }
    case 'command':
      await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
      return;
    case 'retry':
      ctx.connection.reset();
      ctx.explorer.refresh();
      return;
  }
}
