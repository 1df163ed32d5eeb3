// Polls an HTTP endpoint until it answers 2xx. Each attempt has its own AbortController and a plain
// setTimeout: docker-proxy accepts a connection on the published port before the app inside listens, and
// then a request can hang forever. node:http is used instead of fetch for the same reason.

import * as http from 'node:http';
import * as https from 'node:https';

export interface HealthProbeOptions {
  url: string;
  timeoutMs: number;
  attemptTimeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Asked after each failed attempt; false stops the wait early with reason 'exited'. */
  stillRunning?: () => Promise<boolean>;
  /** Extra request headers, e.g. an ID token for a private Cloud Run service. */
  headers?: Record<string, string>;
  /** Which statuses count as healthy; 2xx by default. */
  accept?: (status: number) => boolean;
  /** A status that ends the wait at once with reason 'refused' (the app is up but rejects this check). */
  refuse?: (status: number) => boolean;
}

export type HealthProbeResult =
  | { ok: true; status: number; elapsedMs: number; attempts: number }
  | {
      ok: false;
      reason: 'timeout' | 'exited' | 'aborted' | 'refused';
      lastError?: string;
      lastStatus?: number;
      attempts: number;
      elapsedMs: number;
    };

type AttemptResult = { status: number } | { error: string };

export async function waitForHealthy(options: HealthProbeOptions): Promise<HealthProbeResult> {
  const { url, timeoutMs, signal, stillRunning } = options;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
  const intervalMs = options.intervalMs ?? 250;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let attempts = 0;
  let lastError: string | undefined;
  let lastStatus: number | undefined;
  const accept = options.accept ?? ((status: number) => status >= 200 && status < 300);
  const failed = (reason: 'timeout' | 'exited' | 'aborted' | 'refused'): HealthProbeResult => ({
    ok: false,
    reason,
    lastError,
    lastStatus,
    attempts,
    elapsedMs: Date.now() - started,
  });

  while (true) {
    if (signal?.aborted) return failed('aborted');
    const remaining = deadline - Date.now();
    if (remaining <= 0) return failed('timeout');
    attempts++;
    const result = await attempt(url, Math.min(attemptTimeoutMs, remaining), signal, options.headers);
    if ('status' in result) {
      if (accept(result.status)) {
        return { ok: true, status: result.status, elapsedMs: Date.now() - started, attempts };
      }
      lastStatus = result.status;
      lastError = `HTTP ${result.status}`;
      if (options.refuse?.(result.status)) return failed('refused');
    } else {
      lastError = result.error;
    }
    if (signal?.aborted) return failed('aborted');
    if (stillRunning) {
      let running = true;
      try {
        running = await stillRunning();
      } catch {
        // cannot tell: keep polling until the timeout
      }
      if (!running) return failed('exited');
    }
    const pause = Math.min(intervalMs, deadline - Date.now());
    if (pause > 0 && !(await sleep(pause, signal))) return failed('aborted');
  }
}

/** One GET; never takes longer than timeoutMs, never rejects. */
function attempt(url: string, timeoutMs: number, signal: AbortSignal | undefined, extraHeaders?: Record<string, string>): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller.abort();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const onAbort = () => finish({ error: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    let request: http.ClientRequest;
    try {
      const client = url.startsWith('https:') ? https : http;
      request = client.get(url, { signal: controller.signal, agent: false, headers: { 'user-agent': 'mentor-health-probe', ...extraHeaders } }, (response) => {
        response.resume(); // discard the body; the status is the answer
        response.on('error', () => undefined);
        finish({ status: response.statusCode ?? 0 });
      });
    } catch (error) {
      finish({ error: (error as Error).message });
      return;
    }
    request.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
