// The headless CLI (`npx mentor deploy`, bin/mentor.cjs → dist/cli.mjs) as CI runs it: against the emulator in
// runtime mode on the REAL engine and registry (DOCKER_HOST, REGISTRY_OPEN). It creates a service, refuses to
// change a live one without --yes, and refuses through the etag a write whose plan someone changed meanwhile.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient } from '@google-cloud/run';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { renderDockerfile } from '../../src/core/dockerfileTemplate';
import { renderDockerignore } from '../../src/core/dockerignoreTemplate';
import { detectPythonProject } from '../../src/core/pythonProject';
import { folderProjectFiles } from '../../src/local/folderFiles';
import { startEmulator, type RunningEmulator } from '../../emulator/server';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVICE = `cli-${Date.now().toString(36)}`;
const NAME = `projects/mentor-demo/locations/us-central1/services/${SERVICE}`;
const GET_IAM_POLICY = 'google.cloud.run.v2.Services/GetIamPolicy';

interface CliRun { code: number; stdout: string; stderr: string }

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mentor.cjs'), ...args], {
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => http.get(url, (r) => { r.resume(); resolve(r.statusCode ?? 0); }).on('error', () => resolve(0)));
}

describe('The headless CLI deploys like the extension, on the real engine', function () {
  this.timeout(300_000);
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let dir: string;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST && process.env.REGISTRY_OPEN, 'DOCKER_HOST / REGISTRY_OPEN are not set: npm test starts the engine and registries');
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'cli.mjs')), 'dist/cli.mjs is missing: npm test builds it first');
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, seed: 'demo', operationDelayMs: 30 });
    services = new ServicesClient({ apiEndpoint: '127.0.0.1', port: emulator.port, sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(), projectId: 'mentor-demo' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-cli-'));
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'mentor-ai-backend'), dir, { recursive: true });
    fs.rmSync(path.join(dir, '.env'), { force: true });
    fs.writeFileSync(path.join(dir, 'Dockerfile'), renderDockerfile((await detectPythonProject(folderProjectFiles(dir)))!));
    fs.writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore());
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({
      'mentor.project': 'mentor-demo', 'mentor.region': 'us-central1', 'mentor.apiEndpoint': emulator.address,
      'mentor.registry': process.env.REGISTRY_OPEN, 'mentor.service': SERVICE, 'mentor.allowUnauthenticated': true,
      'mentor.minInstances': 0, 'mentor.rollout.strategy': 'allAtOnce',
    }, null, 2));
  });

  after(async () => {
    await services?.close();
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a public service with --yes --allow-access-changes and prints the revision, its URL and the health check', async () => {
    const run = await runCli(['deploy', '--folder', dir, '--yes', '--allow-access-changes']);
    assert.equal(run.code, 0, run.stderr);
    const line = /Deployed (\S+) · (http\S+) · (\S+) 200 in \d+ ms/.exec(run.stdout);
    assert.ok(line, run.stdout);
    assert.match(line[1], new RegExp(`^${SERVICE}-00001-`));
    assert.equal(line[3], '/health', 'the fixture\'s own health route');
    assert.match(run.stdout, /Health check: GET \/health — health route in main\.py:\d+/);
    assert.equal(await get(`${line[2]}/health`), 200);
  });

  it('without --yes it shows the plan and refuses to change the live service', async () => {
    const before = (await services.getService({ name: NAME }))[0];
    const run = await runCli(['deploy', '--folder', dir]);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, new RegExp(`Plan for ${SERVICE}:`));
    assert.match(run.stderr, /Refusing to change a live service without --yes/);
    const after = (await services.getService({ name: NAME }))[0];
    assert.equal(after.etag, before.etag, 'nothing was written');
  });

  it('a change made between its plan and its write is refused through the etag, and nothing is overwritten', async () => {
    // Hold the plan's IAM read for a few seconds: the window in which someone else changes the service.
    emulator.faults.inject(GET_IAM_POLICY, grpc.status.OK, '', 1, 4000);
    const calls = () => emulator.faults.stats(false)[GET_IAM_POLICY] ?? 0;
    const callsBefore = calls();
    let changed: Promise<unknown> | undefined;
    const watcher = setInterval(() => {
      if (changed || calls() === callsBefore) return;
      changed = (async () => {
        const [live] = await services.getService({ name: NAME });
        const [operation] = await services.updateService({ service: { ...live, labels: { ...live.labels, 'changed-by': 'console' } } });
        await operation.promise();
      })();
    }, 25);
    try {
      const run = await runCli(['deploy', '--folder', dir, '--yes']);
      await changed;
      assert.ok(changed, 'the CLI read the service for its plan');
      assert.notEqual(run.code, 0, run.stdout);
      assert.match(run.stderr, new RegExp(`${SERVICE} changed since you planned this deploy`));
      assert.match(run.stderr, /Nothing was overwritten and traffic is unchanged/);
      const [live] = await services.getService({ name: NAME });
      assert.equal(live.labels?.['changed-by'], 'console', 'the other change stays');
      assert.match(String(live.latestCreatedRevision), new RegExp(`${SERVICE}-00001-`), 'no new revision');
    } finally {
      clearInterval(watcher);
    }
  });
});
