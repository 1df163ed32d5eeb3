#!/usr/bin/env node
// Runs VS Code extension tests in a REAL VS Code (code-server 4.139 = VS Code 1.139, Node 24 extension
// host) driven by headless Debian Chromium through playwright-core. Install the host first with
// scripts/vscode-host/setup.sh.
//
//   node scripts/vscode-host/run.cjs --extensionDevelopmentPath=DIR [--extensionTestsPath=FILE.js] [WORKSPACE]
//
// Options (also accepted as "--opt value"): --extensionDevelopmentPath (repeatable), --extensionTestsPath,
//   --folder / positional WORKSPACE (a folder, or a .code-workspace file for a multi-root window; default: an empty temp folder).
// Env: SCREENSHOT_DIR (default test-results/screenshots), TEST_TIMEOUT_MS (default 2400000),
//   VSCODE_HOST_MODE (runner = default: tests started by runner-extension/, modal dialogs work;
//   vscode = VS Code's own extensionTestsPath, which refuses every modal dialog),
//   VSCODE_HOST_START_TIMEOUT_MS (runner must start within, default 120000),
//   VSCODE_HOST_TOOLS (default .cache/vscode-host), CHROMIUM (default /usr/bin/chromium),
//   VSCODE_HOST_HOLD_MS (no tests: keep the UI open this long, then screenshot "final"),
//   VERBOSE=1 (all workbench logs, browser console, bridge timings), KEEP_TMP=1 (keep the temp dir).
// Every other environment variable is passed on to code-server and so to the extension host.
// The extension host also gets MENTOR_UI_BRIDGE_DIR, SCREENSHOT_DIR and MENTOR_TEST_USER_DATA_DIR (absolute).
// Exit code: the extension host's (0 pass, 1 fail), 124 timeout, 2 harness error, 130/143 interrupted.
//
// UI bridge: extension-host code writes  console.log('@@ui ' + JSON.stringify({id, action, ...args}))
// and this script performs the action on the real page (uiActions.cjs), then writes
// MENTOR_UI_BRIDGE_DIR/<id>.json as {ok:true, result} or {ok:false, error}. See test/integration/uiBridge.ts.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startCodeServer, launchBrowser, writeStartSettings, tail, withTimeout } = require('./codeServer.cjs');
const { makeUiActions, installPageHelpers } = require('./uiActions.cjs');
const { makeBridge, makeOutputRouter, relayHostConsole } = require('./hostOutput.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER_EXTENSION = path.join(__dirname, 'runner-extension');
const log = (...x) => process.stdout.write(x.join(' ') + '\n');

function parseArgs(argv) {
  const a = { dev: [], tests: undefined, folder: undefined };
  const takesValue = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--folder']);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    else if (takesValue.has(arg)) value = argv[++i];
    if (arg === '--extensionDevelopmentPath') a.dev.push(path.resolve(value));
    else if (arg === '--extensionTestsPath') a.tests = path.resolve(value);
    else if (arg === '--folder') a.folder = path.resolve(value);
    else if (!arg.startsWith('-')) a.folder = path.resolve(arg);
    // any other VS Code desktop flag (--disable-extensions, --no-sandbox, ...) is ignored
  }
  return a;
}

