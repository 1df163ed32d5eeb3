// The Cloud Run explorer in a real VS Code against the emulator: what the tree shows, traffic changes
// through the real confirmation dialog, and errors as messages.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { ROUTE_CONFIRM_BUTTON } from '../../src/commands/routeAllTraffic';
import { ui } from './uiBridge';
import {
  control, emulatorAddress, eventually, findService, mentor, refreshAndWait, revisionsOf, serviceName, servicesClient,
  setMentorSetting,
} from './support';

describe('Cloud Run explorer', () => {
  let api: MentorApi;

  before(async () => {
    api = await mentor();
    const ctl = control();
    await ctl.reset('demo');
    await ctl.setOperationDelay(300);
    ctl.close();
    await setMentorSetting('apiEndpoint', emulatorAddress());
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
  });

  it('shows the seeded services with URL, state and traffic', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const backend = findService(nodes, 'mentor-ai-backend');
    findService(nodes, 'payments-api');
    const broken = findService(nodes, 'broken-worker');
    // Like Cloud Run: the failed deploy marks the service failed while the previous revision keeps serving.
    assert.strictEqual(broken.service.state, 'failed');
    assert.match(broken.service.stateMessage ?? '', /failed to start and listen on the port/);
    assert.match((await ui.waitForTreeRow('broken-worker', { view: 'Services' })).description, /^100% latest · /);

    const row = await ui.waitForTreeRow('mentor-ai-backend', { view: 'Services' });
    assert.match(row.description, /^90% \/ 10% · mentor-ai-backend-.*\.a\.run\.app$/);
    // Other suites deploy services of their own into the same emulator: the seeded ones must show, in order.
    const labels = (await ui.treeRows({ view: 'Services' })).filter((r) => r.level === 1).map((r) => r.label);
    const seeded = ['broken-worker', 'mentor-ai-backend', 'payments-api'];
    assert.deepStrictEqual(labels.filter((l) => seeded.includes(l)), seeded);
    assert.deepStrictEqual([...labels].sort((x, y) => x.localeCompare(y)), labels, 'services are listed by name');
    assert.ok(backend.service.uri?.startsWith('https://'));
  });

  it('shows revisions with traffic, tags and age; serving ones first-class', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const backend = findService(nodes, 'mentor-ai-backend');
    // A click toggles: expand the row only if an earlier test left it collapsed.
    if ((await ui.waitForTreeRow('mentor-ai-backend', { view: 'Services' })).expanded === false) await ui.clickTreeRow('mentor-ai-backend', { view: 'Services' });
    // The last hour's requests follow once Cloud Monitoring answers (the demo seed may have history).
    const activity = '( · [▁▂▃▄▅▆▇█]{12} [\\d.]+[kM]? req/h, [\\d.<]+% 5xx)?$';
    const latest = await ui.waitForTreeRow('mentor-ai-backend-00003-pel', { view: 'Services' });
    assert.match(latest.description, new RegExp(`^90% · latest · \\d+ hours ago${activity}`));
    const canary = await ui.waitForTreeRow('mentor-ai-backend-00002-wuv', { view: 'Services' });
    assert.match(canary.description, new RegExp(`^10% · canary · \\d+ days ago${activity}`));
    const oldest = await ui.waitForTreeRow('mentor-ai-backend-00001-kaj', { view: 'Services' });
    assert.match(oldest.description, new RegExp(`^\\d+ days ago${activity}`));

    const revisions = await revisionsOf(api, backend);
    assert.deepStrictEqual(revisions.map((r) => r.revision.id),
      ['mentor-ai-backend-00003-pel', 'mentor-ai-backend-00002-wuv', 'mentor-ai-backend-00001-kaj']);
    // Made when VS Code resolves the row (as on hover), not with every row drawn.
    assert.strictEqual(api.explorer.getTreeItem(revisions[0]).tooltip, undefined);
    const tooltip = api.explorer.resolveTreeItem(api.explorer.getTreeItem(revisions[0]), revisions[0]).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Image: `us-central1-docker\.pkg\.dev\/mentor-demo\/mentor\/mentor-ai-backend/);
    const shot = await ui.screenshot('explorer');
    for (const row of ['mentor-ai-backend', 'payments-api', 'broken-worker', 'mentor-ai-backend-00002-wuv']) {
      assert.ok(shot.text.includes(row), `the screenshot shows ${row}`);
    }
  });

  it('routes 100% of traffic through the real confirmation, then undoes it', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const backend = findService(nodes, 'mentor-ai-backend');
    const canary = (await revisionsOf(api, backend)).find((r) => r.revision.id === 'mentor-ai-backend-00002-wuv');
    assert.ok(canary);

    const routing = vscode.commands.executeCommand('mentor.routeAllTraffic', canary);
    const dialog = await ui.clickDialogButton(ROUTE_CONFIRM_BUTTON);
    assert.match(dialog.message, /Route 100% of mentor-ai-backend traffic to mentor-ai-backend-00002-wuv\?/);
    assert.match(dialog.detail, /Current split: mentor-ai-backend-00003-pel 90% \(latest\) · mentor-ai-backend-00002-wuv 10%/);
    await routing;

    const client = servicesClient();
    try {
      const [after] = await client.getService({ name: serviceName('mentor-ai-backend') });
      const serving = (after.trafficStatuses ?? []).filter((t) => (t.percent ?? 0) > 0);
      assert.deepStrictEqual(serving.map((t) => [t.revision, t.percent, t.tag || undefined]),
        [['mentor-ai-backend-00002-wuv', 100, 'canary']]);

      await eventually('the tree to show 100% on the canary revision', async () =>
        (await ui.treeRows({ view: 'Services' })).find((r) => r.label === 'mentor-ai-backend-00002-wuv' && r.description.startsWith('100% · canary')));
      const serviceRow = await ui.waitForTreeRow('mentor-ai-backend', { view: 'Services', description: '100% mentor-ai-backend-00002-wuv' });
      assert.match(serviceRow.description, /^100% mentor-ai-backend-00002-wuv · /);

      await vscode.commands.executeCommand('mentor.undoTrafficChange', backend.service.name);
      const [restored] = await client.getService({ name: serviceName('mentor-ai-backend') });
      assert.deepStrictEqual((restored.trafficStatuses ?? []).filter((t) => (t.percent ?? 0) > 0).map((t) => t.percent).sort(), [10, 90]);
      assert.ok((restored.traffic ?? []).some((t) => String(t.type) === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' && t.percent === 90),
        'Undo restores the floating "latest" target, not a pinned copy');
    } finally {
      await client.close();
    }
  });

  it('cancelling the confirmation changes nothing', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const payments = findService(nodes, 'payments-api');
    const older = (await revisionsOf(api, payments)).find((r) => r.revision.id === 'payments-api-00001-mib');
    assert.ok(older);
    const ctl = control();
    await ctl.getStats({ reset: true });
    const routing = vscode.commands.executeCommand('mentor.routeAllTraffic', older);
    await ui.clickDialogButton('Cancel');
    await routing;
    const stats = await ctl.getStats();
    ctl.close();
    assert.strictEqual(stats['google.cloud.run.v2.Services/UpdateService'] ?? 0, 0);
  });

  it('shows a failed update as an error notification and keeps the split', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const payments = findService(nodes, 'payments-api');
    const older = (await revisionsOf(api, payments)).find((r) => r.revision.id === 'payments-api-00001-mib');
    assert.ok(older);
    const ctl = control();
    await ctl.injectFault({ method: 'google.cloud.run.v2.Services/UpdateService', code: 7,
      message: "Permission 'run.services.update' denied on resource" });
    ctl.close();
    const routing = vscode.commands.executeCommand('mentor.routeAllTraffic', older);
    await ui.clickDialogButton(ROUTE_CONFIRM_BUTTON);
    await routing;
    const note = await ui.waitForNotification('Permission denied to update traffic of payments-api');
    assert.strictEqual(note.severity, 'error');
    assert.match(note.message, /roles\/run\.developer/);
    const client = servicesClient();
    const [service] = await client.getService({ name: serviceName('payments-api') });
    await client.close();
    assert.deepStrictEqual((service.trafficStatuses ?? []).map((t) => [t.revision, t.percent]), [['payments-api-00002-zod', 100]]);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('shows an unreachable emulator as a view message with Retry', async () => {
    await setMentorSetting('apiEndpoint', '127.0.0.1:1');
    try {
      const nodes = await refreshAndWait(api, 'error');
      assert.match(api.treeView.message ?? '', /Cannot reach the Cloud Run emulator at 127\.0\.0\.1:1 to list Cloud Run services/);
      assert.deepStrictEqual(nodes.map((n) => n.kind === 'message' && n.text), ['Could not load Cloud Run services', 'Retry', 'Open Settings']);
      await ui.waitForTreeRow('Retry', { view: 'Services' });
      assert.match((await ui.screenshot('explorer-unreachable')).text, /Could not load Cloud Run services[\s\S]*Retry/);
    } finally {
      await setMentorSetting('apiEndpoint', emulatorAddress());
    }
    await refreshAndWait(api, 'ready');
    assert.strictEqual(api.treeView.message, undefined);
  });

  it('explains missing Google credentials instead of crashing', async () => {
    // Google mode with credentials that cannot load: the preflight must catch it (the clients alone would
    // throw an uncaught exception in the extension host).
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/mentor-test-key.json';
    await setMentorSetting('apiEndpoint', '');
    try {
      const nodes = await refreshAndWait(api, 'error');
      assert.match(api.treeView.message ?? '', /No usable Google Cloud credentials\. Run "gcloud auth application-default login"/);
      assert.deepStrictEqual(nodes.map((n) => n.kind === 'message' && n.text),
        ['Could not load Cloud Run services', 'Copy Login Command', 'How ADC Works', 'Retry']);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
      await setMentorSetting('apiEndpoint', emulatorAddress());
    }
    await refreshAndWait(api, 'ready');
  });

  it('names the setting to fix when no project is set', async () => {
    await setMentorSetting('project', '');
    try {
      await refreshAndWait(api, 'error');
      assert.match(api.treeView.message ?? '', /No Google Cloud project is set \(setting mentor\.project\)/);
    } finally {
      await setMentorSetting('project', 'mentor-demo');
    }
  });

  it('shows service details in a webview with the traffic split', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    await vscode.commands.executeCommand('mentor.showServiceDetails', findService(nodes, 'mentor-ai-backend'));
    const text = await ui.webviewText({ contains: 'Revisions (3)', timeoutMs: 20000 });
    assert.match(text, /mentor-ai-backend-00003-pel — 90% \(latest\)/);
    assert.match(text, /mentor-ai-backend-00002-wuv — 10% · tag canary/);
    assert.match((await ui.screenshot('service-details')).text, /mentor-ai-backend-00002-wuv — 10% · tag canary/);

    // The panel's own "Route 100%" button goes through the same confirmation and updates the panel.
    await ui.webviewClick({ selector: 'vscode-table-row:nth-of-type(3) vscode-button' });
    const dialog = await ui.clickDialogButton(ROUTE_CONFIRM_BUTTON);
    assert.match(dialog.message, /to mentor-ai-backend-00001-kaj\?/);
    const updated = await ui.webviewText({ contains: 'mentor-ai-backend-00001-kaj — 100%', timeoutMs: 20000 });
    assert.doesNotMatch(updated, /00003-pel — 90%/);
    await vscode.commands.executeCommand('mentor.undoTrafficChange', serviceName('mentor-ai-backend'));
    await ui.webviewText({ contains: 'mentor-ai-backend-00003-pel — 90% (latest)', timeoutMs: 20000 });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
