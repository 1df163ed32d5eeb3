// Collects lines for an output channel and writes them in batches: a burst of 10,000 entries becomes a
// few timed flushes of bounded size instead of 10,000 separate UI updates, and the extension host gets
// the event loop back between flushes. No vscode import: the benchmark drives it in plain Node.
import type { LogLevel } from '../core/logEntries';

export interface OutputLine {
  level: LogLevel;
  text: string;
}

export interface LineBatcherOptions {
  /** How long lines may wait for company (default 100 ms). */
  intervalMs: number;
  /** Lines per flush; the rest follow on the next turn of the event loop (default 2000). */
  maxLinesPerFlush: number;
}

export class LineBatcher {
  private queue: OutputLine[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly options: LineBatcherOptions;
  private disposed = false;
  /** Lines handed to `write` so far. */
  written = 0;

  constructor(private readonly write: (lines: OutputLine[]) => void, options: Partial<LineBatcherOptions> = {}) {
    this.options = { intervalMs: 100, maxLinesPerFlush: 2000, ...options };
  }

  push(line: OutputLine): void {
    if (this.disposed) return;
    this.queue.push(line);
    this.schedule(this.options.intervalMs);
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Writes everything now (e.g. before a notice that must come after the queued lines). */
  flushAll(): void {
    while (this.pending > 0) this.flushOnce();
  }

  dispose(): void {
    this.flushAll();
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushOnce();
      if (this.pending > 0) this.schedule(0);
    }, delayMs);
  }

  private flushOnce(): void {
    const end = Math.min(this.queue.length, this.head + this.options.maxLinesPerFlush);
    const batch = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    if (batch.length === 0) return;
    this.written += batch.length;
    this.write(batch);
  }
}
