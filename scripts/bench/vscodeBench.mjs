// The real-VS-Code part of `npm run bench`: code-server started RUNS times on a workspace pointed at an
// emulator seeded with scale:200x50; each run activates the extension once (require + activate, as the
// caller sees it) and opens the view (first level data, first visible row); the first run also starts a
// deploy and times its first step on screen. Then a few second starts of the same workspace (user data
// kept: the last-known rows), and an empty ESM extension (test/fixtures/empty-extension) is
// activated the same way: what VS Code itself costs here. Medians over the runs; no assertions.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const { freePort } = createRequire(import.meta.url)('../vscode-host/codeServer.cjs');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function runOnce(root, workspace, emulatorAddress, env, extension = root, tests = path.join(root, 'out/test/bench/index.js')) {
  return new Promise((resolve) => {
    let text = '';
    const child = spawn(process.execPath, [path.join(root, 'scripts/vscode-host/run.cjs'), `--extensionDevelopmentPath=${extension}`,
      `--extensionTestsPath=${tests}`, workspace],
    { cwd: root, env: { ...process.env, MENTOR_TEST_EMULATOR: emulatorAddress, TEST_TIMEOUT_MS: '240000', ...env } });
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('exit', (code) => {
      const line = text.split('\n').find((l) => l.includes('@@bench '));
      resolve(line ? JSON.parse(line.slice(line.indexOf('@@bench ') + 8))
        : { error: `no result (exit ${code})`, tail: text.split('\n').slice(-20).join('\n') });
    });
  });
}

export async function benchVsCode(root, startEmulator, runs = 10) {
  const setup = spawnSync('bash', [path.join(root, 'scripts/vscode-host/setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) return { error: 'VS Code host setup failed' };
  const emulator = await startEmulator({ port: 0, seed: 'scale:200x50', operationDelayMs: 0 });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-bench-'));
  // Settings only: an app's files (Dockerfile, main.py…) would activate Mentor at start-up (workspaceContains),
  // before the caller below asks; the deploy step still starts (it stops at preflight: the seed enables no APIs).
  const workspace = path.join(tmp, 'bench-workspace');
  try {
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode/settings.json'), JSON.stringify({
      'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1', 'mentor.apiEndpoint': emulator.address }));
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const result = await runOnce(root, workspace, emulator.address, { MENTOR_BENCH_DEPLOY: i === 0 ? '1' : '0' });
      if (result.error) return result;
      samples.push(result);
    }
    // A second start of the same workspace: VS Code's user data (with Mentor's workspace storage) is kept,
    // so the view can show the last-known services while the live listing runs. One priming start first.
    const warm = [];
    const kept = { MENTOR_HOST_USER_DATA_DIR: path.join(tmp, 'kept-user-data'), MENTOR_HOST_PORT: String(await freePort()) };
    for (let i = 0; i <= Math.max(3, Math.ceil(runs / 2)); i++) {
      const result = await runOnce(root, workspace, emulator.address, kept);
      if (result.error) return result;
      if (i > 0) warm.push(result);
    }
    // The floor: the same measurement for an empty ESM extension in the same host.
    const floor = [];
    const empty = path.join(root, 'test/fixtures/empty-extension');
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
      const result = await runOnce(root, workspace, emulator.address, {}, empty, path.join(empty, 'probe-tests.js'));
      if (result.error) return result;
      floor.push(result.activation.hostActivateCallMs);
    }
    const pick = (f) => samples.map(f);
    return {
      runs,
      activation: {
        hostActivateCallMedianMs: median(pick((s) => s.activation.hostActivateCallMs)),
        hostActivateCallMs: pick((s) => s.activation.hostActivateCallMs),
        extensionActivateMedianMs: median(pick((s) => s.activation.extensionActivateMs)),
        untilFirstModuleMedianMs: median(pick((s) => s.activation.untilFirstModuleMs)),
        modulesRunningMedianMs: median(pick((s) => s.activation.modulesRunningMs)),
        alreadyActive: pick((s) => s.activation.alreadyActive).some(Boolean),
        emptyExtensionMedianMs: median(floor),
        emptyExtensionMs: floor,
      },
      tree: {
        services: samples[0].tree.services,
        firstLevelDataMedianMs: median(pick((s) => s.tree.firstLevelDataMs)),
        firstLevelVisibleMedianMs: median(pick((s) => s.tree.firstLevelVisibleMs)),
        firstLevelVisibleMs: pick((s) => s.tree.firstLevelVisibleMs),
        rpcs: samples[0].tree.rpcs,
        // Median moment of each of Mentor's timeline marks (ms after the view opened).
        marks: Object.fromEntries(Object.keys(samples[0].tree.marks ?? {}).map((name) =>
          [name, median(pick((s) => s.tree.marks?.[name]).filter((x) => x !== undefined))])),
      },
      warm: {
        runs: warm.length,
        lastKnownShownMedianMs: median(warm.map((s) => s.tree.marks?.['services.lastKnownShown'] ?? NaN)),
        firstLevelVisibleMedianMs: median(warm.map((s) => s.tree.firstLevelVisibleMs)),
        firstLevelVisibleMs: warm.map((s) => s.tree.firstLevelVisibleMs),
        liveDataMedianMs: median(warm.map((s) => s.tree.firstLevelDataMs)),
      },
      deploy: samples[0].deploy,
    };
  } finally {
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function printVsCode(v) {
  if (v.error) { console.log(`vscode: ${v.error}\n${v.tail ?? ''}`); return; }
  console.log(`vscode (median of ${v.runs} starts): activation as seen by the caller ${v.activation.hostActivateCallMedianMs} ms ` +
    `[${v.activation.hostActivateCallMs.join(', ')}] = until the first module runs ${v.activation.untilFirstModuleMedianMs} ms + modules running ` +
    `${v.activation.modulesRunningMedianMs} ms + activate() ${v.activation.extensionActivateMedianMs} ms ` +
    `(an empty ESM extension: ${v.activation.emptyExtensionMedianMs} ms [${v.activation.emptyExtensionMs.join(', ')}]); ` +
    `first level of ${v.tree.services} services: data ${v.tree.firstLevelDataMedianMs} ms, visible ${v.tree.firstLevelVisibleMedianMs} ms; ` +
    `(marks ${JSON.stringify(v.tree.marks)}); RPCs ${JSON.stringify(v.tree.rpcs)}; second start of the workspace (median of ${v.warm.runs}): last-known rows at ` +
    `${v.warm.lastKnownShownMedianMs} ms, first row visible ${v.warm.firstLevelVisibleMedianMs} ms [${v.warm.firstLevelVisibleMs.join(', ')}], ` +
    `live data ${v.warm.liveDataMedianMs} ms; first deploy step on screen ${v.deploy ? `${v.deploy.firstStepVisibleMs} ms` : 'n/a'}`);
}
