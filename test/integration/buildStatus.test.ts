// Build status in a real VS Code against the emulator's Cloud Build API, whose builds run as containers on
// the engine: a cloudbuild.yaml switches build status on; a build of HEAD shows in the status bar while it
// runs and when it ends, in the service's Builds node, in a notice and in the build log channel. First by
// polling (no cloud-builds topic), then through the real Pub/Sub emulator (the topic exists): a failing build
// names its step and reason, and Roll Back routes all traffic back through the traffic command.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as vscode from 'vscode';
import { CloudBuildClient } from '@google-cloud/cloudbuild/build/src/v1/cloud_build_client';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import type { MentorApi } from '../../src/extension';
import { ROUTE_CONFIRM_BUTTON } from '../../src/commands/routeAllTraffic';
import { BUILD_LOG_CHANNEL } from '../../src/builds/buildLogChannel';
import type { BuildSession } from '../../src/builds/buildSession';
import { ui } from './uiBridge';
import { clickNotificationButton } from './userActions';
import { PROJECT, REGION, control, emulatorAddress, eventually, mentor, serviceName, servicesClient, setMentorSetting } from './support';

const SERVICE = 'mentor-ai-backend';
const AUTHOR = 'Ann Builder';
const NEW_REVISION = `${SERVICE}-00009-new`;
const PREVIOUS = `${SERVICE}-00002-wuv`;

function workspaceDir(): string {
  const dir = process.env.MENTOR_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(dir, 'no workspace folder');
  return dir;
}

function git(...args: string[]): string {
  return execFileSync('git', ['-c', `user.name=${AUTHOR}`, '-c', 'user.email=ann@example.com', ...args], { cwd: workspaceDir(), encoding: 'utf8' }).trim();
}

function cloudBuild(): CloudBuildClient {
  const [host, port] = emulatorAddress().split(':');
  return new CloudBuildClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
}

/** Tiny busybox steps with the ids, tags and output of the generated cloudbuild.yaml (contract 1). */
function buildRequest(commit: string, deployScript: string) {
  const step = (id: string, script: string) => ({ id, name: 'busybox', entrypoint: 'sh', args: ['-c', script] });
  return {
    parent: `projects/${PROJECT}/locations/${REGION}`, projectId: PROJECT,
    build: {
      steps: [step('build', 'echo "building $SHORT_SHA"; sleep 6'), step('push', 'echo pushed; sleep 2'), step('deploy', `echo "deploying $_SERVICE"; ${deployScript}`)],
      tags: ['mentor', SERVICE],
      substitutions: { COMMIT_SHA: commit, SHORT_SHA: commit.slice(0, 7), BRANCH_NAME: 'main', _SERVICE: SERVICE },
      options: { logging: 'CLOUD_LOGGING_ONLY' as const },
    },
  };
}

async function statusBarBuild(): Promise<string> {
  const items = await ui.statusBarItems();
  return items.find((i) => /Build|Deployed/.test(i.text) && !/Deploy$/.test(i.text))?.text ?? `(none in: ${items.map((i) => i.text).join(' | ')})`;
}

