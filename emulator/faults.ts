// Test hooks behind the Control service: per-method call counts, injected failures/latency, and a
// one-shot failure for the next long-running operation.
import { grpc } from 'google-gax';
import { ApiError } from './apiError';

interface InjectedFault {
  code: number;
  message: string;
  remaining: number;
  delayMs: number;
}

export interface OperationFailure {
  code: number;
  /** Empty = let the emulator use the realistic message for the failing change. */
  message: string;
}

/** "google.cloud.run.v2.Services/UpdateService", whichever of the usual spellings was given. */
export function normalizeMethod(method: string): string {
  const trimmed = method.trim().replace(/^\//, '');
  if (trimmed.includes('/')) return trimmed;
  const dot = trimmed.lastIndexOf('.');
  return dot > 0 ? `${trimmed.slice(0, dot)}/${trimmed.slice(dot + 1)}` : trimmed;
}

export class FaultInjector {
  private readonly faults = new Map<string, InjectedFault>();
  private readonly calls = new Map<string, number>();
  private operationFailure: OperationFailure | undefined;

  inject(method: string, code: number, message: string, count: number, delayMs = 0): void {
    const name = normalizeMethod(method);
    this.faults.set(name, {
      code,
      message: message || `Injected failure for ${name} (${grpc.status[code] ?? code}).`,
      remaining: Math.max(1, count),
      delayMs: Math.max(0, delayMs),
    });
  }

  /** Counts a call and says how it must go: an error to answer with and/or a delay first. */
  onCall(method: string): { error?: ApiError; delayMs: number } {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const fault = this.faults.get(method);
    if (!fault) return { delayMs: 0 };
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(method);
    const error = fault.code === grpc.status.OK ? undefined : new ApiError(fault.code, fault.message);
    return { error, delayMs: fault.delayMs };
  }

  failNextOperation(failure: OperationFailure): void {
    this.operationFailure = failure;
  }

  takeOperationFailure(): OperationFailure | undefined {
    const failure = this.operationFailure;
    this.operationFailure = undefined;
    return failure;
  }

  stats(reset: boolean): Record<string, number> {
    const snapshot = Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
    if (reset) this.calls.clear();
    return snapshot;
  }

  reset(): void {
    this.faults.clear();
    this.calls.clear();
    this.operationFailure = undefined;
  }
}
