// A deploy changes exactly what its plan shows, in a real VS Code against the emulator on the real engine:
// a live service configured beyond what the settings describe (internal ingress, its own service account,
// a secret volume, a custom command, a sidecar with a secret ref, labels) keeps all of it; a change made
// between the plan and the write is refused; a second deploy while one runs is refused; Undo restores
// the split that served before the deploy.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEPLOY_BUTTON } from '../../src/commands/deploy';
import type { DeployResult } from '../../src/deploy/types';
import { cancelOpenDialog, createWithMentor, changeService, getService as getServiceNamed, Service, waitForDialog } from './liveService';
import { PROJECT, REGION, serviceName, servicesClient, setMentorSetting } from './support';
import { ui } from './uiBridge';

const SERVICE = 'exact-api';
const NAME = serviceName(SERVICE);
const getService = () => getServiceNamed(SERVICE);
const changeLive = (modify: (service: Service) => void) => changeService(SERVICE, modify);

/** What a user configured, without what Cloud Run sets or a deploy is meant to change (revision, app image, traffic). */
function configuredPart(service: Service): unknown {
  const template = structuredClone(service.template) as Service['template'] & Record<string, unknown>;
  delete template!.revision;
  for (const container of template!.containers ?? []) if (container.name === 'app') delete container.image;
  return { ingress: service.ingress, labels: service.labels, annotations: service.annotations, template };
}

