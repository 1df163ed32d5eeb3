// A build's log as Cloud Build writes it to Cloud Logging (contract 2): one entry per line, the step in the
// `build_step` label. Read with the Logging client the tails use; followed by listing the entries newer than
// the last one seen while the build runs (in order, nothing lost between calls). No vscode import.
import { BuildSummary, isFinished } from '../core/builds';
import { buildLogFilter, buildLogLine, stepLogFilter } from '../core/buildText';
import type { CloudLogEntry } from '../core/logEntries';
import type { CloudLoggingApi } from '../gcp/cloudLogging';

const FOLLOW_EVERY_MS = 2_000;
/** Cloud Logging may receive the last lines a little after the build ends. */
const LAST_READ_AFTER_MS = 1_500;
const MAX_LINES = 5_000;

export function entryLine(entry: CloudLogEntry): string {
  return buildLogLine(entry.text, entry.buildStep);
}

export class BuildLogReader {
  constructor(private readonly logging: () => Promise<CloudLoggingApi>) {}

  /** The last `count` lines of one step (for the failure notice). */
  async stepTail(build: BuildSummary, stepId: string, count = 20): Promise<string[]> {
    const step = build.steps.find((s) => s.id === stepId);
    if (!step) return [];
    const entries = await (await this.logging()).listEntries({
      filter: stepLogFilter(build.projectId, build.id, step), orderBy: 'timestamp desc', pageSize: count,
    });
    return entries.reverse().map((e) => e.text);
  }

  /**
   * Writes the build's log to `write` from the first line, and keeps following while the build runs; resolves
   * with the build as it ended (or as it was when `signal` aborted).
   */
  async follow(build: BuildSummary, reread: () => Promise<BuildSummary>, write: (lines: string[]) => void,
    signal: AbortSignal, sleep: (ms: number) => Promise<void> = defaultSleep): Promise<BuildSummary> {
    const seen = new Set<string>();
    let since: string | undefined;
    let written = 0;
    const readNew = async () => {
      const logging = await this.logging();
      const filter = buildLogFilter(build.projectId, build.id) + (since ? ` AND timestamp>="${since}"` : '');
      const entries = await logging.listEntries({ filter, orderBy: 'timestamp asc', pageSize: 1000, maxEntries: MAX_LINES });
      const fresh = entries.filter((e) => !seen.has(e.insertId));
      for (const e of fresh) seen.add(e.insertId);
      if (fresh.length) since = fresh[fresh.length - 1].timestamp;
      if (fresh.length && written < MAX_LINES) {
        const lines = fresh.map(entryLine).slice(0, MAX_LINES - written);
        written += lines.length;
        write(lines);
      }
    };
    let current = build;
    await readNew();
    while (!signal.aborted && !isFinished(current.status)) {
      await sleep(FOLLOW_EVERY_MS);
      if (signal.aborted) break;
      current = await reread();
      await readNew();
    }
    if (!signal.aborted && current !== build) {
      await sleep(LAST_READ_AFTER_MS);
      if (!signal.aborted) await readNew();
    }
    return current;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
