// The setup wizard in a big organisation and with a credentials file, in a real VS Code through the wizard's
// DOM: a folder without a project opens the chooser on a page of 3003 projects with More… for the next; search
// as you type asks the Resource Manager (a deep project is found, nonsense says so); a pick folds the chooser to
// the choice and Change… opens it as it was left. Then "From File…" in VS Code's own file dialog: Cancel
// changes nothing, a picked file becomes a secret version byte for byte, and its content is nowhere else.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { PROJECT_PAGE_SIZE } from '../../src/gcp/setupClient';
import { control, emulatorAddress, eventually, mentor, PROJECT } from './support';
import { ui } from './uiBridge';
import { fromPalette, pickFileInDialog } from './userActions';
import { filesHolding } from './secretAudit';

const PROJECTS = 3000;
const DEEP = 'scale-project-02874';
const SEARCH_METHOD = 'google.cloud.resourcemanager.v3.Projects/SearchProjects';
const SECRET_ENV = 'FIREBASE_CREDENTIALS';
/** The demo seed's runtime identity of mentor-ai-backend (emulator/platformSeeds.ts). */
const RUNTIME_ACCOUNT = `mentor-runtime@${PROJECT}.iam.gserviceaccount.com`;
const OK_LABEL = `Use as ${SECRET_ENV}`;

const stepText = (id: string, contains: string, timeoutMs = 30_000) => ui.webviewText({ selector: `#step-${id}`, contains, timeoutMs });

async function typeInto(selector: string, text: string): Promise<void> {
  await ui.webviewClick({ selector, timeoutMs: 10_000 });
  await ui.pressKeys(['Control+A', 'Delete']);
  await ui.typeText(text);
}

/** The project IDs of the chooser's rows, top to bottom, as the screen shows them ("Name (id)"). */
async function projectRows(): Promise<string[]> {
  const text = await ui.webviewText({ selector: '#project-results' });
  return [...text.matchAll(/\(([a-z][a-z0-9-]{4,28}[a-z0-9])\)/g)].map((m) => m[1]);
}

