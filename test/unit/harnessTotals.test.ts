// The npm test totals (scripts/test/totals.mjs) and the mocha count reporter: what did not pass is failed.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
// The harness is plain ESM; Node ≥ 22 loads it with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const totals = require(path.join(ROOT, 'scripts', 'test', 'totals.mjs'));

interface Counts { total: number; passed: number; failed: number; hookFailures: number; afterAllHookFailures: number; notRun: number; pending: string[] }

function reportFixture(): Counts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-reporter-'));
  const countsFile = path.join(dir, 'counts.json');
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', path.join(ROOT, 'scripts', 'mocha-count-reporter.cjs'), '--reporter-option', `countsFile=${countsFile}`,
      path.join(ROOT, 'test', 'fixtures', 'harness', 'blockedByHook.spec.js')], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, 'mocha itself reports the failures');
    return JSON.parse(fs.readFileSync(countsFile, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm test totals', () => {
  it('the reporter counts tests blocked by a failing before hook as not run, and lists pending titles', () => {
    const counts = reportFixture();
    assert.deepEqual(counts, { total: 7, passed: 2, failed: 1, hookFailures: 2, afterAllHookFailures: 1, notRun: 3, pending: ['ran is skipped'] });
  });

  it('counts each blocked test, the failed "after all" hook and each unlisted skip as failed', () => {
    const result = totals.judgeSuite({ counts: reportFixture(), exitCode: 1, allowedSkips: {} });
    assert.equal(result.passed, 2);
    assert.equal(result.failed, 1 + 3 + 1 + 1);
    assert.equal(result.skipped, 0);
    assert.ok(result.notes.some((n: string) => n.includes('"ran is skipped"')));
  });

  it('an allow-listed skip is skipped, not failed, and shows on the last line', () => {
    const suite = totals.judgeSuite({ counts: { total: 2, passed: 1, failed: 0, hookFailures: 0, notRun: 0, pending: ['x y'] }, exitCode: 0, allowedSkips: { 'x y': 'needs a GPU' } });
    assert.deepEqual([suite.passed, suite.failed, suite.skipped], [1, 0, 1]);
    assert.equal(totals.totalLine({ suites: [suite] }), '1 passed, 0 failed, 1 skipped');
  });

  it('a hook that fails after every test passed counts once', () => {
    const suite = totals.judgeSuite({ counts: { total: 3, passed: 3, failed: 0, hookFailures: 1, afterAllHookFailures: 1, notRun: 0, pending: [] }, exitCode: 1 });
    assert.equal(suite.failed, 1);
  });

  it('zero tests, a crash before reporting, or a non-zero exit without failures fail the suite', () => {
    assert.equal(totals.judgeSuite({ counts: { total: 0, passed: 0, failed: 0, hookFailures: 0, notRun: 0, pending: [] }, exitCode: 0 }).failed, 1);
    assert.equal(totals.judgeSuite({ counts: null, exitCode: 139 }).failed, 1);
    const timedOut = totals.judgeSuite({ counts: { total: 4, passed: 4, failed: 0, hookFailures: 0, notRun: 0, pending: [] }, exitCode: 124 });
    assert.equal(timedOut.failed, 1);
    assert.match(timedOut.notes.join(), /timeout/);
  });

  it('failed steps and suites an interruption kept from running count on the last line', () => {
    const ok = { passed: 10, failed: 0, skipped: 0 };
    assert.equal(totals.totalLine({ suites: [ok], failedSteps: 2, suitesNotRun: 1 }), '10 passed, 3 failed');
    assert.equal(totals.totalLine({ suites: [ok, ok] }), '20 passed, 0 failed');
  });

  it('an allow-list entry without a reason is refused', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-skips-')), 'allowed-skips.json');
    fs.writeFileSync(file, JSON.stringify({ 'some test': ' ' }));
    assert.throws(() => totals.readAllowedSkips(file), /needs a reason/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
