// The parts of the offline test bed beside the engine, prepared once before the first suite that needs them:
//   - the Cloud Build builder images (scripts/engine/builder-images.sh: gcr.io/cloud-builders/docker and
//     gcr.io/google.com/cloudsdktool/cloud-sdk:slim built on the engine, no registry): the first run takes ~2 min
//     (debootstrap + the machine's gcloud), later runs half a second (a label check), so only the suites whose
//     builds run steps get it, not every engine start;
//   - the real Pub/Sub emulator (scripts/engine/pubsub-up.sh), whose address the suites get as
//     PUBSUB_EMULATOR_HOST; stopped at the end (scripts/engine/pubsub-down.sh) unless MENTOR_KEEP_ENGINE=1.
// A part that cannot be prepared is a FAILED step with the reason (the tests that need it fail too; none skip).
// Env: ENGINE_ROOT (default /tmp/mentor-engine), MENTOR_PUBSUB_PORT (default 8685), MENTOR_KEEP_ENGINE=1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, say } from '../lib/processes.mjs';

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
