import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { ui, uiBridgeAvailable } from './uiBridge';

const EXTENSION_ID = 'mentor-dev.mentor-cloud-run';

describe('activation', () => {
  it('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers mentor.refresh', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('mentor.refresh'), 'mentor.refresh is not a registered command');
  });

  it('renders the workbench (screenshot)', async () => {
    assert.ok(uiBridgeAvailable(), 'run the integration tests through scripts/vscode-host/run.cjs (npm test)');
    const file = await ui.screenshot('activation');
    assert.ok(fs.statSync(file).size > 1000, `screenshot ${file} is empty`);
  });
});
