// A cloned repository can set mentor.apiEndpoint: a non-loopback one is not contacted until the user trusts
// it once, through the explorer's own action row and a modal confirmation.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { TRUST_BUTTON } from '../../src/commands/trustApiEndpoint';
import type { MentorApi } from '../../src/extension';
import { emulatorAddress, mentor, refreshAndWait, setMentorSetting } from './support';
import { ui } from './uiBridge';

// Not loopback to Mentor's rule (0.0.0.0 is "any address"), yet refused at once on this machine once trusted.
const WORKSPACE_ENDPOINT = '0.0.0.0:1';

describe('Trust for an API endpoint set by the workspace', function () {
  this.timeout(120_000);
  let api: MentorApi;

  before(async () => {
    api = await mentor();
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
  });

  after(async () => {
    await setMentorSetting('apiEndpoint', emulatorAddress());
    await refreshAndWait(api, 'ready');
  });

  it('sends nothing to a non-loopback endpoint from the workspace until trusted once', async () => {
    await setMentorSetting('apiEndpoint', WORKSPACE_ENDPOINT);
    const nodes = await refreshAndWait(api, 'error');
    assert.match(api.treeView.message ?? '', /point Mentor at 0\.0\.0\.0:1, which is not this machine\. Nothing was sent there/);
    assert.deepStrictEqual(nodes.map((n) => n.kind === 'message' && n.text), ['Could not load Cloud Run services', 'Trust This Endpoint', 'Open Settings']);

    await ui.clickTreeRow('Trust This Endpoint', { view: 'Services' });
    const dialog = await ui.clickDialogButton(TRUST_BUTTON);
    assert.match(dialog.message, /to 0\.0\.0\.0:1\?/);
    // Trusted: now Mentor really connects there (and, nothing listening, says it cannot reach it).
    const deadline = Date.now() + 30_000;
    while (!/Cannot reach/.test(api.treeView.message ?? '')) {
      assert.ok(Date.now() < deadline, `after trusting, the view says: ${api.treeView.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