/** The build log channel's text as the output view's model holds it (a plain channel's URI keeps the ':'). */
function channelText(): string {
  const names = [BUILD_LOG_CHANNEL, BUILD_LOG_CHANNEL.replace(/[:\\/*?"<>|]/g, '')];
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' &&
    names.some((name) => decodeURIComponent(d.uri.toString()).includes(name)));
  if (!doc) throw new Error(`no output document for ${BUILD_LOG_CHANNEL}; open: ${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')}`);
  return doc.getText();
}

async function pubsub(method: string, path: string): Promise<number> {
  const response = await fetch(`http://${process.env.PUBSUB_EMULATOR_HOST}/v1/${path}`, { method, headers: { 'content-type': 'application/json' },
    body: method === 'PUT' ? '{}' : undefined, signal: AbortSignal.timeout(10_000) });
  return response.status;
}

describe('Build status: Cloud Build in the status bar, the explorer, notices and the log', function () {
  this.timeout(300_000);
  let api: MentorApi;
  let builds: CloudBuildClient;
  const session = async (): Promise<BuildSession> => {
    const running = api.builds.running;
    assert.ok(running, 'build status is off');
    return running;
  };

  before(async () => {
    api = await mentor();
    const ctl = control();
    await ctl.reset('demo');
    ctl.close();
    await setMentorSetting('apiEndpoint', emulatorAddress());
    builds = cloudBuild();
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'the app');
    // The polling path first: without the topic Cloud Build publishes nothing and Mentor polls.
    if (process.env.PUBSUB_EMULATOR_HOST) await pubsub('DELETE', `projects/${PROJECT}/topics/cloud-builds`);
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
  });

  after(async () => {
    await vscode.workspace.fs.delete(vscode.Uri.file(`${workspaceDir()}/cloudbuild.yaml`)).then(undefined, () => undefined);
    await eventually('build status to switch off', async () => !api.builds.enabled, 15_000).catch(() => undefined);
    await builds?.close();
    execFileSync('rm', ['-rf', `${workspaceDir()}/.git`]);
    const ctl = control();
    await ctl.reset('demo');
    ctl.close();
  });

  it('a cloudbuild.yaml switches it on; the build of HEAD goes working → Deployed in the status bar, the Builds node and a notice (polling)', async () => {
    assert.ok(!api.builds.enabled, 'build status is off before any cloudbuild.yaml');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(`${workspaceDir()}/cloudbuild.yaml`), Buffer.from('steps: []\n'));
    await eventually('build status to switch on', async () => api.builds.enabled, 20_000);
    const s = await session();
    await eventually('the watcher to pick polling', async () => s.watcher.mode === 'polling', 20_000);
    // Polling pauses while the window is not focused: a click on the workbench focuses it, as a person's would.
    await ui.click('.part.editor');
    await eventually('the window to have focus', async () => vscode.window.state.focused, 10_000);

    git('commit', '-q', '--allow-empty', '-m', 'deploy me');
    const head = git('rev-parse', 'HEAD');
    const output = JSON.stringify({ service: SERVICE, revision: NEW_REVISION, url: 'https://mentor-ai-backend-xyz.a.run.app', healthPath: '/health', healthStatus: 200, previousRevision: PREVIOUS });
    const [operation] = await builds.createBuild(buildRequest(head, `sleep 2; echo '${output}' > $$BUILDER_OUTPUT/output`));
    const buildId = (operation.metadata as { build?: { id?: string } } | undefined)?.build?.id;
    assert.ok(buildId, 'CreateBuild returned no build id');

    const state = async () => `status bar "${await statusBarBuild()}"; watcher ${s.watcher.mode}, focused ${vscode.window.state.focused}, ` +
      `polls ${s.watcher.poll.polls}, head ${s.watcher.head.commit?.slice(0, 7)}, head build ${s.watcher.headBuild?.id}:${s.watcher.headBuild?.status}`;
    const running = await eventually('the status bar to show the running build', async () => {
      const text = await statusBarBuild();
      if (!/^Build: (queued|working)/.test(text)) throw new Error(await state());
      return text;
    }, 40_000);
    assert.match(running, /^Build: (queued|working( · (build|push|deploy))?)$/);
    const done = await eventually('the status bar to show Deployed', async () => {
      const text = await statusBarBuild();
      if (text !== 'Deployed') throw new Error(await state());
      return text;
    }, 120_000);
    assert.strictEqual(done, 'Deployed');
    assert.strictEqual(s.statusBar.text, '$(check) Deployed');

    const notice = await ui.waitForNotification(`Deployed ${NEW_REVISION}`, { timeoutMs: 20_000 });
    assert.strictEqual(notice.message, `Deployed ${NEW_REVISION} · https://mentor-ai-backend-xyz.a.run.app · /health 200`);
    assert.ok(notice.buttons.includes('Open URL'), `buttons: ${notice.buttons.join(', ')}`);

    // The Builds node under the service: newest first, short commit · author · duration · result.
    const serviceNode = (await api.explorer.getChildren()).find((n) => n.kind === 'service' && n.service.id === SERVICE);
    assert.ok(serviceNode);
    const buildsNode = (await api.explorer.getChildren(serviceNode)).find((n) => n.kind === 'builds');
    assert.ok(buildsNode, 'no Builds node under the service');
    await api.treeView.reveal(buildsNode, { expand: true });
    const row = await ui.waitForTreeRow(head.slice(0, 7), { view: 'Services', description: 'success', timeoutMs: 20_000 });
    assert.match(row.description, new RegExp(`^${AUTHOR} · \\d+s · success$`));

    // Show Build Log: the whole log, step by step, in its own channel.
    await vscode.commands.executeCommand('mentor.showBuildLog', buildId);
    await s.logChannel.current;
    const log = await eventually('the build log channel', async () => {
      const text = channelText();
      if (!text.includes('deploying')) throw new Error(`the channel holds: ${JSON.stringify(text.slice(0, 600))}`);
      return text;
    }, 20_000);
    // And on screen: the output panel shows the channel, scrolled to its end.
    assert.match((await ui.textContent('.part.panel .monaco-editor .view-lines')).replace(/\u00a0/g, ' '), new RegExp(`Step #2 - "deploy": deploying ${SERVICE}`));
    assert.match(log, new RegExp(`^Build ${buildId} · ${head.slice(0, 7)} \\(main\\) · success`, 'm'));
    assert.match(log, new RegExp(`Step #0 - "build": building ${head.slice(0, 7)}`));
    assert.match(log, new RegExp(`Step #2 - "deploy": deploying ${SERVICE}`));
  });

  it('through Pub/Sub: a failing build names its step and reason; Roll Back routes 100% to the previous revision', async () => {
    assert.ok(process.env.PUBSUB_EMULATOR_HOST, 'PUBSUB_EMULATOR_HOST is not set: the test bed starts the Pub/Sub emulator for this suite');
    assert.ok([200, 409].includes(await pubsub('PUT', `projects/${PROJECT}/topics/cloud-builds`)), 'could not create the cloud-builds topic');
    await api.builds.reset();
    const s = await session();
    await eventually('the watcher to subscribe', async () => s.watcher.mode === 'pubsub', 30_000);

    git('commit', '-q', '--allow-empty', '-m', 'break /health');
    const head = git('rev-parse', 'HEAD');
    await builds.createBuild(buildRequest(head, 'echo "rolling out"; echo "Mentor: /health answered 500 on the candidate; traffic stays on the previous revision"; exit 1'));

    const failed = await eventually('the status bar to show the failure', async () => {
      const text = await statusBarBuild();
      if (!text.startsWith('Build failed')) {
        throw new Error(`status bar "${text}"; watcher ${s.watcher.mode}, head ${s.watcher.head.commit?.slice(0, 7)}, head build ${s.watcher.headBuild?.id}:${s.watcher.headBuild?.status}`);
      }
      return text;
    }, 120_000);
    assert.strictEqual(failed, 'Build failed · deploy');
    const notice = await ui.waitForNotification('Build failed at step deploy', { timeoutMs: 20_000 });
    assert.strictEqual(notice.message, 'Build failed at step deploy: /health answered 500 on the candidate; traffic stays on the previous revision');
    assert.deepStrictEqual(notice.buttons, ['Show Build Log', 'Roll Back']);

    // Roll Back: the failed build reported no previous revision, so Mentor asks which; then the traffic command confirms.
    await clickNotificationButton('Roll Back');
    await ui.selectQuickPick(PREVIOUS, { timeoutMs: 20_000 });
    await ui.clickDialogButton(ROUTE_CONFIRM_BUTTON, { timeoutMs: 20_000 });
    const client = servicesClient();
    try {
      await eventually('traffic to move', async () => {
        const [service] = await client.getService({ name: serviceName(SERVICE) });
        const statuses = service.trafficStatuses ?? [];
        // Tags keep pointing at their revisions (0%); all the traffic is on the previous revision.
        return statuses.filter((t) => (t.percent ?? 0) > 0).every((t) => t.revision === PREVIOUS && t.percent === 100) &&
          statuses.some((t) => t.revision === PREVIOUS);
      }, 30_000);
    } finally {
      await client.close();
    }
  });
});
