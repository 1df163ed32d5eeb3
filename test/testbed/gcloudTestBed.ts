// What every test that runs the machine's real gcloud against an emulator needs: gcloud, an engine and a
// registry present (or a message saying how to get them), gcloud's regional Cloud Run host names resolving to
// loopback, and a runner with the emulator's environment in a config directory of its own.
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GCLOUD_RUN_HOST, gcloudEnv } from '../../emulator/gcloudEnv';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GcloudRunner {
  /** Runs gcloud; resolves its exit code and output (never rejects: tests assert on failures too). */
  run(...args: string[]): Promise<GcloudResult>;
  /** Runs gcloud, fails the test unless it exits 0, and returns its stdout. */
  ok(...args: string[]): Promise<string>;
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** gcloud, the engine and the registries are there, and REGION-<Cloud Run host> resolves (root fixes it itself). */
export async function assertGcloudTestBed(region: string): Promise<void> {
  assert.equal(spawnSync('gcloud', ['--version'], { timeout: 60_000 }).status, 0, 'gcloud is not on PATH (Debian package google-cloud-cli)');
  assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
  assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
  const name = `${region}-${GCLOUD_RUN_HOST}`;
  const resolves = () => dns.lookup(name).then((a) => a.address === '127.0.0.1', () => false);
  if (await resolves()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) spawnSync('bash', [path.join(ROOT, 'scripts', 'engine', 'gcloud-hosts.sh')], { stdio: 'inherit', timeout: 10_000 });
  assert.ok(await resolves(), `${name} does not resolve to 127.0.0.1. gcloud calls Cloud Run on REGION-<override host>, so these names ` +
    `must be in /etc/hosts: ${isRoot ? 'scripts/engine/gcloud-hosts.sh failed' : 'not root here; run `sudo bash scripts/engine/gcloud-hosts.sh` once'}.`);
}

/** A gcloud pointed at the emulator's REST address, with none of the caller's CLOUDSDK_* settings. */
export async function gcloudRunner(restAddress: string, project: string): Promise<GcloudRunner> {
  const configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-gcloud-config-'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLOUDSDK_')));
  // No colours or bold (gcloud uses them when TERM says xterm): the tests read its messages as plain text.
  const env = { ...inherited, ...gcloudEnv({ restAddress, project, configDir }), TERM: 'dumb' };
  const run = (...args: string[]) => new Promise<GcloudResult>((resolve) => {
    execFile('gcloud', args, { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
  return {
    run,
    env,
    async ok(...args) {
      const r = await run(...args);
      assert.equal(r.code, 0, `gcloud ${args.join(' ')} failed:\n${r.stderr}`);
      return r.stdout;
    },
    close: () => fs.rm(configDir, { recursive: true, force: true }),
  };
}
