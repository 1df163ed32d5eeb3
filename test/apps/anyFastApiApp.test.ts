// Apps written the way public FastAPI projects are (test/fixtures/apps), each taken through the palette
// with default settings: Create Dockerfile → Build Container → Run Container Locally → its own page answers →
// Deploy to Cloud Run (the emulator, real engine and registry) → the service URL answers. Every check is on
// what the screen shows: notifications, dialogs, the status bar.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parse } from 'jsonc-parser';
import { CREATE_BUTTON } from '../../src/commands/deploy';
import { SAVE_HEALTH_PATH_BUTTON } from '../../src/commands/runLocally';
import { eventually, httpGet } from '../integration/support';
import { ui } from '../integration/uiBridge';
import { clickNotificationButton, fromPalette } from '../integration/userActions';

interface Layout {
  folder: string;
  /** A file of the app: opening it makes its folder the one Mentor works on. */
  open: string;
  module: string;
  health: string;
  /** Why that check, as Mentor says it. */
  why: RegExp;
  marker: string;
  /** Headers the app's own page needs (besides Cloud Run's bearer token). */
  headers?: Record<string, string>;
  /** Checks passed over on the way, as Mentor says it. */
  passedOver?: RegExp;
  /** The app's own Dockerfile hard-codes a port: Create Dockerfile offers to fix this line. */
  fixLine?: number;
  /** Also try "Save as mentor.healthPath" on the running notification. */
  saveCheck?: boolean;
}

const LAYOUTS: Layout[] = [
  { folder: 'single-file', open: 'main.py', module: 'main:app', health: '/openapi.json', why: /no health route found; FastAPI serves its schema/,
    marker: 'single-file-notes' },
  { folder: 'package-relative', open: 'app/main.py', module: 'app.main:app', health: '/api/ping', why: /health route in app\/routers\/status\.py:10/,
    marker: 'package-relative-inventory', saveCheck: true },
  { folder: 'poetry-src', open: 'src/bookshop/main.py', module: 'bookshop.main:app', health: '/healthz', why: /health route in src\/bookshop\/main\.py:17/,
    marker: 'poetry-src-bookshop' },
  { folder: 'pep621-uv', open: 'api/main.py', module: 'api.main:app', health: '/status', why: /health route in api\/main\.py:\d+/, marker: 'pep621-uv-weather' },
  { folder: 'procfile-gunicorn', open: 'service/app.py', module: 'service.app:application', health: '/ping', why: /health route in service\/app\.py:\d+/,
    marker: 'procfile-gunicorn-shortlinks' },
  { folder: 'token-routes', open: 'main.py', module: 'main:app', health: '/openapi.json', why: /FastAPI serves its schema/, marker: 'token-routes-reports',
    headers: { 'x-token': 'fake-super-secret-token' }, passedOver: /GET \/health answered 422, so it was not used/ },
  { folder: 'own-dockerfile', open: 'app/main.py', module: 'app.main:app', health: '/health', why: /health route in app\/main\.py:\d+/,
    marker: 'own-dockerfile-hello', fixLine: 11 },
];

const normalise = (text: string) => text.replace(/\u00a0/g, ' ');
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

