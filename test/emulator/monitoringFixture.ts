// Shared by the MetricService tests: the REAL @google-cloud/monitoring MetricServiceClient over gRPC or in its
// REST mode (fallback: 'rest') against the emulator, traffic recorded at chosen minutes through the emulator's
// own recorder (the same calls the traffic proxy makes), and small readers for what the client decodes.
import * as assert from 'node:assert/strict';
import { MetricServiceClient, protos } from '@google-cloud/monitoring';
import type { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { PROJECT, clientOptions, type Harness } from './fixture';

export type Transport = 'grpc' | 'rest';
export const NAME = `projects/${PROJECT}`;
export const MINUTE = 60_000;
export const COUNT = 'run.googleapis.com/request_count';
export const LATENCIES = 'run.googleapis.com/request_latencies';

export function metricClient(transport: Transport, h: Harness): MetricServiceClient {
  if (transport === 'grpc') return new MetricServiceClient(clientOptions(h.emulator.port));
  return new MetricServiceClient({ apiEndpoint: '127.0.0.1', port: h.emulator.restPort, protocol: 'http', fallback: 'rest', authClient: new PassThroughClient(), projectId: PROJECT });
}

export const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
export const msOf = (t: { seconds?: unknown; nanos?: unknown } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor(Number(t?.nanos ?? 0) / 1e6);

export const rev = (service: string, revision: string) => ({ project: PROJECT, location: 'us-central1', service, revision });

/** Records `n` requests with `status` at `atMs` (latencies from `latency(i)`), as the proxy would. */
export function record(h: Harness, r: ReturnType<typeof rev>, atMs: number, n: number, status: number, latency: (i: number) => number = () => 25): void {
  for (let i = 0; i < n; i++) h.emulator.monitoring.recorder.recordRequest(r, status, latency(i), 'instance-1', atMs);
}

export type Series = protos.google.monitoring.v3.ITimeSeries;

/** int64 or double value of a point, as a number. */
export function num(p: { value?: { int64Value?: unknown; doubleValue?: unknown } | null } | undefined): number {
  const v = p?.value;
  return v?.int64Value !== undefined && v.int64Value !== null ? Number(v.int64Value) : Number(v?.doubleValue);
}

export function byLabel(series: Series[], scope: 'metric' | 'resource', key: string): Record<string, Series> {
  return Object.fromEntries(series.map((s) => [String((scope === 'metric' ? s.metric : s.resource)?.labels?.[key]), s]));
}

export async function rejectsWith(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `expected code ${code}, got ${String(err.code)}: ${String(err.message)}`);
    assert.match(String(err.message), message);
    return true;
  });
}

/** The bounds [lower, upper) of the exponential bucket that holds `value`, from a distribution's own options. */
export function bucketBounds(options: { growthFactor?: number | null; scale?: number | null } | null | undefined, value: number): [number, number] {
  const g = Number(options?.growthFactor);
  const scale = Number(options?.scale);
  if (value < scale) return [0, scale];
  let i = 1;
  while (scale * g ** i <= value) i++;
  return [scale * g ** (i - 1), scale * g ** i];
}
