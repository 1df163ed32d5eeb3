// The narrow interface the tail sessions use for Cloud Logging. The implementation (and the Google
// client behind it) is loaded only when the first tail starts.
import type { CloudLogEntry } from '../core/logEntries';
import type { MentorTarget } from '../core/settings';

export interface ListEntriesRequest {
  filter: string;
  orderBy: 'timestamp asc' | 'timestamp desc';
  /** Per call, at most 1000. */
  pageSize: number;
  /** Keep paging until this many entries (default: one page). */
  maxEntries?: number;
}

export interface TailRequest {
  filter: string;
  /** Default projects/<project>. */
  resourceNames?: string[];
  /** How long the server holds entries to send them in order (0–60000 ms). */
  bufferWindowMs: number;
}

export interface Suppression {
  /** RATE_LIMIT (more than Logging streams) or NOT_CONSUMED (we read too slowly). */
  reason: string;
  count: number;
}

export interface CloudLoggingApi {
  readonly target: MentorTarget;
  /** "host:port" of an emulator, or undefined for Google. */
  readonly endpoint: string | undefined;
  listEntries(request: ListEntriesRequest): Promise<CloudLogEntry[]>;
  /**
   * Streams entries (oldest first within each batch) until the server ends the stream (resolves), it
   * fails (rejects with the gRPC error), or `signal` aborts (resolves).
   */
  tail(request: TailRequest, onEntries: (entries: CloudLogEntry[]) => void,
    onSuppression: (suppression: Suppression) => void, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function connectCloudLogging(target: MentorTarget): Promise<CloudLoggingApi> {
  const { GoogleCloudLogging } = await import('./cloudLoggingClient');
  return GoogleCloudLogging.connect(target);
}
