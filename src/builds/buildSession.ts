// Everything build status needs once CI/CD is found, loaded on demand (its own chunk): the Cloud Build and
// Logging connections, the watcher (Pub/Sub or polling), the status bar, the log channel and the notices.
import * as vscode from 'vscode';
import { BuildSummary, MENTOR_BUILD_TAG } from '../core/builds';
import { MentorTarget } from '../core/settings';
import { BuildEventsApi, connectBuildEvents } from '../gcp/buildEvents';
import { CloudBuildApi, connectCloudBuild } from '../gcp/cloudBuildApi';
import { CloudLoggingApi, connectCloudLogging } from '../gcp/cloudLogging';
import { TargetConnection } from '../gcp/targetConnection';
import { gitAuthors, gitHead } from '../local/gitRevision';
import { activeWorkspaceFolder } from '../workspaceSettings';
import { BuildLogChannel } from './buildLogChannel';
import { BuildLogReader } from './buildLogs';
import { notifyBuildEnd } from './buildNotifier';
import { BuildStatusBar } from './buildStatusBar';
import { BuildWatcher } from './buildWatcher';

const SERVICE_BUILDS = 10;

export class BuildSession implements vscode.Disposable {
  readonly watcher: BuildWatcher;
  readonly statusBar = new BuildStatusBar();
  readonly logChannel: BuildLogChannel;
  private readonly reader: BuildLogReader;
  private readonly buildApi: TargetConnection<CloudBuildApi>;
  private readonly loggingApi: TargetConnection<CloudLoggingApi>;
  private readonly disposables: vscode.Disposable[] = [];
  /** The notices shown (tests wait on them). */
  readonly notices: Promise<void>[] = [];

  constructor(
    target: MentorTarget,
    log: vscode.LogOutputChannel,
    machineId: string,
    onBuildsChanged: (services: Set<string>) => void,
  ) {
    // A session lives for one target (a changed target starts a new session): the connections never switch.
    this.buildApi = new TargetConnection(() => target, connectCloudBuild);
    this.loggingApi = new TargetConnection(() => target, connectCloudLogging);
    this.reader = new BuildLogReader(() => this.logging());
    this.logChannel = new BuildLogChannel(this.reader, log);
    this.watcher = new BuildWatcher({
      builds: () => this.builds(),
      events: (): Promise<BuildEventsApi> => connectBuildEvents(target, {
        emulatorHost: process.env.PUBSUB_EMULATOR_HOST?.trim() || undefined, machineSuffix: machineId.slice(0, 12),
      }),
      head: async () => {
        const folder = activeWorkspaceFolder();
        return folder ? gitHead(folder.uri.fsPath) : {};
      },
      log,
    });
    this.watcher.onDidChangeHeadBuild((build) => this.statusBar.update(build));
    this.watcher.onDidChangeBuilds(onBuildsChanged);
    this.watcher.onDidFinishBuild((build) => {
      this.notices.push(notifyBuildEnd(build, this.reader, log).catch((error: unknown) =>
        log.warn(`Build notice: ${(error as Error)?.message ?? error}`)));
    });
    this.watcher.setFocused(vscode.window.state.focused);
    // A commit, checkout or push moves a ref: the build of the new HEAD (or the one the push started) is news.
    const folder = activeWorkspaceFolder();
    if (folder) {
      const refs = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.git/{HEAD,packed-refs,refs/**}'));
      let timer: NodeJS.Timeout | undefined;
      // One git command touches several refs: one look after they settle.
      const moved = () => { clearTimeout(timer); timer = setTimeout(() => this.watcher.refreshSoon(), 500); };
      this.disposables.push({ dispose: () => clearTimeout(timer) });
      this.disposables.push(refs, refs.onDidCreate(moved), refs.onDidChange(moved), refs.onDidDelete(moved));
    }
    this.disposables.push(vscode.window.onDidChangeWindowState((state) => {
      this.watcher.setFocused(state.focused);
      if (this.watcher.mode === 'polling') log.debug(`Build status: polling ${state.focused ? 'resumed' : 'paused (window not focused)'}.`);
    }));
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  builds(): Promise<CloudBuildApi> {
    return this.buildApi.api();
  }

  logging(): Promise<CloudLoggingApi> {
    return this.loggingApi.api();
  }

  /** The newest builds of one service (tagged with its name), with the authors this clone knows. */
  async serviceBuilds(service: string): Promise<BuildSummary[]> {
    const page = await (await this.builds()).listBuilds(`tags="${service}"`, { pageSize: SERVICE_BUILDS });
    const builds = page.builds.filter((b) => b.tags.includes(MENTOR_BUILD_TAG)).slice(0, SERVICE_BUILDS);
    const folder = activeWorkspaceFolder();
    if (folder) {
      const authors = await gitAuthors(folder.uri.fsPath, builds.flatMap((b) => (b.commitSha ? [b.commitSha] : [])));
      for (const build of builds) if (build.commitSha) build.author ??= authors.get(build.commitSha);
    }
    return builds;
  }

  async findBuild(id: string): Promise<BuildSummary> {
    return (await this.builds()).getBuild(id);
  }

  async showLog(build: BuildSummary): Promise<BuildSummary> {
    return this.logChannel.show(build, () => this.findBuild(build.id));
  }

  dispose(): void {
    this.watcher.stop();
    this.statusBar.dispose();
    this.logChannel.dispose();
    for (const d of this.disposables) d.dispose();
    void this.buildApi.dispose();
    void this.loggingApi.dispose();
  }
}
