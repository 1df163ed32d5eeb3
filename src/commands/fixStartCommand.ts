// "Fix Line": rewrites the Dockerfile instruction that starts the server so it binds 0.0.0.0:$PORT, as one
// visible edit in the editor (saved, undoable with Ctrl+Z), never behind the user's back.
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import { dockerfileCommand, fixedInstruction } from '../core/startCommand';
import { FIX_START_COMMAND } from '../local/startCommandCheck';
import { readDeployConfig } from '../workspaceSettings';
import { MentorCommand } from './context';

export const fixStartCommand: MentorCommand<[string?]> = {
  id: FIX_START_COMMAND,
  async run(ctx, dockerfilePath): Promise<{ line: number; text: string }> {
    if (!dockerfilePath) throw new UserFacingError('Fix Line needs the Dockerfile to change.', 'configuration');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(dockerfilePath));
    // located again in the text as it is now: the file may have changed since the message was shown
    const location = dockerfileCommand(vscode.workspace.asRelativePath(document.uri), document.getText());
    if (!location) throw new UserFacingError(`${vscode.workspace.asRelativePath(document.uri)} no longer has a CMD that starts a server.`, 'notFound');
    const text = fixedInstruction(location, readDeployConfig().port);
    const range = new vscode.Range(location.line - 1, 0, location.endLine - 1, document.lineAt(location.endLine - 1).text.length);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, text);
    if (!(await vscode.workspace.applyEdit(edit)) || !(await document.save())) {
      throw new UserFacingError(`Could not change ${vscode.workspace.asRelativePath(document.uri)}.`, 'operationFailed');
    }
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    editor.selection = new vscode.Selection(location.line - 1, 0, location.line - 1, text.length);
    editor.revealRange(editor.selection);
    ctx.log.info(`${vscode.workspace.asRelativePath(document.uri)} line ${location.line} now reads: ${text}`);
    void vscode.window.showInformationMessage(`Changed line ${location.line}: the server now listens on 0.0.0.0:$PORT.`);
    return { line: location.line, text };
  },
};
