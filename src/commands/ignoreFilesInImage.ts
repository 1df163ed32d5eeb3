// "Add to .dockerignore" on a secrets finding: the files stay on disk, and out of every image built from
// the folder. The user's lines are kept; the file opens so they see what changed.
import * as vscode from 'vscode';
import { appendToDockerignore } from '../core/dockerignoreEntries';
import { contextFiles } from '../docker/buildContext';
import { MentorCommand } from './context';
import { secretFileTarget } from './secretFileArgs';

export interface IgnoreFilesResult {
  added: string[];
  /** Files still sent after the edit (a later `!` line in .dockerignore lets them back in). */
  stillInContext: string[];
}

export const ignoreFilesInImage: MentorCommand<[string[]?, string?]> = {
  id: 'mentor.ignoreFilesInImage',
  async run(ctx, paths, contextDir): Promise<IgnoreFilesResult> {
    const target = await secretFileTarget(paths, contextDir, 'Files to keep out of the image (.dockerignore)');
    const uri = vscode.Uri.joinPath(target.context, '.dockerignore');
    const added = await appendLines(uri, target.paths);
    const editor = await vscode.window.showTextDocument(uri, { preview: false });
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.revealRange(new vscode.Range(end, end));

    const sent = new Set(await contextFiles(target.context.fsPath));
    const stillInContext = target.paths.filter((p) => sent.has(p));
    ctx.log.info(`.dockerignore: added ${added.join(', ') || 'nothing'}${stillInContext.length ? `; still sent: ${stillInContext.join(', ')}` : ''}`);
    if (stillInContext.length) {
      void vscode.window.showWarningMessage(`${stillInContext.join(', ')} ${stillInContext.length === 1 ? 'is' : 'are'} listed in ` +
        '.dockerignore but still sent: a later "!" line lets them back in. Remove or move that line.');
    } else {
      void vscode.window.showInformationMessage(added.length
        ? `Added ${added.join(', ')} to .dockerignore: ${added.length === 1 ? 'it stays' : 'they stay'} on disk and out of the image.`
        : `.dockerignore already lists ${target.paths.join(', ')}.`);
    }
    return { added, stillInContext };
  },
};

/** Appends through the document when it exists, so an open editor (even with unsaved changes) stays in step. */
async function appendLines(uri: vscode.Uri, paths: readonly string[]): Promise<string[]> {
  let document: vscode.TextDocument | undefined;
  try {
    await vscode.workspace.fs.stat(uri);
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    document = undefined;
  }
  if (!document) {
    const { text, added } = appendToDockerignore(undefined, paths);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    return added;
  }
  const existing = document.getText();
  const { text, added } = appendToDockerignore(existing, paths);
  if (!added.length) return added;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, document.positionAt(existing.length), text.slice(existing.length));
  if (!(await vscode.workspace.applyEdit(edit)) || !(await document.save())) {
    throw new Error(`Could not write ${uri.fsPath}.`);
  }
  return added;
}
