// "Mentor: Deploy" in a real VS Code against the emulator running revisions on the real engine, with
// the real local registry: first deploy, a gradual second deploy, automatic rollback, registry auth,
// cancellation and live secret references.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { CREATE_BUTTON, DEPLOY_BUTTON, KEEP_REFS_BUTTON } from '../../src/commands/deploy';
import type { DeployResult } from '../../src/deploy/types';
import { httpGet, serviceName, servicesClient, setMentorSetting } from './support';
import { ui } from './uiBridge';

const SERVICE = 'fixture-api';


async function servingSplit(): Promise<[string, number][]> {
  const client = servicesClient();
  try {
    const [service] = await client.getService({ name: serviceName(SERVICE) });
    return (service.trafficStatuses ?? []).filter((t) => (t.percent ?? 0) > 0).map((t) => [String(t.revision), t.percent ?? 0]);
  } finally {
    await client.close();
  }
}

async function liveSecretNames(): Promise<string[]> {
  const client = servicesClient();
  try {
    const [service] = await client.getService({ name: serviceName(SERVICE) });
    return (service.template?.containers?.[0]?.env ?? []).filter((e) => e.valueSource?.secretKeyRef).map((e) => String(e.name));
  } finally {
    await client.close();
  }
}

async function deployClicking(...buttons: string[]): Promise<DeployResult | undefined> {
  const deploying = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
  for (const button of buttons) await ui.clickDialogButton(button, { timeoutMs: 120_000 });
  return deploying;
}

