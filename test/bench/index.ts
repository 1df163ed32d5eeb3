// Benchmark run inside the real VS Code (scripts/bench.mjs starts it through the test host with an
// emulator seeded with scale:200x50). Prints one "@@bench {json}" line; no assertions on timings.
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { control, EXTENSION_ID, emulatorAddress, setMentorSetting } from '../integration/support';
import { ui } from '../integration/uiBridge';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<MentorApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  const wasActive = extension.isActive;
  const activateStarted = performance.now();
  const api = await extension.activate();
  const activateMs = performance.now() - activateStarted;

  await setMentorSetting('apiEndpoint', emulatorAddress());
  const ctl = control();
  await ctl.getStats({ reset: true });

  const shown = performance.now();
  const settled = new Promise((resolve) => api.explorer.onDidChangeState(resolve));
  // Opening the view is what a user does; it triggers the first-level load.
  await vscode.commands.executeCommand('workbench.view.extension.mentor');
  const state = await settled;
  const dataMs = performance.now() - shown;
  await ui.waitForTreeRow('scale-00001', { view: 'Services', timeoutMs: 60000 });
  const visibleMs = performance.now() - shown;
  const stats = await ctl.getStats();
  ctl.close();
  const rows = await ui.treeRows({ view: 'Services' });
  await ui.screenshot('bench-explorer');

  console.log('@@bench ' + JSON.stringify({
    activation: { extensionActivateMs: api.activationMs, hostActivateCallMs: Math.round(activateMs), alreadyActive: wasActive },
    tree: {
      state,
      services: api.explorer.services.length,
      firstLevelDataMs: Math.round(dataMs),
      firstLevelVisibleMs: Math.round(visibleMs),
      visibleRows: rows.length,
      rpcs: stats,
    },
  }));
}
