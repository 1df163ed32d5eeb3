// Deploy benchmark for `npm run bench`: the sample app deployed to the emulator (runtime mode, real
// engine and registry) through Mentor's pipeline, per step; bytes pushed on the first deploy vs a
// one-line change; and the same build + push + UpdateService + health GET done with raw dockerode and
// the raw Cloud Run client in the same run, to show Mentor's overhead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export async function benchDeploy(ROOT) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(path.join(ROOT, 'out', p));
  const registry = process.env.REGISTRY_OPEN ?? readEnvFile().REGISTRY_OPEN;
  const dockerHost = process.env.DOCKER_HOST ?? readEnvFile().DOCKER_HOST;
  if (!registry || !dockerHost) return { error: 'no engine/registry: run scripts/engine/engine-up.sh first' };
  process.env.DOCKER_HOST = dockerHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { startEmulator } = out('emulator/server.js');
  const emulator = await startEmulator({ port: 0, seed: 'demo', dockerHost });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-bench-deploy-'));
  try {
    fs.cpSync(path.join(ROOT, 'test/fixtures/mentor-ai-backend'), dir, { recursive: true });
    const { detectPythonProject } = out('src/core/pythonProject.js');
    const { renderDockerfile } = out('src/core/dockerfileTemplate.js');
    const { renderDockerignore } = out('src/core/dockerignoreTemplate.js');
    const files = { list: async () => fs.readdirSync(dir), read: async (p) => (fs.existsSync(path.join(dir, p)) ? fs.readFileSync(path.join(dir, p), 'utf8') : undefined) };
    fs.writeFileSync(path.join(dir, 'Dockerfile'), renderDockerfile(await detectPythonProject(files)));
    fs.writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore());
    // Unique content, so the app layer is new to the registry (base layers may already be there).
    fs.writeFileSync(path.join(dir, 'bench-assets.txt'), `${Date.now()}-${Math.random()}\n`.repeat(2000));

    const { deployConfigFromSettings } = out('src/core/deployConfig.js');
    const service = `bench-${Date.now().toString(36)}`;
    const settings = { project: 'mentor-demo', region: 'us-central1', service, registry, allowUnauthenticated: true,
      'rollout.strategy': 'gradual', 'rollout.steps': [0, 50, 100], 'rollout.intervalSeconds': 1, 'rollout.healthChecks': 1, minInstances: 0 };
    const config = deployConfigFromSettings((key, fallback) => settings[key] ?? fallback, service, (key) => key in settings);
    const target = { project: 'mentor-demo', region: 'us-central1', apiEndpoint: emulator.address };
    const deps = {
      cloudRun: await out('src/gcp/cloudRun.js').connectCloudRun(target),
      preflight: await out('src/gcp/preflightApi.js').connectPreflight(target),
      docker: () => out('src/docker/connect.js').connectDocker(),
      registryAuth: async () => undefined,
      logs: out('src/deploy/deployLogs.js').deployLogsFrom(() => out('src/gcp/cloudLogging.js').connectCloudLogging(target), 'mentor-demo', 'us-central1'),
    };
    const ui = { progress() {}, log() {}, warn() {}, confirmPlan: async () => true, confirmDroppedRefs: async () => 'keep' };
    const { runDeploy } = out('src/deploy/pipeline.js');
    const deployOnce = async (tag) => {
      const started = performance.now();
      const result = await runDeploy({ config, folder: dir, sourceTag: tag }, deps, ui, new AbortController().signal);
      return { totalMs: Math.round(performance.now() - started), steps: Object.fromEntries(result.timings.map((t) => [t.step, t.ms])),
        pushedBytes: result.push.pushedBytes, layersPushed: result.push.layersPushed, layersReused: result.push.layersReused };
    };
    const first = await deployOnce('bench-1');
    const main = path.join(dir, 'main.py');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('"status": "healthy",', '"status": "healthy", "bench": 2,'));
    const oneLine = await deployOnce('bench-2');
    const raw = await rawDeploy(out, dir, registry, service, emulator.address);
    await deps.cloudRun.close();
    await deps.preflight.close();
    return { service, first, oneLineChange: oneLine, raw,
      overheadMs: { vsRawSameWork: oneLine.totalMs - raw.totalMs } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/** The same image work and API calls without Mentor: dockerode build + push, UpdateService, one GET. */
async function rawDeploy(out, dir, registry, service, address) {
  const require = createRequire(import.meta.url);
  const Docker = require('dockerode');
  const { grpc } = require('google-gax');
  const { PassThroughClient } = require('google-auth-library');
  const { ServicesClient } = require('@google-cloud/run');
  const host = new URL(process.env.DOCKER_HOST.replace('unix://', 'http://localhost')).pathname;
  const docker = new Docker({ socketPath: host, version: 'v1.41' });
  const follow = (stream) => new Promise((resolve, reject) => docker.modem.followProgress(stream, (err, events) => {
    const failed = events?.find((e) => e.error);
    return err || failed ? reject(err ?? new Error(failed.error)) : resolve(events);
  }));
  const image = `${registry}/mentor-demo/mentor/${service}`;
  const main = path.join(dir, 'main.py');
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('"bench": 2,', '"bench": 3,'));
  const t0 = performance.now();
  const { packContext } = out('src/docker/buildContext.js');
  await follow(await docker.buildImage((await packContext(dir)).stream, { t: `${image}:raw`, forcerm: true }));
  const t1 = performance.now();
  const events = await follow(await docker.getImage(`${image}:raw`).push({ authconfig: {} }));
  const digest = events.map((e) => e.aux?.Digest).find(Boolean);
  const t2 = performance.now();
  const [hostName, port] = address.split(':');
  const client = new ServicesClient({ apiEndpoint: hostName, port: Number(port), sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient() });
  const name = `projects/mentor-demo/locations/us-central1/services/${service}`;
  const [current] = await client.getService({ name });
  current.template.revision = undefined;
  current.template.containers[0].image = `${image}@${digest}`;
  current.traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
  const [operation] = await client.updateService({ service: current });
  const [updated] = await operation.promise();
  const t3 = performance.now();
  const status = await new Promise((resolve) => require('node:http').get(`${updated.uri}/health`, (r) => { r.resume(); resolve(r.statusCode); }).on('error', () => resolve(0)));
  const t4 = performance.now();
  await client.close();
  return { totalMs: Math.round(t4 - t0), buildMs: Math.round(t1 - t0), pushMs: Math.round(t2 - t1), updateServiceMs: Math.round(t3 - t2), healthMs: Math.round(t4 - t3), healthStatus: status };
}

function readEnvFile() {
  try {
    return Object.fromEntries(fs.readFileSync('/tmp/mentor-engine/env', 'utf8').split('\n')
      .map((l) => /^export (\w+)=(.*)$/.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]));
  } catch {
    return {};
  }
}
