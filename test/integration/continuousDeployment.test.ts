// "Mentor: Set Up Continuous Deployment" in a real VS Code against the emulator, driven from the palette on a
// workspace whose `origin` is a local bare repository (the emulator's GitHub stand-in): the proposed
// cloudbuild.yaml appears in a diff editor and is written on "Write cloudbuild.yaml"; the GitHub connection's
// pages are opened as the browser would; then the repository link, the trigger, the build service account
// with its grants, the cloud-builds topic and the Slack webhook secret exist, read back through the real
// clients. A second run finds and reuses everything; an edited cloudbuild.yaml stays unless the user chooses.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { CloudBuildClient } from '@google-cloud/cloudbuild/build/src/v1/cloud_build_client';
import { RepositoryManagerClient } from '@google-cloud/cloudbuild/build/src/v2/repository_manager_client';
import { PublisherClient } from '@google-cloud/pubsub-api/build/src/v1/publisher_client';
import { isUnchangedSinceGenerated } from '../../src/core/cloudBuildConfig';
import { GoogleCicdSetupApi } from '../../src/gcp/cicdSetupClient';
import { GoogleSetupApi } from '../../src/gcp/setupClient';
import { KEEP_EDITED_BUTTON, REPLACE_EDITED_BUTTON, WRITE_BUTTON } from '../../src/commands/cicdUi';
import { emulatorAddress, eventually, httpGet, mentor, PROJECT, REGION, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { fromPalette } from './userActions';
import { filesHolding } from './secretAudit';

const TITLE = 'Mentor: Set Up Continuous Deployment';
const RUNTIME = `mentor-runtime@${PROJECT}.iam.gserviceaccount.com`;
const BUILD = `mentor-ai-backend-deployer@${PROJECT}.iam.gserviceaccount.com`;
const CONNECTION = `projects/${PROJECT}/locations/${REGION}/connections/mentor-github`;
const SLACK_URL = `https://hooks.slack.com/services/T0MENTOR/B0TEST/${Date.now().toString(36)}fakeWebhookToken`;

function grpcOptions(address = emulatorAddress()) {
  const [host, port] = address.split(':');
  return { apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient(), projectId: PROJECT };
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const rolesOf = (policy: { bindings: { role: string; members: string[] }[] }, member: string) =>
  policy.bindings.filter((b) => b.members.includes(member)).map((b) => b.role).sort();

describe('Continuous deployment: from the palette to a trigger on push to main, against the emulator', function () {
  this.timeout(300_000);
  let dir: string;
  let bare: string;
  let settingsFile: string;
  let originalSettings: string;
  let repositories: RepositoryManagerClient;
  let builds: CloudBuildClient;
  let setupApi: GoogleSetupApi;
  let cicdApi: GoogleCicdSetupApi;
  const file = () => path.join(dir, 'cloudbuild.yaml');

  before(async () => {
    await mentor();
    assert.ok(process.env.PUBSUB_EMULATOR_HOST, 'PUBSUB_EMULATOR_HOST is not set: npm test starts the Pub/Sub emulator');
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    settingsFile = path.join(dir, '.vscode', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    // The repository as a user has it: a clone whose origin is "GitHub" (here a local bare repository).
    bare = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-origin-')), 'mentor-ai-backend.git');
    git(os.tmpdir(), 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'remote', 'add', 'origin', bare);
    for (const [key, value] of Object.entries({ serviceAccount: RUNTIME, secrets: { GEMINI_API_KEY: 'gemini-api-key:1' } })) await setMentorSetting(key, value);
    await eventually('the settings to apply', async () => vscode.workspace.getConfiguration('mentor').get<string>('serviceAccount') === RUNTIME);
    process.env.METADATA_SERVER_DETECTION = 'none';
    repositories = new RepositoryManagerClient(grpcOptions());
    builds = new CloudBuildClient(grpcOptions());
    const target = { project: PROJECT, region: REGION, apiEndpoint: emulatorAddress() };
    setupApi = await GoogleSetupApi.connect(target);
    cicdApi = await GoogleCicdSetupApi.connect(target);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file(), { force: true });
    fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    fs.rmSync(path.dirname(bare), { recursive: true, force: true });
    fs.writeFileSync(settingsFile, originalSettings);
    await Promise.allSettled([repositories?.close(), builds?.close(), setupApi?.close(), cicdApi?.close()]);
    await eventually('the original settings to apply', async () => !vscode.workspace.getConfiguration('mentor').get<string>('serviceAccount'));
  });

  it('shows the proposed cloudbuild.yaml in a diff editor; "Write cloudbuild.yaml" writes it', async () => {
    await fromPalette(TITLE);
    const shot = await eventually('the diff editor with the proposal', async () => {
      const s = await ui.screenshot('cd-proposal', { delayMs: 500 });
      return /generated by Mentor from the mentor\.\* settings/.test(s.text) ? s : undefined;
    }, 60_000);
    assert.match(shot.text, /cloudbuild\.yaml: no file yet ↔ Mentor's proposal/);
    assert.match(shot.text, /\(service mentor-ai-backend, region us-central1, project mentor-demo\)/);
    assert.ok(!fs.existsSync(file()), 'nothing is written before the user chooses');
    const dialog = await ui.clickDialogButton(WRITE_BUTTON, { timeoutMs: 30_000 });
    assert.match(dialog.message, /Write cloudbuild\.yaml\?/);
    // The file appears before its last byte lands: wait for the whole of it, which carries a valid fingerprint.
    const text = await eventually('cloudbuild.yaml on disk, complete with its fingerprint', async () => {
      const t = fs.existsSync(file()) ? fs.readFileSync(file(), 'utf8') : '';
      return isUnchangedSinceGenerated(t) ? t : undefined;
    });
    for (const id of ['build', 'push', 'deploy']) assert.match(text, new RegExp(`- id: ${id}\\n`));
  });

  it('creates the GitHub connection and opens its pages; visiting them as the browser would completes it', async () => {
    const pending = await eventually('the connection to wait for the user', async () => {
      const [c] = await repositories.getConnection({ name: CONNECTION }).catch(() => [undefined]);
      return c?.installationState?.actionUri ? c : undefined;
    }, 60_000);
    assert.strictEqual(String(pending.installationState?.stage), 'PENDING_USER_OAUTH');
    const oauth = pending.installationState!.actionUri!;
    // openExternal in code-server opens the page in the harness's real browser, which may complete the
    // connection before the notice is read: then the browser did what the user would.
    const seen = await eventually('the notice naming the page, or the connection completed by the opened page', async () => {
      const note = (await ui.notificationItems({ open: true })).find((n) => n.message.includes('Authorize Cloud Build on GitHub in your browser'));
      if (note) return { note };
      const [c] = await repositories.getConnection({ name: CONNECTION });
      return String(c.installationState?.stage) === 'COMPLETE' ? { note: undefined } : undefined;
    }, 30_000);
    if (seen.note) assert.ok(seen.note.message.includes(oauth), `the notification names the page it opened: ${seen.note.message}`);
    // The user's browser: each page moves the connection on (OAuth, then installing the app).
    await eventually('the connection to be COMPLETE', async () => {
      const [c] = await repositories.getConnection({ name: CONNECTION });
      if (String(c.installationState?.stage) === 'COMPLETE') return true;
      if (c.installationState?.actionUri) assert.strictEqual((await httpGet(c.installationState.actionUri)).status, 200);
      await new Promise((r) => setTimeout(r, 1000));
      return undefined;
    }, 60_000);
  });

  it('asks for a Slack webhook in a password box and ends with the repository, trigger, build account, grants and topic in place', async () => {
    const input = await ui.quickInput({ timeoutMs: 120_000 });
    assert.match(input.title, /Slack notifications for builds \(optional\)/);
    await ui.typeText(SLACK_URL);
    await ui.pressKeys('Enter');
    const done = await ui.waitForNotification('Continuous deployment: a push to main deploys mentor-ai-backend', { timeoutMs: 120_000 });
    assert.match(done.message, /Set up .*Trigger on push/);
    await eventually('the notifier config on screen', async () => /kind: SlackNotifier/.test((await ui.screenshot('cd-notifier-config', { delayMs: 500 })).text) || undefined, 30_000);
    // The file is longer than the editor is tall (how tall depends on the window): scroll to the secret it names,
    // as a reader would, and read it from the screen.
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.getText().includes('kind: SlackNotifier'));
    assert.ok(editor, 'no editor shows the notifier config');
    const secretLine = editor.document.getText().split('\n').findIndex((l) => l.includes('/versions/latest'));
    assert.ok(secretLine >= 0, 'the notifier config names no secret version');
    editor.revealRange(new vscode.Range(secretLine, 0, secretLine, 0), vscode.TextEditorRevealType.InCenter);
    const config = await eventually('the secret reference on screen', async () => {
      const s = await ui.screenshot('cd-notifier-config-secret', { delayMs: 500 });
      return /versions\/latest/.test(s.text) ? s : undefined;
    }, 30_000);
    assert.match(config.text, /projects\/mentor-demo\/secrets\/mentor-ai-backend-slack-webhook\/versions\/latest/);

    const [repos] = await repositories.listRepositories({ parent: CONNECTION });
    assert.deepStrictEqual(repos.map((r) => r.remoteUri), [bare]);
    const [triggers] = await builds.listBuildTriggers({ parent: `projects/${PROJECT}/locations/${REGION}`, projectId: PROJECT });
    assert.strictEqual(triggers.length, 1);
    const trigger = triggers[0];
    assert.strictEqual(trigger.name, 'mentor-ai-backend-deploy');
    assert.strictEqual(trigger.repositoryEventConfig?.repository, repos[0].name);
    assert.strictEqual(trigger.repositoryEventConfig?.push?.branch, '^main$');
    assert.strictEqual(trigger.filename, 'cloudbuild.yaml');
    assert.strictEqual(trigger.serviceAccount, `projects/${PROJECT}/serviceAccounts/${BUILD}`);

    assert.ok(await setupApi.getServiceAccount(PROJECT, BUILD), 'the build service account exists');
    const member = `serviceAccount:${BUILD}`;
    assert.deepStrictEqual(rolesOf(await setupApi.getProjectIamPolicy(PROJECT), member), ['roles/artifactregistry.writer', 'roles/logging.logWriter', 'roles/logging.viewer', 'roles/run.developer']);
    assert.deepStrictEqual(rolesOf(await cicdApi.getServiceAccountIamPolicy(PROJECT, RUNTIME), member), ['roles/iam.serviceAccountUser']);
    assert.deepStrictEqual(rolesOf(await setupApi.getSecretIamPolicy(PROJECT, 'gemini-api-key'), member), ['roles/secretmanager.secretAccessor']);

    const publisher = new PublisherClient(grpcOptions(process.env.PUBSUB_EMULATOR_HOST));
    const secrets = new SecretManagerServiceClient(grpcOptions());
    try {
      const [topic] = await publisher.getTopic({ topic: `projects/${PROJECT}/topics/cloud-builds` });
      assert.strictEqual(topic.name, `projects/${PROJECT}/topics/cloud-builds`);
      const [version] = await secrets.accessSecretVersion({ name: `projects/${PROJECT}/secrets/mentor-ai-backend-slack-webhook/versions/latest` });
      assert.ok(Buffer.from(version.payload!.data as Uint8Array).toString('utf8') === SLACK_URL, 'the stored webhook is the one typed');
    } finally {
      await Promise.allSettled([publisher.close(), secrets.close()]);
    }
  });

  it('the trigger is live: committing cloudbuild.yaml and pushing to main starts a build of that commit, as the build account', async () => {
    git(dir, 'add', 'cloudbuild.yaml');
    git(dir, '-c', 'user.name=Mentor Test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'Cloud Build: build, push, deploy');
    const sha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'push', '--quiet', 'origin', 'HEAD:main');
    const [[trigger]] = await builds.listBuildTriggers({ parent: `projects/${PROJECT}/locations/${REGION}`, projectId: PROJECT });
    const build = await eventually('the build the push started', async () => {
      const [list] = await builds.listBuilds({ parent: `projects/${PROJECT}/locations/${REGION}`, projectId: PROJECT, filter: `trigger_id="${trigger.id}"` });
      return list.find((b) => b.substitutions?.COMMIT_SHA === sha);
    }, 60_000);
    assert.strictEqual(build.substitutions?.BRANCH_NAME, 'main');
    assert.strictEqual(build.serviceAccount, `projects/${PROJECT}/serviceAccounts/${BUILD}`);
    assert.deepStrictEqual(build.steps?.map((step) => step.id), ['build', 'push', 'deploy'], 'the steps of the committed cloudbuild.yaml');
    // The build itself is the executor's and the rollout's to test: stop it here.
    await builds.cancelBuild({ name: `projects/${PROJECT}/locations/${REGION}/builds/${build.id}`, projectId: PROJECT, id: build.id }).catch(() => undefined);
  });

  /** Everything a re-run could change, as read back from the emulator. */
  async function snapshot() {
    const [connections] = await repositories.listConnections({ parent: `projects/${PROJECT}/locations/${REGION}` });
    const [repos] = await repositories.listRepositories({ parent: CONNECTION });
    const [triggers] = await builds.listBuildTriggers({ parent: `projects/${PROJECT}/locations/${REGION}`, projectId: PROJECT });
    return JSON.stringify({
      connections: connections.map((c) => [c.name, c.etag]), repos: repos.map((r) => [r.name, r.etag]),
      triggers: triggers.map((t) => [t.id, t.name, t.repositoryEventConfig, t.serviceAccount, t.filename]),
      project: (await setupApi.getProjectIamPolicy(PROJECT)).etag, runtime: (await cicdApi.getServiceAccountIamPolicy(PROJECT, RUNTIME)).etag,
      secret: (await setupApi.getSecretIamPolicy(PROJECT, 'gemini-api-key')).etag,
    });
  }

  it('a second run finds everything and reuses it: no dialog, no browser, nothing new', async () => {
    const before = await snapshot();
    await vscode.commands.executeCommand('notifications.clearAll');
    await fromPalette(TITLE);
    const note = await ui.waitForNotification('Everything was found and reused; nothing created', { timeoutMs: 120_000 });
    assert.match(note.message, /cloudbuild\.yaml, GitHub connection, Repository link, Build service account, Trigger on push/);
    assert.strictEqual(await ui.dialogText(), null, 'no question asked');
    assert.strictEqual(await snapshot(), before, 'the re-run wrote nothing');
  });

  it('an edited cloudbuild.yaml is not overwritten: the review says so, Keep Mine keeps it, Replace takes Mentor\'s version', async () => {
    const edited = `${fs.readFileSync(file(), 'utf8')}# notify the team channel too\n`;
    fs.writeFileSync(file(), edited);
    await vscode.commands.executeCommand('notifications.clearAll');
    await fromPalette(TITLE);
    const keep = await ui.clickDialogButton(KEEP_EDITED_BUTTON, { timeoutMs: 60_000 });
    assert.match(keep.message, /You edited cloudbuild\.yaml since Mentor generated it/);
    assert.match((await ui.screenshot('cd-edited-diff')).text, /cloudbuild\.yaml: yours ↔ Mentor's proposal/);
    await ui.waitForNotification('Everything was found and reused', { timeoutMs: 60_000 });
    assert.strictEqual(fs.readFileSync(file(), 'utf8'), edited, 'the user\'s file is untouched');

    await vscode.commands.executeCommand('notifications.clearAll');
    await fromPalette(TITLE);
    await ui.clickDialogButton(REPLACE_EDITED_BUTTON, { timeoutMs: 60_000 });
    await ui.waitForNotification('Continuous deployment: a push to main', { timeoutMs: 60_000 });
    const replaced = fs.readFileSync(file(), 'utf8');
    assert.ok(!replaced.includes('notify the team channel'), 'replaced on the user\'s choice');
    assert.ok(isUnchangedSinceGenerated(replaced));
  });

  it('the Slack webhook URL is in no file, setting, log or test artifact', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepStrictEqual(filesHolding(dir, SLACK_URL), [], 'workspace');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_USER_DATA_DIR, SLACK_URL), [], 'VS Code user data, output channels');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_RESULTS_DIR, SLACK_URL), [], 'test artifacts');
  });
});
