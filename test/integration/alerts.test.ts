// Alerts as a user meets them, in a real VS Code against the emulator on the real engine: "Mentor: Create
// Alert…" from the palette (service, kind, threshold with its validation, a new email channel verified with
// the code read from the emulator's outbox the way a user reads their inbox, a wrong code first), the plan
// dialog, the policy under the service's Alerts node; then a 5xx burst through the revision's URL opens an
// incident that the service row shows after a refresh; finally "Delete Alert…" from the policy's context menu.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { buildAndPushBusyboxApp } from '../testbed/busyboxApp';
import { control, emulatorAddress, eventually, findService, httpGet, mentor, PROJECT, REGION, refreshAndWait, servicesClient, setMentorSetting } from './support';
import { ui } from './uiBridge';
import { fromPalette } from './userActions';

const RUN = randomBytes(3).toString('hex');
const SERVICE = `alerts-${RUN}`;
const EMAIL = `oncall-${RUN}@example.com`;
const POLICY = `${SERVICE}: 5xx ratio above 10%`;
/** The policy's row under its service's Alerts node (without the service prefix). */
const POLICY_ROW = '5xx ratio above 10%';

// busybox httpd: /ok answers 200, /cgi-bin/boom answers 500 (a broken endpoint of the app).
const START_SH = `#!/bin/sh
mkdir -p /www/cgi-bin
echo ok > /www/ok
printf '#!/bin/sh\\nprintf "Status: 500 Internal Server Error\\\\r\\\\n\\\\r\\\\nboom\\\\n"\\n' > /www/cgi-bin/boom
chmod +x /www/cgi-bin/boom
exec httpd -f -p "$PORT" -h /www
`;

interface OutboxMessage { kind: string; to: string; code?: string; subject: string; body: string }