for (const layout of LAYOUTS) {
  describe(`${layout.folder}: from Create Dockerfile to a deployed service, with default settings`, function () {
    this.timeout(300_000);
    let dir: string;
    let localUrl: string;

    before(async () => {
      assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: npm test starts the engine');
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === layout.folder);
      assert.ok(folder, `the apps window has no folder ${layout.folder}`);
      dir = folder.uri.fsPath;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, layout.open)));
      await clearNotifications();
    });

    after(async () => {
      await vscode.commands.executeCommand('mentor.stopLocalContainer');
      await vscode.commands.executeCommand('mentor.stopTail');
      await clearNotifications();
    });

    it('Create Dockerfile understands the project', async () => {
      await fromPalette('Mentor: Create Dockerfile');
      const dockerfile = path.join(dir, 'Dockerfile');
      if (layout.fixLine) {
        const dialog = await ui.clickDialogButton(`Fix Line ${layout.fixLine}`, { timeoutMs: 30_000 });
        assert.match(dialog.message, new RegExp(`It starts uvicorn with ${literally(layout.module)} \\(line ${layout.fixLine}\\)`));
        assert.match(dialog.message, /starts uvicorn on port 80, but Cloud Run sends requests to the port in \$PORT \(8080\)/);
        const note = await ui.waitForNotification(`Changed line ${layout.fixLine}`, { timeoutMs: 30_000 });
        assert.match(note.message, /now listens on 0\.0\.0\.0:\$PORT/);
        const lines = fs.readFileSync(dockerfile, 'utf8').split('\n');
        assert.strictEqual(lines[layout.fixLine - 1], `CMD exec uvicorn --host 0.0.0.0 --port \${PORT:-8080} ${layout.module}`);
        assert.match(lines[0], /^FROM python:3\.11-slim$/, 'the rest of the user\'s Dockerfile is kept');
        return;
      }
      const note = await ui.waitForNotification('Wrote Dockerfile', { timeoutMs: 30_000 });
      assert.match(note.message, new RegExp(`for ${literally(layout.module)}`));
      const text = fs.readFileSync(dockerfile, 'utf8');
      assert.strictEqual(text.match(/^FROM /gm)?.length, 2, 'a build stage and a runtime stage');
      assert.match(text, /^USER appuser$/m);
      assert.match(text, /^CMD \["sh", "-c", "exec .*\$\{PORT:-8080\}/m);
    });

    it('Build Container builds the image', async () => {
      await fromPalette('Mentor: Build Container');
      const built = await eventually('the status bar to say the image was built', async () =>
        (await ui.statusBarItems()).find((item) => item.text.includes(`Built ${layout.folder}:local`)), 240_000);
      assert.match(built.text, /context: \d+ files/);
    });

    it('Run Container Locally names the health check it chose, and the app\'s own page answers', async () => {
      await clearNotifications();
      await fromPalette('Mentor: Run Container Locally');
      const note = await ui.waitForNotification(`${layout.folder} is running at`, { timeoutMs: 180_000 });
      const message = normalise(note.message);
      assert.match(message, new RegExp(`GET ${literally(layout.health)} 200 after [\\d.]+ s \\(`));
      assert.match(message, layout.why);
      if (layout.passedOver) assert.match(message, layout.passedOver);
      const shot = await ui.screenshot(`app-${layout.folder}-running`);
      assert.ok(normalise(shot.text).includes(`${layout.folder} is running at`), 'the notification is on screen');
      localUrl = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(message)![1];
      const page = await httpGet(`${localUrl}/`, layout.headers);
      assert.strictEqual(page.status, 200);
      assert.ok(page.body.includes(layout.marker), `the app's own page: ${page.body.slice(0, 200)}`);
    });

    it('Deploy plans with the same check, and the service URL answers', async () => {
      await clearNotifications();
      await fromPalette('Mentor: Deploy to Cloud Run');
      const dialog = await ui.clickDialogButton(CREATE_BUTTON, { timeoutMs: 240_000 });
      assert.match(dialog.message, new RegExp(`Create the Cloud Run service ${layout.folder}\\?`));
      assert.match(normalise(dialog.detail), new RegExp(`Health check: GET ${literally(layout.health)} — .*it answered 200`));
      const note = await ui.waitForNotification(`Deployed ${layout.folder}-00001`, { timeoutMs: 240_000 });
      const message = normalise(note.message);
      assert.match(message, new RegExp(` · ${literally(layout.health)} 200 in \\d+ ms`));
      const url = / · (http:\/\/\S+) · /.exec(message)![1];
      // private by default: the emulator, like Cloud Run, wants a bearer token
      const page = await httpGet(`${url}/`, { authorization: 'Bearer test', ...layout.headers });
      assert.strictEqual(page.status, 200);
      assert.ok(page.body.includes(layout.marker), `the deployed page: ${page.body.slice(0, 200)}`);
      assert.strictEqual((await httpGet(`${url}/`)).status, 403, 'a private service refuses requests without a token');
    });

    if (layout.saveCheck) {
      it('"Save as mentor.healthPath" keeps the chosen check in the folder\'s settings', async () => {
        const settingsFile = path.join(dir, '.vscode', 'settings.json');
        try {
          await clearNotifications();
          await fromPalette('Mentor: Run Container Locally');
          const note = await ui.waitForNotification(`${layout.folder} is running at`, { timeoutMs: 180_000 });
          assert.ok(note.buttons.includes(SAVE_HEALTH_PATH_BUTTON), `buttons: ${note.buttons.join(', ')}`);
          await clickNotificationButton(SAVE_HEALTH_PATH_BUTTON);
          await ui.waitForNotification(`mentor.healthPath is now ${layout.health} in ${layout.folder}'s settings`, { timeoutMs: 30_000 });
          assert.strictEqual(parse(fs.readFileSync(settingsFile, 'utf8'))['mentor.healthPath'], layout.health);
        } finally {
          await vscode.workspace.getConfiguration('mentor', vscode.Uri.file(dir)).update('healthPath', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
        }
      });
    }
  });
}
