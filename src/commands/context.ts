// What every command receives. Built once in activate(); no global state elsewhere.
import * as vscode from 'vscode';
import { TrafficTarget } from '../core/model';
import { CloudRunConnection } from '../gcp/cloudRunConnection';
import { ExplorerProvider } from '../tree/explorerProvider';

export interface MentorContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly connection: CloudRunConnection;
  readonly explorer: ExplorerProvider;
  /** Desired traffic per service before Mentor last changed it, for Undo. */
  readonly previousTraffic: Map<string, TrafficTarget[]>;
}

export interface MentorCommand<Args extends unknown[] = unknown[]> {
  readonly id: string;
  run(ctx: MentorContext, ...args: Args): Promise<unknown> | unknown;
}
