// The cloudbuild.yaml Mentor generates (src/core/cloudBuildConfig.ts), run by the build executor from a
// commit of a local bare repository against the emulator in runtime mode: the docker builder builds and pushes
// the app to the test-bed registry, the cloud-sdk builder's gcloud deploys it with the health-gated rollout,
// and the deploy step's $BUILDER_OUTPUT/output line arrives in results.buildStepOutputs[2]. Substitutions are
// applied here with Cloud Build's rules (test/unit/cloudBuildRules.ts), as the emulated API does for triggers.
// Needs: DOCKER_HOST, REGISTRY_OPEN, the builder images, the regional Cloud Run names in /etc/hosts (npm test).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cloudBuildYaml } from '../../src/core/cloudBuildConfig';
import { deployConfigFromSettings } from '../../src/core/deployConfig';
import type { BuildMessage } from '../../emulator/buildExecution';
import { EngineBuildExecutor } from '../../emulator/buildExecutor';
import { RuntimeEngine } from '../../emulator/runtimeEngine';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { substitute } from '../unit/cloudBuildRules';
import { get } from './busyboxApp';
import { assertNothingLeft, RecordingReporter } from './buildHarness';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const PROJECT = 'mentor-demo';
const SERVICE = `gen-${RUN}`;
// busybox httpd: /health answers 200, / says which version runs
const START_SH = '#!/bin/sh\nmkdir -p /www\necho ok > /www/health\necho "$APP_VERSION" > /www/index.html\nexec httpd -f -p "$PORT" -h /www\n';
const dockerfile = (version: string) => `FROM busybox:latest\nENV APP_VERSION=${version}\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n`;
// the same app with /health gone (404): the candidate fails the health gate
const BROKEN_START_SH = START_SH.replace('echo ok > /www/health\n', '');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every string of the value with the substitutions applied (the API side's job on Google). */
function substituted<T>(value: T, values: Record<string, string>): T {
  if (typeof value === 'string') return substitute(value, values) as T;
  if (Array.isArray(value)) return value.map((v) => substituted(v, values)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituted(v, values)])) as T;
  return value;
}

