// Issue #12 end to end, in a real VS Code against the emulator on the real engine: "Set Up Continuous
// Deployment" from the palette writes cloudbuild.yaml and the trigger; then each `git push` to the local origin
// (GitHub's stand-in) fires the trigger and the emulator runs the GENERATED steps as containers — the docker
// builder builds and pushes the app, the cloud-sdk builder's real gcloud rolls it out on the emulator. The
// editor learns of each build through the real Pub/Sub emulator: the status bar and a notice show the result.
// A first push creates the service; a second goes candidate 0% → 50% → 100% with the old revision kept; a
// third breaks /health, fails at the gate, leaves traffic exactly as it was and names the step.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { RepositoryManagerClient } from '@google-cloud/cloudbuild/build/src/v2/repository_manager_client';
import { WRITE_BUTTON } from '../../src/commands/cicdUi';
import { trafficOf, getService } from './liveService';
import { PROJECT, REGION, emulatorAddress, eventually, httpGet, mentor, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { fromPalette } from './userActions';

const SERVICE = 'push-deploy-api';
const TITLE = 'Mentor: Set Up Continuous Deployment';
const BUILD_TIMEOUT_MS = 420_000;
const CONNECTION = `projects/${PROJECT}/locations/${REGION}/connections/mentor-github`;

function grpcOptions() {
  const [host, port] = emulatorAddress().split(':');
  return { apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient(), projectId: PROJECT };
}

/** What the status bar says about the build of HEAD once it has ended (its accessible label names the commit). */
async function buildOfHeadEnds(head: string): Promise<string> {
  let seen = '';
  return eventually(`the build of ${head.slice(0, 7)} to end in the status bar`, async () => {
    const items = await ui.statusBarItems();
    seen = items.map((i) => `${i.text} [${i.tooltip}]`).join(' | ');
    const item = items.find((i) => /^(Deployed|Build failed|Build succeeded)/.test(i.text) && i.tooltip.endsWith(`build of commit ${head.slice(0, 7)}`));
    return item?.text;
  }, BUILD_TIMEOUT_MS).catch((error: Error) => {
    throw new Error(`${error.message}; the status bar showed: ${seen}`);
  });
}

describe('Push to main deploys through Cloud Build with the health-gated rollout (generated steps, real gcloud)', function () {
  this.timeout(30 * 60_000);
  let dir: string;
  let bare: string;
  let settingsFile: string;
  let originalSettings: string;
  let main: string;
  let originalMain: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Dana Pusher', '-c', 'user.email=dana@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  const commitAndPush = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    git('push', '-q', 'origin', 'main');
    return git('rev-parse', 'HEAD');
  };

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    assert.ok(process.env.PUBSUB_EMULATOR_HOST, 'PUBSUB_EMULATOR_HOST is not set: npm test starts the Pub/Sub emulator');
    await mentor();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    main = path.join(dir, 'main.py');
    originalMain = fs.readFileSync(main, 'utf8');
    settingsFile = path.join(dir, '.vscode', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    if (!fs.existsSync(path.join(dir, 'Dockerfile'))) await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    assert.ok(fs.existsSync(path.join(dir, 'Dockerfile')), 'Create Dockerfile wrote no Dockerfile');
    const settings: Record<string, unknown> = {
      // the demo seed's runtime account: the build deploys as it (a build never deploys as the Compute default)
      service: SERVICE, serviceAccount: `mentor-runtime@${PROJECT}.iam.gserviceaccount.com`, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      'rollout.strategy': 'gradual', 'rollout.steps': [0, 50, 100], 'rollout.intervalSeconds': 5, 'rollout.healthChecks': 2,
      'rollout.maxErrorRatePercent': 5,
    };
    for (const [key, value] of Object.entries(settings)) await setMentorSetting(key, value);
    await eventually('the settings to apply', async () => vscode.workspace.getConfiguration('mentor').get<string>('service') === SERVICE);
    bare = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-origin-')), 'push-deploy-api.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    git('init', '--quiet', '--initial-branch=main');
    git('remote', 'add', 'origin', bare);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.writeFileSync(main, originalMain);
    for (const file of ['cloudbuild.yaml', 'Dockerfile', '.dockerignore', '.git']) fs.rmSync(path.join(dir, file), { recursive: true, force: true });
    if (bare) fs.rmSync(path.dirname(bare), { recursive: true, force: true });
    fs.writeFileSync(settingsFile, originalSettings);
  });

  it('Set Up Continuous Deployment from the palette writes cloudbuild.yaml (after its diff) and the trigger', async () => {
    await fromPalette(TITLE);
    await ui.clickDialogButton(WRITE_BUTTON, { timeoutMs: 60_000 });
    await eventually('cloudbuild.yaml on disk', async () => fs.existsSync(path.join(dir, 'cloudbuild.yaml')) || undefined, 30_000);
    // The GitHub connection: one left COMPLETE by an earlier test is reused; a new one waits for the user's
    // browser, which here is the test visiting the pages Mentor opened (the connection names them).
    const connections = new RepositoryManagerClient(grpcOptions());
    try {
      await eventually('the GitHub connection to be COMPLETE', async () => {
        const [connection] = await connections.getConnection({ name: CONNECTION }).catch(() => [undefined]);
        if (String(connection?.installationState?.stage) === 'COMPLETE') return true;
        if (connection?.installationState?.actionUri) assert.strictEqual((await httpGet(connection.installationState.actionUri)).status, 200);
        await new Promise((r) => setTimeout(r, 1000));
        return undefined;
      }, 120_000);
    } finally {
      await connections.close();
    }
    const slack = await ui.quickInput({ timeoutMs: 120_000 });
    assert.match(slack.title, /Slack notifications for builds \(optional\)/);
    await ui.click('.quick-input-widget .quick-input-box input');
    await ui.pressKeys('Escape');
    const done = await ui.waitForNotification(`Continuous deployment: a push to main deploys ${SERVICE}`, { timeoutMs: 120_000 });
    assert.match(done.message, /Commit and push cloudbuild\.yaml to main to start/);
  });

  let firstRevision: string;
  it('the first push builds the app with the generated steps and creates the service; the status bar and a notice say Deployed', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const head = commitAndPush('the app, its Dockerfile and cloudbuild.yaml');
    assert.strictEqual(await buildOfHeadEnds(head), 'Deployed');
    const notice = await ui.waitForNotification(`Deployed ${SERVICE}-`, { timeoutMs: 30_000 });
    const [, revision, url] = /^Deployed (\S+) · (\S+) · \/health 200$/.exec(notice.message) ?? [];
    assert.ok(revision && url, `the notice names the revision, its URL and the health check: ${notice.message}`);
    firstRevision = revision;
    const service = await getService(SERVICE);
    assert.strictEqual(service.latestReadyRevision?.split('/').pop(), revision);
    assert.strictEqual((await httpGet(`${url}/health`)).status, 200);
  });

  let secondRevision: string;
  it('a second push rolls out candidate 0% → 50% → 100% with the gates; the old revision stays for rollback', async () => {
    fs.writeFileSync(main, originalMain.replace('"status": "healthy"', '"status": "healthy", "release": 2'));
    await vscode.commands.executeCommand('notifications.clearAll');
    const head = commitAndPush('release 2');
    // The gradual step is seen from outside: the new revision holds exactly half of the traffic for a while.
    const split = await eventually('the candidate to hold 50%', async () => {
      const traffic = await trafficOf(SERVICE);
      return traffic.some(([revision, percent]) => revision !== firstRevision && percent === 50) ? traffic : undefined;
    }, BUILD_TIMEOUT_MS);
    assert.ok(split.some(([revision, percent]) => revision === firstRevision && percent === 50), `the old revision keeps the other half: ${JSON.stringify(split)}`);
    assert.strictEqual(await buildOfHeadEnds(head), 'Deployed');
    const notice = await ui.waitForNotification(`Deployed ${SERVICE}-`, { timeoutMs: 30_000 });
    secondRevision = /^Deployed (\S+) · /.exec(notice.message)?.[1] ?? '';
    assert.notStrictEqual(secondRevision, firstRevision, notice.message);
    const traffic = (await trafficOf(SERVICE)).filter(([, percent]) => percent > 0);
    assert.deepStrictEqual(traffic.map(([revision, percent]) => [revision, percent]), [[secondRevision, 100]]);
    const body = JSON.parse((await httpGet(`${(await getService(SERVICE)).uri}/health`)).body) as { release?: number };
    assert.strictEqual(body.release, 2);
  });

  it('a push that breaks /health fails at the gate: traffic stays exactly as it was and the notice names the step', async () => {
    const before = await trafficOf(SERVICE);
    fs.writeFileSync(main, originalMain.replace('def health() -> dict:\n', 'def health() -> dict:\n    raise RuntimeError("broken on purpose")\n'));
    await vscode.commands.executeCommand('notifications.clearAll');
    const head = commitAndPush('break /health');
    assert.strictEqual(await buildOfHeadEnds(head), 'Build failed · deploy');
    const notice = await ui.waitForNotification('Build failed at step deploy', { timeoutMs: 30_000 });
    assert.match(notice.message, /health/i, 'the reason names the health check');
    assert.ok(notice.buttons.includes('Roll Back') && notice.buttons.includes('Show Build Log'), notice.buttons.join(', '));
    const after = await trafficOf(SERVICE);
    assert.deepStrictEqual(after, before, 'traffic (percentages and tags) is exactly as before the push');
    assert.deepStrictEqual(after.filter(([, p]) => p > 0).map(([r, p]) => [r, p]), [[secondRevision, 100]]);
  });
});
