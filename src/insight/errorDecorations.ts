// New production errors next to the code in view, without opening any panel: while a tail runs, each
// traceback the cloud diagnostics place on a line also gets an after-line note on visible editors
// ("⚠ 3× in production, last 2 min ago"). Drawn from the diagnostics' own problems, so clearing them
// (Clear Cloud Diagnostics, a revision taking all traffic) clears the notes too.
import * as vscode from 'vscode';
import { productionErrorNote } from '../core/routeLenses';
import type { CloudProblem } from '../core/traceback';
import type { CloudDiagnostics } from '../logs/cloudDiagnostics';

export class ErrorDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorError.foreground'), fontStyle: 'italic' },
    isWholeLine: false,
  });
  private readonly disposables: vscode.Disposable[];
  /** "2 min ago" ages: redrawn every 30 s while a note is shown. */
  private timer: NodeJS.Timeout | undefined;
  private readonly drawn = new vscode.EventEmitter<{ file: string; notes: string[] }[]>();
  /** Fires after a redraw with the notes per visible file (tests wait on it). */
  readonly onDidDraw = this.drawn.event;

  constructor(private readonly diagnostics: CloudDiagnostics, private readonly enabled: () => boolean) {
    this.disposables = [this.type, this.drawn,
      diagnostics.onDidRender(() => this.draw()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.draw()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('mentor.insight.enabled')) this.draw(); })];
    this.draw();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  private draw(): void {
    const problems = this.enabled() ? this.diagnostics.problems : [];
    const byFile = new Map<string, Map<number, CloudProblem[]>>();
    for (const problem of problems) {
      const lines = byFile.get(problem.file) ?? new Map<number, CloudProblem[]>();
      lines.set(problem.line, [...(lines.get(problem.line) ?? []), problem]);
      byFile.set(problem.file, lines);
    }
    const now = Date.now();
    const report: { file: string; notes: string[] }[] = [];
    for (const editor of vscode.window.visibleTextEditors) {
      const lines = editor.document.uri.scheme === 'file' ? byFile.get(editor.document.uri.fsPath) : undefined;
      const options: vscode.DecorationOptions[] = [];
      for (const [line, onLine] of lines ?? []) {
        if (line < 1 || line > editor.document.lineCount) continue;
        const text = productionErrorNote(onLine, now);
        const end = editor.document.lineAt(line - 1).range.end;
        options.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } },
          hoverMessage: onLine.map((p) => `${p.exceptionType}: ${p.exceptionMessage}`).join('\n\n') });
      }
      editor.setDecorations(this.type, options);
      if (options.length) report.push({ file: editor.document.uri.fsPath, notes: options.map((o) => o.renderOptions!.after!.contentText!) });
    }
    if (report.length && !this.timer) {
      this.timer = setInterval(() => this.draw(), 30_000);
      this.timer.unref?.();
    } else if (!report.length && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.drawn.fire(report);
  }
}
