// The FastAPI routes of each workspace folder's app, found once and kept until a Python file of that folder
// changes (the unsaved text of open editors counts, so lenses follow edits). Also which service a folder
// deploys to: the folder's own mentor.* settings.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { suggestServiceId } from '../core/cloudRunNames';
import { DetectedRoute, detectRoutes } from '../core/fastapiRoutes';
import type { TailTarget } from '../core/logEntries';
import { ProjectFiles, detectPythonProject } from '../core/pythonProject';
import { RouteMatcher } from '../core/routeMatch';
import { routeSpecs } from '../core/routeLenses';
import { folderProjectFiles } from '../local/folderFiles';

export interface AppRoutes {
  routes: DetectedRoute[];
  matcher: RouteMatcher;
}

/** The Cloud Run service a folder deploys to, from its settings; undefined without mentor.project (not a Mentor app). */
export function folderTarget(folder: vscode.WorkspaceFolder): TailTarget | undefined {
  const config = vscode.workspace.getConfiguration('mentor', folder.uri);
  const project = config.get<string>('project', '').trim();
  if (!project) return undefined;
  return {
    project, region: config.get<string>('region', 'us-central1').trim() || 'us-central1',
    service: config.get<string>('service', '').trim() || suggestServiceId(folder.name),
  };
}

/** A Python file on disk in a workspace folder that is a Mentor app. */
export function isAppPython(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file' || (document.languageId !== 'python' && !document.fileName.endsWith('.py'))) return false;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  return !!folder && folderTarget(folder) !== undefined;
}

export class AppRoutesCache implements vscode.Disposable {
  private readonly byFolder = new Map<string, Promise<AppRoutes | undefined>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** A folder's routes were dropped (a Python file changed): lenses must be asked for again. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    const drop = (uri: vscode.Uri) => {
      if (!uri.fsPath.endsWith('.py')) return;
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (folder && this.byFolder.delete(folder.uri.toString())) this.changed.fire();
    };
    this.disposables = [this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) drop(e.document.uri); }),
      vscode.workspace.onDidCreateFiles((e) => e.files.forEach(drop)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach(drop)),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => { drop(f.oldUri); drop(f.newUri); })),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.byFolder.clear())];
  }

  /** The folder's app and routes (of every method); undefined when the folder has no FastAPI app. */
  get(folder: vscode.WorkspaceFolder): Promise<AppRoutes | undefined> {
    const key = folder.uri.toString();
    let found = this.byFolder.get(key);
    if (!found) {
      found = findRoutes(folder.uri.fsPath).catch(() => undefined);
      this.byFolder.set(key, found);
    }
    return found;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

async function findRoutes(root: string): Promise<AppRoutes | undefined> {
  const files = openEditorsFirst(root, folderProjectFiles(root));
  const project = await detectPythonProject(files);
  if (!project) return undefined;
  const appName = project.appModule.split(':')[1] ?? 'app';
  const { routes } = await detectRoutes(files, project.appFile, appName, { methods: 'all' });
  return { routes, matcher: new RouteMatcher(routeSpecs(routes)) };
}

/** The text of an open editor (maybe unsaved) before the file on disk: lenses sit on the lines the user sees. */
function openEditorsFirst(root: string, disk: ProjectFiles): ProjectFiles {
  return {
    list: () => disk.list(),
    read: async (relative) => {
      const full = path.join(root, relative);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === full);
      return open ? open.getText() : disk.read(relative);
    },
  };
}
