// `npm run bench`: numbers for the closing notes, never assertions (shared, noisy machines).
//   bundle    production bundle bytes (raw and gzip) for the extension and the webview
//   vsix      size of the packaged .vsix
//   list      200 services × 50 revisions in the emulator: time for the extension's CloudRunApi to list
//             the services (cold = connect + first call; warm = median of 5) and the RPCs it made
//   vscode    inside a real VS Code: activation time and time until the tree's first level is visible
// Writes test-results/bench.json as well.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const results = {};
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function fileSizes(file) {
  const data = fs.readFileSync(path.join(ROOT, file));
  return { bytes: data.length, gzipBytes: zlib.gzipSync(data, { level: 9 }).length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchList(startEmulator, createControlClient) {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { GoogleCloudRun } = require(path.join(ROOT, 'out/src/gcp/cloudRunClient.js'));
  const seedStarted = performance.now();
  const emulator = await startEmulator({ port: 0, seed: 'scale:200x50', operationDelayMs: 0 });
  const seedMs = performance.now() - seedStarted;
  const control = createControlClient(emulator.address);
  try {
    const target = { project: 'mentor-demo', region: 'us-central1', apiEndpoint: emulator.address };
    await control.getStats({ reset: true });
    let started = performance.now();
    const api = await GoogleCloudRun.connect(target);
    const services = await api.listServices();
    const coldMs = performance.now() - started;
    const coldRpcs = await control.getStats({ reset: true });
    const warm = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await api.listServices();
      warm.push(performance.now() - started);
    }
    await control.getStats({ reset: true });
    started = performance.now();
    const revisions = await api.listRevisions(services[0].name);
    const revisionsMs = performance.now() - started;
    const revisionRpcs = await control.getStats();
    await api.close();
    return {
      seedMs: Math.round(seedMs), services: services.length, coldMs: Math.round(coldMs), warmMedianMs: Math.round(median(warm)),
      rpcsForFirstLevel: coldRpcs, revisionsOfOneService: revisions.length, listRevisionsMs: Math.round(revisionsMs), rpcsForOneService: revisionRpcs,
    };
  } finally {
    control.close();
    await emulator.stop();
  }
}

async function benchVsCode(startEmulator) {
  const setup = spawnSync('bash', [path.join(ROOT, 'scripts/vscode-host/setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) return { error: 'VS Code host setup failed' };
  const emulator = await startEmulator({ port: 0, seed: 'scale:200x50', operationDelayMs: 0 });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-bench-'));
  try {
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode/settings.json'), JSON.stringify({
      'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1', 'mentor.apiEndpoint': emulator.address }));
    const output = await new Promise((resolve) => {
      let text = '';
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts/vscode-host/run.cjs'), `--extensionDevelopmentPath=${ROOT}`,
        `--extensionTestsPath=${path.join(ROOT, 'out/test/bench/index.js')}`, workspace],
      { cwd: ROOT, env: { ...process.env, MENTOR_TEST_EMULATOR: emulator.address, TEST_TIMEOUT_MS: '240000' } });
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('exit', (code) => resolve({ code, text }));
    });
    const line = output.text.split('\n').find((l) => l.includes('@@bench '));
    if (!line) return { error: `no result (exit ${output.code})`, tail: output.text.split('\n').slice(-20).join('\n') };
    return JSON.parse(line.slice(line.indexOf('@@bench ') + 8));
  } finally {
    await emulator.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

sh(process.execPath, ['scripts/build.mjs', '--production']);
results.bundle = { extension: fileSizes('dist/extension.js'), webview: fileSizes('dist/webview.js') };
console.log(`bundle: extension ${kb(results.bundle.extension.bytes)} (${kb(results.bundle.extension.gzipBytes)} gzip), ` +
  `webview ${kb(results.bundle.webview.bytes)} (${kb(results.bundle.webview.gzipBytes)} gzip)`);

sh(process.execPath, [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', 'dist/mentor.vsix']);
results.vsix = { bytes: fs.statSync(path.join(ROOT, 'dist/mentor.vsix')).size };
console.log(`vsix: ${kb(results.vsix.bytes)}`);

const { startEmulator } = require(path.join(ROOT, 'out/emulator/server.js'));
const { createControlClient } = require(path.join(ROOT, 'out/emulator/controlClient.js'));
results.list = await benchList(startEmulator, createControlClient);
console.log(`list 200 services (×50 revisions): cold ${results.list.coldMs} ms, warm median ${results.list.warmMedianMs} ms, ` +
  `RPCs ${JSON.stringify(results.list.rpcsForFirstLevel)}; one service's ${results.list.revisionsOfOneService} revisions ` +
  `${results.list.listRevisionsMs} ms, RPCs ${JSON.stringify(results.list.rpcsForOneService)}`);

results.vscode = await benchVsCode(startEmulator);
if (results.vscode.error) console.log(`vscode: ${results.vscode.error}\n${results.vscode.tail ?? ''}`);
else {
  const { activation, tree } = results.vscode;
  console.log(`vscode: activate() ${activation.extensionActivateMs} ms inside the extension, ${activation.hostActivateCallMs} ms ` +
    `as seen by the caller; first level of ${tree.services} services: data ${tree.firstLevelDataMs} ms, visible ` +
    `${tree.firstLevelVisibleMs} ms; RPCs ${JSON.stringify(tree.rpcs)}`);
}

// Leave a development build behind, as `npm test` and `npm start` expect.
sh(process.execPath, ['scripts/build.mjs']);
fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'test-results/bench.json'), JSON.stringify(results, null, 2) + '\n');
console.log('written test-results/bench.json');