describe('build executor running the generated cloudbuild.yaml against the emulator', function () {
  this.timeout(300_000);
  let engine: RuntimeEngine;
  let emulator: RunningEmulator;
  let executor: EngineBuildExecutor;
  let tmp = '';
  let bare = '';
  let work = '';

  before(async function () {
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = await RuntimeEngine.connect(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 10_000, operationDelayMs: 10, restPort: 0 });
    executor = new EngineBuildExecutor({ engine, restAddress: emulator.restAddress });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-exec-gen-'));
    bare = path.join(tmp, 'app.git');
    git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
    work = path.join(tmp, 'work');
    git(tmp, 'clone', '-q', bare, work);
    const settings: Record<string, unknown> = {
      project: PROJECT, region: 'us-central1', registry: REGISTRY, allowUnauthenticated: true, memory: '256Mi', cpu: '1',
      minInstances: 1, maxInstances: 2, verifyTimeoutSeconds: 30, 'rollout.intervalSeconds': 1, 'rollout.healthChecks': 1,
    };
    const config = deployConfigFromSettings((key, fallback) => (key in settings ? settings[key] : fallback) as never, SERVICE, (key) => key in settings);
    await fs.writeFile(path.join(work, 'cloudbuild.yaml'), cloudBuildYaml({ config, healthCheck: { path: '/health', accept: 'ok', source: 'setting', reason: 'test' } }));
  });
  after(async () => {
    engine?.close();
    await emulator?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Commits the app at `version`, and runs the build the trigger would start for that commit. */
  async function pushAndBuild(version: string, startScript = START_SH): Promise<{ build: BuildMessage; reporter: RecordingReporter }> {
    await fs.writeFile(path.join(work, 'Dockerfile'), dockerfile(version));
    await fs.writeFile(path.join(work, 'start.sh'), startScript);
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', `app ${version}`);
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    const sha = git(work, 'rev-parse', 'HEAD');
    const config = parse(await fs.readFile(path.join(work, 'cloudbuild.yaml'), 'utf8')) as Obj;
    const id = `${RUN}-${version}`;
    const values = { ...config.substitutions, PROJECT_ID: PROJECT, BUILD_ID: id, PROJECT_NUMBER: '1', LOCATION: 'us-central1', COMMIT_SHA: sha,
      SHORT_SHA: sha.slice(0, 7), REVISION_ID: sha, BRANCH_NAME: 'main', REF_NAME: 'main', REPO_NAME: 'app', REPO_FULL_NAME: 'test/app', TRIGGER_NAME: 'deploy' };
    const build: BuildMessage = {
      id, name: `projects/${PROJECT}/locations/us-central1/builds/${id}`, projectId: PROJECT, status: 'QUEUED',
      steps: substituted(config.steps, values), options: config.options, tags: config.tags, substitutions: values,
      timeout: { seconds: 600 },
    };
    const reporter = new RecordingReporter();
    await executor.run(build, { repository: bare, commitSha: sha, branch: 'main' }, reporter, new AbortController().signal);
    await assertNothingLeft(engine, build);
    return { build, reporter };
  }

  const tail = (r: RecordingReporter) => JSON.stringify(r.lines.slice(-40).map((l) => `${l.step ?? '-'}: ${l.text}`), null, 1);

  let firstRevision = '';
  let secondRevision = '';
  let serviceUrl = '';

  it('creates the service from the first commit: build, push, deploy; the deploy step reports through BUILDER_OUTPUT', async function () {
    const { build, reporter } = await pushAndBuild('v1');
    assert.equal(build.status, 'SUCCESS', `${build.statusDetail}\n${tail(reporter)}`);
    assert.deepEqual(build.steps.map((s) => s.status), ['SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.ok(reporter.step(1).some((l) => l.startsWith(`Pushed ${REGISTRY}/${PROJECT}/mentor/${SERVICE}@sha256:`)), tail(reporter));
    const out = JSON.parse(Buffer.from(build.results?.buildStepOutputs?.[2] ?? '', 'base64').toString()) as Obj;
    assert.equal(out.service, SERVICE);
    assert.match(out.revision, new RegExp(`^${SERVICE}-00001-`));
    assert.equal((await get(`${out.url}/`)).body.trim(), 'v1', 'the service runs the image the build made');
    firstRevision = out.revision;
  });

  it('rolls the next commit out 0 → 50 → 100 with the gates; the old revision is kept', async function () {
    assert.ok(firstRevision, 'the first build created the service');
    const { build, reporter } = await pushAndBuild('v2');
    assert.equal(build.status, 'SUCCESS', `${build.statusDetail}\n${tail(reporter)}`);
    const out = JSON.parse(Buffer.from(build.results?.buildStepOutputs?.[2] ?? '', 'base64').toString()) as Obj;
    assert.notEqual(out.revision, firstRevision);
    assert.equal(out.previousRevision, firstRevision);
    assert.equal(out.healthStatus, 200);
    for (let i = 0; i < 4; i++) assert.equal((await get(`${out.url}/`)).body.trim(), 'v2', 'all traffic on the new revision');
    secondRevision = out.revision;
    serviceUrl = out.url;
  });

  it('fails the build at the deploy step when the candidate breaks /health; traffic stays where it was', async function () {
    assert.ok(secondRevision, 'the second build rolled out');
    const { build, reporter } = await pushAndBuild('v3', BROKEN_START_SH);
    assert.equal(build.status, 'FAILURE', tail(reporter));
    assert.deepEqual(build.steps.map((s) => s.status), ['SUCCESS', 'SUCCESS', 'FAILURE']);
    assert.match(build.statusDetail ?? '', /^Build step failure: build step 2 "gcr\.io\/google\.com\/cloudsdktool\/cloud-sdk:slim" failed: step exited with non-zero status: \d+$/);
    const last = reporter.step(2).at(-1) ?? '';
    assert.match(last, /^Mentor: /, `the deploy step ends with its reason: ${tail(reporter)}`);
    for (let i = 0; i < 4; i++) assert.equal((await get(`${serviceUrl}/`)).body.trim(), 'v2', 'the previous revision still serves everything');
  });
});