describe('Deploy changes exactly what its plan shows', function () {
  this.timeout(600_000);
  let firstRevision: string;
  let main: string;
  let original: string;

  before(async () => {
    main = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'main.py');
    original = fs.readFileSync(main, 'utf8');
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    const settings: Record<string, unknown> = {
      service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      secrets: { GEMINI_API_KEY: 'gemini-api-key' }, 'rollout.strategy': 'allAtOnce', smokeTest: false,
      'tail.startAfterDeploy': false, verifyTimeoutSeconds: 20,
    };
    const created = await createWithMentor(settings);
    firstRevision = created.revision;
    // Configured elsewhere (console, gcloud) beyond what mentor.* describes.
    await changeLive((service) => {
      service.ingress = 'INGRESS_TRAFFIC_INTERNAL_ONLY' as never;
      service.labels = { ...service.labels, team: 'payments' };
      service.annotations = { ...service.annotations, 'example.com/owner': 'ops' };
      const template = service.template!;
      template.revision = undefined;
      template.serviceAccount = 'exact-runtime@mentor-demo.iam.gserviceaccount.com';
      template.volumes = [{ name: 'firebase', secret: { secret: 'firebase-credentials', items: [{ path: 'firebase.json', version: 'latest' }] } }];
      const app = template.containers![0];
      app.name = 'app';
      app.command = ['sh', '-c'];
      app.args = ['exec uvicorn main:app --host 0.0.0.0 --port $PORT'];
      app.volumeMounts = [{ name: 'firebase', mountPath: '/secrets' }];
      template.containers = [app, { name: 'proxy', image: 'busybox:latest', env: [{ name: 'UPSTREAM_TOKEN', valueSource: { secretKeyRef: { secret: 'razorpay-key-secret', version: '2' } } }] }];
    });
  });

  afterEach(async () => {
    // A failed test must not leave a modal plan open for the next one.
    await cancelOpenDialog();
  });

  after(async () => {
    fs.writeFileSync(main, original);
    for (const key of ['service', 'registry', 'secrets', 'smokeTest', 'rollout.strategy', 'allowUnauthenticated']) await setMentorSetting(key, undefined);
  });

  it('a live service with settings Mentor does not own round-trips unchanged except the image', async () => {
    fs.writeFileSync(main, `${original}\n# a code change\n`);
    const before = await getService();
    const deploying = vscode.commands.executeCommand<DeployResult>('mentor.deploy');
    const dialog = await ui.clickDialogButton(DEPLOY_BUTTON, { timeoutMs: 120_000 });
    const planLines = dialog.detail.split('\n').filter((l) => l.startsWith('• '));
    assert.deepStrictEqual(planLines.map((l) => l.split(':')[0]), ['• image'], `the plan should show only the image:\n${dialog.detail}`);
    const result = await deploying;
    assert.ok(result, 'deploy failed: see the Mentor: Deploy output');
    const after = await getService();
    assert.deepStrictEqual(configuredPart(after), configuredPart(before));
    assert.strictEqual(after.ingress, 'INGRESS_TRAFFIC_INTERNAL_ONLY');
    assert.notStrictEqual(after.template!.containers![0].image, before.template!.containers![0].image);
    assert.deepStrictEqual((after.trafficStatuses ?? []).filter((t) => (t.percent ?? 0) > 0).map((t) => t.revision), [result.revision]);
  });

  it('Undo after a deploy restores the split that served before it', async () => {
    const before = (await getService()).trafficStatuses!.filter((t) => (t.percent ?? 0) > 0).map((t) => t.revision);
    await vscode.commands.executeCommand('mentor.undoTrafficChange', NAME);
    const after = (await getService()).trafficStatuses!.filter((t) => (t.percent ?? 0) > 0).map((t) => t.revision);
    assert.notDeepStrictEqual(after, before);
    assert.strictEqual(after.length, 1);
    assert.notStrictEqual(after[0], firstRevision, 'the revision that served before the last deploy (the console-configured one)');
  });

  it('a change made between the plan and the write is refused and nothing is overwritten', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const revisionsBefore = (await getService()).latestCreatedRevision;
    const deploying = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
    await waitForDialog();
    const changed = await changeLive((service) => { service.labels = { ...service.labels, changedby: 'someone-else' }; });
    await ui.clickDialogButton(DEPLOY_BUTTON);
    assert.strictEqual(await deploying, undefined);
    const note = await ui.waitForNotification('changed since you planned', { timeoutMs: 30_000 });
    assert.strictEqual(note.severity, 'error');
    assert.ok(note.buttons.includes('Deploy Again'));
    const now = await getService();
    assert.strictEqual(now.labels?.changedby, 'someone-else');
    assert.strictEqual(now.etag, changed.etag, 'the other change stands; Mentor wrote nothing');
    assert.strictEqual(now.latestCreatedRevision, revisionsBefore);
  });

  it('a second deploy of the same service while one runs is refused, and the status bar says why', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const first = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
    await waitForDialog();
    const item = (await ui.statusBarItems()).find((i) => i.text.includes(`Deploying ${SERVICE}`));
    assert.ok(item, 'the status bar shows the running deploy');
    assert.strictEqual(await vscode.commands.executeCommand('mentor.deploy'), undefined);
    // The first deploy's plan is a modal: the notification center opens once it is answered.
    await ui.clickDialogButton('Cancel');
    assert.strictEqual(await first, undefined);
    const note = await ui.waitForNotification('already running in this window', { timeoutMs: 30_000 });
    assert.strictEqual(note.severity, 'error');
    assert.ok((await ui.statusBarItems()).some((i) => i.text === 'Deploy'), 'the Deploy button is back');
  });

  it('a service none of whose revisions ever served is deployed: the new revision takes all traffic', async () => {
    const never = 'never-ready-api';
    const client = servicesClient();
    try {
      const [operation] = await client.createService({ parent: `projects/${PROJECT}/locations/${REGION}`, serviceId: never, service: {
        template: { containers: [{ image: `${process.env.REGISTRY_OPEN}/mentor-demo/mentor/does-not-exist:latest` }] } } });
      await assert.rejects(operation.promise(), 'the first revision cannot start (its image does not exist)');
    } finally {
      await client.close();
    }
    assert.ok(!((await getServiceNamed(never)).trafficStatuses ?? []).some((t) => (t.percent ?? 0) > 0 && t.revision), 'no revision serves');
    await setMentorSetting('service', never);
    try {
      const deploying = vscode.commands.executeCommand<DeployResult>('mentor.deploy');
      await ui.clickDialogButton(DEPLOY_BUTTON, { timeoutMs: 180_000 });
      const result = await deploying;
      assert.ok(result, 'deploy failed: see the Mentor: Deploy output');
      const serving = ((await getServiceNamed(never)).trafficStatuses ?? []).filter((t) => (t.percent ?? 0) > 0);
      assert.deepStrictEqual(serving.map((t) => [t.revision, t.percent]), [[result.revision, 100]]);
    } finally {
      await setMentorSetting('service', SERVICE);
    }
  });
});
