// ProjectFiles over a workspace folder, through VS Code's file system (works for remote workspaces too).
import * as vscode from 'vscode';
import { ProjectFiles } from '../core/pythonProject';

const EXCLUDE = '{**/.git/**,**/.venv/**,**/venv/**,**/node_modules/**,**/__pycache__/**}';

/** The listing is made once per ProjectFiles (project detection and route detection both ask for it). */
export function workspaceProjectFiles(folder: vscode.WorkspaceFolder): ProjectFiles {
  let listing: Promise<string[]> | undefined;
  return {
    list: () => (listing ??= listFiles(folder)),
    async read(path) {
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, path)));
      } catch {
        return undefined;
      }
    },
  };
}

async function listFiles(folder: vscode.WorkspaceFolder): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), EXCLUDE, 5000);
  return uris.map((uri) => vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/'))
    .map((p) => (p.startsWith(`${folder.name}/`) && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? p.slice(folder.name.length + 1) : p));
}
