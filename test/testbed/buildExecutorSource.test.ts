// The build executor with a git source and the test bed's real builder images against a running emulator:
// the commit checked out into /workspace (a local bare repository standing in for GitHub), a
// gcr.io/cloud-builders/docker step building the commit's Dockerfile through the mounted engine socket,
// Build.images pushed to the test-bed registry with the digest in results.images, the cloud-sdk builder's
// gcloud listing the emulator's services and writing $BUILDER_OUTPUT/output, secretEnv from Secret Manager.
// Needs: DOCKER_HOST, REGISTRY_OPEN and the builder images (npm test's engine-up.sh and builder-images.sh).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient } from '@google-cloud/run';
import type { BuildSource } from '../../emulator/buildExecution';
import { EngineBuildExecutor } from '../../emulator/buildExecutor';
import { secretManagerAccess } from '../../emulator/buildStepSecrets';
import { RuntimeEngine } from '../../emulator/runtimeEngine';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, PARENT, PROJECT, serviceBody } from '../emulator/fixture';
import { get } from './busyboxApp';
import { assertNothingLeft, BUSYBOX, newBuild, RecordingReporter } from './buildHarness';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
const SDK_BUILDER = 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('build executor with a git source, the builder images and the emulator', function () {
  this.timeout(180_000);
  let engine: RuntimeEngine;
  let emulator: RunningEmulator;
  let executor: EngineBuildExecutor;
  let tmp = '';
  let bare = '';
  let first = '';
  let second = '';

  before(async function () {
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = await RuntimeEngine.connect(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
    emulator = await startEmulator({ operationDelayMs: 10, restPort: 0 });
    executor = new EngineBuildExecutor({ engine, restAddress: emulator.restAddress, accessSecret: secretManagerAccess(emulator.secretManager) });
    // the "GitHub" repository: a bare repository with two commits on main
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-exec-src-'));
    bare = path.join(tmp, 'app.git');
    git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
    const work = path.join(tmp, 'work');
    git(tmp, 'clone', '-q', bare, work);
    await fs.writeFile(path.join(work, 'app.txt'), `first commit ${RUN}\n`);
    await fs.writeFile(path.join(work, 'Dockerfile'), `FROM busybox:latest\nCOPY app.txt /app.txt\nCMD ["cat", "/app.txt"]\n`);
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'first');
    first = git(work, 'rev-parse', 'HEAD');
    await fs.writeFile(path.join(work, 'app.txt'), `second commit ${RUN}\n`);
    git(work, 'commit', '-q', '-am', 'second');
    second = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '-q', 'origin', 'HEAD:main');
  });
  after(async () => {
    engine?.close();
    await emulator?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  async function run(build: ReturnType<typeof newBuild>, source?: BuildSource): Promise<RecordingReporter> {
    const reporter = new RecordingReporter();
    await executor.run(build, source, reporter, new AbortController().signal);
    await assertNothingLeft(engine, build);
    return reporter;
  }

  it('checks the commit out into /workspace (with .git, as a triggered build has it)', async function () {
    const build = newBuild([{ name: BUSYBOX, entrypoint: 'sh', args: ['-c', 'cat app.txt; test -d .git && echo "has .git"'] }]);
    const r = await run(build, { repository: bare, commitSha: first, branch: 'main' });
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.deepEqual(r.step(0).slice(1), [`first commit ${RUN}`, 'has .git'], 'the older commit, not the branch tip');
    const main = r.main();
    assert.ok(main.includes(`HEAD is now at ${first.slice(0, 7)} first`), JSON.stringify(main));
    assert.ok(main.includes('Initialized empty Git repository in /workspace/.git/'), 'git lines show /workspace, not the host directory');
    assert.ok(main.indexOf('FETCHSOURCE') < main.indexOf('BUILD'));
  });

  it('fails with FETCH_SOURCE_FAILED for a commit the repository does not have', async function () {
    const build = newBuild([{ name: BUSYBOX, args: ['true'] }]);
    await run(build, { repository: bare, commitSha: 'f'.repeat(40) });
    assert.equal(build.status, 'FAILURE');
    assert.equal(build.failureInfo?.type, 'FETCH_SOURCE_FAILED');
    assert.match(build.statusDetail ?? '', new RegExp(`failed to fetch commit f{40} from ${bare}`));
    assert.equal(build.steps[0].status, 'QUEUED', 'no step ran');
  });

  it('runs nothing for a build cancelled before it started: no fetch, steps QUEUED, CANCELLED', async function () {
    const build = newBuild([{ name: BUSYBOX, args: ['true'] }]);
    const controller = new AbortController();
    controller.abort();
    const reporter = new RecordingReporter();
    await executor.run(build, { repository: bare, commitSha: first }, reporter, controller.signal);
    await assertNothingLeft(engine, build);
    assert.equal(build.status, 'CANCELLED');
    assert.deepEqual(build.steps.map((s) => s.status), ['QUEUED']);
    assert.ok(!reporter.main().some((l) => l.startsWith('HEAD is now at')), 'the source was not checked out');
  });

  it('builds the commit with the docker builder through the mounted socket and pushes Build.images with its digest', async function () {
    const image = `${REGISTRY}/mentor-exec-${RUN}/app:${second.slice(0, 7)}`;
    const build = newBuild([{ id: 'build', name: DOCKER_BUILDER, args: ['build', '-t', image, '.'] }], { images: [image] });
    const r = await run(build, { repository: bare, commitSha: second });
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.ok(r.step(0).some((l) => /Successfully tagged/.test(l)), 'docker build output is the step\'s log');
    const images = build.results?.images as { name: string; digest: string }[];
    assert.equal(images.length, 1);
    assert.equal(images[0].name, image);
    assert.match(images[0].digest, /^sha256:[0-9a-f]{64}$/);
    const manifest = await get(`http://${REGISTRY}/v2/mentor-exec-${RUN}/app/manifests/${second.slice(0, 7)}`,
      { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
    assert.equal(manifest.status, 200, 'the registry has the pushed tag');
    const main = r.main();
    assert.deepEqual(main.slice(main.indexOf('PUSH'), main.indexOf('PUSH') + 2), ['PUSH', `Pushing ${image}`]);
    assert.equal(main.at(-1), 'DONE');
    assert.deepEqual(Object.keys(build.timing as object).sort(), ['BUILD', 'FETCHSOURCE', 'PUSH']);
    const run2 = execFileSync('docker', ['run', '--rm', '--network', 'none', image], { env: process.env, encoding: 'utf8' });
    assert.equal(run2.trim(), `second commit ${RUN}`);
    execFileSync('docker', ['rmi', image], { env: process.env });
  });

  it('fails with PUSH_IMAGE_NOT_FOUND when no step produced an image Build.images names', async function () {
    const image = `${REGISTRY}/mentor-exec-${RUN}/never-built:1`;
    const build = newBuild([{ name: BUSYBOX, args: ['true'] }], { images: [image] });
    await run(build);
    assert.equal(build.status, 'FAILURE');
    assert.deepEqual(build.failureInfo, { type: 'PUSH_IMAGE_NOT_FOUND', detail: `failed to find one or more images after execution of build steps: ["${image}"]` });
  });

  it('runs the cloud-sdk builder\'s gcloud against the emulator and keeps its $BUILDER_OUTPUT/output', async function () {
    const services = new ServicesClient(clientOptions(emulator.port));
    try {
      const [op] = await services.createService({ parent: PARENT, serviceId: `exec-${RUN}`, service: serviceBody('us-docker.pkg.dev/cloudrun/container/hello') });
      await op.promise();
    } finally {
      await services.close();
    }
    const build = newBuild([{ id: 'deploy', name: SDK_BUILDER, entrypoint: 'bash', args: ['-c',
      'set -e; names=$(gcloud run services list --region=us-central1 --format="value(metadata.name)"); echo "services: $names"; ' +
      'printf \'{"service":"%s"}\' "$names" > "$BUILDER_OUTPUT/output"'] }], { projectId: PROJECT });
    const r = await run(build);
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.ok(r.step(0).includes(`services: exec-${RUN}`), JSON.stringify(r.step(0)));
    assert.deepEqual(JSON.parse(Buffer.from(build.results?.buildStepOutputs?.[0] ?? '', 'base64').toString()), { service: `exec-${RUN}` });
  });

  it('gives secretEnv from Secret Manager to the step only, and fails clearly for an undefined one', async function () {
    const secret = emulator.secretManager.createSecret({ parent: `projects/${PROJECT}`, secretId: `exec-${RUN}`, secret: { replication: { automatic: {} } } });
    const value = `s3cr3t-${RUN}`;
    emulator.secretManager.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from(value).toString('base64') } });
    const availableSecrets = { secretManager: [{ versionName: `${secret.name}/versions/latest`, env: 'API_KEY' }] };
    const build = newBuild([{ name: BUSYBOX, secretEnv: ['API_KEY'], args: ['sh', '-c', 'printf %s "$API_KEY" | sha256sum'] }],
      { projectId: PROJECT, availableSecrets });
    const r = await run(build);
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.deepEqual(r.step(0).slice(1), [`${createHash('sha256').update(value).digest('hex')}  -`], 'the step had the value');
    assert.ok(!JSON.stringify(build).includes(value) && !JSON.stringify(r.lines).includes(value), 'the value is in neither the Build nor the log');

    const missing = newBuild([{ name: BUSYBOX, secretEnv: ['OTHER'], args: ['true'] }], { projectId: PROJECT, availableSecrets });
    await run(missing);
    assert.equal(missing.status, 'FAILURE');
    assert.equal(missing.statusDetail, `Build step failure: build step 0 "${BUSYBOX}" failed: secretEnv OTHER is not defined in availableSecrets.secretManager`);
  });
});
