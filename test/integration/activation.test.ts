import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { control, EXTENSION_ID } from './support';
import { ui, uiBridgeAvailable } from './uiBridge';


describe('activation', () => {
  it('the extension is installed and activates without calling any Google API', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    // A folder holding an app (main.py, requirements.txt, …) activates Mentor at start-up (workspaceContains), for
    // the first-open setup offer; anything else waits for its view or a command.
    assert.ok((ext.packageJSON.activationEvents as string[]).includes('workspaceContains:main.py'));
    const emulator = control();
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
    // No credential check, no listing, no API call since the emulator started, until a view is shown or a command runs.
    assert.deepStrictEqual(await emulator.getStats(), {});
    emulator.close();
  });

  it('registers mentor.refresh', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('mentor.refresh'), 'mentor.refresh is not a registered command');
  });

  it('renders the workbench with the Mentor status bar entry (screenshot)', async () => {
    assert.ok(uiBridgeAvailable(), 'run the integration tests through scripts/vscode-host/run.cjs (npm test)');
    const shot = await ui.screenshot('activation');
    assert.ok(fs.statSync(shot.file).size > 1000, `screenshot ${shot.file} is empty`);
    assert.match(shot.text, /Deploy/, 'the status bar shows the Deploy entry when captured');
  });
});
