// What "Add to .dockerignore" and "Allow in Image" work on: the paths a secrets finding passed (relative
// to the build context) and the context folder. Run without them, they scan the folder and let the user pick.
import * as vscode from 'vscode';
import { normaliseContextPath } from '../core/secretFiles';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { secretFilesInContext } from '../docker/contextSecrets';
import { readDeployConfig } from '../workspaceSettings';
import { requireFolder } from './createDockerfile';

export interface SecretFileTarget {
  /** Context-relative paths, forward slashes. */
  paths: string[];
  /** The build context (the folder holding Dockerfile and .dockerignore). */
  context: vscode.Uri;
  /** The workspace folder whose .vscode/settings.json remembers allowed files. */
  folder: vscode.WorkspaceFolder;
}

export async function secretFileTarget(paths: unknown, contextDir: unknown, placeHolder: string): Promise<SecretFileTarget> {
  const context = typeof contextDir === 'string' && contextDir ? vscode.Uri.file(contextDir) : requireFolder().uri;
  const folder = vscode.workspace.getWorkspaceFolder(context);
  if (!folder) throw new UserFacingError(`${context.fsPath} is not in a folder of this window.`, 'configuration');
  const given = Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string').map(normaliseContextPath).filter(Boolean) : [];
  if (given.length) return { paths: [...new Set(given)], context, folder };

  const findings = await secretFilesInContext(context.fsPath, 'Dockerfile', readDeployConfig().allowedFilesInImage);
  if (!findings.length) {
    void vscode.window.showInformationMessage(`No file in the build context of ${folder.name} looks like a secret.`);
    throw new UserCancelledError();
  }
  const picked = await vscode.window.showQuickPick(findings.map((f) => ({ label: f.path, description: f.reason, picked: true })),
    { canPickMany: true, placeHolder });
  if (!picked?.length) throw new UserCancelledError();
  return { paths: picked.map((p) => p.label), context, folder };
}
