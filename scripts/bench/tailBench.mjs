// Log tail benchmark for `npm run bench`: entries written with the real Logging client into the emulator,
// through the extension's own tail pipeline (GoogleCloudLogging → TailSession → formatEntry/traceback
// assembler → LineBatcher) in plain Node, until each line is handed to the output channel writer.
//   sustained   20 × 1,000 entries written back to back: entries/s from the first write to the last line out
//   latency     single entries, one every 200 ms: write call → line out, with the tail's buffer window
//               (what users get) and with a 0 ms window (the pipeline's own cost)
// Inside VS Code the output view adds its own refresh on top; logs.test.ts records that end to end.
import path from 'node:path';
import { createRequire } from 'node:module';

const PROJECT = 'mentor-demo';
const REGION = 'us-central1';
const SERVICE = 'bench-tail';

export async function benchTail(ROOT) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(path.join(ROOT, 'out', p));
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { startEmulator } = out('emulator/server.js');
  const { GoogleCloudLogging } = out('src/gcp/cloudLoggingClient.js');
  const { TailSession, DEFAULT_TAIL_OPTIONS } = out('src/logs/tailSession.js');
  const { LineBatcher } = out('src/logs/lineBatcher.js');
  const { formatEntry, severityLevel } = out('src/core/logEntries.js');
  const { TracebackAssembler } = out('src/core/traceback.js');
  const { LoggingServiceV2Client } = require(require.resolve('@google-cloud/logging-api/build/src/v2/logging_service_v2_client', { paths: [ROOT] }));
  const { grpc } = require(require.resolve('google-gax', { paths: [ROOT] }));
  const { PassThroughClient } = require(require.resolve('google-auth-library', { paths: [ROOT] }));

  const emulator = await startEmulator({ port: 0, operationDelayMs: 0 });
  const writer = new LoggingServiceV2Client({ apiEndpoint: '127.0.0.1', port: emulator.port, sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
  const api = await GoogleCloudLogging.connect({ project: PROJECT, region: REGION, apiEndpoint: emulator.address });
  const entry = (text) => ({
    logName: `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`, severity: 'INFO', textPayload: text,
    resource: { type: 'cloud_run_revision', labels: { service_name: SERVICE, revision_name: `${SERVICE}-00001-abc`, location: REGION } },
  });

  /** A tail whose "output channel" records when each marked line comes out. */
  async function pipeline(bufferWindowMs) {
    const outAt = new Map();
    const batcher = new LineBatcher((lines) => {
      const now = performance.now();
      for (const line of lines) {
        const m = /#(\S+)$/.exec(line.text);
        if (m) outAt.set(m[1], now);
      }
    });
    const assembler = new TracebackAssembler();
    const session = new TailSession({ project: PROJECT, region: REGION, service: SERVICE }, async () => api, {
      entries: (entries) => {
        for (const e of entries) {
          batcher.push({ level: severityLevel(e.severity), text: formatEntry(e) });
          assembler.feed(e);
        }
      },
      notice: () => undefined,
      status: () => undefined,
    }, { backfill: 0, bufferWindowMs });
    session.start();
    const deadline = Date.now() + 10_000;
    while (session.status.state !== 'live' || emulator.logging.openTails === 0) {
      if (Date.now() > deadline) throw new Error('the tail did not go live');
      await new Promise((r) => setTimeout(r, 10));
    }
    const waitFor = async (keys, timeoutMs) => {
      const until = Date.now() + timeoutMs;
      while (!keys.every((k) => outAt.has(k))) {
        if (Date.now() > until) throw new Error(`${keys.filter((k) => !outAt.has(k)).length} lines never came out`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    return { outAt, waitFor, stop: async () => { await session.stop(); batcher.dispose(); } };
  }

  async function latency(bufferWindowMs, tag) {
    const p = await pipeline(bufferWindowMs);
    const samples = [];
    try {
      for (let i = 0; i < 15; i++) {
        const key = `${tag}${i}`;
        const t = performance.now();
        await writer.writeLogEntries({ entries: [entry(`latency probe #${key}`)] });
        await p.waitFor([key], 10_000);
        samples.push(p.outAt.get(key) - t);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await p.stop();
    }
    samples.sort((a, b) => a - b);
    return { bufferWindowMs, medianMs: Math.round(samples[Math.floor(samples.length / 2)]), p95Ms: Math.round(samples[Math.floor(samples.length * 0.95)]) };
  }

  try {
    const p = await pipeline(DEFAULT_TAIL_OPTIONS.bufferWindowMs);
    const calls = 20;
    const perCall = 1000;
    const keys = [];
    const started = performance.now();
    try {
      for (let c = 0; c < calls; c++) {
        const batch = Array.from({ length: perCall }, (_, i) => {
          const key = `s${c * perCall + i}`;
          keys.push(key);
          return entry(`sustained ${c} ${i} #${key}`);
        });
        await writer.writeLogEntries({ entries: batch });
      }
      const writtenMs = performance.now() - started;
      await p.waitFor(keys, 120_000);
      const lastOut = Math.max(...keys.map((k) => p.outAt.get(k)));
      const totalMs = lastOut - started;
      const sustained = { entries: keys.length, writtenMs: Math.round(writtenMs), totalMs: Math.round(totalMs),
        entriesPerSecond: Math.round(keys.length / (totalMs / 1000)) };
      await p.stop();
      return {
        sustained,
        latencyDefaultWindow: await latency(DEFAULT_TAIL_OPTIONS.bufferWindowMs, 'd'),
        latencyNoWindow: await latency(0, 'z'),
      };
    } finally {
      await p.stop();
    }
  } finally {
    await api.close();
    await writer.close();
    await emulator.stop();
  }
}
