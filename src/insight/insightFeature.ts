// Route insight, loaded on the first visible Python editor of a Mentor app (never at activation): the
// CodeLens provider, the shared request-log listings and the minute timer that refreshes them — which runs
// only while a Python file of an app is visible and the feature is on.
import * as vscode from 'vscode';
import type { MentorContext } from '../commands/context';
import { serviceResourceName } from '../core/cloudRunNames';
import { UserFacingError } from '../core/errors';
import type { TailTarget } from '../core/logEntries';
import { targetProblem } from '../core/settings';
import { CloudLoggingApi, connectCloudLogging } from '../gcp/cloudLogging';
import { AppRoutesCache, isAppPython } from './appRoutes';
import { DEFAULT_LISTING_OPTIONS, RequestListings } from './requestListings';
import { RouteLensProvider } from './routeLensProvider';

export class InsightFeature implements vscode.Disposable {
  readonly listings: RequestListings;
  readonly provider: RouteLensProvider;
  private readonly routes = new AppRoutesCache();
  private readonly disposables: vscode.Disposable[] = [];
  private logging: { key: string; api: Promise<CloudLoggingApi> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `enabled` reads mentor.insight.enabled (passed in: importing the watcher would pull it into a shared chunk). */
  constructor(private readonly ctx: MentorContext, private readonly enabled: () => boolean) {
    this.listings = new RequestListings({ logging: (t) => this.loggingFor(t), serviceExists: (t) => this.serviceExists(t) });
    this.provider = new RouteLensProvider(this.routes, this.listings, enabled);
    this.disposables.push(this.routes, this.provider,
      vscode.languages.registerCodeLensProvider([{ language: 'python', scheme: 'file' }, { pattern: '**/*.py', scheme: 'file' }], this.provider),
      this.routes.onDidChange(() => this.provider.refresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('mentor')) return;
        // Another project, endpoint or service: the numbers shown belong to the old one.
        this.listings.clear();
        this.resetConnection();
        this.provider.refresh();
        this.schedule();
      }));
    this.schedule();
  }

  /** Lists again now and redraws every lens ("click to refresh"). */
  async refreshNow(): Promise<void> {
    this.listings.clear();
    this.provider.refresh();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposables) d.dispose();
    this.resetConnection();
  }

  /** The minute timer runs while an app's Python file is visible; the lenses then ask for a new listing. */
  private schedule(): void {
    const wanted = this.enabled() && vscode.window.visibleTextEditors.some((e) => isAppPython(e.document));
    if (wanted && !this.timer) {
      this.timer = setInterval(() => this.provider.refresh(), DEFAULT_LISTING_OPTIONS.ttlMs);
      this.timer.unref?.();
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private loggingFor(target: TailTarget): Promise<CloudLoggingApi> {
    const connection = { ...this.ctx.connection.target, project: target.project, region: target.region };
    const problem = targetProblem(connection);
    if (problem) return Promise.reject(new UserFacingError(`${problem.message} (mentor.${problem.setting})`, 'configuration'));
    const key = `${connection.apiEndpoint}|${connection.project}|${connection.untrustedEndpoint ? 'untrusted' : ''}`;
    if (this.logging?.key !== key) {
      this.resetConnection();
      const api = connectCloudLogging(connection);
      this.logging = { key, api };
      // Not signed in yet: the next listing (a minute later, or a click) tries again.
      api.catch(() => { if (this.logging?.api === api) this.logging = undefined; });
    }
    return this.logging.api;
  }

  private async serviceExists(target: TailTarget): Promise<boolean> {
    try {
      await (await this.ctx.connection.api()).getService(serviceResourceName(target.project, target.region, target.service));
      return true;
    } catch (error) {
      if (error instanceof UserFacingError && error.kind === 'notFound') return false;
      throw error;
    }
  }

  private resetConnection(): void {
    const previous = this.logging;
    this.logging = undefined;
    void previous?.api.then((api) => setTimeout(() => void api.close(), 30_000).unref(), () => undefined);
  }
}
