// The only part of route insight that activation holds: it waits for the first visible Python editor of a
// Mentor app (a folder with mentor.project) before loading the CodeLens feature, and for the first cloud
// traceback before loading the inline error decorations. mentor.insight.enabled turns both off.
import * as vscode from 'vscode';
import type { CloudDiagnostics } from '../logs/cloudDiagnostics';
import type { InsightFeature } from './insightFeature';
import type { ErrorDecorations } from './errorDecorations';
import type { MentorContext } from '../commands/context';

export const INSIGHT_SETTING = 'mentor.insight.enabled';

export function insightEnabled(): boolean {
  return vscode.workspace.getConfiguration('mentor').get<boolean>('insight.enabled', true);
}

function looksLikeAppPython(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file' || (document.languageId !== 'python' && !document.fileName.endsWith('.py'))) return false;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  return !!folder && !!vscode.workspace.getConfiguration('mentor', folder.uri).get<string>('project', '').trim();
}

export class InsightHandle implements vscode.Disposable {
  private feature: Promise<InsightFeature> | undefined;
  private decorations: Promise<ErrorDecorations> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ctx: MentorContext | undefined;

  constructor(private readonly diagnostics: CloudDiagnostics, private readonly log: vscode.LogOutputChannel) {}

  /** Starts watching (after activate() returns: activation itself pays nothing). */
  watch(ctx: MentorContext): void {
    this.ctx = ctx;
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.maybeStart()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(INSIGHT_SETTING)) this.maybeStart(); }),
      this.diagnostics.onDidRender(() => {
        if (!this.decorations && insightEnabled() && this.diagnostics.problems.length) this.loadDecorations();
      }));
    setTimeout(() => this.maybeStart(), 0);
  }

  /** The loaded feature, if a Python file of an app was shown (the refresh command and tests use it). */
  get loaded(): Promise<InsightFeature> | undefined {
    return this.feature;
  }

  /** Loads the feature now, whatever is visible. */
  start(): Promise<InsightFeature> {
    if (!this.feature) {
      this.feature = import('./insightFeature').then((m) => new m.InsightFeature(this.ctx!, insightEnabled));
      this.feature.then((f) => this.disposables.push(f), (error: unknown) => {
        this.feature = undefined;
        this.log.warn(`Route insight: ${(error as Error)?.message ?? error}`);
      });
    }
    return this.feature;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.decorations?.then((d) => d.dispose(), () => undefined);
  }

  private maybeStart(): void {
    if (this.feature || !this.ctx || !insightEnabled()) return;
    if (vscode.window.visibleTextEditors.some((e) => looksLikeAppPython(e.document))) void this.start().catch(() => undefined);
  }

  private loadDecorations(): void {
    this.decorations = import('./errorDecorations').then((m) => new m.ErrorDecorations(this.diagnostics, insightEnabled));
    this.decorations.catch((error: unknown) => {
      this.decorations = undefined;
      this.log.warn(`Production error decorations: ${(error as Error)?.message ?? error}`);
    });
  }
}
