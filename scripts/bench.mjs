// `npm run bench`: numbers for the closing notes, never assertions (shared, noisy machines).
//   bundle    production bytes (raw and gzip): what activation loads, what each lazily loaded family adds on
//             first use, ssh, webview, everything shipped (scripts/bench/bundleBench.mjs)
//   vsix      size of the packaged .vsix
//   list      200 services × 50 revisions in the emulator: time for the extension's CloudRunApi to list
//             the services (cold = connect + first call; warm = median of 5) and the RPCs it made
//   image     runtime image of the generated multi-stage Dockerfile vs the former single-stage one (sample app),
//             and each layout of test/fixtures/apps (scripts/bench/imageBench.mjs)
//   tail      log tail pipeline (scripts/bench/tailBench.mjs): sustained entries/s, write → line-out latency
//   metrics   the metrics panel for 50 revisions × 7 days (seed metrics:50x7d): refresh queries per range, first paint
//             and repaint of the panel's bundle in Chromium, the sparklines' one query (scripts/bench/metricsBench.mjs)
//   insight   route CodeLens cost per file (scripts/bench/insightBench.mjs): route parsing, stats from a 10k-entry
//             listing, the file's lenses; the listing itself through the real client against the emulator
//   vscode    inside a real VS Code, median of BENCH_VSCODE_RUNS (10) starts: activation as seen by the caller,
//             first-level data and first visible row of 200 services, first deploy step on screen
// Writes test-results/bench.json as well.  `node scripts/bench.mjs [SECTION...]` runs only those sections
// (bundle and vsix always run: the others measure the production build they make).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { benchDeploy } from './bench/deployBench.mjs';
import { benchImages } from './bench/imageBench.mjs';
import { benchTail } from './bench/tailBench.mjs';
import { benchMetrics, printMetrics } from './bench/metricsBench.mjs';
import { benchInsight, printInsight } from './bench/insightBench.mjs';
import { benchBundles, printBundles } from './bench/bundleBench.mjs';
import { benchVsCode, printVsCode } from './bench/vscodeBench.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const results = {};
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
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

