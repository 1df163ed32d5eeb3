// The rollout under real failure, in a real VS Code against the emulator on the real engine: a candidate
// that passes its tag-URL check but answers 5xx to real traffic at 50% is rolled back to the exact split
// (all tags included) that served before; Cancel clicked in the progress notification during the rollout
// restores that split too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEPLOY_BUTTON } from '../../src/commands/deploy';
import type { DeployResult } from '../../src/deploy/types';
import { cancelOpenDialog, createWithMentor, changeService, getService, trafficOf } from './liveService';
import { control, httpGet, setMentorSetting } from './support';
import { ui } from './uiBridge';

const SERVICE = 'rollout-api';

/** Resolves once the candidate holds `percent` of the traffic (polled through the real client). */
async function candidateReaches(percent: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await trafficOf(SERVICE)).some(([, p, tag]) => tag === 'candidate' && p === percent)) {
    if (Date.now() > deadline) throw new Error(`the candidate never reached ${percent}%: ${JSON.stringify(await trafficOf(SERVICE))}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('Rollout under real failure', function () {
  this.timeout(600_000);
  let main: string;
  let original: string;
  let servedBefore: [string, number, string][];

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    main = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'main.py');
    original = fs.readFileSync(main, 'utf8');
    await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    const settings: Record<string, unknown> = {
      service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      secrets: { GEMINI_API_KEY: 'gemini-api-key' }, 'rollout.strategy': 'gradual', 'rollout.steps': [0, 50, 100],
      'rollout.intervalSeconds': 6, 'rollout.healthChecks': 2, 'rollout.maxErrorRatePercent': 5, smokeTest: false,
      'tail.startAfterDeploy': false, verifyTimeoutSeconds: 20,
    };
    const created = await createWithMentor(settings);
    // The serving revision carries two tags (one with 0%): both must survive a rollback.
    await changeService(SERVICE, (service) => {
      service.traffic = [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as never, revision: created.revision, percent: 100, tag: 'stable' },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as never, revision: created.revision, percent: 0, tag: 'blue' },
      ];
    });
    servedBefore = await trafficOf(SERVICE);
    assert.deepStrictEqual(servedBefore.map(([, p, t]) => [p, t]).sort(), [[0, 'blue'], [100, 'stable']]);
  });

  afterEach(async () => {
    fs.writeFileSync(main, original);
    await cancelOpenDialog();
  });

  after(async () => {
    for (const key of ['service', 'registry', 'secrets', 'smokeTest', 'rollout.strategy', 'rollout.steps', 'rollout.intervalSeconds',
      'rollout.healthChecks', 'rollout.maxErrorRatePercent', 'allowUnauthenticated']) await setMentorSetting(key, undefined);
  });

  /** Deploys code whose API raises (its /health still passes) and resolves once it holds 50%; returns the running deploy. */
  // (Wrapped in an object: an async function returning the thenable itself would wait for the whole deploy.)
  async function deployBrokenCandidateToHalf(reason: string): Promise<{ deploying: Thenable<DeployResult | undefined> }> {
    fs.writeFileSync(main, original.replace('def diagnostic() -> dict:\n', `def diagnostic() -> dict:\n    raise RuntimeError("${reason}")\n`));
    await vscode.commands.executeCommand('notifications.clearAll');
    const deploying = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
    await ui.clickDialogButton(DEPLOY_BUTTON, { timeoutMs: 180_000 });
    await candidateReaches(50);
    return { deploying };
  }

  it('a candidate that answers 5xx under real traffic at 50% is rolled back to the exact previous split, tags included', async () => {
    // /health stays fine (the tag-URL check passes); the API the traffic uses fails.
    const { deploying } = await deployBrokenCandidateToHalf('candidate is broken');
    const url = (await getService(SERVICE)).uri!;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await httpGet(`${url}/api/test/diagnostic`)).status);
    assert.ok(statuses.includes(500) && statuses.includes(200), `real traffic reaches both revisions: ${statuses.join(',')}`);
    assert.strictEqual(await deploying, undefined);
    const note = await ui.waitForNotification('rolled back', { timeoutMs: 60_000 });
    assert.match(note.message, /error rate \d+(\.\d)?% at 50%/);
    assert.deepStrictEqual((await trafficOf(SERVICE)).sort(), [...servedBefore].sort());
  });

  it('a restore that fails names the split that serves, and Restore puts the previous one back', async () => {
    const { deploying } = await deployBrokenCandidateToHalf('candidate is broken again');
    // The next write, the rollback's, fails once.
    const ctl = control();
    await ctl.injectFault({ method: 'google.cloud.run.v2.Services/UpdateService', code: 13, message: 'backend hiccup', count: 1 });
    ctl.close();
    const url = (await getService(SERVICE)).uri!;
    for (let i = 0; i < 40; i++) await httpGet(`${url}/api/test/diagnostic`);
    assert.strictEqual(await deploying, undefined);
    const note = await ui.waitForNotification('restoring the previous split failed', { timeoutMs: 60_000 });
    assert.match(note.message, /Now serving: rollout-api-\d{5}-[a-z]{3} 50% \(tag candidate\)/);
    assert.match(note.message, /Restore sets rollout-api-00001-[a-z]{3} 100% \(tag stable\), rollout-api-00001-[a-z]{3} 0% \(tag blue\)/);
    assert.ok(note.buttons.includes('Restore'));
    await ui.click('.notifications-center .notification-list-item .monaco-button', { text: 'Restore', timeoutMs: 10_000 });
    const deadline = Date.now() + 60_000;
    while (JSON.stringify((await trafficOf(SERVICE)).sort()) !== JSON.stringify([...servedBefore].sort())) {
      if (Date.now() > deadline) assert.deepStrictEqual((await trafficOf(SERVICE)).sort(), [...servedBefore].sort());
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('Cancel in the progress notification during the rollout restores the split', async () => {
    fs.writeFileSync(main, `${original}\n# another change\n`);
    await setMentorSetting('rollout.intervalSeconds', 30);
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      const deploying = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
      await ui.clickDialogButton(DEPLOY_BUTTON, { timeoutMs: 180_000 });
      await candidateReaches(50);
      await ui.notifications({ open: true });
      await ui.click('.notifications-center .notification-list-item .monaco-button', { text: 'Cancel', timeoutMs: 10_000 });
      assert.strictEqual(await deploying, undefined);
      assert.deepStrictEqual((await trafficOf(SERVICE)).sort(), [...servedBefore].sort());
    } finally {
      await setMentorSetting('rollout.intervalSeconds', 6);
    }
  });
});
