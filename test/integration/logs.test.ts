// Logs in a real VS Code against the emulator: Tail Logs from the explorer, entries appearing as they
// are written (real Logging client → emulator → the extension's tail → output channel), a dropped stream
// reconnecting with nothing lost or doubled, tracebacks as diagnostics, filters, a 10,000-entry burst.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { LoggingServiceV2Client } from '@google-cloud/logging-api/build/src/v2/logging_service_v2_client';
import type { protos } from '@google-cloud/logging-api';
import type { MentorApi } from '../../src/extension';
import { ROUTE_CONFIRM_BUTTON } from '../../src/commands/routeAllTraffic';
import { CLOUD_DIAGNOSTIC_SOURCE, SHOW_ENTRIES_TITLE } from '../../src/logs/cloudDiagnostics';
import { channelName } from '../../src/logs/tailManager';
import { ui } from './uiBridge';
import {
  PROJECT, REGION, control, emulatorAddress, eventually, findService, mentor, refreshAndWait, revisionsOf, setMentorSetting,
} from './support';

type LogEntry = protos.google.logging.v2.ILogEntry;
const SERVICE = 'mentor-ai-backend';
const REVISION = 'mentor-ai-backend-00003-pel';
const CANARY = 'mentor-ai-backend-00002-wuv';
const STDOUT = `projects/${PROJECT}/logs/run.googleapis.com%2Fstdout`;
const STDERR = `projects/${PROJECT}/logs/run.googleapis.com%2Fstderr`;
const TAIL_METHOD = 'google.logging.v2.LoggingServiceV2/TailLogEntries';