/** Waits until the chooser's rows are what `wanted` accepts; returns them. */
function rowsUntil(what: string, wanted: (rows: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
  return eventually(what, async () => { const rows = await projectRows(); return wanted(rows) ? rows : undefined; }, timeoutMs);
}

const scale = (i: number) => `scale-project-${String(i).padStart(5, '0')}`;

describe('Setup wizard in a big organisation: a page of projects, search as you type, a chooser that folds to the choice', function () {
  this.timeout(240_000);
  const ctl = control();
  let dir: string;
  let settingsFile: string;
  let originalSettings: string;
  let originalProject: string | undefined;
  let searches = async () => 0;

  before(async () => {
    await mentor();
    await ctl.reset(`demo+projects:${PROJECTS}`);
    searches = async () => (await ctl.getStats())[SEARCH_METHOD] ?? 0;
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    settingsFile = path.join(dir, '.vscode', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    originalProject = vscode.workspace.getConfiguration('mentor').get<string>('project');
    // A folder that has no project yet, with a credentials file among the variables its app reads.
    await vscode.workspace.getConfiguration('mentor').update('project', undefined, vscode.ConfigurationTarget.Workspace);
    await eventually('mentor.project to be unset', async () => !vscode.workspace.getConfiguration('mentor').get<string>('project'));
    fs.writeFileSync(path.join(dir, '.env.example'), `${SECRET_ENV}=/path/to/firebase-credentials.json\n`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(dir, '.env.example'), { force: true });
    fs.writeFileSync(settingsFile, originalSettings);
    await eventually('the original project setting to apply', async () =>
      vscode.workspace.getConfiguration('mentor').get<string>('project') === originalProject);
    await ctl.reset('demo');
    ctl.close();
  });

  it('a folder without a project opens the chooser on one page of the 3003 projects; More… appends the next', async () => {
    await fromPalette('Mentor: Set Up Google Cloud…');
    await stepText('project', 'No project chosen yet', 60_000);
    assert.doesNotMatch(await ui.webviewText({ selector: '#project-chooser', contains: 'or create a new project' }), /Change…/, 'open, with nothing to change yet');
    const first = await rowsUntil('the first page', (rows) => rows.length > 0);
    // Sorted by ID: the demo's three, then the scale projects.
    assert.deepStrictEqual(first, ['mentor-demo', 'mentor-legacy', 'mentor-sandbox',
      ...Array.from({ length: PROJECT_PAGE_SIZE - 3 }, (_, i) => scale(i + 1))]);
    await ui.webviewClick({ selector: '#more-projects' });
    const two = await rowsUntil('the second page below the first', (rows) => rows.length > PROJECT_PAGE_SIZE);
    assert.deepStrictEqual(two, [...first, ...Array.from({ length: PROJECT_PAGE_SIZE }, (_, i) => scale(PROJECT_PAGE_SIZE - 2 + i))]);
    assert.match(await ui.webviewText({ selector: '#more-projects' }), /More…/, 'a third page is offered');
  });

  it('search as you type asks the Resource Manager: a deep project is the one row; a query that matches nothing says so', async () => {
    const before = await searches();
    await typeInto('#project-search', 'no-such-project-zz');
    assert.match(await ui.webviewText({ selector: '#no-project', contains: 'No project matches', timeoutMs: 15_000 }), /No project matches "no-such-project-zz"\./);
    await typeInto('#project-search', DEEP);
    // Not among the 100 rows loaded so far: only a search on the server finds it.
    assert.deepStrictEqual(await rowsUntil(`only ${DEEP}`, (rows) => rows.length === 1 && rows[0] === DEEP), [DEEP]);
    assert.ok((await searches()) >= before + 2, 'each query went to SearchProjects');
    const shot = await ui.screenshot('setup-projects-search', { delayMs: 500 });
    assert.match(shot.text, /Scale Project 02874 \(scale-project-02874\)/);
    assert.doesNotMatch(shot.text, /scale-project-00001/, 'only the match');
    assert.strictEqual(await ui.webviewText({ selector: '#project-more' }), '', 'no further page');
  });

  it('a pick folds the chooser to the choice; Change… opens it as it was left', async () => {
    await ui.webviewClick({ selector: `.project[data-project="${DEEP}"]` });
    await stepText('project', `Scale Project 02874 (${DEEP})`);
    assert.match(await ui.webviewText({ selector: '#project-choice', contains: DEEP }), /Change…/);
    assert.doesNotMatch(await ui.webviewText({ selector: '#project-chooser' }), /or create a new project/, 'folded');
    const shot = await ui.screenshot('setup-project-chosen', { delayMs: 500 });
    assert.match(shot.text, new RegExp(`Scale Project 02874 \\(${DEEP}\\)\\.\\s+${DEEP}\\s+Change…`));
    await ui.webviewClick({ selector: '#change-project' });
    assert.doesNotMatch(await ui.webviewText({ selector: '#project-chooser', contains: 'or create a new project' }), /Change…/);
    assert.deepStrictEqual(await projectRows(), [DEEP], 'the last results are back');
    // The search text is kept: one character less widens it to the ten IDs it prefixes.
    await ui.webviewClick({ selector: '#project-search' });
    await ui.pressKeys(['End', 'Backspace']);
    assert.deepStrictEqual(await rowsUntil('the wider search', (rows) => rows.length === 10), Array.from({ length: 10 }, (_, i) => scale(2870 + i)));
  });

  it('billing: the chooser stays open while the project needs it; a pick folds it with Change…', async () => {
    // Picking the same project again folds the chooser too.
    await ui.webviewClick({ selector: `.project[data-project="${DEEP}"]` });
    await ui.webviewText({ selector: '#project-chooser[data-open="false"]' });
    assert.match(await stepText('billing', 'Needs action'), new RegExp(`no open billing account is linked to ${DEEP}`));
    assert.doesNotMatch(await ui.webviewText({ selector: '#billing-chooser', contains: 'Show My Billing Accounts' }), /Change…/, 'open: nothing chosen');
    await ui.webviewClick({ selector: '#list-billing' });
    await ui.webviewClick({ selector: '.billing-account[data-account="billingAccounts/01A2B3-C4D5E6-F7A8B9"]', timeoutMs: 15_000 });
    assert.match(await stepText('billing', 'Will create'), /a link to My Billing Account/);
    const folded = await ui.webviewText({ selector: '#billing-chooser', contains: 'Link to My Billing Account' });
    assert.match(folded, /Change…/);
    assert.doesNotMatch(folded, /Show My Billing Accounts/);
    await ui.webviewClick({ selector: '#change-billing' });
    assert.match(await ui.webviewText({ selector: '#billing-accounts', contains: 'Link' }), /Link Startup credits/);
  });
});

describe('Setup wizard: a secret from a file, picked in VS Code\'s file dialog', function () {
  this.timeout(180_000);
  const row = `.secret[data-env="${SECRET_ENV}"]`;
  let dir: string;
  let tmp: string;
  let file: string;
  let content: Buffer;
  let marker: string;

  before(async () => {
    await mentor();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // A service-account key lookalike (random, so it can be searched for), outside the workspace.
    marker = randomBytes(24).toString('hex');
    content = Buffer.from(`${JSON.stringify({ type: 'service_account', project_id: PROJECT, private_key_id: marker,
      private_key: `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`, note: 'clé' }, null, 2)}\n`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-secret-file-'));
    file = path.join(tmp, 'firebase-credentials.json');
    fs.writeFileSync(file, content);
    fs.writeFileSync(path.join(dir, '.env.example'), `${SECRET_ENV}=/path/to/firebase-credentials.json\n`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The folder's project (mentor-demo) and the runtime identity its service already has.
    await fromPalette('Mentor: Set Up Google Cloud…');
    await stepText('project', 'Mentor Demo (mentor-demo)', 60_000);
    await typeInto('#answer-service-account', 'mentor-runtime');
    await ui.webviewClick({ selector: '#apply-answers' });
    await stepText('serviceAccount', RUNTIME_ACCOUNT);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.join(dir, '.env.example'), { force: true });
    // The demo project as the other tests know it (without this test's secret).
    const ctl = control();
    try { await ctl.reset('demo'); } finally { ctl.close(); }
  });

  it('Cancel in the file dialog leaves the row as it was, with no error', async () => {
    const status = await ui.webviewText({ selector: row, contains: 'no secret yet' });
    await ui.webviewClick({ selector: `${row} .secret-file` });
    const dialog = await ui.quickInput({ timeoutMs: 15_000 });
    assert.ok(dialog.buttons.includes(OK_LABEL), `the file dialog: ${JSON.stringify(dialog)}`);
    await ui.pressKeys('Escape');
    await eventually('the dialog to close', async () => !(await ui.quickInput({ wait: false })).visible);
    assert.strictEqual(await ui.webviewText({ selector: row }), status);
    assert.strictEqual(await ui.webviewText({ selector: '#banner' }), '');
  });

  it('a picked file becomes a secret version byte for byte, readable by the runtime account', async () => {
    await ui.webviewClick({ selector: `${row} .secret-file` });
    await pickFileInDialog(file, OK_LABEL);
    const outcome = await ui.webviewText({ selector: `${row} .outcome`, contains: 'Saved as', timeoutMs: 60_000 });
    assert.match(outcome, new RegExp(`Saved as ${SECRET_ENV}:1; the runtime service account can read it`));
    assert.match(await ui.webviewText({ selector: row }), new RegExp(`→ ${SECRET_ENV}:1`));
    assert.match((await ui.screenshot('setup-secret-from-file', { delayMs: 500 })).text, new RegExp(`Saved as ${SECRET_ENV}:1`));

    const [host, port] = emulatorAddress().split(':');
    const secrets = new SecretManagerServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(), projectId: PROJECT });
    try {
      const [version] = await secrets.accessSecretVersion({ name: `projects/${PROJECT}/secrets/${SECRET_ENV}/versions/1` });
      assert.ok(Buffer.from(version.payload!.data as Uint8Array).equals(content), 'the stored payload is the file, byte for byte');
      const [policy] = await secrets.getIamPolicy({ resource: `projects/${PROJECT}/secrets/${SECRET_ENV}` });
      assert.ok(policy.bindings?.some((b) => b.role === 'roles/secretmanager.secretAccessor' && b.members?.includes(`serviceAccount:${RUNTIME_ACCOUNT}`)),
        JSON.stringify(policy.bindings));
    } finally {
      await secrets.close();
    }
  });

  it('the file\'s content is in no workspace file, user data or test artifact', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const [where, root] of [['workspace', dir], ['VS Code user data', process.env.MENTOR_TEST_USER_DATA_DIR],
      ['test artifacts', process.env.MENTOR_TEST_RESULTS_DIR]] as const) {
      assert.deepStrictEqual(filesHolding(root, marker), [], where);
    }
  });
});
