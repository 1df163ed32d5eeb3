// One live tail of a Cloud Run service: backfill the last N entries, then TailLogEntries; when the
// stream ends or fails (Google ends tail sessions after a while) reconnect with backoff and re-read from
// the last timestamp shown, so nothing written in between is lost and nothing is shown twice.
// No vscode import: the manager turns the events into channel lines and a status bar, and tests and
// the benchmark drive a session in plain Node.
import { UserFacingError } from '../core/errors';
import {
  Backoff, BackoffOptions, CloudLogEntry, DEFAULT_BACKOFF, Deduper, LogLevel, TailFilter, TailTarget, buildFilter,
  canonicalTimestamp, describeFilter, isErrorSeverity, isRetryableStreamError,
} from '../core/logEntries';
import type { CloudLoggingApi, Suppression } from '../gcp/cloudLogging';

export type TailState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface TailStatus {
  state: TailState;
  /** Failed connection attempts since the stream was last live. */
  attempt: number;
  /** Entries shown, and how many of them were ERROR or worse. */
  entries: number;
  errorEntries: number;
  /** Streams that failed (not counting the ones Google simply ended). */
  streamFailures: number;
  reconnects: number;
  /** Why the session stopped, when it stopped on its own. */
  lastError?: string;
}

export interface TailEvents {
  /** New entries, oldest first, never one twice. */
  entries(entries: CloudLogEntry[]): void;
  notice(level: LogLevel, text: string): void;
  status(status: TailStatus): void;
}

export interface TailSessionOptions {
  /** Entries shown from before the tail started. */
  backfill: number;
  /** TailLogEntries buffer_window: longer = better ordering, later display. */
  bufferWindowMs: number;
  /** A second catch-up this long after a reconnect covers entries written while the server opened the tail. */
  settleMs: number;
  /** Most entries a catch-up re-reads after a long gap. */
  catchUpMax: number;
  backoff: BackoffOptions;
}

export const DEFAULT_TAIL_OPTIONS: TailSessionOptions = {
  backfill: 100, bufferWindowMs: 500, settleMs: 2000, catchUpMax: 10_000, backoff: DEFAULT_BACKOFF,
};

const RETRYABLE_KINDS = new Set(['unreachable', 'unknown', 'conflict']);

function retryable(error: unknown): boolean {
  return error instanceof UserFacingError ? RETRYABLE_KINDS.has(error.kind) : isRetryableStreamError(error);
}

function describeError(error: unknown): string {
  const e = error as { details?: string; message?: string } | undefined;
  return (e?.details || e?.message || String(error)).replace(/^\d+ [A-Z_]+: /, '');
}

function nowCanonical(offsetMs = 0): string {
  const ms = Date.now() + offsetMs;
  return canonicalTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1e6);
}

export class TailSession {
  private filterValue: TailFilter = {};
  private readonly options: TailSessionOptions;
  private readonly deduper = new Deduper();
  private readonly backoff: Backoff;
  private current: AbortController | undefined;
  private wake: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private backfilled = false;
  /** Newest timestamp shown: where a reconnect resumes. */
  private lastSeen: string | undefined;
  private firstConnect: string | undefined;
  readonly status: TailStatus = { state: 'stopped', attempt: 0, entries: 0, errorEntries: 0, streamFailures: 0, reconnects: 0 };

  constructor(
    readonly target: TailTarget,
    private readonly api: () => Promise<CloudLoggingApi>,
    private readonly events: TailEvents,
    options: Partial<TailSessionOptions> = {},
  ) {
    this.options = { ...DEFAULT_TAIL_OPTIONS, ...options };
    this.backoff = new Backoff(this.options.backoff);
  }

  get filter(): TailFilter {
    return { ...this.filterValue };
  }

  get running(): boolean {
    return this.loop !== undefined && !this.stopped;
  }

  start(filter: TailFilter = this.filterValue): void {
    this.filterValue = { ...filter };
    if (this.running) return;
    this.stopped = false;
    this.status.lastError = undefined;
    // A restarted tail shows the last entries again (those already shown are not repeated).
    this.backfilled = false;
    // A stop() still winding down finishes first; only then does the new loop start.
    const loop: Promise<void> = (this.loop ?? Promise.resolve()).then(() => this.run())
      .finally(() => { if (this.loop === loop) this.loop = undefined; });
    this.loop = loop;
  }

  /** Changes the filter of a running tail: the stream restarts from the last entry shown. */
  setFilter(filter: TailFilter): void {
    this.filterValue = { ...filter };
    if (!this.running) return;
    this.events.notice('info', `Filter: ${describeFilter(this.filterValue)}`);
    this.setState('connecting');
    // Aborting the stream (or the backoff wait) makes the loop reconnect at once with the new filter.
    this.current?.abort();
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.abort();
    await this.loop;
    this.setState('stopped');
  }

