// "Show Build Log": one output channel that shows one build's log at a time, from its first line, and
// follows it while the build runs. Showing another build (or the same again) stops the previous follow.
import * as vscode from 'vscode';
import { BuildSummary } from '../core/builds';
import { resultWord } from '../core/buildText';
import { BuildLogReader } from './buildLogs';

export const BUILD_LOG_CHANNEL = 'Mentor: Cloud Build';

export class BuildLogChannel implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(BUILD_LOG_CHANNEL);
  private following: AbortController | undefined;
  /** The follow under way (tests wait on it). */
  current: Promise<BuildSummary> | undefined;

  constructor(private readonly reader: BuildLogReader, private readonly log: vscode.LogOutputChannel) {}

  show(build: BuildSummary, reread: () => Promise<BuildSummary>): Promise<BuildSummary> {
    this.following?.abort();
    const abort = (this.following = new AbortController());
    this.channel.clear();
    this.channel.appendLine(`Build ${build.id}${build.shortSha ? ` · ${build.shortSha}` : ''}${build.branch ? ` (${build.branch})` : ''}` +
      ` · ${resultWord(build)}${build.logUrl ? ` · ${build.logUrl}` : ''}`);
    this.channel.show(true);
    const done = this.reader.follow(build, reread, (lines) => {
      if (!abort.signal.aborted) this.channel.append(lines.map((l) => `${l}\n`).join(''));
    }, abort.signal).then((ended) => {
      if (!abort.signal.aborted && ended !== build) this.channel.appendLine(`--- build ${resultWord(ended)}`);
      return ended;
    }, (error: unknown) => {
      const message = (error as Error)?.message ?? String(error);
      if (!abort.signal.aborted) this.channel.appendLine(`--- reading the build log failed: ${message}`);
      this.log.warn(`Build log of ${build.id}: ${message}`);
      throw error;
    });
    this.current = done;
    return done;
  }

  dispose(): void {
    this.following?.abort();
    this.channel.dispose();
  }
}