/** Build context, build and run-to-healthy for the sample app on the engine in DOCKER_HOST (or the test bed's). */
async function benchLocalLoop() {
  const envFile = '/tmp/mentor-engine/env';
  if (!process.env.DOCKER_HOST && fs.existsSync(envFile)) {
    const host = /DOCKER_HOST=(\S+)/.exec(fs.readFileSync(envFile, 'utf8'))?.[1];
    if (host) process.env.DOCKER_HOST = host;
  }
  const { connectDocker } = require(path.join(ROOT, 'out/src/docker/connect.js'));
  const { packContext } = require(path.join(ROOT, 'out/src/docker/buildContext.js'));
  const { waitForHealthy } = require(path.join(ROOT, 'out/src/docker/healthProbe.js'));
  const { detectPythonProject } = require(path.join(ROOT, 'out/src/core/pythonProject.js'));
  const { renderDockerfile } = require(path.join(ROOT, 'out/src/core/dockerfileTemplate.js'));
  const { renderDockerignore } = require(path.join(ROOT, 'out/src/core/dockerignoreTemplate.js'));
  let engine;
  try {
    engine = await connectDocker();
  } catch (error) {
    return { error: `no Docker engine (${error.message.split('.')[0]}); run scripts/engine/engine-up.sh first` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-bench-app-'));
  try {
    fs.cpSync(path.join(ROOT, 'test/fixtures/mentor-ai-backend'), dir, { recursive: true });
    const files = { list: async () => fs.readdirSync(dir), read: async (p) => fs.existsSync(path.join(dir, p)) ? fs.readFileSync(path.join(dir, p), 'utf8') : undefined };
    fs.writeFileSync(path.join(dir, 'Dockerfile'), renderDockerfile(await detectPythonProject(files)));
    fs.writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore());
    // A unique requirements line makes the first build really run pip (cold), the second one cached.
    fs.appendFileSync(path.join(dir, 'requirements.txt'), `\n# bench ${Date.now()}\n`);
    let started = performance.now();
    const packed = await packContext(dir);
    await new Promise((resolve, reject) => { packed.stream.on('data', () => {}); packed.stream.on('end', resolve); packed.stream.on('error', reject); });
    const contextMs = performance.now() - started;
    const tag = `mentor-bench-${Date.now()}:local`;
    started = performance.now();
    const cold = await engine.build({ contextDir: dir, tags: [tag] });
    const buildColdMs = performance.now() - started;
    started = performance.now();
    await engine.build({ contextDir: dir, tags: [tag] });
    const buildCachedMs = performance.now() - started;
    started = performance.now();
    const container = await engine.run({ image: tag, containerPort: 8080, memoryBytes: 2 ** 31, nanoCpus: 2e9,
      env: { PORT: '8080', K_SERVICE: 'bench', K_REVISION: 'bench-local', K_CONFIGURATION: 'bench' } });
    const probeStarted = performance.now();
    const probe = await waitForHealthy({ url: `http://127.0.0.1:${container.hostPort}/health`, timeoutMs: 60000 });
    const runToHealthyMs = performance.now() - started;
    const probeMs = performance.now() - probeStarted;
    await container.stop(1);
    await engine.docker?.getImage(tag).remove({ force: true }).catch(() => undefined);
    return { contextFiles: cold.contextFiles, contextBytes: cold.contextBytes, contextMs: Math.round(contextMs),
      buildColdMs: Math.round(buildColdMs), buildCachedMs: Math.round(buildCachedMs), runToHealthyMs: Math.round(runToHealthyMs),
      probeMs: Math.round(probeMs), healthy: probe.ok };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await engine.close();
  }
}

sh(process.execPath, ['scripts/build.mjs', '--production']);
results.bundle = benchBundles(ROOT);
printBundles(results.bundle);

sh(process.execPath, [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', 'dist/mentor.vsix']);
results.vsix = { bytes: fs.statSync(path.join(ROOT, 'dist/mentor.vsix')).size };
console.log(`vsix: ${kb(results.vsix.bytes)}`);

const sections = process.argv.slice(2);
const wanted = (name) => sections.length === 0 || sections.includes(name);
const { startEmulator } = require(path.join(ROOT, 'out/emulator/server.js'));
const { createControlClient } = require(path.join(ROOT, 'out/emulator/controlClient.js'));
if (wanted('list')) results.list = await benchList(startEmulator, createControlClient);
if (results.list) console.log(`list 200 services (×50 revisions): cold ${results.list.coldMs} ms, warm median ${results.list.warmMedianMs} ms, ` +
  `RPCs ${JSON.stringify(results.list.rpcsForFirstLevel)}; one service's ${results.list.revisionsOfOneService} revisions ` +
  `${results.list.listRevisionsMs} ms, RPCs ${JSON.stringify(results.list.rpcsForOneService)}`);

if (wanted('localLoop')) results.localLoop = await benchLocalLoop();
if (!results.localLoop) { /* not asked for */ } else if (results.localLoop.error) console.log(`local loop: ${results.localLoop.error}`);
else {
  const l = results.localLoop;
  console.log(`local loop (fixture): context ${l.contextFiles} files ${kb(l.contextBytes)} in ${l.contextMs} ms; build cold ${l.buildColdMs} ms, ` +
    `cached ${l.buildCachedMs} ms; run → healthy ${l.runToHealthyMs} ms (probe ${l.probeMs} ms)`);
}

if (wanted('image')) results.image = await benchImages(ROOT).catch((error) => ({ error: error.message }));
if (!results.image) { /* not asked for */ } else if (results.image.error) console.log(`image: ${results.image.error}`);
else {
  const i = results.image;
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`image (sample app, base ${i.base} ${mb(i.baseBytes)}): multi-stage ${mb(i.multiStage.bytes)} vs single-stage ${mb(i.singleStage.bytes)} ` +
    `(${mb(i.singleStage.bytes - i.multiStage.bytes)} smaller); apps: ` +
    Object.entries(i.apps).map(([app, r]) => `${app} ${r.error ? `failed (${r.error})` : mb(r.bytes)}`).join(', '));
}

if (wanted('deploy')) results.deploy = await benchDeploy(ROOT).catch((error) => ({ error: error.message }));
if (!results.deploy) { /* not asked for */ } else if (results.deploy.error) console.log(`deploy: ${results.deploy.error}`);
else {
  const d = results.deploy;
  const steps = (s) => Object.entries(s).map(([k, v]) => `${k} ${v} ms`).join(', ');
  console.log(`deploy (fixture → emulator): first ${d.first.totalMs} ms [${steps(d.first.steps)}], pushed ${kb(d.first.pushedBytes)}`);
  console.log(`deploy one-line change: ${d.oneLineChange.totalMs} ms [${steps(d.oneLineChange.steps)}], pushed ${kb(d.oneLineChange.pushedBytes)} ` +
    `(${d.oneLineChange.layersPushed} layers, ${d.oneLineChange.layersReused} reused)`);
  console.log(`raw engine + API (build, push, UpdateService, GET): ${d.raw.totalMs} ms [build ${d.raw.buildMs}, push ${d.raw.pushMs}, ` +
    `update ${d.raw.updateServiceMs}, health ${d.raw.healthMs}]; Mentor's extra (preflight, smoke test, plan, verify, gated rollout) ${d.overheadMs.vsRawSameWork} ms, ` +
    `ratio ${(d.oneLineChange.totalMs / d.raw.totalMs).toFixed(2)}×`);
}

// ---- log tail (scripts/bench/tailBench.mjs) ----
if (wanted('tail')) results.tail = await benchTail(ROOT).catch((error) => ({ error: error.message }));
if (!results.tail) { /* not asked for */ } else if (results.tail.error) console.log(`tail: ${results.tail.error}`);
else {
  const { sustained: s, latencyDefaultWindow: d, latencyNoWindow: z } = results.tail;
  console.log(`tail: ${s.entries} entries sustained at ${s.entriesPerSecond} entries/s (written in ${s.writtenMs} ms, all out after ${s.totalMs} ms); ` +
    `write → line out median ${d.medianMs} ms (p95 ${d.p95Ms}) with the ${d.bufferWindowMs} ms buffer window, ${z.medianMs} ms (p95 ${z.p95Ms}) without`);
}
// ---- end log tail ----

// ---- metrics panel (scripts/bench/metricsBench.mjs) ----
if (wanted('metrics')) {
  results.metrics = await benchMetrics(ROOT).catch((error) => ({ error: error.message }));
  printMetrics(results.metrics);
}
// ---- end metrics panel ----

// ---- route insight (scripts/bench/insightBench.mjs) ----
if (wanted('insight')) {
  results.insight = await benchInsight(ROOT).catch((error) => ({ error: error.message }));
  printInsight(results.insight);
}
// ---- end route insight ----

if (wanted('vscode')) {
  results.vscode = await benchVsCode(ROOT, startEmulator, Number(process.env.BENCH_VSCODE_RUNS || 10));
  printVsCode(results.vscode);
}

// Leave a development build behind, as `npm test` and `npm start` expect.
sh(process.execPath, ['scripts/build.mjs']);
fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'test-results/bench.json'), JSON.stringify(results, null, 2) + '\n');
console.log('written test-results/bench.json');
