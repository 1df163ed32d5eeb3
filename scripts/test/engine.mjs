// The Docker engine for the docker, test-bed and integration suites, decided once before the first of them:
//   1. DOCKER_HOST if set, else unix:///var/run/docker.sock, answers GET /_ping: used as it is (not stopped);
//   2. else the engine of an earlier scripts/engine/engine-up.sh (ENGINE_ROOT/env) answers: used as it is;
//   3. else, as root on Debian, scripts/engine/engine-up.sh starts the test bed (dockerd, offline
//      python:3.11-slim and busybox images, registries on 127.0.0.1:5000 open / :5001 htpasswd) and
//      scripts/engine/engine-down.sh stops it at the end, also on failure or Ctrl-C;
//   4. else a loud warning, and the suites run anyway: tests that need an engine FAIL (they never skip).
// The suites get DOCKER_HOST; ENGINE_MODE (full | minimal), REGISTRY_OPEN, REGISTRY_AUTH, REGISTRY_USER,
// REGISTRY_PASS come along when the engine is engine-up.sh's and its registries answer. First, as root,
// scripts/engine/gcloud-hosts.sh maps the regional Cloud Run host names the real gcloud calls to 127.0.0.1.
// Env: ENGINE_ROOT (default /tmp/mentor-engine), MENTOR_START_ENGINE=0 (never start one),
//      MENTOR_KEEP_ENGINE=1 (leave a started engine running for the next run).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, say, secs } from '../lib/processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const banner = title => say(`\n==== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
const ENGINE_ROOT = path.resolve(process.env.ENGINE_ROOT || '/tmp/mentor-engine');
const ENGINE_UP = path.join(ROOT, 'scripts', 'engine', 'engine-up.sh');
const ENGINE_DOWN = path.join(ROOT, 'scripts', 'engine', 'engine-down.sh');
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** ours: engine-up.sh was run by us (so engine-down.sh runs at the end); env: what the suites get. */
export const engine = { decided: false, ours: false, stopped: false, env: {}, summary: '' };

/** KEY=value lines (optionally "export KEY=value", quoted or not) of a file; null if it cannot be read. */
function parseEnvFile(file) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/** GET path on a Docker host (unix:// or tcp:// / http://) or an http URL; resolves the status code, 0 if unreachable. */
function httpGetStatus(target, urlPath, timeoutMs = 3000) {
  return new Promise(resolve => {
    let opts;
    if (target.startsWith('unix://')) opts = { socketPath: target.slice('unix://'.length), path: urlPath };
    else {
      let u;
      try { u = new URL(target.replace(/^tcp:/, 'http:')); } catch { resolve(0); return; }
      if (u.protocol !== 'http:') { resolve(-1); return; } // https, ssh, npipe: cannot probe here
      opts = { host: u.hostname, port: u.port || 80, path: urlPath };
    }
    const req = http.get({ ...opts, timeout: timeoutMs }, res => { res.resume(); resolve(res.statusCode || 0); });
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.on('error', () => resolve(0));
  });
}
const pingEngine = host => httpGetStatus(host, '/_ping');

/** REGISTRY_* (and ENGINE_MODE) from an engine-up.sh env file whose engine is `host`, if both registries answer. */
async function registryEnvFor(host, fileEnv) {
  if (!fileEnv || fileEnv.DOCKER_HOST !== host || !fileEnv.REGISTRY_OPEN || !fileEnv.REGISTRY_AUTH) return {};
  const [open, auth] = await Promise.all([httpGetStatus(`http://${fileEnv.REGISTRY_OPEN}`, '/v2/'), httpGetStatus(`http://${fileEnv.REGISTRY_AUTH}`, '/v2/')]);
  if (open !== 200 || auth !== 401) return {};
  const out = {};
  for (const k of ['ENGINE_MODE', 'REGISTRY_OPEN', 'REGISTRY_AUTH', 'REGISTRY_USER', 'REGISTRY_PASS']) if (fileEnv[k]) out[k] = fileEnv[k];
  return out;
}

function loudWarning(lines) {
  const bar = '!'.repeat(78);
  say(`\n${bar}\n${lines.map(l => `[test] WARNING: ${l}`).join('\n')}\n${bar}`);
}

/**
 * The regional Cloud Run host names the real gcloud derives from its endpoint override, in /etc/hosts
 * (scripts/engine/gcloud-hosts.sh, idempotent). Only root can; otherwise the gcloud tests fail saying so.
 */
function prepareGcloudHosts() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    say('[test] not root: /etc/hosts left as it is (the gcloud tests need `sudo bash scripts/engine/gcloud-hosts.sh` once)');
    return;
  }
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'engine', 'gcloud-hosts.sh')], { encoding: 'utf8', timeout: 10000 });
  say(`[test] ${`${r.stdout || ''}${r.stderr || ''}`.trim() || `scripts/engine/gcloud-hosts.sh exited ${r.status}`}`);
}