  private async run(): Promise<void> {
    this.setState('connecting');
    while (!this.stopped) {
      const controller = new AbortController();
      this.current = controller;
      const openedAt = Date.now();
      let delayMs = 0;
      try {
        await this.connectOnce(await this.api(), controller.signal);
        if (this.stopped) break;
        if (controller.signal.aborted) continue; // a filter change: reconnect now
        this.events.notice('info', 'Cloud Logging ended the tail session; reconnecting.');
        delayMs = this.backoff.ended();
      } catch (error) {
        if (this.stopped) break;
        if (controller.signal.aborted) continue;
        if (!retryable(error)) {
          this.status.lastError = describeError(error);
          this.events.notice('error', `Tail stopped: ${this.status.lastError}`);
          this.stopped = true;
          break;
        }
        this.status.streamFailures++;
        delayMs = this.backoff.failed(Date.now() - openedAt);
        this.status.attempt = this.backoff.consecutiveFailures;
        this.events.notice('warn', `Tail stream failed: ${describeError(error)}. Reconnecting in ` +
          `${(delayMs / 1000).toFixed(1)} s (attempt ${this.status.attempt}).`);
      } finally {
        controller.abort();
      }
      this.status.reconnects++;
      this.setState('reconnecting');
      await this.sleep(delayMs);
    }
    this.current = undefined;
    this.setState('stopped');
  }

  /** Opens the tail, shows what it missed (backfill or catch-up), then what the tail delivers. */
  private async connectOnce(api: CloudLoggingApi, signal: AbortSignal): Promise<void> {
    this.firstConnect ??= nowCanonical(-60_000);
    const resumeFrom = this.lastSeen ?? this.firstConnect;
    let buffered: CloudLogEntry[] | undefined = [];
    const tailDone = api.tail(
      { filter: buildFilter(this.target, this.filterValue), bufferWindowMs: this.options.bufferWindowMs },
      (entries) => (buffered ? buffered.push(...entries) : this.show(entries)),
      (suppression) => this.suppressed(suppression),
      signal,
    );
    // Observed here so a stream that fails during the catch-up is not an unhandled rejection.
    tailDone.catch(() => undefined);
    const missed = this.backfilled ? await this.catchUp(api, resumeFrom) : await this.backfill(api);
    if (signal.aborted) return;
    this.show(missed);
    const waiting = buffered;
    buffered = undefined;
    this.show(waiting);
    this.status.attempt = 0;
    this.setState('live');
    // Entries written after the catch-up's read but before the server had the tail open are in neither:
    // read once more from the newest entry the catch-up saw. One page, quietly: it is a safety net.
    const settleFrom = missed.length ? missed[missed.length - 1].timestamp : resumeFrom;
    const settle = setTimeout(() => {
      this.catchUp(api, settleFrom, 1000).then((late) => { if (!signal.aborted) this.show(late); }, () => undefined);
    }, this.options.settleMs);
    try {
      await tailDone;
    } finally {
      clearTimeout(settle);
    }
  }

  private async backfill(api: CloudLoggingApi): Promise<CloudLogEntry[]> {
    const newestFirst = this.options.backfill <= 0 ? [] : await api.listEntries({
      filter: buildFilter(this.target, this.filterValue), orderBy: 'timestamp desc', pageSize: Math.min(1000, this.options.backfill),
      maxEntries: this.options.backfill,
    });
    this.backfilled = true;
    return newestFirst.reverse();
  }

  /** Entries since `since`, oldest first; with `quietMax`, at most that many and no notice when cut. */
  private async catchUp(api: CloudLoggingApi, since: string, quietMax?: number): Promise<CloudLogEntry[]> {
    const entries = await api.listEntries({
      filter: buildFilter(this.target, this.filterValue, since), orderBy: 'timestamp asc', pageSize: 1000,
      maxEntries: quietMax ?? this.options.catchUpMax,
    });
    if (quietMax === undefined && entries.length >= this.options.catchUpMax) {
      this.events.notice('warn', `Showing the first ${entries.length} entries written since ${since}; more may follow from the live tail.`);
    }
    return entries;
  }

  private show(entries: CloudLogEntry[]): void {
    const fresh = entries.filter((entry) => this.deduper.add(entry));
    if (fresh.length === 0) return;
    let errors = 0;
    for (const entry of fresh) {
      if (!this.lastSeen || entry.timestamp > this.lastSeen) this.lastSeen = entry.timestamp;
      if (isErrorSeverity(entry.severity)) errors++;
    }
    this.status.entries += fresh.length;
    this.status.errorEntries += errors;
    this.events.entries(fresh);
    if (errors) this.events.status({ ...this.status });
  }

  private suppressed({ reason, count }: Suppression): void {
    const why = reason === 'RATE_LIMIT' ? 'more than Cloud Logging streams per minute'
      : reason === 'NOT_CONSUMED' ? 'they were not read fast enough' : reason;
    this.events.notice('warn', `Cloud Logging left out ${count} entries (${why}).`);
  }

  private setState(state: TailState): void {
    if (this.status.state === state && state !== 'reconnecting') return;
    this.status.state = state;
    this.events.status({ ...this.status });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const wake = new AbortController();
    this.wake = wake;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
