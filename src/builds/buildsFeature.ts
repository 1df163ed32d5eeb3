// Build status, switched on only once the workspace has CI/CD (a cloudbuild.yaml, found after activation
// or created later) or a build command asks for it: until then nothing is read, listed or subscribed. It
// switches off again when the last build config is deleted.
// Start-up looks only at each folder's top (a few stats, like the first-open offer): where Cloud Build's
// triggers look by default and where Mentor writes the file. The workspace-wide search waits until the
// Cloud Run view is shown, so a window that never opens it scans nothing.
// The session (clients, watcher, status bar) is its own chunk, loaded when switched on.
import * as vscode from 'vscode';
import type { BuildSummary } from '../core/builds';
import type { MentorTarget } from '../core/settings';
import type { BuildSession } from './buildSession';

export const CLOUD_BUILD_FILES = '**/cloudbuild.{yaml,yml,json}';
const ROOT_CLOUD_BUILD_FILES = ['cloudbuild.yaml', 'cloudbuild.yml', 'cloudbuild.json'];
/** Looking for cloudbuild.yaml waits until the window has settled. */
const DETECT_AFTER_MS = 3_000;

/** The first build config in the workspace, if any (one result is enough to know CI/CD is there). */
function findCloudBuildFile(): Thenable<vscode.Uri | undefined> {
  return vscode.workspace.findFiles(CLOUD_BUILD_FILES, '**/node_modules/**', 1).then((found) => found[0]);
}

/** A build config at the top of a workspace folder: one stat per name and folder, no search. */
async function findRootCloudBuildFile(): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const name of ROOT_CLOUD_BUILD_FILES) {
      const uri = vscode.Uri.joinPath(folder.uri, name);
      try {
        await vscode.workspace.fs.stat(uri);
        return uri;
      } catch {
        // not there; try the next name
      }
    }
  }
  return undefined;
}

export class BuildsFeature implements vscode.Disposable {
  private session: Promise<BuildSession> | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** A service's builds changed (its id), or build status was switched on (undefined). */
  readonly onDidChangeBuilds = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  enabled = false;

  constructor(
    private readonly readTarget: () => MentorTarget,
    private readonly log: vscode.LogOutputChannel,
    private readonly machineId: string = vscode.env.machineId,
  ) {}

  /**
   * A few seconds after activation: a look at the folders' tops and a watcher for a build config created
   * later; the workspace-wide search the first time `view` becomes visible.
   */
  watchForCicd(view: vscode.TreeView<unknown>): void {
    const watch = () => {
      const files = vscode.workspace.createFileSystemWatcher(CLOUD_BUILD_FILES, false, true, false);
      files.onDidCreate((uri) => void this.enable(`${vscode.workspace.asRelativePath(uri)} was created`), undefined, this.disposables);
      files.onDidDelete(() => void findCloudBuildFile().then((left) => {
        if (!left) return this.disable('no cloudbuild.yaml is left in the workspace');
      }), undefined, this.disposables);
      this.disposables.push(files);
    };
    const detect = (find: () => Thenable<vscode.Uri | undefined>) => void find().then((found) => {
      if (found) return this.enable(`${vscode.workspace.asRelativePath(found)} found`);
    }, (error: unknown) => this.log.warn(`Looking for cloudbuild.yaml failed: ${(error as Error)?.message ?? error}`));
    let settled = false;
    let searched = false;
    const searchOnce = () => {
      if (!settled || searched || !view.visible || this.session) return;
      searched = true;
      detect(findCloudBuildFile);
    };
    // The watcher too waits: a file created before the look below is found by it.
    const timer = setTimeout(() => {
      settled = true;
      watch();
      if (view.visible) searchOnce();
      else detect(findRootCloudBuildFile);
    }, DETECT_AFTER_MS);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
    view.onDidChangeVisibility(searchOnce, undefined, this.disposables);
  }

  /** Switches build status on (idempotent) and returns the running session. */
  enable(why: string): Promise<BuildSession> {
    if (!this.session) {
      this.log.info(`Build status on: ${why}.`);
      this.session = this.startSession();
      this.session.catch(() => (this.session = undefined));
    }
    return this.session;
  }

  /** Switches build status off: no more listing or subscription, no Builds nodes. */
  async disable(why: string): Promise<void> {
    const previous = this.session;
    this.session = undefined;
    if (!this.enabled && !previous) return;
    this.log.info(`Build status off: ${why}.`);
    this.enabled = false;
    (await previous?.catch(() => undefined))?.dispose();
    this.changed.fire(undefined);
  }

  /** The settings changed: the next use connects to the new target. */
  async reset(): Promise<void> {
    const previous = this.session;
    if (!previous) return;
    this.session = undefined;
    (await previous.catch(() => undefined))?.dispose();
    if (this.enabled) await this.enable('the Cloud Run target changed');
  }

  /** The session if build status is on, without switching it on. */
  get running(): Promise<BuildSession> | undefined {
    return this.session;
  }

  async serviceBuilds(service: string): Promise<BuildSummary[]> {
    return (await this.enable('the explorer asked')).serviceBuilds(service);
  }

  private async startSession(): Promise<BuildSession> {
    const { BuildSession } = await import('./buildSession');
    const session = new BuildSession(this.readTarget(), this.log, this.machineId,
      (services) => { for (const service of services) this.changed.fire(service); });
    const wasEnabled = this.enabled;
    this.enabled = true;
    if (!wasEnabled) this.changed.fire(undefined);
    void session.start().catch((error: unknown) => this.log.warn(`Build status: ${(error as Error)?.message ?? error}`));
    return session;
  }

  dispose(): void {
    void this.session?.then((s) => s.dispose(), () => undefined);
    for (const d of this.disposables) d.dispose();
  }
}
