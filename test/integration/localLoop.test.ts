// The local loop in a real VS Code against the real Docker engine: Create Dockerfile → Build → Run
// Locally (Cloud Run env, /health) → logs → Stop, plus the failures people hit most.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { KEEP_BUTTON, REPLACE_BUTTON, type CreateDockerfileResult } from '../../src/commands/createDockerfile';
import type { LocalRunResult } from '../../src/commands/runLocally';
import type { MentorApi } from '../../src/extension';
import { eventually, httpGet, mentor, setMentorSetting } from './support';
import { clickNotificationButton, fromPalette } from './userActions';
import { ui } from './uiBridge';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the tests need the fixture workspace open');
  return folder;
}


async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

describe('Local loop: Dockerfile, build, run on the real engine', function () {
  this.timeout(300_000);
  let api: MentorApi;
  let dir: string;
  let dockerfile: string;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: npm test starts an engine when the machine allows it');
    api = await mentor();
    dir = workspaceDir();
    dockerfile = path.join(dir, 'Dockerfile');
    await setMentorSetting('service', 'mentor-ai-backend');
    await setMentorSetting('localEnvFile', '.env');
    // A secret the app reports as present (never its value): proves the .env file reaches the container.
    fs.writeFileSync(path.join(dir, '.env'), 'GEMINI_API_KEY=test-only-value\n');
    fs.rmSync(dockerfile, { force: true });
    fs.rmSync(path.join(dir, '.dockerignore'), { force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('mentor.stopLocalContainer');
    await setMentorSetting('startupTimeoutSeconds', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('creates a Dockerfile and .dockerignore for the detected app', async () => {
    const result = await vscode.commands.executeCommand<CreateDockerfileResult>('mentor.createDockerfile');
    assert.deepStrictEqual(result.written, ['Dockerfile', '.dockerignore']);
    assert.strictEqual(result.appModule, 'main:app');
    const text = fs.readFileSync(dockerfile, 'utf8');
    assert.match(text, /exec uvicorn main:app --host 0\.0\.0\.0 --port \$\{PORT:-8080\}/);
    assert.match(fs.readFileSync(path.join(dir, '.dockerignore'), 'utf8'), /^\.env$/m);
    assert.strictEqual(path.basename(vscode.window.activeTextEditor?.document.uri.fsPath ?? ''), 'Dockerfile');
  });

  it('builds, runs like Cloud Run, answers /health, shows logs, and stops', async () => {
    const result = await vscode.commands.executeCommand<LocalRunResult>('mentor.runLocally');
    assert.ok(result, 'Run Locally failed: see the notification / Mentor log');
    const health = await httpGet(`${result.url}/health`);
    assert.strictEqual(health.status, 200);
    const diagnostic = JSON.parse((await httpGet(`${result.url}/api/test/diagnostic`)).body);
    assert.strictEqual(JSON.stringify(diagnostic).includes('test-only-value'), false, 'secret values must not be echoed');
    assert.match(JSON.stringify(diagnostic), /GEMINI_API_KEY"?\s*:\s*true/);
    assert.match(JSON.stringify(diagnostic), /mentor-ai-backend-local/, 'K_REVISION reaches the app');

    const item = (await ui.statusBarItems()).find((i) => i.text.includes(`:${result.hostPort}`));
    assert.ok(item, 'status bar shows the running container and its port');

    await vscode.commands.executeCommand('mentor.showLocalLogs');
    // Monaco renders spaces as no-break spaces.
    const logs = (await ui.textContent('.part.panel .monaco-editor .view-lines', { timeoutMs: 15000 })).replace(/\u00a0/g, ' ');
    assert.match(logs, /Uvicorn running on http:\/\/0\.0\.0\.0:8080|Application startup complete/);
    assert.match((await ui.screenshot('local-run')).text, /Uvicorn running|Application startup complete/, 'the local logs are on screen when captured');

    assert.strictEqual(await vscode.commands.executeCommand('mentor.stopLocalContainer'), true);
    await assert.rejects(httpGet(`${result.url}/health`));
    assert.strictEqual(api.localRun.running, undefined);
  });

  it('shows a diff before replacing a different Dockerfile, and keeps it unless told otherwise', async () => {
    const mine = 'FROM python:3.11-slim\n# my own Dockerfile\n';
    fs.writeFileSync(dockerfile, mine);
    const keeping = vscode.commands.executeCommand<CreateDockerfileResult>('mentor.createDockerfile');
    const dialog = await ui.clickDialogButton(KEEP_BUTTON);
    assert.match(dialog.message, /Your Dockerfile differs from Mentor's proposal/);
    const kept = await keeping;
    assert.deepStrictEqual(kept.kept, ['Dockerfile']);
    assert.strictEqual(fs.readFileSync(dockerfile, 'utf8'), mine);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    assert.ok(tabs.some((t) => t.includes("Dockerfile: yours ↔ Mentor's proposal")), `diff tab missing: ${tabs.join(', ')}`);

    const replacing = vscode.commands.executeCommand<CreateDockerfileResult>('mentor.createDockerfile');
    await ui.clickDialogButton(REPLACE_BUTTON);
    assert.deepStrictEqual((await replacing).written, ['Dockerfile']);
    assert.match(fs.readFileSync(dockerfile, 'utf8'), /Generated by Mentor/);
  });

  it('names the failing step of a broken Dockerfile', async () => {
    const good = fs.readFileSync(dockerfile, 'utf8');
    fs.writeFileSync(dockerfile, 'FROM python:3.11-slim\nWORKDIR /app\nRUN echo "about to fail" && exit 3\nCOPY . .\n');
    try {
      await clearNotifications();
      await vscode.commands.executeCommand('mentor.buildContainer');
      const note = await ui.waitForNotification('Step 3/4', { timeoutMs: 60000 });
      assert.strictEqual(note.severity, 'error');
      assert.match(note.message, /exit 3|code: 3|returned a non-zero code: 3/);
    } finally {
      fs.writeFileSync(dockerfile, good);
      await clearNotifications();
    }
  });

  it('explains a Dockerfile that starts the server on a fixed port before running it, and Fix Line fixes it', async () => {
    const good = fs.readFileSync(dockerfile, 'utf8');
    const wrong = good.replace(/^CMD .*$/m, 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]');
    fs.writeFileSync(dockerfile, wrong);
    const line = wrong.split('\n').findIndex((l) => l.startsWith('CMD')) + 1;
    try {
      await clearNotifications();
      await fromPalette('Mentor: Run Container Locally');
      const note = await ui.waitForNotification('starts uvicorn on port 8000', { timeoutMs: 30000 });
      assert.match(note.message, new RegExp(`Dockerfile line ${line} starts uvicorn on port 8000, but Cloud Run sends requests to the port in \\$PORT \\(8080\\)`));
      assert.deepStrictEqual(note.buttons, [`Fix Line ${line}`, 'Open Settings']);
      assert.strictEqual(api.localRun.running, undefined, 'nothing was started');
      await clickNotificationButton(`Fix Line ${line}`);
      const fixed = await eventually('the Dockerfile line to be fixed', async () =>
        (fs.readFileSync(dockerfile, 'utf8').split('\n')[line - 1].includes('${PORT:-8080}') ? fs.readFileSync(dockerfile, 'utf8') : undefined));
      assert.strictEqual(fixed.split('\n')[line - 1], 'CMD exec uvicorn --host 0.0.0.0 --port ${PORT:-8080} main:app');
      // the command saves first, then shows the file with the changed line selected
      await eventually('the Dockerfile shown with the changed line selected', async () => {
        const editor = vscode.window.activeTextEditor;
        return editor && path.basename(editor.document.uri.fsPath) === 'Dockerfile' && editor.selection.start.line === line - 1;
      });
    } finally {
      fs.writeFileSync(dockerfile, good);
      await clearNotifications();
    }
  });

  it('diagnoses an app that listens on another port than $PORT from inside the container, and points at the source line', async () => {
    const good = fs.readFileSync(dockerfile, 'utf8');
    const main = path.join(dir, 'main.py');
    const source = fs.readFileSync(main, 'utf8');
    // the port is in the code, not in the Dockerfile: only the running container can tell
    fs.writeFileSync(main, `${source}\n\nif __name__ == "__main__":\n    import uvicorn\n    uvicorn.run(app, host="0.0.0.0", port=8000)\n`);
    fs.writeFileSync(dockerfile, good.replace(/^CMD .*$/m, 'CMD ["python", "main.py"]'));
    await setMentorSetting('startupTimeoutSeconds', 8);
    try {
      await clearNotifications();
      await vscode.commands.executeCommand('mentor.runLocally');
      const note = await ui.waitForNotification('listens on port 8000', { timeoutMs: 120000 });
      const line = fs.readFileSync(main, 'utf8').split('\n').findIndex((l) => l.includes('port=8000')) + 1;
      assert.match(note.message, new RegExp(`Change main\\.py line ${line}: uvicorn\\.run\\(app, host="0\\.0\\.0\\.0", port=8000\\)`));
      assert.ok(note.buttons.includes('Show Line'), `buttons: ${note.buttons.join(', ')}`);
      assert.strictEqual(api.localRun.running, undefined, 'the failed container is stopped');
    } finally {
      fs.writeFileSync(dockerfile, good);
      fs.writeFileSync(main, source);
      await setMentorSetting('startupTimeoutSeconds', undefined);
      await clearNotifications();
    }
  });

  it('explains a missing Docker engine', async () => {
    // A machine-scoped setting: it lives in user settings, not in the repository.
    const config = () => vscode.workspace.getConfiguration('mentor');
    await config().update('dockerHost', 'unix:///nonexistent/docker.sock', vscode.ConfigurationTarget.Global);
    try {
      await clearNotifications();
      await vscode.commands.executeCommand('mentor.buildContainer');
      const note = await ui.waitForNotification('Docker', { timeoutMs: 30000 });
      assert.strictEqual(note.severity, 'error');
      assert.match(note.message, /unix:\/\/\/nonexistent\/docker\.sock/);
    } finally {
      await config().update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
      await clearNotifications();
    }
  });
});
