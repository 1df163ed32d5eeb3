// The parts of the offline test bed beside the engine, prepared once before the first suite that needs them:
//   - the Cloud Build builder images (scripts/engine/builder-images.sh: gcr.io/cloud-builders/docker and
//     gcr.io/google.com/cloudsdktool/cloud-sdk:slim built on the engine, no registry): the first run takes ~2 min
//     (debootstrap + the machine's gcloud), later runs half a second (a label check), so only the suites whose
//     builds run steps get it, not every engine start;
//   - the real Pub/Sub emulator (scripts/engine/pubsub-up.sh), whose address the suites get as
//     PUBSUB_EMULATOR_HOST; stopped at the end (scripts/engine/pubsub-down.sh) unless MENTOR_KEEP_ENGINE=1 or it
//     was already running (reused). A PUBSUB_EMULATOR_HOST given by the caller is used instead (must answer).
// A part that cannot be prepared is a FAILED step with the reason (the tests that need it fail too; none skip).
// Env: ENGINE_ROOT (default /tmp/mentor-engine), MENTOR_PUBSUB_ROOT (default /tmp/mentor-pubsub),
//      MENTOR_PUBSUB_PORT (default 8685), MENTOR_KEEP_ENGINE=1 (leave a started Pub/Sub emulator running).
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, say, secs } from '../lib/processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const ENGINE_ROOT = path.resolve(process.env.ENGINE_ROOT || '/tmp/mentor-engine');
const script = name => path.join(ROOT, 'scripts', 'engine', name);
const isRoot = () => typeof process.getuid !== 'function' || process.getuid() === 0;

/** Suites whose tests run Cloud Build steps (builder images) or talk to Pub/Sub (PUBSUB_EMULATOR_HOST). */
export const NEEDS_BUILDERS = new Set(['integration', 'testbed']);
export const NEEDS_PUBSUB = new Set(['integration', 'testbed']);

/** builders / pubsub: null = not tried; else the step {name, ok, ms, note}. env: what the suites get. */
export const testBed = { builders: null, pubsub: null, pubsubOurs: false, pubsubStopped: false, env: {} };

/** Builds the builder images if they are missing or stale. Returns the step, or null if already tried. */
export async function ensureBuilderImages(engineEnv) {
  if (testBed.builders) return null;
  const name = 'builder images';
  if (!isRoot()) {
    testBed.builders = { name, ok: false, ms: 0, note: 'not root: run `sudo bash scripts/engine/builder-images.sh` once (the Cloud Build step tests need them)' };
    return testBed.builders;
  }
  say('[test] builder images (scripts/engine/builder-images.sh; first run ~2 min, later a label check; log test-results/builder-images.log)');
  const r = await run('bash', [script('builder-images.sh')], { cwd: ROOT, env: { ENGINE_ROOT, ...engineEnv },
    logFile: path.join(RESULTS, 'builder-images.log'), timeoutMs: 20 * 60000 });
  testBed.builders = { name, ok: r.code === 0, ms: r.ms, note: r.code === 0 ? '' : `scripts/engine/builder-images.sh failed (exit ${r.code}); see test-results/builder-images.log` };
  return testBed.builders;
}

const PUBSUB_ROOT = path.resolve(process.env.MENTOR_PUBSUB_ROOT || '/tmp/mentor-pubsub');
const PUBSUB_PORT = process.env.MENTOR_PUBSUB_PORT || '8685';
const pubsubEnv = { PUBSUB_ROOT, PUBSUB_PORT, PUBSUB_PROJECT: 'mentor-demo' };

/** Whether GET url answers 200 within 3 s. */
function answers(url) {
  return new Promise(resolve => {
    const req = http.get(url, { timeout: 3000 }, res => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
  });
}

/**
 * Starts (or reuses) the real Pub/Sub emulator; on success testBed.env gets PUBSUB_EMULATOR_HOST. Returns the
 * step, or null if already tried. One started here (not reused) is ours: stopPubsub stops it.
 */
export async function ensurePubsub() {
  if (testBed.pubsub) return null;
  const given = process.env.PUBSUB_EMULATOR_HOST;
  if (given) { // the caller's own emulator: used as it is, never stopped; it must answer
    const ok = await answers(`http://${given}/`);
    testBed.env.PUBSUB_EMULATOR_HOST = given;
    testBed.pubsub = { name: 'pubsub', ok, ms: 0, note: ok ? `using PUBSUB_EMULATOR_HOST=${given}` : `PUBSUB_EMULATOR_HOST=${given} does not answer GET /` };
    return testBed.pubsub;
  }
  say(`[test] Pub/Sub emulator (scripts/engine/pubsub-up.sh on 127.0.0.1:${PUBSUB_PORT}; ~20 s the first time; log test-results/pubsub-up.log)`);
  const r = await run('bash', [script('pubsub-up.sh')], { cwd: ROOT, env: pubsubEnv, logFile: path.join(RESULTS, 'pubsub-up.log'), timeoutMs: 3 * 60000 });
  const host = (/^PUBSUB_EMULATOR_HOST=(\S+)$/m.exec(r.output) || [])[1];
  const ok = r.code === 0 && !!host;
  if (ok) {
    testBed.env.PUBSUB_EMULATOR_HOST = host;
    testBed.pubsubOurs = !/\[pubsub-up\] reusing/.test(r.output);
  }
  const why = r.code === 3 ? (/ERROR: (.*)/.exec(r.output) || [])[1] : '';
  testBed.pubsub = { name: 'pubsub', ok, ms: r.ms,
    note: ok ? '' : `scripts/engine/pubsub-up.sh failed (exit ${r.code})${why ? `: ${why}` : ''}; see test-results/pubsub-up.log` };
  return testBed.pubsub;
}

/** Stops the Pub/Sub emulator if we started it (unless MENTOR_KEEP_ENGINE=1); a note for the summary. */
export async function stopPubsub() {
  if (!testBed.pubsubOurs || testBed.pubsubStopped) return '';
  testBed.pubsubStopped = true;
  if (process.env.MENTOR_KEEP_ENGINE === '1') return `Pub/Sub emulator left running on ${testBed.env.PUBSUB_EMULATOR_HOST} (MENTOR_KEEP_ENGINE=1; stop with PUBSUB_ROOT=${PUBSUB_ROOT} bash scripts/engine/pubsub-down.sh)`;
  const r = await run('bash', [script('pubsub-down.sh')], { cwd: ROOT, env: pubsubEnv, logFile: path.join(RESULTS, 'pubsub-down.log'), echo: false, timeoutMs: 60000 });
  return r.code === 0 ? `Pub/Sub emulator stopped in ${secs(r.ms)}` : `pubsub-down.sh FAILED (exit ${r.code}), see test-results/pubsub-down.log`;
}
/** The same, synchronously: for exits on signals and crashes. */
export function stopPubsubSync() {
  if (!testBed.pubsubOurs || testBed.pubsubStopped || process.env.MENTOR_KEEP_ENGINE === '1') return;
  testBed.pubsubStopped = true;
  spawnSync('bash', [script('pubsub-down.sh')], { cwd: ROOT, env: { ...process.env, ...pubsubEnv }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 30000 });
}
