// ProjectFiles over a workspace folder, through VS Code's file system (works for remote workspaces too).
import * as vscode from 'vscode';
import { ProjectFiles } from '../core/pythonProject';

const EXCLUDE = '{**/.git/**,**/.venv/**,**/venv/**,**/node_modules/**,**/__pycache__/**}';

export function workspaceProjectFiles(folder: vscode.WorkspaceFolder): ProjectFiles {
  return {
    async list() {
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), EXCLUDE, 5000);
      return uris.map((uri) => vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/'))
        .map((p) => (p.startsWith(`${folder.name}/`) && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? p.slice(folder.name.length + 1) : p));
    },
    async read(path) {
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, path)));
      } catch {
        return undefined;
      }
    },
  };
}
