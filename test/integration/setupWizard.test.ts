// First-time setup, in a real VS Code against the emulator, driven through the wizard's DOM like a person:
// a project without billing is named as such; an account over its project quota is named as such; a new project goes from nothing to settings written (created,
// billed, APIs, Docker repository, runtime service account with its roles, a secret it may read); a re-run
// finds everything done and changes nothing; the secret's value is in Secret Manager and nowhere else.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { GoogleSetupApi } from '../../src/gcp/setupClient';
import { NEVER, NOT_NOW, OFFER_STATE_KEY, offerSetupOnce, SET_UP } from '../../src/setup/firstOpenOffer';
import { CREATE_BUTTON } from '../../src/commands/deploy';
import { RUNTIME_ROLES } from '../../src/setup/setupContext';
import { control, emulatorAddress, eventually, httpGet, mentor, servicesClient, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { clickNotificationButton, fromPalette } from './userActions';
import { filesHolding } from './secretAudit';

const NEW_PROJECT = `setup-${Date.now().toString(36)}`;
const MAIN_BILLING = 'billingAccounts/01A2B3-C4D5E6-F7A8B9';
const FULL_BILLING = 'billingAccounts/015B3A-9F2C4D-7E8A1B';
const SECRET_ENV = 'GEMINI_API_KEY';
const RUNTIME_ACCOUNT = `mentor-ai-backend-run@${NEW_PROJECT}.iam.gserviceaccount.com`;
const SET_PROJECT_POLICY = 'google.cloud.resourcemanager.v3.Projects/SetIamPolicy';
const secretValue = `fake-setup-secret-${randomBytes(16).toString('hex')}`;

const stepText = (id: string, contains: string, timeoutMs = 30_000) => ui.webviewText({ selector: `#step-${id}`, contains, timeoutMs });

async function typeInto(selector: string, text: string): Promise<void> {
  await ui.webviewClick({ selector, timeoutMs: 10_000 });
  await ui.pressKeys(['Control+A', 'Delete']);
  await ui.typeText(text);
}

function setupApi(): Promise<GoogleSetupApi> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  return GoogleSetupApi.connect({ project: NEW_PROJECT, region: 'us-central1', apiEndpoint: emulatorAddress() });
}