function loggingClient(): LoggingServiceV2Client {
  const [host, port] = emulatorAddress().split(':');
  return new LoggingServiceV2Client({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
}

function entry(text: string, fields: Partial<LogEntry> & { revision?: string } = {}): LogEntry {
  const { revision = REVISION, ...rest } = fields;
  return {
    logName: STDOUT, severity: 'INFO', textPayload: text, labels: { instanceId: 'test-instance-1' },
    resource: { type: 'cloud_run_revision', labels: { project_id: PROJECT, service_name: SERVICE, revision_name: revision, location: REGION } },
    ...rest,
  };
}

/** The tail channel's text as the output view's model holds it (the whole channel, not just what is on screen). */
function channelText(): string {
  // e.g. output:mentor-dev.mentor-cloud-run.Mentor%20mentor-ai-backend%20%28cloud%29.log (the ':' is dropped)
  const name = channelName(SERVICE).replace(/[:\\/*?"<>|]/g, '');
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.path).includes(name));
  if (!doc) {
    throw new Error(`no output document for ${channelName(SERVICE)}; open: ${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')}`);
  }
  return doc.getText();
}

function count(text: string, needle: string): number {
  return text.split('\n').filter((line) => line.includes(needle)).length;
}

async function visibleOutput(): Promise<string> {
  return (await ui.textContent('.part.panel .monaco-editor .view-lines')).replace(/\u00a0/g, ' ');
}

async function statusBarTail(): Promise<string> {
  const items = await ui.statusBarItems();
  return items.find((i) => i.text.includes(`${SERVICE}:`))?.text ?? `(no tail item in: ${items.map((i) => i.text).join(' | ')})`;
}

describe('Logs: Tail Logs, reconnects, cloud diagnostics, filters', () => {
  let api: MentorApi;
  let logging: LoggingServiceV2Client;
  const write = async (...entries: LogEntry[]) => { await logging.writeLogEntries({ entries }); };

  before(async () => {
    api = await mentor();
    // Tails other suites started (a deploy starts one) would share the status bar item.
    for (const tail of api.tails.all) await api.tails.stop(tail);
    const ctl = control();
    await ctl.reset('demo');
    ctl.close();
    await setMentorSetting('apiEndpoint', emulatorAddress());
    await vscode.commands.executeCommand('workbench.view.extension.mentor');
    logging = loggingClient();
  });

  after(async () => {
    for (const tail of api.tails.all) await api.tails.stop(tail);
    await logging.close();
  });

  it('tails a service from the explorer: backfill first, then entries as they are written', async () => {
    await refreshAndWait(api, 'ready');
    await ui.clickTreeRow(SERVICE, { view: 'Services', button: 'right' });
    const menu = await ui.contextMenuItems();
    assert.ok(menu.includes('Tail Logs'), `context menu: ${menu.join(', ')}`);
    await ui.selectContextMenu('Tail Logs');
    await eventually('the tail to be live', async () => api.tails.statusOf(SERVICE)?.state === 'live');
    await eventually('the status bar to say live', async () => /mentor-ai-backend: live/.test(await statusBarTail()));

    // Backfill: the seeded request log in the one-line format, and a plain stdout line.
    const backfill = await eventually('the backfill in the channel', async () => {
      const text = channelText();
      if (/\[mentor-ai-backend-00003-pel\] GET 200 3ms \/health/.test(text) && text.includes('Uvicorn running')) return text;
      throw new Error(`channel text so far:\n${text.slice(0, 3000)}`);
    });
    assert.match(backfill, /\[error\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[mentor-ai-backend-00003-pel\] GET 500 1\.91s \/api\/test\/diagnostic/);
    assert.match(backfill, /\[warning\] .* Gemini response slow/);

    const written = Date.now();
    await write(entry('live entry one'), entry('live entry two', { severity: 'WARNING' }));
    await eventually('the live entries in the channel', async () => count(channelText(), 'live entry t') === 1 && count(channelText(), 'live entry o') === 1);
    const modelMs = Date.now() - written;
    // And on screen: the output view shows the channel and follows its end.
    const shown = await eventually('the entries on screen', async () => {
      const text = await visibleOutput();
      return text.includes('live entry two') ? text : undefined;
    });
    console.log(`[logs] write → output model ${modelMs} ms, → on screen ${Date.now() - written} ms`);
    assert.match(shown, /\[warning\] .*\[mentor-ai-backend-00003-pel\] live entry two/);
  });

  it('reconnects after the server drops the stream: reconnecting, then live, with nothing lost or doubled', async () => {
    const ctl = control();
    try {
      // The first reconnect fails too, so "reconnecting" lasts long enough to be seen.
      await ctl.injectFault({ method: TAIL_METHOD, code: grpc.status.UNAVAILABLE, message: 'tail backend busy', count: 1 });
      assert.strictEqual(await ctl.dropTails(), 1);
      await write(...[1, 2, 3, 4, 5].map((i) => entry(`gap entry ${i}#`)));
      await eventually('the status bar to say reconnecting', async () => /reconnecting/.test(await statusBarTail()), 10000);
      await eventually('the status bar to say live again', async () => /mentor-ai-backend: live/.test(await statusBarTail()), 20000);
      await write(...[6, 7, 8].map((i) => entry(`gap entry ${i}#`)));
      await eventually('every gap entry', async () => [1, 2, 3, 4, 5, 6, 7, 8].every((i) => count(channelText(), `gap entry ${i}#`) >= 1));
      await new Promise((r) => setTimeout(r, 3000)); // the settle catch-up after the reconnect has run by now
      const text = channelText();
      assert.deepStrictEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => count(text, `gap entry ${i}#`)), [1, 1, 1, 1, 1, 1, 1, 1]);
      assert.strictEqual(count(text, 'live entry two'), 1, 'nothing from before the drop came back');
      assert.ok(api.tails.statusOf(SERVICE)!.streamFailures >= 2);
      assert.match(text, /\[warning\] \[mentor\] Tail stream failed: tail backend busy/);
      const stats = await ctl.getStats();
      assert.ok((stats[TAIL_METHOD] ?? 0) >= 3, `TailLogEntries calls: ${JSON.stringify(stats)}`);
    } finally {
      ctl.close();
    }
  });

  it('turns a Python traceback into a diagnostic on the workspace line, with Show log entries', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const mainPy = vscode.Uri.file(path.join(folder, 'main.py'));
    const source = (await vscode.workspace.openTextDocument(mainPy)).lineAt(36).text;
    assert.match(source, /configured = /, 'line 37 of the fixture is the one the traceback names');
    const frames = [
      'Traceback (most recent call last):',
      '  File "/usr/local/lib/python3.11/site-packages/starlette/routing.py", line 74, in app',
      '    response = await func(request)',
      '  File "/app/main.py", line 37, in diagnostic',
      '    configured = {name: bool(os.environ.get(name)) for name in REQUIRED_SECRETS}',
      "KeyError: 'GEMINI_API_KEY'",
    ];
    // Once as one multi-line entry, once one line per entry (plain stderr), like Cloud Run records them.
    const start = Date.now();
    await write(entry(frames.join('\n'), { logName: STDERR, severity: 'ERROR' }));
    await write(...frames.map((line, i) => entry(line, { logName: STDERR, severity: 'ERROR',
      timestamp: { seconds: Math.floor((start + 1000 + i) / 1000), nanos: ((start + 1000 + i) % 1000) * 1e6 } })));

    const diagnostic = await eventually('the cloud diagnostic', async () => {
      const found = vscode.languages.getDiagnostics(mainPy).find((d) => d.source === CLOUD_DIAGNOSTIC_SOURCE);
      return found && /2×/.test(found.message) ? found : undefined;
    });
    assert.strictEqual(diagnostic.range.start.line, 36);
    assert.strictEqual(diagnostic.range.start.character, 4, 'starts at the code, not the indentation');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /^KeyError: 'GEMINI_API_KEY' — 2× in mentor-ai-backend-00003-pel, last seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.strictEqual(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code, 'KeyError');

    // The seeded traceback names main.py line 88, past the end of this main.py: no diagnostic for it.
    assert.strictEqual(vscode.languages.getDiagnostics(mainPy).filter((d) => d.source === CLOUD_DIAGNOSTIC_SOURCE).length, 1);

    // In the real Problems view.
    await vscode.window.showTextDocument(mainPy);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    const problems = await eventually('the Problems view', async () => {
      const text = (await ui.textContent('.markers-panel')).replace(/\u00a0/g, ' ');
      return text.includes("KeyError: 'GEMINI_API_KEY'") ? text : undefined;
    });
    assert.match(problems, /Mentor \(cloud\)/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', mainPy, diagnostic.range);
    const show = actions.find((a) => a.title === SHOW_ENTRIES_TITLE);
    assert.ok(show?.command, `code actions: ${actions.map((a) => a.title).join(', ')}`);
    await vscode.commands.executeCommand(show.command.command, ...(show.command.arguments ?? []));
    const opened = await eventually('the log entries document', async () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'mentor-cloud-problem')?.document);
    assert.match(opened.getText(), /^KeyError: 'GEMINI_API_KEY'\n.*main\.py:37 — 2× in mentor-ai-backend, last seen/);
    assert.strictEqual(count(opened.getText(), 'File "/app/main.py", line 37, in diagnostic'), 2);
  });

  it('clears the diagnostics of older revisions when another revision takes all traffic, and by command', async () => {
    const nodes = await refreshAndWait(api, 'ready');
    const canary = (await revisionsOf(api, findService(nodes, SERVICE))).find((r) => r.revision.id === CANARY);
    assert.ok(canary);
    const mainPy = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'main.py'));
    const cloud = () => vscode.languages.getDiagnostics(mainPy).filter((d) => d.source === CLOUD_DIAGNOSTIC_SOURCE);
    assert.strictEqual(cloud().length, 1);
    const routing = vscode.commands.executeCommand('mentor.routeAllTraffic', canary);
    await ui.clickDialogButton(ROUTE_CONFIRM_BUTTON);
    await routing;
    await eventually('the old revision\'s diagnostic to go', async () => cloud().length === 0);

    // A crash of the revision now serving stays until cleared by command.
    await write(entry(`Traceback (most recent call last):\n  File "/app/main.py", line 38, in diagnostic\n    missing = []\nTypeError: boom`,
      { logName: STDERR, severity: 'ERROR', revision: CANARY }));
    await eventually('the canary diagnostic', async () => cloud().length === 1 && cloud()[0].range.start.line === 37);
    assert.strictEqual(api.cloudDiagnostics.revisionTookAllTraffic(SERVICE, CANARY), 0);
    assert.strictEqual(await vscode.commands.executeCommand('mentor.clearCloudDiagnostics'), 1);
    assert.strictEqual(cloud().length, 0);
  });

  it('filters while running: minimum severity through the real quick pick, text, revision', async () => {
    const filtering = vscode.commands.executeCommand('mentor.setTailFilter');
    await ui.selectQuickPick('Minimum severity');
    await ui.selectQuickPick('ERROR');
    assert.strictEqual(await filtering, 'severity ≥ ERROR');
    await eventually('live with the new filter', async () => api.tails.statusOf(SERVICE)?.state === 'live');
    await write(entry('filter-info hidden'), entry('filter-error shown', { severity: 'ERROR' }));
    await eventually('the ERROR entry', async () => channelText().includes('filter-error shown'));
    assert.strictEqual(count(channelText(), 'filter-info hidden'), 0, 'the INFO entry written with it is not shown');

    await vscode.commands.executeCommand('mentor.setTailFilter', SERVICE, { text: 'NEEDLE' });
    await eventually('live with the text filter', async () => api.tails.statusOf(SERVICE)?.state === 'live');
    await write(entry('filter-text hay'), entry('filter-text with a needle inside'),
      entry('filter-text json', { textPayload: undefined, jsonPayload: { fields: { message: { stringValue: 'json needle too' } } } }));
    await eventually('the matching entries', async () => channelText().includes('json needle too') && channelText().includes('with a needle'));
    assert.strictEqual(count(channelText(), 'filter-text hay'), 0);

    // A revision's context menu narrows the running tail to that revision (and keeps the text filter off).
    await vscode.commands.executeCommand('mentor.setTailFilter', SERVICE, {});
    const serviceRow = await ui.waitForTreeRow(SERVICE, { view: 'Services' });
    if (!serviceRow.expanded) await ui.clickTreeRow(SERVICE, { view: 'Services' });
    await ui.waitForTreeRow(CANARY, { view: 'Services' });
    await ui.clickTreeRow(CANARY, { view: 'Services', button: 'right' });
    const menu = await ui.contextMenuItems();
    assert.ok(menu.includes('Tail Logs'), `revision context menu: ${menu.join(', ')}`);
    await ui.selectContextMenu('Tail Logs');
    await eventually('the revision filter', async () => api.tails.find(SERVICE)?.session.filter.revision === CANARY &&
      api.tails.statusOf(SERVICE)?.state === 'live');
    await write(entry('filter-rev other revision'), entry('filter-rev canary', { revision: CANARY }));
    await eventually('the canary entry', async () => channelText().includes('filter-rev canary'));
    assert.strictEqual(count(channelText(), 'filter-rev other'), 0);

    const clearing = vscode.commands.executeCommand('mentor.setTailFilter');
    await ui.selectQuickPick('Clear filters');
    assert.strictEqual(await clearing, 'all entries');
  });

  it('shows a burst of 10,000 entries completely while VS Code stays responsive', async function () {
    this.timeout(180_000);
    await eventually('live', async () => api.tails.statusOf(SERVICE)?.state === 'live');
    const probes = { hostMs: [] as number[], uiMs: [] as number[] };
    let bursting = true;
    const probe = (async () => {
      while (bursting) {
        let t = Date.now();
        await vscode.commands.executeCommand('mentor.tailLogs', SERVICE); // an extension command round trip
        probes.hostMs.push(Date.now() - t);
        t = Date.now();
        await ui.pageTitle(); // the workbench page answering
        probes.uiMs.push(Date.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const started = Date.now();
    for (let call = 0; call < 5; call++) {
      // Distinct, increasing timestamps: entries of one write would otherwise share the receive time and
      // be ordered by their random insertIds.
      await write(...Array.from({ length: 2000 }, (_, i) => {
        const n = call * 2000 + i;
        return entry(`burst ${String(n).padStart(5, '0')} end`, { timestamp: { seconds: Math.floor(started / 1000), nanos: (started % 1000) * 1e6 + n * 10 } });
      }));
    }
    const writtenMs = Date.now() - started;
    try {
      await eventually('all 10,000 burst entries', async () => {
        const seen = count(channelText(), ' end');
        if (seen < 10_000) throw new Error(`${seen} so far; tail ${JSON.stringify(api.tails.statusOf(SERVICE))}`);
        return true;
      }, 120_000);
    } finally {
      bursting = false;
      await probe;
    }
    const visibleMs = Date.now() - started;
    const lines = channelText().split('\n').filter((l) => /burst \d{5} end/.test(l));
    assert.strictEqual(lines.length, 10_000);
    assert.strictEqual(new Set(lines.map((l) => /burst (\d{5})/.exec(l)![1])).size, 10_000, 'each entry once');
    const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
    console.log(`[logs] burst: 10,000 entries written in ${writtenMs} ms, all in the channel after ${visibleMs} ms ` +
      `(${Math.round(10_000 / (visibleMs / 1000))} entries/s); command round trip max ${max(probes.hostMs)} ms over ${probes.hostMs.length} probes, ` +
      `workbench round trip max ${max(probes.uiMs)} ms`);
    assert.match((await ui.screenshot('logs-burst')).text, /burst \d{5} end/, 'the output panel shows the burst when captured');
    await eventually('the last entry on screen', async () => {
      const text = await visibleOutput();
      if (text.includes('burst 09999 end')) return true;
      throw new Error(`on screen: ${text.slice(-400)}`);
    });
    assert.ok(probes.hostMs.length > 0 && probes.uiMs.length > 0, 'the responsiveness probes ran during the burst');
  });

  it('Stop Tail stops the stream and says so in the status bar', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('mentor.stopTail'), `${PROJECT}/${REGION}/${SERVICE}`);
    await eventually('the status bar to say stopped', async () => /mentor-ai-backend: stopped/.test(await statusBarTail()));
    await write(entry('after stop'));
    await new Promise((r) => setTimeout(r, 2500));
    assert.strictEqual(count(channelText(), 'after stop'), 0);
    assert.match(channelText(), /\[mentor\] Tail stopped\./);
  });
});
