#!/usr/bin/env node
// `npm test`: install (if needed), build, typecheck, lint, the newcomer check, then the test suites
//   unit        mocha out/test/unit/**/*.test.js (no VS Code, no engine)
//   emulator    the extension's Google layer through the real Google clients against the emulator
//   docker      the extension's Docker layer against a real engine and registries
//   integration the extension in a real VS Code (code-server), against the emulator and the engine
//   testbed     tests of the test bed itself (the emulator's Google behaviour, the engine bed): counted
//               on their own line ("test bed: …") so the extension's totals say what they measure
// and prints one line per suite and, as the LAST line, "N passed, M failed[, K skipped]" over everything
// (scripts/test/totals.mjs says what counts as failed). Exit code 0 only if that line says 0 failed.
//
//   node scripts/test-all.mjs [unit] [emulator] [docker] [integration] [testbed] [--no-checks]
// Positional names pick suites (default all); --no-checks skips typecheck, lint and the newcomer check
// (`npm start -- --check` with another HOME and no earlier state).
// Before the first suite that needs them: the Docker engine (scripts/test/engine.mjs), then for the integration
// and testbed suites the Cloud Build builder images and the real Pub/Sub emulator (scripts/test/testBed.mjs;
// the suites get PUBSUB_EMULATOR_HOST).
// Env: TEST_TIMEOUT_MS (integration run, default 2400000), MENTOR_TEST_GREP (mocha grep, all suites),
//      KEEP_TMP=1 (keep temp dirs), and those of scripts/test/engine.mjs and scripts/test/testBed.mjs. Logs and
//      screenshots go to test-results/.
// Must stay runnable by Node 20 (before `npm install`, `node` may be the system one).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { depsStaleReason } from './lib/deps.mjs';
import { killGroup, live, run, say, secs, stripAnsi } from './lib/processes.mjs';
import { engine, ensureEngine, stopEngine, stopEngineSync } from './test/engine.mjs';
import { ensureBuilderImages, ensurePubsub, NEEDS_BUILDERS, NEEDS_PUBSUB, stopPubsub, stopPubsubSync, testBed } from './test/testBed.mjs';
import { appsSuite, integrationSuite, mochaSuite, newcomerCheck, node, RESULTS, ROOT, tempDirs } from './test/suites.mjs';
import { totalLine } from './test/totals.mjs';

const banner = title => say(`\n==== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
const SUITES = ['unit', 'emulator', 'docker', 'integration', 'apps', 'testbed'];
const TEST_BED = new Set(['testbed']);
const NEEDS_ENGINE = new Set(['docker', 'integration', 'apps', 'testbed']);
const argv = process.argv.slice(2);
const selected = argv.filter(a => !a.startsWith('-'));
for (const s of selected) if (!SUITES.includes(s)) { console.error(`unknown suite "${s}" (known: ${SUITES.join(', ')})`); process.exit(2); }
const wanted = selected.length ? SUITES.filter(s => selected.includes(s)) : SUITES;
const runChecks = !argv.includes('--no-checks');

function cleanupNow() {
  for (const c of live) killGroup(c, 'SIGKILL');
  stopPubsubSync();
  stopEngineSync();
  if (!process.env.KEEP_TMP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
}
let interrupted = 0;
const results = []; // suites that ran: {name, passed, failed, skipped, notes, ms}
const steps = [];   // {name, ok, ms, note}
function printTotals() {
  const notRun = interrupted ? wanted.length - results.length : 0;
  if (interrupted) say(`INTERRUPTED: ${notRun} suite(s) did not run, each counted as failed`);
  say(totalLine({ suites: results, failedSteps: steps.filter(s => !s.ok).length, suitesNotRun: notRun }));
}
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    if (interrupted) { cleanupNow(); process.exit(code); }
    interrupted = code;
    say(`\n[test] ${sig}: stopping (no further suites)`);
    for (const c of live) killGroup(c, 'SIGTERM');
    setTimeout(() => { cleanupNow(); printTotals(); process.exit(code); }, 10000).unref();
  });
}
process.on('exit', cleanupNow);

async function runSuite(suite) {
  if (suite === 'unit') return mochaSuite('unit', 'unit', { timeoutMs: 10000 });
  if (suite === 'emulator') return mochaSuite('emulator', 'emulator', { timeoutMs: 30000 });
  // the engine's variables and the test bed's (PUBSUB_EMULATOR_HOST), for the suites and the VS Code host
  const env = { ...engine.env, ...testBed.env };
  if (suite === 'docker') return mochaSuite('docker', 'docker', { timeoutMs: 120000, env });
  if (suite === 'testbed') return mochaSuite('testbed', 'testbed', { timeoutMs: 120000, env });
  if (suite === 'apps') return appsSuite(env);
  return integrationSuite(env);
}

function printCheck(c) {
  steps.push(c);
  banner(`${c.name}: ${c.ok ? 'ok' : 'FAILED'}`);
  if (!c.ok && c.output) {
    const lines = stripAnsi(c.output).trimEnd().split('\n');
    say(lines.slice(0, 80).join('\n') + (lines.length > 80 ? `\n... (${lines.length - 80} more lines in test-results/${c.name}.log)` : ''));
  }
  if (!c.ok && c.note) say(`[test] ${c.name}: ${c.note}`);
}

function printSummary(t0) {
  banner('summary');
  if (engine.summary) say(`${'engine'.padEnd(12)} ${engine.summary}`);
  for (const s of steps) say(`${s.name.padEnd(12)} ${s.ok ? 'ok' : 'FAILED'}${s.ms ? ` (${secs(s.ms)})` : ''}${s.note ? ` — ${s.note}` : ''}`);
  const line = r => `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  for (const r of results) say(`${r.name.padEnd(12)} ${line(r)}${r.ms ? ` (${secs(r.ms)})` : ''}${r.notes.length ? ` — ${r.notes.join('; ')}` : ''}`);
  const sum = list => list.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
  say(`extension: ${line(sum(results.filter(r => !TEST_BED.has(r.name))))}`);
  say(`test bed: ${line(sum(results.filter(r => TEST_BED.has(r.name))))}`);
  const stepsFailed = steps.filter(s => !s.ok).map(s => s.name);
  if (stepsFailed.length) say(`FAILED (not test suites, 1 each): ${stepsFailed.join(', ')}`);
  say(`total time ${secs(Date.now() - t0)}; logs and screenshots in ${path.relative(process.cwd(), RESULTS) || '.'}/`);
  printTotals();
}