/** Opens the workbench with the tests and resolves the runner's exit code (124 on timeout). */
async function runTests({ page, url, mode, shotDir, bridgeDir, timeoutMs, t0 }) {
  const el = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
  let finish;
  const finished = new Promise(r => (finish = r));
  const bridge = makeBridge({ page, actions: makeUiActions(page, { shotDir }), bridgeDir, shotDir });
  let runnerStarted = false;
  const route = makeOutputRouter({ bridge, onStarted: () => { runnerStarted = true; log(`[vscode-host] test runner started after ${el()}`); }, onExit: finish });
  await installPageHelpers(page);
  await relayHostConsole(page, mode, route, () => finish(3));
  await page.exposeFunction('codeAutomationExit', code => finish(mode === 'vscode' ? code : (code || 3)));
  if (mode === 'runner') {
    const startLimit = +(process.env.VSCODE_HOST_START_TIMEOUT_MS || 120000);
    const watchdog = setInterval(() => {
      if (runnerStarted) clearInterval(watchdog);
      else if (Date.now() - t0 > startLimit) {
        clearInterval(watchdog);
        log(`[vscode-host] the test runner extension did not start within ${startLimit} ms`);
        page.screenshot({ path: path.join(shotDir, 'no-start.png') }).catch(() => {}).then(() => finish(2));
      }
    }, 500);
    watchdog.unref();
  }
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  let timer;
  const r = await Promise.race([finished, new Promise(res => { timer = setTimeout(() => res('timeout'), timeoutMs); })]);
  clearTimeout(timer);
  await withTimeout(bridge.drain(), 30000, 'pending UI bridge actions').catch(e => log('[vscode-host]', e.message));
  if (r !== 'timeout') return typeof r === 'number' ? r : 1;
  log(`[vscode-host] TIMEOUT: no result after ${timeoutMs} ms (TEST_TIMEOUT_MS); screenshot timeout.png`);
  await page.screenshot({ path: path.join(shotDir, 'timeout.png') }).catch(() => {});
  return 124;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!a.dev.length) { console.error('usage: run.cjs --extensionDevelopmentPath=DIR [--extensionTestsPath=FILE] [WORKSPACE]'); return 2; }
  const mode = process.env.VSCODE_HOST_MODE === 'vscode' ? 'vscode' : 'runner';
  const t0 = Date.now();
  const shotDir = path.resolve(process.env.SCREENSHOT_DIR || path.join(ROOT, 'test-results', 'screenshots'));
  const timeoutMs = +(process.env.TEST_TIMEOUT_MS || 2400000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-vscode-host-'));
  const bridgeDir = path.join(tmp, 'ui-bridge');
  // MENTOR_HOST_USER_DATA_DIR keeps VS Code's user data (and extensions' storage) across runs: a second
  // start of the same workspace, as the bench's warm runs measure it.
  const userDataDir = process.env.MENTOR_HOST_USER_DATA_DIR ? path.resolve(process.env.MENTOR_HOST_USER_DATA_DIR) : path.join(tmp, 'user-data');
  fs.mkdirSync(bridgeDir, { recursive: true });
  fs.mkdirSync(shotDir, { recursive: true });
  writeStartSettings(userDataDir, {});
  const folder = a.folder || path.join(tmp, 'workspace');
  // a .code-workspace file opens a multi-root window
  const isWorkspaceFile = folder.endsWith('.code-workspace');
  if (!isWorkspaceFile) fs.mkdirSync(folder, { recursive: true });
  if (a.tests && !fs.existsSync(a.tests)) { console.error(`[vscode-host] extensionTestsPath not found: ${a.tests}`); fs.rmSync(tmp, { recursive: true, force: true }); return 2; }

  let cs, browser, exitCode = 2, cleaned = false;
  const cleanupSync = () => {
    if (cleaned) return; cleaned = true;
    if (cs) cs.stopSync();
    if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (sig, code) => process.once(sig, () => { log(`[vscode-host] ${sig}: stopping`); cleanupSync(); process.exit(code); });
  onSignal('SIGINT', 130); onSignal('SIGTERM', 143); onSignal('SIGHUP', 129);
  process.once('exit', cleanupSync);

  try {
    const extEnv = { SCREENSHOT_DIR: shotDir, MENTOR_UI_BRIDGE_DIR: bridgeDir, MENTOR_TEST_USER_DATA_DIR: userDataDir };
    const extensionsDir = path.join(tmp, 'extensions');
    if (a.tests && mode === 'runner') {
      // The payload is read as a Map: only ONE extensionDevelopmentPath survives, so the runner is
      // installed as a regular extension (a folder in the extensions dir is picked up at start-up).
      fs.cpSync(RUNNER_EXTENSION, path.join(extensionsDir, 'mentor-harness.test-runner-0.0.0'), { recursive: true });
      Object.assign(extEnv, { MENTOR_HARNESS_TESTS_PATH: a.tests });
    }
    // With kept user data, a fixed port too: VS Code names a remote folder's workspace storage after its URI,
    // whose authority holds the port.
    const port = Number(process.env.MENTOR_HOST_PORT) || undefined;
    cs = await startCodeServer({ tmp, userDataDir, extensionsDir, folder, smokeTestDriver: true, env: extEnv, port });
    log(`[vscode-host] code-server up on :${cs.port} after ${((Date.now() - t0) / 1000).toFixed(1)}s (${mode} mode)`);
    const auth = `127.0.0.1:${cs.port}`;
    const payload = a.dev.map(d => ['extensionDevelopmentPath', `vscode-remote://${auth}${d}`]);
    if (a.tests && mode === 'vscode') payload.push(['extensionTestsPath', `vscode-remote://${auth}${a.tests}`]);
    const url = `http://${auth}/?${isWorkspaceFile ? 'workspace' : 'folder'}=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchBrowser();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(30000);
    if (process.env.VERBOSE) page.on('console', m => log(`[browser ${m.type()}] ${m.text()}`));
    page.on('pageerror', e => log('[pageerror]', e.message));
    page.on('crash', () => log('[vscode-host] page crashed'));

    if (a.tests) exitCode = await runTests({ page, url, mode, shotDir, bridgeDir, timeoutMs, t0 });
    else {
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
      await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 120000 });
      await new Promise(r => setTimeout(r, +(process.env.VSCODE_HOST_HOLD_MS || 5000)));
      await page.screenshot({ path: path.join(shotDir, 'final.png') });
      log(`[vscode-host] screenshot ${path.join(shotDir, 'final.png')}`);
      exitCode = 0;
    }
    log(`[vscode-host] exit code ${exitCode} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  } catch (e) {
    log('[vscode-host] ERROR', (e && e.stack) || e);
    exitCode = 2;
  } finally {
    if (browser) await withTimeout(browser.close(), 10000, 'browser.close').catch(() => {});
    if (cs) {
      if (process.env.VERBOSE || (exitCode !== 0 && exitCode !== 1)) log(`--- code-server.log (tail) ---\n${tail(cs.logFile)}\n--- end ---`);
      await cs.stop();
    }
    cleanupSync();
  }
  return exitCode;
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(2); });
