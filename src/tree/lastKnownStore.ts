// Where the explorer keeps its last-known first level: one small file per listing in the workspace's own
// storage (VS Code's storageUri, on the machine the extension runs on). Read when the view first loads a
// listing, written after each successful load; a failure to read or write only costs the head start.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { decodeLastKnown, encodeLastKnown, type LastKnownServices } from '../core/lastKnownServices';
import { ServiceSummary } from '../core/model';

export class LastKnownStore {
  constructor(private readonly storageUri: vscode.Uri | undefined, private readonly log: vscode.LogOutputChannel) {}

  private fileOf(key: string): vscode.Uri | undefined {
    const name = `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
    return this.storageUri && vscode.Uri.joinPath(this.storageUri, 'last-known-services', name);
  }

  async read(key: string): Promise<LastKnownServices | undefined> {
    const file = this.fileOf(key);
    if (!file) return undefined;
    try {
      // Node's own read for a local file: VS Code's file system API goes through the window, which answers only
      // once the extension host is free, and the explorer reads this just before the Google client loads.
      const bytes = file.scheme === 'file' ? await fs.readFile(file.fsPath) : await vscode.workspace.fs.readFile(file);
      return decodeLastKnown(new TextDecoder().decode(bytes), key);
    } catch {
      return undefined; // none yet
    }
  }

  async write(key: string, services: ServiceSummary[]): Promise<void> {
    const file = this.fileOf(key);
    const text = file && encodeLastKnown(key, services);
    try {
      if (file && text) await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
      else if (file) await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    } catch (error) {
      this.log.warn(`Keeping the last-known services failed: ${(error as Error)?.message ?? error}`);
    }
  }
}
