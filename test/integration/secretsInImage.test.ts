// Secret files in the build context, in a real VS Code against the emulator, the engine and the local
// registry, driven like a person: Deploy from the palette is refused with the files named and nothing
// built or pushed; "Add to .dockerignore" fixes it in the editor and the next deploy gets to its plan;
// Build Container warns and "Allow in Image" remembers a file in the workspace settings.
// The secret values are random fakes, never printed; the last test proves no log or screenshot holds them.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import Docker from 'dockerode';
import { parse } from 'jsonc-parser';
import { ALLOW_FILES_BUTTON, IGNORE_FILES_BUTTON } from '../../src/core/secretsInImage';
import { cancelOpenDialog, waitForDialog } from './liveService';
import { eventually, httpGet, mentor, serviceName, servicesClient, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { clickNotificationButton, fromPalette } from './userActions';
import { filesHolding } from './secretAudit';

const SERVICE = `secrets-${Date.now().toString(36)}`;
const fakeValue = () => `fake-secret-${randomBytes(16).toString('hex')}`;
const fakePem = () => `-----BEGIN PRIVATE KEY-----\n${randomBytes(96).toString('base64')}\n-----END PRIVATE KEY-----\n`;
/** A .dockerignore written before the app had these files: it keeps neither out. */
const OLDER_DOCKERIGNORE = '.git\n.vscode\n**/__pycache__\n.env\n';
/** busybox: the build takes seconds, whatever Python images the engine holds. */
const DOCKERFILE = 'FROM busybox:latest\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "sleep 3600"]\n';
const SETTINGS: Record<string, unknown> = {
  service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
  smokeTest: false, 'tail.startAfterDeploy': false,
};

function docker(): Docker {
  const host = process.env.DOCKER_HOST ?? '';
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

async function serviceExists(): Promise<boolean> {
  const client = servicesClient();
  try {
    await client.getService({ name: serviceName(SERVICE) });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 5) return false;
    throw error;
  } finally {
    await client.close();
  }
}

async function registryTags(): Promise<string[]> {
  const response = await httpGet(`http://${process.env.REGISTRY_OPEN}/v2/mentor-demo/mentor/${SERVICE}/tags/list`);
  return response.status === 404 ? [] : (JSON.parse(response.body).tags ?? []);
}

/** Names of the files under /app in an image (from a stopped container's archive). */
async function filesInImage(image: string): Promise<string[]> {
  const container = await docker().createContainer({ Image: image, Cmd: ['true'] });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of (await container.getArchive({ path: '/app' })) as AsyncIterable<Buffer>) chunks.push(chunk);
    const tar = Buffer.concat(chunks);
    const names: string[] = [];
    for (let offset = 0; offset + 512 <= tar.length && tar[offset] !== 0;) {
      names.push(tar.subarray(offset, offset + 100).toString('utf8').replace(/\0.*$/s, ''));
      const size = parseInt(tar.subarray(offset + 124, offset + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
      offset += 512 + Math.ceil(size / 512) * 512;
    }
    return names;
  } finally {
    await container.remove({ force: true });
  }
}

async function deployButtonIdle(): Promise<boolean> {
  const items = await ui.statusBarItems();
  return items.some((i) => /Deploy/.test(i.text)) && !items.some((i) => /Deploying/.test(i.text));
}


describe('Secrets in the image: the deploy refuses them, the buttons fix it', function () {
  this.timeout(300_000);
  let dir: string;
  const originals = new Map<string, string | undefined>();
  const fakes: string[] = [];
  const fakeFiles = ['.env.production', 'gcp-key.json', '.env.staging'];

  const write = (rel: string, text: string) => fs.writeFileSync(path.join(dir, rel), text);
  const read = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: npm test starts an engine when the machine allows it');
    await mentor();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    for (const rel of ['Dockerfile', '.dockerignore']) {
      originals.set(rel, fs.existsSync(path.join(dir, rel)) ? read(rel) : undefined);
    }
    write('Dockerfile', DOCKERFILE);
    write('.dockerignore', OLDER_DOCKERIGNORE);
    const env = fakeValue();
    const key = fakePem();
    fakes.push(env, key.split('\n')[1]);
    write('.env.production', `GEMINI_API_KEY=${env}\n`);
    write('gcp-key.json', JSON.stringify({ type: 'service_account', project_id: 'mentor-demo', private_key_id: randomBytes(20).toString('hex'),
      private_key: key, client_email: `app@mentor-demo.iam.gserviceaccount.com` }, null, 2));
    for (const [key, value] of Object.entries(SETTINGS)) await setMentorSetting(key, value);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await cancelOpenDialog();
    for (const rel of fakeFiles) fs.rmSync(path.join(dir, rel), { force: true });
    for (const [rel, text] of originals) {
      if (text === undefined) fs.rmSync(path.join(dir, rel), { force: true });
      else write(rel, text);
    }
    for (const key of [...Object.keys(SETTINGS), 'allowedFilesInImage']) await setMentorSetting(key, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    // the local images of this test (one of them holds a fake key); the registry keeps only a clean one
    const engine = docker();
    for (const image of await engine.listImages()) {
      for (const tag of (image.RepoTags ?? []).filter((t) => t.includes(SERVICE))) await engine.getImage(tag).remove().catch(() => undefined);
    }
  });

  it('Deploy from the palette names both files, and nothing is built, pushed or deployed', async () => {
    await fromPalette('Mentor: Deploy to Cloud Run');
    const note = await ui.waitForNotification('Deploy stopped before the build', { timeoutMs: 120_000 });
    assert.strictEqual(note.severity, 'error');
    assert.match(note.message, /\.env\.production: environment file/);
    assert.match(note.message, /gcp-key\.json: service-account key \(private_key\)/);
    assert.deepStrictEqual(note.buttons.slice(0, 2), [IGNORE_FILES_BUTTON, ALLOW_FILES_BUTTON]);
    const shot = await ui.screenshot('secrets-deploy-refused');
    assert.match(shot.text, /Deploy stopped before the build: 2 files in the build context hold secrets/);
    assert.ok(!fakes.some((v) => shot.text.includes(v) || note.message.includes(v)), 'a secret value is on screen');

    await eventually('the deploy to end', deployButtonIdle, 30_000);
    assert.deepStrictEqual(await registryTags(), [], 'nothing was pushed');
    assert.strictEqual(await serviceExists(), false, 'nothing was deployed');
    assert.ok(!(await docker().listImages()).some((i) => (i.RepoTags ?? []).some((t) => t.includes(SERVICE))), 'nothing was built');
  });

  it('"Add to .dockerignore" lists them and shows the file; the next deploy gets to its plan without them', async () => {
    await clickNotificationButton(IGNORE_FILES_BUTTON);
    await ui.waitForNotification('to .dockerignore', { timeoutMs: 15_000 });
    const lines = read('.dockerignore').split('\n');
    assert.deepStrictEqual(lines.slice(0, 4), OLDER_DOCKERIGNORE.trimEnd().split('\n'), "the user's lines stay");
    assert.ok(lines.includes('.env.production') && lines.includes('gcp-key.json'), lines.join(' | '));
    assert.strictEqual(path.basename(vscode.window.activeTextEditor?.document.uri.fsPath ?? ''), '.dockerignore');
    assert.match((await ui.screenshot('secrets-dockerignore')).text, /gcp-key\.json/, 'the editor shows the added lines');

    await vscode.commands.executeCommand('notifications.clearAll');
    await fromPalette('Mentor: Deploy to Cloud Run');
    const plan = await waitForDialog();
    assert.match(plan.message, new RegExp(`Create the Cloud Run service ${SERVICE}\\?`));
    await ui.clickDialogButton('Cancel');
    await eventually('the deploy to end', deployButtonIdle, 30_000);
    assert.strictEqual(await serviceExists(), false, 'cancelled at the plan');
    assert.ok((await registryTags()).length > 0, 'this time the image was pushed');
    const inImage = await filesInImage(`${SERVICE}:local`);
    assert.ok(inImage.includes('app/main.py'), `the app is in the image: ${inImage.join(', ')}`);
    assert.ok(!inImage.some((f) => /\.env\.production|gcp-key\.json/.test(f)), `secret files in the image: ${inImage.join(', ')}`);
  });

  it('Build Container warns and builds; "Allow in Image" asks first, then remembers the file in the workspace settings', async () => {
    const staging = fakeValue();
    fakes.push(staging);
    write('.env.staging', `RAZORPAY_KEY_SECRET=${staging}\n`);
    await vscode.commands.executeCommand('notifications.clearAll');
    await fromPalette('Mentor: Build Container');
    const note = await ui.waitForNotification('This local image includes a file that holds a secret', { timeoutMs: 60_000 });
    assert.strictEqual(note.severity, 'warning');
    assert.match(note.message, /\.env\.staging: environment file/);
    assert.doesNotMatch(note.message, /\.env\.production|gcp-key\.json/, 'the ignored files are no longer in the context');
    assert.deepStrictEqual(note.buttons, [IGNORE_FILES_BUTTON, ALLOW_FILES_BUTTON]);

    await clickNotificationButton(ALLOW_FILES_BUTTON);
    const dialog = await ui.clickDialogButton(ALLOW_FILES_BUTTON, { timeoutMs: 15_000 });
    assert.match(dialog.message, /Build \.env\.staging into the image\?/);
    assert.match(dialog.detail, /mentor\.allowedFilesInImage/);
    const settingsFile = path.join(dir, '.vscode', 'settings.json');
    const saved = await eventually('the setting in .vscode/settings.json', async () =>
      (parse(fs.readFileSync(settingsFile, 'utf8')) ?? {})['mentor.allowedFilesInImage'] as string[] | undefined);
    assert.deepStrictEqual(saved, ['.env.staging']);
    // the file is written before VS Code's configuration model reloads it
    const applied = await eventually('the setting to apply', async () => {
      const value = vscode.workspace.getConfiguration('mentor').get<string[]>('allowedFilesInImage') ?? [];
      return value.length ? value : undefined;
    });
    assert.deepStrictEqual(applied, ['.env.staging']);
    // the build went on beside the warning (a local image is not pushed)
    await eventually('the build to finish', async () => (await ui.statusBarItems()).some((i) => i.text.includes(`Built ${SERVICE}:local`)), 120_000);
  });

  it('no log, setting or screenshot holds a fake secret value', async () => {
    assert.ok(fakes.length >= 3);
    for (const rel of fakeFiles) fs.rmSync(path.join(dir, rel), { force: true });
    assert.deepStrictEqual(filesHolding(dir, fakes), [], 'workspace (without the fake secret files)');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_USER_DATA_DIR, fakes), [], 'VS Code user data, output channels');
    assert.deepStrictEqual(filesHolding(process.env.MENTOR_TEST_RESULTS_DIR, fakes), [], 'test artifacts');
  });
});
