// Route insight on an app Mentor did not write (test/fixtures/apps/package-relative: an `app/` package whose
// routers are included with and without prefixes, GET and PUT on `/items/{item_id}`): deployed with default
// settings, real requests through the emulator's proxy, and each handler's CodeLens in app/routers/items.py
// shows that route's count, read from the editor's DOM.
import * as assert from 'assert';
import * as http from 'http';
import * as path from 'path';
import * as vscode from 'vscode';
import { CREATE_BUTTON } from '../../src/commands/deploy';
import { eventually, httpGet, servicesClient, serviceName } from '../integration/support';
import { ui } from '../integration/uiBridge';
import { fromPalette } from '../integration/userActions';

const APP = 'package-relative';
const AUTH = { authorization: 'Bearer any-token' };
const normalise = (text: string) => text.replace(/\u00a0/g, ' ');

function request(method: string, url: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, timeout: 30_000, agent: false, headers: { ...AUTH, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function serviceUrl(): Promise<string | undefined> {
  const client = servicesClient();
  try {
    return (await client.getService({ name: serviceName(APP) }))[0].uri ?? undefined;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

const lens = (route: string) => `.part.editor .codelens-decoration:has(a[title^="${route} on ${APP}"])`;

async function lensShows(route: string, expected: RegExp): Promise<string> {
  return eventually(`the ${route} lens to match ${expected}`, async () => {
    const text = normalise(await ui.textContent(lens(route), { timeoutMs: 2000 }).catch(() => ''));
    if (expected.test(text)) return text;
    await ui.click(text ? `${lens(route)} a[title^="${route} on"]` : '.part.editor .codelens-decoration a[title*="Click to refresh"]',
      { timeoutMs: 5000 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    throw new Error(`lens: "${text}"`);
  }, 90_000);
}

describe(`${APP}: route insight on an app Mentor did not write`, function () {
  this.timeout(400_000);
  let dir: string;
  let url: string;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: npm test starts the engine');
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === APP);
    assert.ok(folder, `the apps window has no folder ${APP}`);
    dir = folder.uri.fsPath;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, 'app', 'main.py')));
    // Deployed by the layout tests when they ran first; otherwise deployed here, the same way.
    url = (await serviceUrl()) ?? '';
    console.log(`[route insight] ${APP} ${url ? `already deployed at ${url}` : 'not deployed yet: deploying'}`);
    if (!url) {
      await vscode.commands.executeCommand('notifications.clearAll');
      await fromPalette('Mentor: Create Dockerfile');
      await ui.waitForNotification('Wrote Dockerfile', { timeoutMs: 30_000 });
      await fromPalette('Mentor: Deploy to Cloud Run');
      await ui.clickDialogButton(CREATE_BUTTON, { timeoutMs: 240_000 });
      await ui.waitForNotification(`Deployed ${APP}-00001`, { timeoutMs: 240_000 });
      url = (await serviceUrl()) ?? '';
    }
    assert.ok(url, `${APP} has no URL`);
    // An instance may have to start first (its page answers once it listens).
    await eventually(`${APP} to answer`, async () => (await httpGet(`${url}/`, AUTH)).status === 200, 120_000);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('each handler in app/routers/items.py shows its own route\'s count (prefix /items, GET and PUT on one path)', async () => {
    const statuses: number[] = [];
    const sent: [string, string, unknown?][] = [['GET', '/items/plumbus'], ['GET', '/items/gun?verbose=1'], ['GET', '/items/plumbus'],
      ['GET', '/items/nothing'], ['PUT', '/items/plumbus', { name: 'Plumbus', quantity: 4 }], ['GET', '/items/'], ['GET', '/api/ping']];
    for (const [method, route, body] of sent) {
      const started = Date.now();
      statuses.push(await request(method, `${url}${route}`, body));
      console.log(`[route insight] ${method} ${route} → ${statuses[statuses.length - 1]} in ${Date.now() - started} ms`);
    }
    assert.deepStrictEqual(statuses, [200, 200, 200, 404, 200, 200, 200]);
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, 'app', 'routers', 'items.py')));
    await vscode.commands.executeCommand('workbench.action.closePanel');

    const read = await lensShows('GET /items/{item_id}', /\(4 in 1 h\)/);
    assert.match(read, /\(4 in 1 h\) · p95 [\d.]+ m?s · no errors/, 'a 404 is not a production error');
    assert.match(await lensShows('PUT /items/{item_id}', /\(1 in 1 h\)/), /no errors/);
    assert.match(await lensShows('GET /items/', /\(1 in 1 h\)/), /no errors/);
    await vscode.commands.executeCommand('notifications.hideList');
    const shot = await ui.screenshot('route-insight-package-relative');
    const onScreen = normalise(shot.text);
    for (const expected of ['(4 in 1 h)', '(1 in 1 h)', 'Show logs for this route']) {
      assert.ok(onScreen.includes(expected), `${expected} on screen:\n${onScreen.slice(0, 1500)}`);
    }
  });

  it('the router without a prefix, included with prefix="/api", counts /api/ping', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(dir, 'app', 'routers', 'status.py')));
    // /api/ping is also the health check the deploy chose: at least the request sent above.
    const text = await lensShows('GET /api/ping', /\(\d+ in 1 h\)/);
    assert.ok(Number(/\((\d+) in 1 h\)/.exec(text)![1]) >= 1, text);
  });
});
