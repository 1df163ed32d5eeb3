// Read-only documents holding what Mentor proposes to write, so a diff against the user's file can be
// shown before anything is overwritten.
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'mentor-proposal';

export class ProposedFiles implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** A URI whose document shows `content`, titled like the file it would replace. */
  propose(fileName: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${fileName}` });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
