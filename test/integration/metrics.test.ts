// Metrics in a real VS Code with REAL traffic: a service deployed with Mentor runs as a container behind the
// emulator's proxy; the test sends requests to its URL (slow ones, and ones that fail with 500), then opens
// "Show Metrics" from the palette (quick pick of the service) and reads the panel's DOM: the exact request
// and 5xx counts sent, p95 inside the latency bucket Cloud Monitoring's layout puts them in, the canary view
// with Promote; the revision row's sparkline text in the explorer; a screenshot asserted on its text.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { bucketIndex, bucketLower, bucketUpper, LATENCY_LAYOUT } from '../../emulator/monitoringDistribution';
import { DEPLOY_BUTTON } from '../../src/commands/deploy';
import type { DeployResult } from '../../src/deploy/types';
import { createWithMentor, cancelOpenDialog, changeService, getService, trafficOf } from './liveService';
import { eventually, httpGet, mentor, serviceName, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { fromPalette } from './userActions';

const SERVICE = 'metrics-api';
const SLOW_MS = 200;
const SLOW = 20;
const FAILING = 4;

const APP_ROUTES = `
import time as _metrics_time


@app.get("/api/test/slow")
def slow() -> dict:
    _metrics_time.sleep(${SLOW_MS / 1000})
    return {"slept_ms": ${SLOW_MS}}


@app.get("/api/test/fail")
def fail() -> dict:
    raise RuntimeError("metrics test: this route always fails")
`;

const row = (revision: string) => `vscode-table-row[data-revision="${revision}"]`;
const cellText = (revision: string, metric: string, contains?: string) =>
  ui.webviewText({ selector: `${row(revision)} vscode-table-cell[data-metric="${metric}"]`, contains, timeoutMs: 20_000 });

describe('Metrics from real traffic', function () {
  this.timeout(600_000);
  let api: MentorApi;
  let main: string;
  let original: string;
  let revision: string;

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    api = await mentor();
    main = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'main.py');
    original = fs.readFileSync(main, 'utf8');
    fs.writeFileSync(main, `${original}\n${APP_ROUTES}`);
    await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    const created = await createWithMentor({
      service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      secrets: { GEMINI_API_KEY: 'gemini-api-key' }, smokeTest: false, 'tail.startAfterDeploy': false, verifyTimeoutSeconds: 20,
    });
    revision = created.revision;
    fs.writeFileSync(main, original);
  });

  afterEach(async () => {
    await cancelOpenDialog();
  });

  after(async () => {
    fs.writeFileSync(main, original);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const key of ['service', 'registry', 'secrets', 'smokeTest', 'allowUnauthenticated', 'verifyTimeoutSeconds', 'rollout.strategy',
      'rollout.steps', 'rollout.intervalSeconds', 'rollout.healthChecks']) await setMentorSetting(key, undefined);
  });

  it('the panel opened from the palette shows exactly the requests and 5xx sent, and p95 in their latency bucket', async () => {
    await fromPalette('Mentor: Show Metrics');
    await ui.selectQuickPick(SERVICE, { timeoutMs: 20_000 });
    // Mentor's own verify requests came first: what the panel counts before our traffic is the baseline.
    const before = Number(await cellText(revision, 'requests'));
    assert.ok(Number.isInteger(before), `requests cell before: ${before}`);
    assert.strictEqual(await cellText(revision, 'errors'), '0');

    const url = (await getService(SERVICE)).uri!;
    let slowest = 0;
    for (let i = 0; i < SLOW; i++) {
      const started = Date.now();
      assert.strictEqual((await httpGet(`${url}/api/test/slow`)).status, 200);
      slowest = Math.max(slowest, Date.now() - started);
    }
    for (let i = 0; i < FAILING; i++) assert.strictEqual((await httpGet(`${url}/api/test/fail`)).status, 500);

    await ui.webviewClick({ selector: '#refresh' });
    const expected = String(before + SLOW + FAILING);
    assert.strictEqual(await cellText(revision, 'requests', expected), expected);
    assert.strictEqual(await cellText(revision, 'errors'), String(FAILING));
    const ratio = FAILING / (before + SLOW + FAILING);
    assert.strictEqual(await cellText(revision, 'errorRatio'), `${(ratio * 100).toFixed(1).replace(/\.0$/, '')}%`);
    // p95 lies among the slow requests (more than 5% of all): at least the lower bound of the bucket holding
    // 200 ms, at most the upper bound of the bucket holding the slowest one as this side measured it.
    const p95 = Number(/^([\d.]+) ms$/.exec(await cellText(revision, 'p95'))?.[1]);
    const low = bucketLower(LATENCY_LAYOUT, bucketIndex(LATENCY_LAYOUT, SLOW_MS));
    const high = bucketUpper(LATENCY_LAYOUT, bucketIndex(LATENCY_LAYOUT, slowest));
    assert.ok(p95 >= Math.floor(low) && p95 <= Math.ceil(high), `p95 ${p95} ms outside [${low}, ${high}] (slowest seen ${slowest} ms)`);
    const asOf = await ui.webviewText({ selector: '#as-of' });
    assert.match(asOf, /^as of \d\d:\d\d$/);
    // The charts drew the traffic: the request chart's legend has a 5xx line.
    assert.match(await ui.webviewText({ selector: '[data-chart="requests"] .latest' }), /5xx: /);

    // The range picker: over 7 days the totals are the same (the service is minutes old).
    await ui.webviewClick({ selector: 'vscode-single-select#range' });
    await ui.webviewClick({ selector: 'vscode-single-select#range li[role="option"]:has-text("7 days")' });
    assert.strictEqual(await ui.webviewText({ selector: '#scope', contains: 'last 7 days', timeoutMs: 20_000 }), 'all revisions · last 7 days');
    assert.strictEqual(await cellText(revision, 'requests'), expected);
    assert.strictEqual(await cellText(revision, 'errors'), String(FAILING));
    await ui.webviewClick({ selector: 'vscode-single-select#range' });
    await ui.webviewClick({ selector: 'vscode-single-select#range li[role="option"]:has-text("1 hour")' });
    await ui.webviewText({ selector: '#scope', contains: 'last 1 hour', timeoutMs: 20_000 });

    const shot = await ui.screenshot('metrics-panel', { delayMs: 800 });
    assert.match(shot.text, new RegExp(`${revision}[\\s\\S]*${expected}[\\s\\S]*${FAILING}`));
    assert.match(shot.text, /Request latency/);
  });

  it('the revision row shows the last hour as a sparkline with its counts, from one query for the service', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
    await vscode.commands.executeCommand('mentor.refresh');
    const serviceRow = await ui.waitForTreeRow(SERVICE, { view: 'Services', timeoutMs: 20_000 });
    if (serviceRow.expanded === false) await ui.clickTreeRow(SERVICE, { view: 'Services' });
    await ui.waitForTreeRow(revision, { view: 'Services', description: 'req/h', timeoutMs: 30_000 });
    // Counted over one Refresh of the expanded service, once whatever the view did before has settled:
    // every revision row is drawn again, and the service's lines are read once, not once per row.
    await api.sparklines.settled(serviceName(SERVICE));
    // Per service: other services an earlier test left expanded read their own lines on Refresh too.
    const queries = api.sparklines.queriesOf(serviceName(SERVICE));
    await vscode.commands.executeCommand('mentor.refresh');
    await eventually('the refreshed sparklines', async () => (api.sparklines.queriesOf(serviceName(SERVICE)) > queries ? true : undefined), 30_000);
    await api.sparklines.settled(serviceName(SERVICE));
    const rowNow = await ui.waitForTreeRow(revision, { view: 'Services', description: 'req/h', timeoutMs: 30_000 });
    const total = api.sparklines.get(serviceName(SERVICE))?.get(revision)?.requests ?? 0;
    assert.ok(total >= SLOW + FAILING, `sparkline total ${total}`);
    const share = ((FAILING / total) * 100).toFixed(1).replace(/\.0$/, '');
    assert.match(rowNow.description, new RegExp(`· [▁▂▃▄▅▆▇█]{12} ${total} req/h, ${share.replace('.', '\\.')}% 5xx$`));
    assert.strictEqual(api.sparklines.queriesOf(serviceName(SERVICE)) - queries, 1, 'one Monitoring query for the expanded service');

    // The revision row's context menu opens the panel filtered to that revision.
    await ui.clickTreeRow(revision, { view: 'Services', button: 'right' });
    const menu = await ui.contextMenuItems();
    assert.ok(menu.includes('Show Metrics'), `context menu: ${menu.join(', ')}`);
    await ui.selectContextMenu('Show Metrics');
    assert.strictEqual(await ui.webviewText({ selector: '#scope', contains: revision, timeoutMs: 20_000 }), `${revision} · last 1 hour`);
    assert.strictEqual(await cellText(revision, 'errors'), String(FAILING));
  });

  it('during a rollout the panel puts the candidate next to the serving revision; Promote routes all traffic to it', async () => {
    // A second revision as the rollout leaves it at 50%: tagged "candidate", the first one serving the rest.
    const updated = await changeService(SERVICE, (s) => {
      s.template = { ...s.template, revision: undefined, labels: { ...(s.template?.labels ?? {}), 'metrics-test': 'canary' } };
    });
    const candidate = String(updated.latestCreatedRevision ?? '').split('/').pop()!;
    assert.notStrictEqual(candidate, revision);
    await changeService(SERVICE, (s) => {
      s.traffic = [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as never, revision: candidate, percent: 50, tag: 'candidate' },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as never, revision, percent: 50 },
      ];
    });
    await ui.webviewClick({ selector: '#refresh' });
    const canary = await ui.webviewText({ selector: '#canary', contains: 'Candidate', timeoutMs: 20_000 });
    assert.match(canary, new RegExp(`Candidate: ${candidate}`));
    assert.match(canary, new RegExp(`Serving: ${revision}`));
    assert.match(await ui.webviewText({ selector: `[data-role="serving"] [data-metric="errorRatio"]` }), /^[\d.]+%$/);
    const shot = await ui.screenshot('metrics-canary', { delayMs: 800 });
    assert.match(shot.text, new RegExp(`Rollout: 50% to the candidate[\\s\\S]*Promote ${candidate}[\\s\\S]*Roll back to ${revision}`));
    await ui.webviewClick({ selector: '#promote' });
    await ui.clickDialogButton('Route 100%', { timeoutMs: 20_000 });
    await eventually('all traffic on the candidate', async () =>
      ((await getService(SERVICE)).trafficStatuses ?? []).some((t) => t.revision === candidate && t.percent === 100) || undefined, 60_000);
    // The panel follows the explorer's refresh: no rollout any more, so no canary.
    await eventually('the canary view to go', async () => !(await ui.webviewText({ selector: 'body' })).includes('Candidate:') || undefined, 30_000);
  });

  /** Starts a deploy of a one-line change with the given gate length; resolves once the candidate holds 50%. */
  async function deployToHalf(change: string, gateSeconds: number): Promise<{ deploying: Thenable<DeployResult | undefined> }> {
    await setMentorSetting('rollout.strategy', 'gradual');
    await setMentorSetting('rollout.steps', [0, 50, 100]);
    await setMentorSetting('rollout.intervalSeconds', gateSeconds);
    await setMentorSetting('rollout.healthChecks', 2);
    fs.writeFileSync(main, `${original}\n${APP_ROUTES}\n# ${change}\n`);
    await vscode.commands.executeCommand('notifications.clearAll');
    const deploying = vscode.commands.executeCommand<DeployResult | undefined>('mentor.deploy');
    await ui.clickDialogButton(DEPLOY_BUTTON, { timeoutMs: 180_000 });
    await eventually('the candidate at 50%', async () => (await trafficOf(SERVICE)).some(([, p, tag]) => tag === 'candidate' && p === 50) || undefined, 180_000);
    return { deploying };
  }

  it('a rollout gate counts the candidate\'s requests from Cloud Monitoring and says so in the deploy output', async () => {
    const { deploying } = await deployToHalf('gate reads Monitoring', 8);
    const url = (await getService(SERVICE)).uri!;
    for (let i = 0; i < 10; i++) await httpGet(`${url}/health`);
    const result = await deploying;
    assert.ok(result, 'deploy failed: see the Mentor: Deploy output');
    const output = (await ui.textContent('.part.panel .monaco-editor .view-lines')).replace(/\u00a0/g, ' ');
    assert.match(output, /Gate 50%: \d+ requests, 0 answered 5xx, error rate 0\.0%(, p95 \d+ ms)? \(from Cloud Monitoring\)/);
  });

  it('Roll back in the canary view stops a rollout this window runs and restores the split it started from', async () => {
    const servedBefore = (await trafficOf(SERVICE)).filter(([, p, tag]) => p > 0 || tag).sort();
    const { deploying } = await deployToHalf('rolled back from the panel', 120);
    await vscode.commands.executeCommand('mentor.showMetrics', { kind: 'service', service: api.explorer.services.find((s) => s.id === SERVICE) });
    await ui.webviewClick({ selector: '#refresh' });
    await ui.webviewText({ selector: '#canary', contains: 'A deploy in this window is rolling out', timeoutMs: 30_000 });
    await ui.webviewClick({ selector: '#roll-back' });
    assert.strictEqual(await deploying, undefined);
    const note = await ui.waitForNotification('rolled back', { timeoutMs: 60_000 });
    assert.match(note.message, /Roll back was chosen in the metrics panel/);
    assert.deepStrictEqual((await trafficOf(SERVICE)).filter(([, p, tag]) => p > 0 || tag).sort(), servedBefore);
  });
});