/** The emulator's outbox: the mail a user would find in their inbox. */
async function inbox(to: string): Promise<OutboxMessage[]> {
  const res = await fetch(`http://${emulatorAddress()}/_emulator/outbox?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { messages: OutboxMessage[] }).messages;
}

describe('Alerts: create, see firing, delete', function () {
  this.timeout(300_000);
  let engine: DockerodeEngine;
  let image = '';
  let uri = '';
  let api: Awaited<ReturnType<typeof mentor>>;

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN && process.env.DOCKER_HOST, 'REGISTRY_OPEN / DOCKER_HOST are not set: npm test starts the engine and registries');
    api = await mentor();
    const ctl = control();
    await ctl.reset('demo');
    ctl.close();
    await setMentorSetting('apiEndpoint', emulatorAddress());
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    image = `${process.env.REGISTRY_OPEN}/mentor-alerts-${RUN}/app`;
    await buildAndPushBusyboxApp(engine, image, START_SH, ['v1']);
    const services = servicesClient();
    const [op] = await services.createService({
      parent: `projects/${PROJECT}/locations/${REGION}`, serviceId: SERVICE,
      service: { template: { containers: [{ image: `${image}:v1` }] }, invokerIamDisabled: true },
    });
    const [created] = await op.promise();
    await services.close();
    uri = created.uri ?? '';
    assert.ok(uri, 'the service answers on a local URL');
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
    await refreshAndWait(api, 'ready');
    await vscode.commands.executeCommand('workbench.actions.treeView.mentor.explorer.collapseAll');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await engine?.docker.getImage(`${image}:v1`).remove({ force: true }).catch(() => undefined);
    await engine?.close();
  });

  it('creates a 5xx ratio alert with a verified email channel from the palette and lists it under Alerts', async () => {
    await fromPalette('Mentor: Create Alert…');
    await ui.selectQuickPick(SERVICE);
    const kinds = await ui.quickPickItems();
    assert.deepStrictEqual(kinds.map((k) => k.label), ['5xx error ratio', 'p95 latency', 'No instances / startup failures']);
    await ui.selectQuickPick('5xx error ratio');
    await ui.fillQuickInput('150');
    await eventually('the threshold check', async () => /above 0 and below 100/.test((await ui.quickInput()).message) || undefined);
    await ui.fillQuickInput('10', { submit: true });

    // Slack: explained (Google connects it through an OAuth sign-in in the console), then back to the list.
    await ui.selectQuickPick('Slack…');
    const slack = await ui.clickDialogButton('Back to the Channel List');
    assert.match(slack.message, /Slack is connected in the Google Cloud console/);
    assert.match(slack.detail, /authorize its Slack app in the Cloud console/);
    assert.ok(slack.buttons.some((b) => /Open Notification Channels in the Console/.test(b)), `buttons: ${slack.buttons.join(', ')}`);
    await ui.selectQuickPick('New email channel…');
    await ui.fillQuickInput('oncall');
    await eventually('the address check', async () => /Type an email address/.test((await ui.quickInput()).message) || undefined);
    await ui.fillQuickInput(EMAIL, { submit: true });

    // Google mails a code; the user reads it from the inbox — and first mistypes it.
    const mail = await eventually('the verification mail', async () => (await inbox(EMAIL)).find((m) => m.kind === 'verification'));
    assert.match(mail.code ?? '', /^G-\d{6}$/);
    assert.ok(mail.body.includes(mail.code ?? '?'));
    const box = await ui.quickInput();
    assert.match(box.message, new RegExp(`sent a verification code .* to ${EMAIL.replace(/[.]/g, '\\.')}`));
    const wrong = mail.code === 'G-000000' ? 'G-000001' : 'G-000000';
    await ui.fillQuickInput(wrong, { submit: true });
    const refused = await eventually('the wrong-code message', async () => {
      const state = await ui.quickInput();
      return /did not accept/.test(state.message) ? state : undefined;
    });
    assert.match(refused.message, new RegExp(`did not accept "${wrong}"`));
    await ui.fillQuickInput(mail.code ?? '', { submit: true });

    // The plan, before anything is created.
    const plan = await ui.clickDialogButton('Create Alert Policy', { timeoutMs: 20_000 });
    assert.match(plan.detail, new RegExp(`Alert policy "${POLICY}"`));
    assert.match(plan.detail, /5xx responses ÷ all requests of .* above 10%/);
    assert.match(plan.detail, new RegExp(`Notifies: email ${EMAIL.replace(/[.]/g, '\\.')} \\(verified\\)`));
    await ui.waitForNotification(`Alert policy "${POLICY}" created`, { timeoutMs: 20_000 });

    // The Alerts node of the service lists it.
    if ((await ui.waitForTreeRow(SERVICE, { view: 'Services' })).expanded === false) await ui.clickTreeRow(SERVICE, { view: 'Services' });
    if ((await ui.waitForTreeRow('Alerts', { view: 'Services' })).expanded === false) await ui.clickTreeRow('Alerts', { view: 'Services' });
    const row = await ui.waitForTreeRow(POLICY_ROW, { view: 'Services', timeoutMs: 15_000 });
    assert.match(row.description, /ok · 1 channel/);
  });

  it('shows the open incident on the service row after a 5xx burst, and mails it', async () => {
    for (let i = 0; i < 4; i++) assert.strictEqual((await httpGet(`${uri}/ok`)).status, 200);
    for (let i = 0; i < 6; i++) assert.strictEqual((await httpGet(`${uri}/cgi-bin/boom`)).status, 500);
    // The user refreshes the explorer until Monitoring has evaluated the policy (every few seconds).
    const row = await eventually('the service row to show the open alert', async () => {
      await fromPalette('Mentor: Refresh');
      return ui.waitForTreeRow(SERVICE, { view: 'Services', description: '1 open alert', timeoutMs: 3000 }).catch(() => undefined);
    }, 60_000);
    assert.match(row.description, /^1 open alert · /);
    // The row's tooltip says what fires, where and since when.
    const serviceNode = findService(await api.explorer.getChildren(), SERVICE);
    // Made when VS Code resolves the row (as on hover).
    const tooltip = api.explorer.resolveTreeItem(api.explorer.getTreeItem(serviceNode), serviceNode).tooltip as vscode.MarkdownString;
    // appendText escapes Markdown ("-" → "\\-", spaces → &nbsp;): compare the text a reader sees.
    const seen = tooltip.value.replace(/&nbsp;/g, ' ').replace(/\\/g, '');
    assert.match(seen, new RegExp(`Alert open: ${POLICY} on ${SERVICE}-\\d{5}-[a-z0-9]{3} — open since `));
    const policyRow = await ui.waitForTreeRow(POLICY_ROW, { view: 'Services', description: 'firing', timeoutMs: 15_000 });
    assert.match(policyRow.description, /^firing · opened .* · 1 channel$/);
    const incidentMail = await eventually('the incident mail', async () => (await inbox(EMAIL)).find((m) => m.kind === 'incident'));
    assert.match(incidentMail.subject, new RegExp(`\\[ALERT - Open\\] ${POLICY}`));
    await ui.screenshot('alerts-open-incident');
  });

  it('deletes the alert from its context menu after a confirmation', async () => {
    await ui.clickTreeRow(POLICY_ROW, { view: 'Services', button: 'right' });
    const menu = await ui.contextMenuItems();
    assert.ok(menu.includes('Delete Alert…'), `context menu: ${menu.join(', ')}`);
    await ui.selectContextMenu('Delete Alert…');
    const confirm = await ui.clickDialogButton('Delete Alert Policy');
    assert.match(confirm.message, new RegExp(`Delete the alert policy "${POLICY}"`));
    await ui.waitForNotification(`Alert policy "${POLICY}" deleted`, { timeoutMs: 20_000 });
    await ui.waitForTreeRow('No alert policies — Create Alert…', { view: 'Services', timeoutMs: 15_000 });
    const rows = await ui.treeRows({ view: 'Services' });
    assert.ok(!rows.some((r) => r.label === POLICY_ROW), 'the policy row is gone');
  });
});