describe('Setup wizard: a new project from nothing to settings written, through the webview', function () {
  this.timeout(300_000);
  let dir: string;
  let settingsFile: string;
  let originalSettings: string;
  const createdFiles: string[] = [];

  before(async () => {
    await mentor();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    settingsFile = path.join(dir, '.vscode', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    // The keys the wizard offers secrets for (a placeholder value, which it never reads).
    fs.writeFileSync(path.join(dir, '.env.example'), `${SECRET_ENV}=your-key-here\nLOG_LEVEL=info\n`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const rel of ['.env.example', ...createdFiles]) fs.rmSync(path.join(dir, rel), { force: true });
    fs.writeFileSync(settingsFile, originalSettings);
    await eventually('the original project setting to apply', async () =>
      vscode.workspace.getConfiguration('mentor').get<string>('project') === 'mentor-demo');
  });

  it('opens from the palette: sign-in needs no credentials with the emulator, the current project is checked', async () => {
    await fromPalette('Mentor: Set Up Google Cloud…');
    await stepText('signIn', `Using the emulator at ${emulatorAddress()}: no credentials needed`, 60_000);
    await stepText('project', 'Mentor Demo (mentor-demo)');
    // The folder's project is the choice: the chooser stays folded until Change….
    assert.match(await ui.webviewText({ selector: '#project-choice', contains: 'mentor-demo' }), /Change…/);
    const shot = await ui.screenshot('setup-opened', { delayMs: 800 });
    assert.match(shot.text, /Set up Google Cloud for mentor-ai-backend/);
    assert.match(shot.text, /Equivalent gcloud command/);
  });

  it('a project without billing: the billing step says so and waits for a pick; nothing after it runs', async () => {
    await ui.webviewClick({ selector: '#change-project' });
    await typeInto('#project-search', 'mentor-sand');
    await ui.webviewClick({ selector: '.project[data-project="mentor-sandbox"]', timeoutMs: 15_000 });
    const billing = await stepText('billing', 'Needs action');
    assert.match(billing, /no open billing account is linked to mentor-sandbox/);
    assert.match(await stepText('apis', 'Waiting'), /Waiting for the steps above/);
    assert.match((await ui.screenshot('setup-billing-missing')).text, /Cloud Run needs billing/);
  });

  it('a new project: check shows what will be created, Set Up creates it all, each step verified', async () => {
    await ui.webviewClick({ selector: '#change-project' });
    await typeInto('#new-project-id', NEW_PROJECT);
    await typeInto('#new-project-name', 'Setup Test');
    await ui.webviewClick({ selector: '#new-project' });
    assert.match(await stepText('project', 'Will create'), new RegExp(`project ${NEW_PROJECT} \\("Setup Test"\\)`));
    await ui.webviewClick({ selector: '#run-setup' });
    await stepText('billing', 'Needs action', 60_000);
    await ui.webviewClick({ selector: '#list-billing' });
    // An account that already pays for as many projects as it may: Google refuses the link; the step says why.
    await ui.webviewClick({ selector: `.billing-account[data-account="${FULL_BILLING}"]`, timeoutMs: 15_000 });
    await ui.webviewClick({ selector: '#run-setup' });
    assert.match(await stepText('billing', 'Failed', 60_000), /Startup credits \(015B3A-9F2C4D-7E8A1B\) already pays for as many projects as it may \(Cloud billing quota exceeded\)/);
    assert.match((await ui.screenshot('setup-billing-quota')).text, /unlink a project from this one, or ask Google for more/);
    await ui.webviewClick({ selector: '#change-billing' });
    await ui.webviewClick({ selector: `.billing-account[data-account="${MAIN_BILLING}"]`, timeoutMs: 15_000 });
    assert.match(await stepText('billing', 'Will create'), /a link to My Billing Account/);
    assert.match(await ui.webviewText({ selector: '#billing-choice', contains: 'Link to My Billing Account' }), /Change…/);
    await ui.webviewClick({ selector: '#run-setup' });
    const permissions = await stepText('permissions', 'Done', 180_000);
    assert.match(permissions, /You can deploy/);
    for (const [id, text] of [['project', `Setup Test (${NEW_PROJECT})`], ['billing', 'Billed to My Billing Account'],
      ['apis', 'Enabled: run, artifactregistry, cloudbuild, secretmanager, iam'], ['repository', 'Docker repository mentor in us-central1'],
      ['serviceAccount', RUNTIME_ACCOUNT]] as const) {
      assert.match(await stepText(id, 'Done'), new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    const shot = await ui.screenshot('setup-done', { delayMs: 800, fullPage: true });
    assert.match(shot.text, /Billed to My Billing Account/);
    assert.doesNotMatch(shot.text, /Failed/);
    await ui.webviewClick({ selector: '#step-apis summary' });
    assert.match(await ui.webviewText({ selector: '#step-apis .gcloud', contains: 'gcloud' }),
      new RegExp(`gcloud services enable run\\.googleapis\\.com artifactregistry\\.googleapis\\.com cloudbuild\\.googleapis\\.com secretmanager\\.googleapis\\.com iam\\.googleapis\\.com --project ${NEW_PROJECT}`));

    const api = await setupApi();
    try {
      assert.strictEqual((await api.getProject(NEW_PROJECT))?.state, 'ACTIVE');
      assert.deepStrictEqual(await api.getProjectBilling(NEW_PROJECT), { billingAccountName: MAIN_BILLING, billingEnabled: true });
      assert.strictEqual(await api.repositoryFormat(NEW_PROJECT, 'us-central1', 'mentor'), 'DOCKER');
      assert.ok(await api.getServiceAccount(NEW_PROJECT, RUNTIME_ACCOUNT));
      const policy = await api.getProjectIamPolicy(NEW_PROJECT);
      for (const role of ['roles/logging.logWriter', 'roles/monitoring.metricWriter']) {
        assert.ok(policy.bindings.some((b) => b.role === role && b.members.includes(`serviceAccount:${RUNTIME_ACCOUNT}`)), role);
      }
    } finally {
      await api.close();
    }
  });

  it('a secret typed in the password field goes to Secret Manager, readable by the runtime account, referenced by version', async () => {
    const row = `.secret[data-env="${SECRET_ENV}"]`;
    await typeInto(`${row} .secret-value`, secretValue);
    await ui.webviewClick({ selector: `${row} .save-secret` });
    const outcome = await ui.webviewText({ selector: `${row} .outcome`, contains: 'Saved as', timeoutMs: 60_000 });
    assert.match(outcome, new RegExp(`Saved as ${SECRET_ENV}:1; the runtime service account can read it`));
    await ui.webviewClick({ selector: '.secret[data-env="LOG_LEVEL"] .not-secret' });
    await stepText('secrets', 'Done', 30_000);

    const [host, port] = emulatorAddress().split(':');
    const secrets = new SecretManagerServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(), projectId: NEW_PROJECT });
    try {
      const [version] = await secrets.accessSecretVersion({ name: `projects/${NEW_PROJECT}/secrets/${SECRET_ENV}/versions/1` });
      assert.ok(Buffer.from(version.payload!.data as Uint8Array).toString('utf8') === secretValue, 'the stored value is the one typed');
      const [policy] = await secrets.getIamPolicy({ resource: `projects/${NEW_PROJECT}/secrets/${SECRET_ENV}` });
      assert.ok(policy.bindings?.some((b) => b.role === 'roles/secretmanager.secretAccessor' && b.members?.includes(`serviceAccount:${RUNTIME_ACCOUNT}`)));
    } finally {
      await secrets.close();
    }
  });

  it('Finish writes the non-secret answers to the folder settings and offers Deploy Now', async () => {
    await ui.webviewClick({ selector: '#finish' });
    const finished = await ui.webviewText({ selector: '#finished', contains: 'Wrote', timeoutMs: 30_000 });
    assert.match(finished, /mentor\.project/);
    assert.match(await ui.webviewText({ selector: '#deploy-now' }), /Deploy Now/);
    const settings = await eventually('the answers in .vscode/settings.json', async () => {
      const parsed = parse(fs.readFileSync(settingsFile, 'utf8')) ?? {};
      return parsed['mentor.project'] === NEW_PROJECT ? parsed : undefined;
    });
    assert.strictEqual(settings['mentor.region'], 'us-central1');
    assert.strictEqual(settings['mentor.service'], 'mentor-ai-backend');
    assert.strictEqual(settings['mentor.repository'], 'mentor');
    assert.strictEqual(settings['mentor.serviceAccount'], RUNTIME_ACCOUNT);
    assert.deepStrictEqual(settings['mentor.secrets'], { [SECRET_ENV]: `${SECRET_ENV}:1` });
    await eventually('the new project to apply', async () => vscode.workspace.getConfiguration('mentor').get<string>('project') === NEW_PROJECT);
  });

  it('the wizard\'s end offers continuous deployment: the button runs the command, whose Cancel writes nothing', async () => {
    await ui.webviewClick({ selector: '#set-up-cd' });
    const dialog = await ui.clickDialogButton('Cancel', { timeoutMs: 60_000 });
    assert.match(dialog.message, /Write cloudbuild\.yaml\?/);
    assert.ok(!fs.existsSync(path.join(dir, 'cloudbuild.yaml')), 'Cancel wrote nothing');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a re-run from the palette finds every step done and Set Up changes nothing', async () => {
    const api = await setupApi();
    const snapshot = async () => ({
      policy: (await api.getProjectIamPolicy(NEW_PROJECT)).etag,
      secretPolicy: (await api.getSecretIamPolicy(NEW_PROJECT, SECRET_ENV)).etag,
      billing: await api.getProjectBilling(NEW_PROJECT),
    });
    try {
      const before = await snapshot();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await fromPalette('Mentor: Set Up Google Cloud…');
      await ui.webviewText({ selector: '#busy[data-runs="1"]', timeoutMs: 90_000 });
      for (const id of ['signIn', 'project', 'billing', 'apis', 'repository', 'serviceAccount', 'permissions', 'secrets']) await stepText(id, 'Done');
      await ui.webviewClick({ selector: '#run-setup' });
      await ui.webviewText({ selector: '#busy[data-runs="2"]', timeoutMs: 90_000 });
      for (const id of ['signIn', 'project', 'billing', 'apis', 'repository', 'serviceAccount', 'permissions', 'secrets']) await stepText(id, 'Done');
      assert.deepStrictEqual(await snapshot(), before, 'the re-run wrote nothing');
      const shot = await ui.screenshot('setup-rerun', { delayMs: 800 });
      assert.doesNotMatch(shot.text, /Will create|Failed/);
    } finally {
      await api.close();
    }
  });

  it('a policy change someone makes during the runtime account\'s grant is kept: the grant retries on the etag conflict', async () => {
    const api = await setupApi();
    const member = `serviceAccount:${RUNTIME_ACCOUNT}`;
    const auditor = 'user:auditor@example.com';
    const ctl = control();
    try {
      // The account loses its roles, so its step has something to grant again.
      const granted = await api.getProjectIamPolicy(NEW_PROJECT);
      await api.setProjectIamPolicy(NEW_PROJECT, { ...granted,
        bindings: granted.bindings.map((b) => ({ ...b, members: b.members.filter((m) => m !== member) })).filter((b) => b.members.length) });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await fromPalette('Mentor: Set Up Google Cloud…');
      await ui.webviewText({ selector: '#busy[data-runs="1"]', timeoutMs: 90_000 });
      await stepText('serviceAccount', 'Will create');
      // Hold the grant's write for a moment, and change the policy between its read and that write (as a colleague
      // in the console would): the write's etag is then stale.
      const calls = async () => (await ctl.getStats())[SET_PROJECT_POLICY] ?? 0;
      const before = await calls();
      await ctl.injectFault({ method: SET_PROJECT_POLICY, code: grpc.status.OK, delayMs: 3000, count: 1 });
      await ui.webviewClick({ selector: '#run-setup' });
      await eventually('the grant to write the policy', async () => (await calls()) > before, 30_000);
      const current = await api.getProjectIamPolicy(NEW_PROJECT);
      await api.setProjectIamPolicy(NEW_PROJECT, { ...current, bindings: [...current.bindings, { role: 'roles/viewer', members: [auditor] }] });
      await ui.webviewText({ selector: '#busy[data-runs="2"]', timeoutMs: 90_000 });
      await stepText('serviceAccount', 'Done');
      assert.ok((await calls()) >= before + 3, 'the stale write, the concurrent one, and the retried write');
      const after = await api.getProjectIamPolicy(NEW_PROJECT);
      const rolesOf = (who: string) => after.bindings.filter((b) => b.members.includes(who)).map((b) => b.role).sort();
      assert.deepStrictEqual(rolesOf(auditor), ['roles/viewer'], 'the concurrent change is not overwritten');
      assert.deepStrictEqual(rolesOf(member), [...RUNTIME_ROLES].sort(), 'the runtime account has its roles again');
    } finally {
      ctl.close();
      await api.close();
    }
  });

  it('Deploy Now: the first deploy runs as the runtime account and its container reads the secret', async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
      createdFiles.push('Dockerfile', '.dockerignore');
      await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    }
    // What only this machine needs: the test bed's registry stands in for Artifact Registry.
    for (const [key, value] of Object.entries({ registry: process.env.REGISTRY_OPEN, allowUnauthenticated: true, smokeTest: false,
      minInstances: 0, 'tail.startAfterDeploy': false })) await setMentorSetting(key, value);
    await vscode.commands.executeCommand('mentor.setup'); // brings the wizard back in front of the new Dockerfile
    // The wizard reopened by the re-run: Finish finds the settings written and offers Deploy Now again.
    await ui.webviewClick({ selector: '#finish' });
    assert.match(await ui.webviewText({ selector: '#finished', contains: 'already holds these answers', timeoutMs: 30_000 }), /settings\.json/);
    await ui.webviewClick({ selector: '#deploy-now' });
    const dialog = await ui.clickDialogButton(CREATE_BUTTON, { timeoutMs: 180_000 });
    assert.match(dialog.message, /Create the Cloud Run service mentor-ai-backend\?/);
    assert.match(dialog.detail, new RegExp(`env ${SECRET_ENV}: \\(none\\) → secret ${SECRET_ENV}:1`));
    const runClient = servicesClient();
    try {
      const name = `projects/${NEW_PROJECT}/locations/us-central1/services/mentor-ai-backend`;
      const service = await eventually('the service to serve', async () => {
        const [found] = await runClient.getService({ name });
        return found.terminalCondition?.state === 'CONDITION_SUCCEEDED' && found.uri ? found : undefined;
      }, 240_000);
      assert.strictEqual(service.template?.serviceAccount, RUNTIME_ACCOUNT);
      await eventually('the deploy to end', async () => {
        const items = await ui.statusBarItems();
        return items.some((i) => /Deploy/.test(i.text)) && !items.some((i) => /Deploying/.test(i.text));
      }, 120_000);
      // Any bearer token passes the emulator's front end, public or not.
      const response = await httpGet(`${service.uri}/api/test/diagnostic`, { Authorization: 'Bearer test' });
      assert.strictEqual(response.status, 200, response.body.slice(0, 300));
      const diagnostic = JSON.parse(response.body);
      assert.strictEqual(diagnostic.environment[SECRET_ENV], true, JSON.stringify(diagnostic));
    } finally {
      await runClient.close();
    }
  });

  it('the secret value is in no file, setting, log, output channel or test artifact', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepStrictEqual(filesHolding(dir, secretValue), [], 'workspace');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_USER_DATA_DIR, secretValue), [], 'VS Code user data, output channels, webview state');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_RESULTS_DIR, secretValue), [], 'test artifacts');
  });
});

