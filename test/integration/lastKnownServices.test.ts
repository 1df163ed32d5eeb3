// A new window lists a project/region it listed before: the rows the last load saved show at once, the view
// says they are last known and refreshing, they offer no actions, and the live rows replace them (here a
// listing held for 7 s by the emulator, under the client's 10 s deadline, so the first state can be seen).
// What an earlier window left is put in Mentor's workspace storage by its own store, as that window would have.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { listingKey } from '../../src/core/lastKnownServices';
import type { ServiceSummary } from '../../src/core/model';
import { control, emulatorAddress, eventually, mentor, setMentorSetting } from './support';
import { ui } from './uiBridge';

const REGION = 'europe-west4';
const LIST_SERVICES = 'google.cloud.run.v2.Services/ListServices';

function retiredService(id: string): ServiceSummary {
  return { name: `projects/mentor-demo/locations/${REGION}/services/${id}`, id, project: 'mentor-demo', region: REGION,
    uri: `https://${id}-abcdefghij-ez.a.run.app`, state: 'ready', traffic: [{ kind: 'latest', percent: 100 }],
    trafficStatuses: [{ kind: 'revision', revision: `${id}-00004-qux`, percent: 100 }], latestReadyRevision: `${id}-00004-qux` };
}

describe('Explorer: last-known services while the first live listing runs', function () {
  this.timeout(120_000);
  let api: MentorApi;
  let region: string | undefined;

  before(async () => {
    api = await mentor();
    region = vscode.workspace.getConfiguration('mentor').get<string>('region');
    await setMentorSetting('apiEndpoint', emulatorAddress());
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
  });

  after(async () => {
    await setMentorSetting('region', region);
    await eventually('the region to be back', async () => vscode.workspace.getConfiguration('mentor').get<string>('region') === region);
  });

  it('shows the saved rows at once, says so, offers no actions on them, then shows the live listing', async () => {
    const key = listingKey({ project: 'mentor-demo', region: REGION, apiEndpoint: emulatorAddress() });
    await api.lastKnown.write(key, [retiredService('orders-api'), retiredService('zz-retired-worker')]);
    const ctl = control();
    try {
      await ctl.injectFault({ method: LIST_SERVICES, code: 0, delayMs: 7000, count: 1 });
      await setMentorSetting('region', REGION);
      const row = await ui.waitForTreeRow('zz-retired-worker', { view: 'Services', timeoutMs: 10_000 });
      const shot = await ui.screenshot('explorer-last-known');
      assert.match(shot.text, /zz-retired-worker/);
      assert.match(row.description, /zz-retired-worker-abcdefghij-ez\.a\.run\.app$/);
      assert.match(await ui.textContent('.tree-explorer-viewlet-tree-view .message', { timeoutMs: 5000 }), /Last known at .*; refreshing…/);
      // A row from a while ago offers nothing to act on (a live row offers details, metrics, URL, logs, alerts).
      await ui.clickTreeRow('orders-api', { view: 'Services', button: 'right' });
      const menu = await ui.contextMenuItems({ timeoutMs: 2000 }).catch(() => [] as string[]);
      await ui.pressKeys(['Escape']);
      assert.ok(!menu.some((item) => /Service Details|Metrics|Service URL|Refresh Service|Tail Logs|Create Alert/.test(item)), `context menu: ${menu.join(', ')}`);

      // The live listing (nothing runs in this region) replaces the rows and the note.
      await ui.waitForTreeRow(`No Cloud Run services in mentor-demo / ${REGION}`, { view: 'Services', timeoutMs: 30_000 });
      assert.ok(!(await ui.treeRows({ view: 'Services' })).some((r) => r.label === 'zz-retired-worker'), 'the last-known rows are gone');
      assert.strictEqual(api.explorer.state, 'empty');
      assert.strictEqual(api.treeView.message, undefined);
      // What this load saw is what the next window starts from.
      assert.deepStrictEqual((await api.lastKnown.read(key))?.services, []);
    } finally {
      ctl.close();
    }
  });

  it('a listing already loaded in this window is never shown from the saved rows', async () => {
    await setMentorSetting('region', region);
    await eventually('the demo services', async () => api.explorer.state === 'ready' && api.explorer.services.some((s) => s.id === 'mentor-ai-backend'), 30_000);
    const key = listingKey({ project: 'mentor-demo', region: REGION, apiEndpoint: emulatorAddress() });
    await api.lastKnown.write(key, [retiredService('zz-retired-worker')]);
    const ctl = control();
    try {
      await ctl.injectFault({ method: LIST_SERVICES, code: 0, delayMs: 3000, count: 1 });
      await setMentorSetting('region', REGION);
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(!(await ui.treeRows({ view: 'Services' })).some((r) => r.label === 'zz-retired-worker'), 'saved rows shown while loading');
    } finally {
      ctl.close();
    }
    await ui.waitForTreeRow(`No Cloud Run services in mentor-demo / ${REGION}`, { view: 'Services', timeoutMs: 30_000 });
    assert.ok(!(await ui.treeRows({ view: 'Services' })).some((r) => r.label === 'zz-retired-worker'));
  });
});