async function main() {
  const t0 = Date.now();
  fs.rmSync(RESULTS, { recursive: true, force: true });
  fs.mkdirSync(path.join(RESULTS, 'screenshots'), { recursive: true });

  const stale = depsStaleReason(ROOT);
  if (stale) {
    banner(`npm install (${stale})`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit', timeout: 20 * 60000 });
    steps.push({ name: 'npm install', ok: r.status === 0, ms: 0 });
    if (r.status !== 0) say('[test] npm install FAILED');
  }

  banner('build');
  const build = await run(node(), [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, logFile: path.join(RESULTS, 'build.log'), timeoutMs: 5 * 60000 });
  steps.push({ name: 'build', ok: build.code === 0, ms: build.ms, note: build.code === 0 ? '' : 'see test-results/build.log' });

  // typecheck and lint run in the background while the first suites run
  const check = (name, script) => run('npm', ['run', '--silent', script], { cwd: ROOT, echo: false, logFile: path.join(RESULTS, `${name}.log`), timeoutMs: 10 * 60000 })
    .then(r => ({ name, ok: r.code === 0, ms: r.ms, output: r.output, note: r.code === 0 ? '' : `see test-results/${name}.log` }));
  const checks = runChecks && build.code === 0 ? [check('typecheck', 'typecheck'), check('lint', 'lint')] : [];

  for (const suite of wanted) {
    if (interrupted) break;
    if (suite === 'integration') {
      // the real UI is timing-sensitive on small machines: nothing else runs beside it
      for (const c of await Promise.all(checks)) printCheck(c);
      checks.length = 0;
      if (runChecks && build.code === 0) { banner('npm start -- --check (a newcomer: another HOME, no earlier state)'); printCheck(await newcomerCheck()); }
    }
    if (NEEDS_ENGINE.has(suite) && build.code === 0) { await ensureEngine(); if (interrupted) break; }
    if (NEEDS_BUILDERS.has(suite) && build.code === 0) {
      const step = await ensureBuilderImages(engine.env);
      if (step) { printCheck(step); if (interrupted) break; }
    }
    if (NEEDS_PUBSUB.has(suite) && build.code === 0) {
      const step = await ensurePubsub();
      if (step) { printCheck(step); if (interrupted) break; }
    }
    banner(`${suite} tests`);
    let result;
    if (build.code !== 0) result = { name: suite, passed: 0, failed: 1, skipped: 0, notes: ['not run: the build failed'] };
    else {
      try { result = await runSuite(suite); } catch (e) { result = { name: suite, passed: 0, failed: 1, skipped: 0, notes: [`harness error: ${e && e.message}`] }; }
    }
    for (const note of result.notes) say(`[test] ${suite}: ${note}`);
    if (!interrupted) results.push(result);
  }
  for (const c of await Promise.all(checks)) printCheck(c);
  const pubsubNote = await stopPubsub();
  if (pubsubNote && testBed.pubsub) testBed.pubsub.note = [testBed.pubsub.note, pubsubNote].filter(Boolean).join('; ');
  await stopEngine();
  printSummary(t0);
  const failed = results.some(r => r.failed) || steps.some(s => !s.ok);
  return interrupted || (failed ? 1 : 0);
}

main().then(code => { cleanupNow(); process.exit(code); }, e => { console.error(e); cleanupNow(); say('0 passed, 1 failed'); process.exit(1); });
