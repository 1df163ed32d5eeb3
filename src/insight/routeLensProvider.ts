// The CodeLens above each FastAPI route handler of a Mentor app: the route's live numbers from production
// (one request-log listing per service, shared by all lenses) and "Show logs for this route". VS Code asks
// only for visible editors, so nothing is listed while no Python file of the app is on screen.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TailTarget } from '../core/logEntries';
import { LensLine, ServiceInsight, lensesForFile } from '../core/routeLenses';
import { RouteStats, routeStats } from '../core/routeStats';
import { AppRoutes, AppRoutesCache, folderTarget } from './appRoutes';
import { ListingResult, RequestListings } from './requestListings';

export const SHOW_ROUTE_LOGS_TITLE = 'Show logs for this route';
export const SHOW_ROUTE_LOGS_COMMAND = 'mentor.showRouteLogs';
export const REFRESH_INSIGHT_COMMAND = 'mentor.refreshRouteInsight';

export class RouteLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Per app: the stats computed from the last listing (one pass over it, whatever the number of files). */
  private readonly computed = new WeakMap<AppRoutes, { result: ListingResult; stats: Map<string, RouteStats> }>();
  private readonly rendered = new vscode.EventEmitter<{ file: string; lenses: LensLine[] }>();
  /** Fires with the lenses handed to VS Code for a file (tests wait on it). */
  readonly onDidProvide = this.rendered.event;

  constructor(private readonly routes: AppRoutesCache, private readonly listings: RequestListings, private readonly enabled: () => boolean) {}

  /** Redraws the lenses (new numbers, or just a newer "4 min ago"). */
  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const target = folder && folderTarget(folder);
    if (!folder || !target) return [];
    const app = await this.routes.get(folder);
    const file = path.relative(folder.uri.fsPath, document.uri.fsPath).split(path.sep).join('/');
    if (!app || !app.routes.some((r) => r.file === file) || token.isCancellationRequested) return [];
    // A stale result is shown at once and replaced when the new listing arrives; only the first one is waited for.
    const stale = this.listings.peek(target);
    if (!stale || !this.listings.isFresh(target)) {
      const next = this.listings.get(target);
      if (stale) void next.then(() => this.changed.fire(), () => undefined);
    }
    const result = stale ?? await this.listings.get(target);
    if (token.isCancellationRequested) return [];
    const lines = lensesForFile(app.routes, file, this.insight(app, result, target), target.service, Date.now());
    this.rendered.fire({ file: document.uri.fsPath, lenses: lines });
    return lines.flatMap((line) => this.toLenses(document, line, target));
  }

  dispose(): void {
    this.changed.dispose();
    this.rendered.dispose();
  }

  private insight(app: AppRoutes, result: ListingResult, target: TailTarget): ServiceInsight {
    if (result.kind === 'notDeployed') return { kind: 'notDeployed', service: target.service };
    if (result.kind === 'unavailable') return { kind: 'unavailable', message: result.message, ...(result.reason ? { reason: result.reason } : {}) };
    let computed = this.computed.get(app);
    if (computed?.result !== result) {
      computed = { result, stats: routeStats(app.matcher, result.listing) };
      this.computed.set(app, computed);
    }
    return { kind: 'stats', stats: computed.stats, listedAtMs: result.listedAtMs, capped: result.listing.capped };
  }

  private toLenses(document: vscode.TextDocument, line: LensLine, target: TailTarget): vscode.CodeLens[] {
    const range = document.lineAt(Math.min(document.lineCount, line.line) - 1).range;
    // Clicking the numbers lists again now (the listing is otherwise a minute old at most).
    const numbers = new vscode.CodeLens(range, { title: line.title, tooltip: `${line.tooltip}. Click to refresh.`, command: REFRESH_INSIGHT_COMMAND });
    if (!line.route) return [numbers];
    return [numbers, new vscode.CodeLens(range, {
      title: SHOW_ROUTE_LOGS_TITLE, command: SHOW_ROUTE_LOGS_COMMAND, arguments: [target, line.route],
      tooltip: `Tail ${target.service}'s logs for ${line.route.methods?.join('|') ?? ''} ${line.route.path} only`.replace('  ', ' '),
    })];
  }
}
