// `npm start -- --check`: looks at the running Mentor as a newcomer would (headless Chromium): opens the
// Cloud Run view and passes only when it lists the demo seed's services and shows no error.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const say = line => process.stdout.write(`[start] ${line}\n`);
/** The services `--seed demo` creates (emulator/seeds.ts DEMO_REVISIONS). */
export const DEMO_SERVICES = ['mentor-ai-backend', 'payments-api', 'broken-worker'];

/** The Services view as the screen shows it: its message (errors go there) and its top-level rows. */
function readServicesView() {
  const pane = [...document.querySelectorAll('.pane')].find(p => (p.querySelector('.pane-header .title') || {}).textContent === 'Services');
  if (!pane) return null;
  const body = pane.querySelector('.pane-body');
  const message = [...body.querySelectorAll('.message')].map(e => e.textContent.trim()).filter(Boolean).join(' ');
  const welcome = [...body.querySelectorAll('.welcome-view-content')].map(e => e.textContent.trim()).filter(Boolean).join(' ');
  const rows = [...body.querySelectorAll('.monaco-list-row[role=treeitem]')].filter(r => r.getAttribute('aria-level') === '1')
    .map(r => (r.querySelector('.label-name') || {}).textContent || '');
  return { message, welcome, rows };
}

/** Why the view is not what a newcomer must see, or '' when it is. */
export function viewProblem(view) {
  if (!view) return 'the Cloud Run "Services" view did not open';
  const missing = DEMO_SERVICES.filter(s => !view.rows.includes(s));
  if (view.message) return `the view shows "${view.message}"${view.rows.length ? ` (rows: ${view.rows.join(', ')})` : ''}`;
  if (!view.rows.length) return `the view shows no service rows${view.welcome ? ` ("${view.welcome}")` : ''}`;
  const error = view.rows.find(r => /could not|error|credentials/i.test(r));
  if (error) return `the view shows "${error}"`;
  if (missing.length) return `the demo services ${missing.join(', ')} are missing (rows: ${view.rows.join(', ')})`;
  return '';
}

/** Opens the URL headless, opens the Cloud Run view, waits for the demo services, saves a screenshot. */
export async function checkStartedMentor(url, screenshotFile) {
  const { launchBrowser } = require('../vscode-host/codeServer.cjs');
  const t = Date.now();
  const browser = await launchBrowser();
  let problem = 'the check did not finish';
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60000 });
    say(`workbench up after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const item = page.locator('.part.activitybar .action-item a[aria-label*="Cloud Run"], .part.activitybar .action-item[aria-label*="Cloud Run"]').first();
    await item.waitFor({ state: 'visible', timeout: 60000 });
    const checked = await item.evaluate(e => (e.closest('.action-item') || e).classList.contains('checked'));
    if (!checked) await item.click();
    await page.mouse.move(700, 450); // no hover tooltip in the screenshot
    // Wait until the view settles: the demo rows, or an error (loading shows neither).
    const deadline = Date.now() + 60000;
    let view = null;
    for (;;) {
      view = await page.evaluate(readServicesView);
      problem = viewProblem(view);
      // VS Code's own "no data provider" message only means the extension has not registered yet.
      const ours = view && view.message && !/no data provider registered/i.test(view.message);
      const settled = !problem || ours || (view && view.rows.some(r => /could not/i.test(r)));
      if (settled || Date.now() > deadline) break;
      await page.waitForTimeout(250);
    }
    await page.waitForTimeout(1000);
    fs.mkdirSync(path.dirname(screenshotFile), { recursive: true });
    await page.screenshot({ path: screenshotFile });
    say(`Cloud Run view: ${view && view.rows.length ? view.rows.join(', ') : '(no rows)'}; screenshot ${path.relative(process.cwd(), screenshotFile)}`);
  } catch (e) {
    problem = e.message.split('\n')[0];
  } finally {
    await browser.close().catch(() => {});
  }
  if (problem) say(`check failed: ${problem}`);
  return !problem;
}
