// google.longrunning operations: created `done: false`, finished after the configured delay by running
// the change they stand for. Kept in memory only (a restarted emulator has no operations in flight).
import { randomUUID } from 'node:crypto';
import { grpc } from 'google-gax';
import { notFound } from './apiError';
import type { AnyMessage } from './protos';
import type { Operation, RpcStatus } from './apiTypes';
import { paginate, type Page } from './pagination';

export type OperationOutcome = { response: AnyMessage } | { error: RpcStatus };

interface TrackedOperation {
  op: Operation;
  timer?: NodeJS.Timeout;
  waiters: Set<() => void>;
  /** Dropped by clear() while an async finish was still running: its outcome goes nowhere. */
  cleared?: boolean;
}

function operationName(parent: string): string {
  return parent ? `${parent}/operations/${randomUUID()}` : `operations/${randomUUID()}`;
}

export const DEFAULT_OPERATION_DELAY_MS = 300;

export class OperationStore {
  private readonly ops = new Map<string, TrackedOperation>();

  constructor(public delayMs: number = DEFAULT_OPERATION_DELAY_MS, private readonly onFinished: () => void = () => {}) {}

  /**
   * Registers an operation under `parent` (projects/P/locations/L; "" = a global `operations/ID` as Service
   * Usage names them) and schedules `finish`, which applies the change and says how the operation ends.
   * `finish` may be async (a revision starting its container): the operation stays `done: false` until it
   * settles. Returns the operation as the client first sees it.
   */
  start(parent: string, metadata: AnyMessage, finish: () => OperationOutcome | Promise<OperationOutcome>): Operation {
    const name = operationName(parent);
    const tracked: TrackedOperation = { op: { name, done: false, metadata }, waiters: new Set() };
    this.ops.set(name, tracked);
    tracked.timer = setTimeout(() => void this.complete(tracked, finish), this.delayMs);
    return structuredClone(tracked.op);
  }

  /** An operation that is already over when returned (validate_only requests). */
  startDone(parent: string, metadata: AnyMessage, outcome: OperationOutcome): Operation {
    const name = operationName(parent);
    const op: Operation = { name, done: true, metadata, ...outcome };
    this.ops.set(name, { op, waiters: new Set() });
    return structuredClone(op);
  }

  private async complete(tracked: TrackedOperation, finish: () => OperationOutcome | Promise<OperationOutcome>): Promise<void> {
    tracked.timer = undefined;
    let outcome: OperationOutcome;
    try {
      outcome = await finish();
    } catch (err) {
      outcome = { error: { code: grpc.status.INTERNAL, message: err instanceof Error ? err.message : String(err) } };
    }
    if (tracked.cleared) return;
    Object.assign(tracked.op, { done: true }, outcome);
    for (const wake of tracked.waiters) wake();
    tracked.waiters.clear();
    this.onFinished();
  }

  /** Replaces the metadata of an operation in flight (Cloud Build's carries the build as it progresses). */
  setMetadata(name: string, metadata: AnyMessage): void {
    const tracked = this.ops.get(name);
    if (tracked && !tracked.op.done) tracked.op.metadata = metadata;
  }

  get(name: string): Operation {
    return structuredClone(this.tracked(name).op);
  }

  /** Resolves when the operation is done or `timeoutMs` has passed, whichever comes first. */
  async wait(name: string, timeoutMs: number): Promise<Operation> {
    const tracked = this.tracked(name);
    if (!tracked.op.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          tracked.waiters.delete(done);
          resolve();
        }
        tracked.waiters.add(done);
      });
    }
    return structuredClone(tracked.op);
  }

  list(parent: string, req: { pageSize?: number; pageToken?: string }): Page<Operation> {
    const prefix = parent && parent !== 'operations' ? `${parent}/operations/` : 'operations/';
    const matching = [...this.ops.values()].map((t) => t.op).filter((op) => op.name.startsWith(prefix));
    const page = paginate(matching, req, `operations:${parent}`, { defaultSize: 100, maxSize: 1000 });
    return { ...page, items: page.items.map((op) => structuredClone(op)) };
  }

  delete(name: string): void {
    // A pending change still happens (its timer keeps running); only the record of it goes away,
    // as with Google's DeleteOperation.
    this.tracked(name);
    this.ops.delete(name);
  }

  /** Finishes nothing further: pending timers are dropped and waiters released. */
  clear(): void {
    for (const tracked of this.ops.values()) {
      if (tracked.timer) clearTimeout(tracked.timer);
      tracked.cleared = true;
      for (const wake of tracked.waiters) wake();
    }
    this.ops.clear();
  }

  private tracked(name: string): TrackedOperation {
    const tracked = this.ops.get(name);
    if (!tracked) throw notFound(`Operation '${name}' was not found.`);
    return tracked;
  }
}