describe('Setup offer: a folder that looks like an app and has no mentor.project is asked once', function () {
  this.timeout(120_000);
  const state = new Map<string, unknown>();
  // The offer's only dependency on the extension context: a workspaceState like VS Code's (kept in memory here).
  const context = { workspaceState: { get: (key: string) => state.get(key), update: async (key: string, value: unknown) => { state.set(key, value); },
    keys: () => [...state.keys()] } } as unknown as vscode.ExtensionContext;

  before(async () => {
    await mentor();
    await setMentorSetting('project', undefined);
    await eventually('mentor.project to be unset', async () => !vscode.workspace.getConfiguration('mentor').get<string>('project'));
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await setMentorSetting('project', 'mentor-demo');
    await eventually('mentor.project to be back', async () => vscode.workspace.getConfiguration('mentor').get<string>('project') === 'mentor-demo');
  });

  it('offers Set Up… / Not Now / Don\'t Ask Again; after Don\'t Ask Again it never asks in this workspace', async () => {
    const answered = offerSetupOnce(context);
    const note = await ui.waitForNotification('Deploy mentor-ai-backend to Cloud Run?', { timeoutMs: 15_000 });
    assert.deepStrictEqual(note.buttons, [SET_UP, NOT_NOW, NEVER]);
    await clickNotificationButton(NEVER);
    assert.strictEqual(await answered, NEVER);
    assert.strictEqual((state.get(OFFER_STATE_KEY) as { answer: string }).answer, 'never');
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.strictEqual(await offerSetupOnce(context), undefined);
    assert.ok(!(await ui.notifications({ open: true })).some((m) => m.includes('Cloud Run?')), 'asked again');
  });

  it('Not Now waits a week; a folder with mentor.project is never asked', async () => {
    state.set(OFFER_STATE_KEY, { answer: 'notNow', at: Date.now() - 60_000 });
    assert.strictEqual(await offerSetupOnce(context), undefined, 'asked again within the week');
    await setMentorSetting('project', 'mentor-demo');
    await eventually('mentor.project to apply', async () => vscode.workspace.getConfiguration('mentor').get<string>('project') === 'mentor-demo');
    state.clear();
    assert.strictEqual(await offerSetupOnce(context), undefined, 'asked although the folder has a project');
    assert.strictEqual(state.get(OFFER_STATE_KEY), undefined);
  });
});
