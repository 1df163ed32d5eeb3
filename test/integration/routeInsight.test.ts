// Route insight in a real VS Code against a service running on the emulator and the engine: real requests
// through the emulator's proxy to two routes (one answering 500 with a traceback), then what the editor
// shows — the CodeLens above each handler with that route's count and errors (read from the editor's DOM),
// "Show logs for this route" narrowing the tail to that path, and the production error as a note after the
// line that raised, drawn while the tail runs. Also: "not deployed" before the first deploy, and the setting
// that turns it all off.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { SHOW_ROUTE_LOGS_TITLE } from '../../src/insight/routeLensProvider';
import { channelName } from '../../src/logs/tailManager';
import { cancelOpenDialog, createWithMentor, getService } from './liveService';
import { eventually, httpGet, mentor, setMentorSetting } from './support';
import { ui } from './uiBridge';

const SERVICE = 'insight-api';
const RAISE = '    raise RuntimeError("diagnostic is broken")';
const normalise = (text: string) => text.replace(/\u00a0/g, ' ');

/** The visible lens line of a route: its numbers and its "Show logs" link, as the editor draws them. */
function lensSelector(route: string): string {
  return `.part.editor .codelens-decoration:has(a[title^="${route} on ${SERVICE}"])`;
}

async function lensText(route: string, timeoutMs = 5000): Promise<string> {
  return normalise(await ui.textContent(lensSelector(route), { timeoutMs }));
}