describe('Deploy to the emulator on the real engine', function () {
  this.timeout(600_000);
  let dir: string;
  let main: string;
  let original: string;
  let firstRevision: string;
  let secondRevision: string;

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    main = path.join(dir, 'main.py');
    original = fs.readFileSync(main, 'utf8');
    await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    const settings: Record<string, unknown> = {
      service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      secrets: { GEMINI_API_KEY: 'gemini-api-key' }, minInstances: 0, 'rollout.strategy': 'gradual',
      'rollout.steps': [0, 50, 100], 'rollout.intervalSeconds': 2, 'rollout.healthChecks': 2, smokeTest: true,
      'tail.startAfterDeploy': false, localEnvFile: '.env', verifyTimeoutSeconds: 10,
    };
    for (const [key, value] of Object.entries(settings)) await setMentorSetting(key, value);
  });

  after(async () => {
    fs.writeFileSync(main, original);
    for (const key of ['service', 'registry', 'secrets', 'smokeTest']) await setMentorSetting(key, undefined);
    delete process.env.MENTOR_REGISTRY_USERNAME;
    delete process.env.MENTOR_REGISTRY_PASSWORD;
  });

  it('first deploy: shows what it creates, then the service URL answers /health through the emulator proxy', async () => {
    const deploying = vscode.commands.executeCommand<DeployResult>('mentor.deploy');
    const dialog = await ui.clickDialogButton(CREATE_BUTTON, { timeoutMs: 120_000 });
    assert.match(dialog.message, /Create the Cloud Run service fixture-api\?/);
    assert.match(dialog.detail, /invoker access: \(none\) → public \(allUsers\)/);
    assert.match(dialog.detail, /env GEMINI_API_KEY: \(none\) → secret gemini-api-key:latest/);
    const result = await deploying;
    assert.ok(result, 'deploy failed: see the Mentor: Deploy output');
    assert.strictEqual(result.created, true);
    assert.strictEqual(result.healthStatus, 200);
    assert.match(result.image, /^127\.0\.0\.1:\d+\/mentor-demo\/mentor\/fixture-api@sha256:[0-9a-f]{64}$/);
    assert.strictEqual((await httpGet(`${result.url}/health`)).status, 200);
    assert.deepStrictEqual((await servingSplit()).map(([, p]) => p), [100]);
    firstRevision = result.revision;
    assert.deepStrictEqual(result.timings.map((t) => t.step), ['preflight', 'build', 'smoke test', 'push', 'deploy', 'verify', 'rollout']);
  });

  it('a code change reaches 100% gradually through 50%, keeping revision 1', async () => {
    fs.writeFileSync(main, original.replace('"status": "healthy",', '"status": "healthy",\n        "build": "two",'));
    const result = await deployClicking(DEPLOY_BUTTON);
    assert.ok(result, 'deploy failed: see the Mentor: Deploy output');
    secondRevision = result.revision;
    assert.notStrictEqual(secondRevision, firstRevision);
    assert.deepStrictEqual(await servingSplit(), [[secondRevision, 100]]);
    assert.match((await httpGet(`${result.url}/health`)).body, /"build":\s*"two"/);
    assert.ok(result.push.layersReused > 0, 'unchanged base layers are not pushed again');
    const output = (await ui.textContent('.part.panel .monaco-editor .view-lines')).replace(/\u00a0/g, ' ');
    assert.match(output, /Gate 50%: health check 2\/2 200/);
  });

  it('a revision failing its health check is rolled back automatically', async () => {
    await setMentorSetting('smokeTest', false);
    fs.writeFileSync(main, original.replace('def health() -> dict:\n    return {', 'def health() -> dict:\n    raise RuntimeError("broken health")\n    return {'));
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      const result = await deployClicking(DEPLOY_BUTTON);
      assert.strictEqual(result, undefined);
      const note = await ui.waitForNotification('did not pass its health check', { timeoutMs: 60_000 });
      assert.strictEqual(note.severity, 'error');
      assert.deepStrictEqual(await servingSplit(), [[secondRevision, 100]]);
      const client = servicesClient();
      const [service] = await client.getService({ name: serviceName(SERVICE) }).finally(() => client.close());
      assert.ok(!(service.trafficStatuses ?? []).some((t) => t.tag === 'candidate'), 'the failed candidate no longer has its tag');
    } finally {
      fs.writeFileSync(main, original);
      await setMentorSetting('smokeTest', undefined);
    }
  });

  it('wrong registry credentials fail clearly and change nothing', async () => {
    assert.ok(process.env.REGISTRY_AUTH);
    await setMentorSetting('registry', process.env.REGISTRY_AUTH);
    process.env.MENTOR_REGISTRY_USERNAME = 'mentor';
    process.env.MENTOR_REGISTRY_PASSWORD = 'definitely-wrong';
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.strictEqual(await vscode.commands.executeCommand('mentor.deploy'), undefined);
      const note = await ui.waitForNotification('credentials', { timeoutMs: 120_000 });
      assert.doesNotMatch(note.message, /definitely-wrong/);
      assert.deepStrictEqual(await servingSplit(), [[secondRevision, 100]]);
    } finally {
      delete process.env.MENTOR_REGISTRY_USERNAME;
      delete process.env.MENTOR_REGISTRY_PASSWORD;
      await setMentorSetting('registry', process.env.REGISTRY_OPEN);
    }
  });

  it('cancelling at the plan leaves traffic and revisions untouched', async () => {
    fs.writeFileSync(main, original.replace('"status": "healthy",', '"status": "healthy",\n        "build": "three",'));
    const before = await servingSplit();
    assert.strictEqual(await deployClicking('Cancel'), undefined);
    assert.deepStrictEqual(await servingSplit(), before);
    fs.writeFileSync(main, original);
  });

  it('a live secret reference missing from settings blocks the deploy until confirmed', async () => {
    await setMentorSetting('secrets', {});
    const blocked = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
    const dialog = await ui.clickDialogButton('Cancel', { timeoutMs: 120_000 });
    assert.match(dialog.message, /settings that your mentor\.\* settings do not mention/);
    assert.match(dialog.detail, /secret GEMINI_API_KEY → gemini-api-key:latest/);
    assert.strictEqual(await blocked, undefined);
    assert.deepStrictEqual(await servingSplit(), [[secondRevision, 100]]);

    const kept = await deployClicking(KEEP_REFS_BUTTON, DEPLOY_BUTTON);
    assert.ok(kept, 'deploy after keeping the reference failed');
    assert.deepStrictEqual(await liveSecretNames(), ['GEMINI_API_KEY']);
  });
});
