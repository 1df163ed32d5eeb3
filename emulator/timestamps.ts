// google.protobuf.Timestamp helpers (int64 seconds travel as decimal strings).
import type { Timestamp } from './apiTypes';

export function timestampFromMs(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function nowTimestamp(): Timestamp {
  return timestampFromMs(Date.now());
}

export function timestampToMs(ts: Timestamp | undefined): number {
  if (!ts) return 0;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Sort key with nanosecond precision, for stable "newest first" orders. */
export function timestampKey(ts: Timestamp | undefined): bigint {
  if (!ts) return 0n;
  return BigInt(ts.seconds ?? 0) * 1_000_000_000n + BigInt(ts.nanos ?? 0);
}