/** Finds or starts a Docker engine for the docker and integration suites; fills `engine`. Never throws. */
export async function ensureEngine() {
  if (engine.decided) return;
  engine.decided = true;
  prepareGcloudHosts();
  banner('docker engine');
  const fileEnv = parseEnvFile(path.join(ENGINE_ROOT, 'env'));
  const useRunning = async (host, how) => {
    const registries = await registryEnvFor(host, fileEnv);
    engine.env = { DOCKER_HOST: host, ...registries };
    engine.summary = `${how} ${host}${registries.REGISTRY_OPEN ? `, registries ${registries.REGISTRY_OPEN} / ${registries.REGISTRY_AUTH}` : ', no test registries'}`;
    say(`[test] Docker engine: ${engine.summary}`);
  };

  const host = process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const status = await pingEngine(host);
  if (status === 200) return useRunning(host, 'using the running engine at');
  if (status === -1) { engine.env = { DOCKER_HOST: host }; engine.summary = `DOCKER_HOST=${host} (not probed)`; say(`[test] Docker engine: ${engine.summary}`); return; }
  if (process.env.DOCKER_HOST) say(`[test] DOCKER_HOST=${host} does not answer /_ping`);
  if (fileEnv && fileEnv.DOCKER_HOST && fileEnv.DOCKER_HOST !== host && (await pingEngine(fileEnv.DOCKER_HOST)) === 200) {
    return useRunning(fileEnv.DOCKER_HOST, `using the engine left running by scripts/engine/engine-up.sh at`);
  }

  const why = process.env.MENTOR_START_ENGINE === '0' ? 'MENTOR_START_ENGINE=0'
    : process.platform !== 'linux' || !fs.existsSync('/etc/debian_version') ? 'this is not Debian'
      : typeof process.getuid === 'function' && process.getuid() !== 0 ? 'not running as root' : '';
  if (why) {
    engine.summary = `UNAVAILABLE: none answers at ${host} and none was started (${why})`;
    loudWarning([`no Docker engine answers at ${host}, and none is started because ${why}.`,
      'The docker and integration suites run anyway: tests that need an engine will FAIL.',
      `Start one with \`sudo bash scripts/engine/engine-up.sh\` (Debian) and \`source ${path.join(ENGINE_ROOT, 'env')}\`, or set DOCKER_HOST.`]);
    return;
  }

  engine.ours = true; // from here on engine-down.sh runs at the end, whatever engine-up.sh got to
  say(`[test] no engine answers at ${host}: starting the test bed, scripts/engine/engine-up.sh (ENGINE_ROOT=${ENGINE_ROOT}; first run ~1.5 min, later a few seconds; log test-results/engine-up.log)`);
  const r = await run('bash', [ENGINE_UP], { cwd: ROOT, env: { ENGINE_ROOT }, logFile: path.join(RESULTS, 'engine-up.log'), timeoutMs: 20 * 60000 });
  const upEnv = r.code === 0 ? parseEnvFile(path.join(ENGINE_ROOT, 'env')) : null;
  if (!upEnv || !upEnv.DOCKER_HOST) {
    engine.summary = `UNAVAILABLE: scripts/engine/engine-up.sh failed (exit ${r.code}) after ${secs(r.ms)}; see test-results/engine-up.log`;
    loudWarning([`scripts/engine/engine-up.sh FAILED (exit ${r.code}) after ${secs(r.ms)}; see test-results/engine-up.log.`,
      'The docker and integration suites run anyway: tests that need an engine will FAIL.']);
    return;
  }
  engine.env = {};
  for (const k of ['DOCKER_HOST', 'ENGINE_MODE', 'REGISTRY_OPEN', 'REGISTRY_AUTH', 'REGISTRY_USER', 'REGISTRY_PASS']) if (upEnv[k]) engine.env[k] = upEnv[k];
  engine.summary = `started by scripts/engine/engine-up.sh in ${secs(r.ms)} (${upEnv.ENGINE_MODE || '?'} mode) at ${upEnv.DOCKER_HOST}, registries ${upEnv.REGISTRY_OPEN} / ${upEnv.REGISTRY_AUTH}`;
  say(`[test] Docker engine ${engine.summary}`);
  if (upEnv.ENGINE_MODE === 'minimal') say('[test] NOTE: minimal engine mode (vfs, no iptables, no bridge): `-p` port publishing is ignored');
}

/** Runs engine-down.sh if we started the engine (unless MENTOR_KEEP_ENGINE=1). */
export async function stopEngine() {
  if (!engine.ours || engine.stopped) return;
  if (process.env.MENTOR_KEEP_ENGINE === '1') { engine.stopped = true; engine.summary += `; left running (MENTOR_KEEP_ENGINE=1; stop with ENGINE_ROOT=${ENGINE_ROOT} bash scripts/engine/engine-down.sh)`; return; }
  const r = await run('bash', [ENGINE_DOWN], { cwd: ROOT, env: { ENGINE_ROOT }, logFile: path.join(RESULTS, 'engine-down.log'), echo: false, timeoutMs: 2 * 60000 });
  engine.stopped = true;
  engine.summary += r.code === 0 ? `; stopped in ${secs(r.ms)}` : `; engine-down.sh FAILED (exit ${r.code}), see test-results/engine-down.log`;
}
/** The same, synchronously: for exits on signals and crashes. */
export function stopEngineSync() {
  if (!engine.ours || engine.stopped || process.env.MENTOR_KEEP_ENGINE === '1') return;
  engine.stopped = true;
  say('[test] stopping the Docker test bed (scripts/engine/engine-down.sh)');
  spawnSync('bash', [ENGINE_DOWN], { cwd: ROOT, env: { ...process.env, ENGINE_ROOT }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 60000 });
}