/** Clicks a route's numbers ("Click to refresh") until its lens says what `expected` wants. */
async function lensShows(route: string, expected: RegExp): Promise<string> {
  return eventually(`the ${route} lens to match ${expected}`, async () => {
    const text = await lensText(route, 2000).catch(() => '');
    if (expected.test(text)) return text;
    // The numbers are a minute old at most; a click on them (or on the state line) lists again now.
    await ui.click(text ? `${lensSelector(route)} a[title^="${route} on"]` : '.part.editor .codelens-decoration a[title*="Click to refresh"]',
      { timeoutMs: 5000 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    throw new Error(`lens: "${text}"`);
  }, 90_000);
}

/** Scrolls the editor of main.py so the line holding `text` is in the middle, as a user would. */
async function reveal(file: string, text: string): Promise<void> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { preserveFocus: true });
  const line = editor.document.getText().split('\n').findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} is not in ${file}`);
  editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenter);
  await new Promise((r) => setTimeout(r, 300));
}

function channelText(): string {
  const name = channelName(SERVICE).replace(/[:\\/*?"<>|]/g, '');
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.path).includes(name));
  return doc?.getText() ?? '';
}

describe('Route insight: live numbers above route handlers, logs per route, production errors inline', function () {
  this.timeout(600_000);
  let api: MentorApi;
  let main: string;
  let original: string;
  let url: string;

  before(async () => {
    assert.ok(process.env.REGISTRY_OPEN, 'REGISTRY_OPEN is not set: npm test starts the engine and registries');
    api = await mentor();
    for (const tail of api.tails.all) await api.tails.stop(tail);
    main = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'main.py');
    original = fs.readFileSync(main, 'utf8');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setMentorSetting('service', SERVICE);
  });

  after(async () => {
    for (const tail of api.tails.all) await api.tails.stop(tail);
    fs.writeFileSync(main, original);
    await cancelOpenDialog();
    for (const key of ['service', 'registry', 'repository', 'secrets', 'smokeTest', 'allowUnauthenticated', 'rollout.strategy',
      'tail.startAfterDeploy', 'insight.enabled']) await setMentorSetting(key, undefined);
    await vscode.commands.executeCommand('mentor.clearCloudDiagnostics');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('says once, quietly, that the service is not deployed', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(main));
    const text = normalise(await ui.textContent('.part.editor .codelens-decoration', { timeoutMs: 60_000 }));
    assert.match(text, new RegExp(`Cloud Run: ${SERVICE} is not deployed`));
    // One lens line for the file, not one per handler (the file has three).
    const shot = await ui.screenshot('route-insight-not-deployed');
    assert.strictEqual(normalise(shot.text).split(`${SERVICE} is not deployed`).length - 1, 1, 'exactly one "not deployed" lens on screen');
  });

  it('shows each route\'s requests and 5xx from real traffic, per route, in the CodeLens', async () => {
    // The API route raises (its traceback goes to stderr); / and /health answer.
    fs.writeFileSync(main, original.replace('def diagnostic() -> dict:\n', `def diagnostic() -> dict:\n${RAISE}\n`));
    await vscode.commands.executeCommand('mentor.createDockerfile').then(undefined, () => undefined);
    await createWithMentor({
      service: SERVICE, registry: process.env.REGISTRY_OPEN, repository: 'mentor', allowUnauthenticated: true,
      secrets: { GEMINI_API_KEY: 'gemini-api-key' }, smokeTest: false, 'rollout.strategy': 'allAtOnce', 'tail.startAfterDeploy': false,
    });
    url = (await getService(SERVICE)).uri!;
    await vscode.window.showTextDocument(vscode.Uri.file(main));
    // The tail runs while the traffic arrives: its tracebacks become diagnostics and inline notes.
    await vscode.commands.executeCommand('mentor.tailLogs', SERVICE);
    await eventually('the tail to be live', async () => api.tails.statusOf(SERVICE)?.state === 'live', 60_000);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpGet(`${url}/`)).status);
    for (let i = 0; i < 3; i++) statuses.push((await httpGet(`${url}/api/test/diagnostic?attempt=${i}`)).status);
    statuses.push((await httpGet(`${url}/no/such/route`)).status);
    assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 500, 500, 500, 404]);

    // The tail's output takes the lower half of the window: the editor alone shows both handlers.
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await reveal(main, 'def health()');
    const root = await lensShows('GET /', /\(5 in 1 h\)/);
    assert.match(root, /^[\d.<]+ req\/min \(5 in 1 h\) · p95 [\d.]+ m?s · no errors/);
    assert.ok(root.includes(SHOW_ROUTE_LOGS_TITLE), `the lens line has the logs link: ${root}`);
    const failing = await lensShows('GET /api/test/diagnostic', /\(3 in 1 h\)/);
    assert.match(failing, /\(3 in 1 h\) · p95 [\d.]+ m?s · 3 errors\/h · last error (just now|\d+ s ago)/);
    const shot = await ui.screenshot('route-insight-codelens');
    const onScreen = normalise(shot.text);
    assert.ok(onScreen.includes('(5 in 1 h)') && onScreen.includes('3 errors/h'), `the CodeLens numbers are on screen:\n${onScreen.slice(0, 2000)}`);
  });

  it('draws the production error after the line that raised while the tail runs', async () => {
    const raiseLine = fs.readFileSync(main, 'utf8').split('\n').indexOf(RAISE) + 1;
    assert.ok(raiseLine > 0);
    await reveal(main, RAISE);
    await eventually('the cloud diagnostic on the raise line', async () =>
      vscode.languages.getDiagnostics(vscode.Uri.file(main)).some((d) => d.range.start.line === raiseLine - 1 && /RuntimeError/.test(d.message)), 60_000);
    const note = await eventually('the note after the raise line', async () =>
      (await ui.decorationTexts()).find((d) => /⚠ 3× in production, last (just now|\d+ s ago) \(RuntimeError\)/.test(d.text)), 60_000);
    assert.strictEqual(note.line.trim(), RAISE.trim(), 'the note is drawn on the line that raised');
    const shot = await ui.screenshot('route-insight-error-note');
    assert.ok(normalise(shot.text).includes(RAISE.trim()), 'the raise line is on screen');
    assert.ok((await ui.decorationTexts()).some((d) => d.text.startsWith('⚠ 3× in production')), 'and its note, when the picture was taken');
    // Cleared with the diagnostics.
    await vscode.commands.executeCommand('mentor.clearCloudDiagnostics');
    await eventually('the note to go', async () => !(await ui.decorationTexts()).some((d) => d.text.includes('in production')));
  });

  it('"Show logs for this route" narrows the tail to that path', async () => {
    await reveal(main, '@app.get("/api/test/diagnostic")');
    await ui.click(`${lensSelector('GET /api/test/diagnostic')} a`, { text: SHOW_ROUTE_LOGS_TITLE, timeoutMs: 10_000 });
    await eventually('the tail filtered to the route', async () => api.tails.find(SERVICE)?.session.filter.route?.path === '/api/test/diagnostic');
    await reveal(main, 'def diagnostic()');
    // What the tail shows from the filter's notice on came through the new filter (the output view may
    // still be catching up on lines from before it, so the notice, not the text length now, is the mark).
    const NOTICE = '[mentor] Filter: route GET /api/test/diagnostic';
    await eventually('the filter notice in the tail', async () => channelText().includes(NOTICE), 30_000);
    for (let i = 0; i < 2; i++) await httpGet(`${url}/`);
    await httpGet(`${url}/api/test/diagnostic?after=filter`);
    const shown = await eventually('the new request of the route in the tail', async () => {
      const all = channelText();
      const text = all.slice(all.lastIndexOf(NOTICE));
      return /GET 500 [\d.]+m?s \/api\/test\/diagnostic\?after=filter/.test(text) ? text : undefined;
    }, 60_000);
    const requestLines = shown.split('\n').filter((l) => / (GET|POST|PUT|DELETE|HEAD) (\d{3}|-) /.test(l));
    assert.ok(requestLines.length >= 1);
    for (const line of requestLines) assert.match(line, / \/api\/test\/diagnostic(\?|$)/, `only the route's requests: ${line}`);
    assert.ok(!/ GET 200 [\d.]+m?s \/$/m.test(shown), 'the requests to / are not in the tail');
    // And on screen, in the output view the click opened.
    await eventually('the request on screen in the output view the click opened', async () =>
      /\/api\/test\/diagnostic\?after=filter/.test(normalise(await ui.textContent('.part.panel .monaco-editor .view-lines'))));
    const shot = await ui.screenshot('route-insight-route-logs');
    // The output view wraps long lines.
    assert.match(normalise(shot.text), /Filter: route GET \/api\/test\/diagnostic/);
    assert.match(normalise(shot.text), /\/api\/test\/diagnostic\?\s*after=filter/);
  });

  it('mentor.insight.enabled: false removes every lens; true brings them back', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await reveal(main, 'def root()');
    assert.match(await lensShows('GET /', /in 1 h/), /\((\d+) in 1 h\)/);
    await setMentorSetting('insight.enabled', false);
    await eventually('the lenses to go', async () => (await ui.textContent('.part.editor .codelens-decoration', { timeoutMs: 500 })
      .then(() => false, () => true)), 30_000);
    await setMentorSetting('insight.enabled', true);
    assert.match(await lensShows('GET /', /in 1 h/), /\((\d+) in 1 h\)/);
  });
});
