// Python tracebacks from Cloud Run logs as Diagnostics on the workspace lines they point at (source
// "Mentor (cloud)"), with a "Show log entries" code action. Parsing and aggregation live in
// src/core/traceback.ts; this file maps container paths with the user's setting and talks to VS Code.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { timestampMs } from '../core/logEntries';
import {
  CloudProblem, PathMapping, TracebackAggregator, TracebackOccurrence, mapContainerPath, resolvePathMappings,
} from '../core/traceback';

export const CLOUD_DIAGNOSTIC_SOURCE = 'Mentor (cloud)';
export const SHOW_ENTRIES_TITLE = 'Show log entries';
export const SHOW_ENTRIES_COMMAND = 'mentor.showCloudLogEntries';
const PROBLEM_SCHEME = 'mentor-cloud-problem';
const DEFAULT_MAPPINGS = { '/app': '${workspaceFolder}' };

function readMappings(): PathMapping[] {
  const setting = vscode.workspace.getConfiguration('mentor').get<Record<string, string>>('containerPathMappings', DEFAULT_MAPPINGS);
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, path: f.uri.fsPath }));
  return resolvePathMappings(setting, folders);
}

function lastSeenLabel(canonical: string): string {
  return new Date(timestampMs(canonical)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export class CloudDiagnostics implements vscode.Disposable, vscode.CodeActionProvider, vscode.TextDocumentContentProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection(CLOUD_DIAGNOSTIC_SOURCE);
  private readonly aggregator = new TracebackAggregator((file) => this.localFile(file));
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the diagnostics were redrawn (tests wait on it). */
  readonly onDidRender = this.changed.event;
  private mappingsRead: PathMapping[] | undefined;
  private readonly existing = new Map<string, boolean>();
  private renderTimer: NodeJS.Timeout | undefined;
  private listening = false;

  constructor() {
    this.disposables.push(this.collection, this.changed);
  }

  private get mappings(): PathMapping[] {
    return (this.mappingsRead ??= readMappings());
  }

  /**
   * From the first traceback on: until then no file has a cloud diagnostic, and a code action provider for
   * every file would be asked on every cursor move for nothing.
   */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.disposables.push(
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: CloudDiagnostics.providedCodeActionKinds }),
      vscode.workspace.registerTextDocumentContentProvider(PROBLEM_SCHEME, this),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mentor.containerPathMappings')) this.remap();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.remap()));
  }

  /** Counts tracebacks from a tail; the diagnostics are redrawn shortly after (bursts redraw once). */
  add(occurrences: readonly TracebackOccurrence[]): void {
    this.listen();
    let counted = false;
    for (const occurrence of occurrences) counted = this.aggregator.add(occurrence) !== undefined || counted;
    if (counted) this.scheduleRender();
  }

  /** Clears all cloud diagnostics, or one service's except those of `keepRevision`. Returns how many went. */
  clear(service?: string, keepRevision?: string): number {
    const removed = this.aggregator.clear(service, keepRevision);
    this.render();
    return removed;
  }

  /**
   * For the traffic and deploy code: a revision now takes all of `service`'s traffic, so the older
   * revisions' crashes are history.
   */
  revisionTookAllTraffic(service: string, revision: string): number {
    return this.clear(service, revision);
  }

  get problems(): CloudProblem[] {
    return this.aggregator.all;
  }

  problem(key: string): CloudProblem | undefined {
    return this.aggregator.get(key);
  }

  provideCodeActions(_document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics.filter((d) => d.source === CLOUD_DIAGNOSTIC_SOURCE).flatMap((diagnostic) => {
      // The diagnostic's code links to its problem's document; that link carries the problem's key.
      const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
      const key = target?.scheme === PROBLEM_SCHEME ? decodeURIComponent(target.query) : undefined;
      if (!key || !this.aggregator.get(key)) return [];
      const action = new vscode.CodeAction(SHOW_ENTRIES_TITLE, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { title: SHOW_ENTRIES_TITLE, command: SHOW_ENTRIES_COMMAND, arguments: [key] };
      return [action];
    });
  }

  /** The virtual document "Show log entries" opens: the problem's latest tracebacks. */
  uriFor(problem: CloudProblem): vscode.Uri {
    const name = `${problem.exceptionType} at ${problem.file.split(/[\\/]/).pop()}:${problem.line}.log`;
    return vscode.Uri.from({ scheme: PROBLEM_SCHEME, path: `/${name}`, query: encodeURIComponent(problem.key) });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const problem = this.aggregator.get(decodeURIComponent(uri.query));
    if (!problem) return 'These cloud diagnostics were cleared.\n';
    const header = [
      `${problem.exceptionType}: ${problem.exceptionMessage}`,
      `${problem.file}:${problem.line} — ${problem.count}× in ${problem.service ?? 'Cloud Run'}, last seen ${lastSeenLabel(problem.lastSeen)}` +
        `${problem.revision ? ` (${problem.revision})` : ''}`,
      '',
    ];
    const body = problem.occurrences.slice().reverse().flatMap((o) =>
      [`── ${o.timestamp.slice(0, 23)}Z${o.revision ? ` [${o.revision}]` : ''} insertId ${o.insertId}`, o.text, '']);
    return [...header, ...body].join('\n');
  }

  dispose(): void {
    if (this.renderTimer) clearTimeout(this.renderTimer);
    for (const d of this.disposables) d.dispose();
  }

  private remap(): void {
    this.mappingsRead = readMappings();
    this.existing.clear();
  }

  /** The workspace file for a container path, if the mapping covers it and the file exists. */
  private localFile(containerPath: string): string | undefined {
    const local = mapContainerPath(containerPath, this.mappings);
    if (!local) return undefined;
    let exists = this.existing.get(local);
    if (exists === undefined) {
      exists = fs.existsSync(local);
      this.existing.set(local, exists);
    }
    return exists ? local : undefined;
  }

  private scheduleRender(): void {
    this.renderTimer ??= setTimeout(() => {
      this.renderTimer = undefined;
      this.render();
    }, 150);
  }

  private render(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const lines = new Map<string, string[] | undefined>();
    for (const problem of this.aggregator.all) {
      if (!lines.has(problem.file)) {
        try {
          lines.set(problem.file, fs.readFileSync(problem.file, 'utf8').split(/\r?\n/));
        } catch {
          lines.set(problem.file, undefined);
        }
      }
      const text = lines.get(problem.file)?.[problem.line - 1];
      // A traceback from another version of the file may point past its end: no diagnostic then.
      if (text === undefined) continue;
      const start = text.length - text.trimStart().length;
      const range = new vscode.Range(problem.line - 1, start, problem.line - 1, Math.max(start, text.trimEnd().length));
      const diagnostic = new vscode.Diagnostic(range,
        `${problem.exceptionType}: ${problem.exceptionMessage} — ${problem.count}× in ${problem.revision ?? problem.service ?? 'Cloud Run'}, ` +
        `last seen ${lastSeenLabel(problem.lastSeen)}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = CLOUD_DIAGNOSTIC_SOURCE;
      diagnostic.code = { value: problem.exceptionType, target: this.uriFor(problem) };
      diagnostic.relatedInformation = problem.callers.map((c) => new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(c.file), new vscode.Position(c.line - 1, 0)), `called from ${c.function ?? 'here'}`));
      const list = byFile.get(problem.file) ?? [];
      list.push(diagnostic);
      byFile.set(problem.file, list);
    }
    this.collection.clear();
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
    this.changed.fire();
  }
}
