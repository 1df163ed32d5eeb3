// How npm test counts: everything that did not pass is a failure, so the last line cannot say "0 failed"
// while tests did not run. Pure functions (unit-tested in test/unit/harnessTotals.test.ts).
//   - a test blocked by a failing hook counts as failed, once per test it blocked;
//   - an "after all" hook that failed (it blocks no test) counts once;
//   - a suite that ran zero tests, has no test files, crashed, or exited non-zero with no failure counts 1;
//   - a pending (skipped) test fails unless the allow-list names it with a reason; allowed ones are "skipped";
//   - a failed step (npm install, build, typecheck, lint, the newcomer check) counts 1;
//   - a suite that never ran because the run was interrupted counts 1.
import fs from 'node:fs';

/** `{ "full test title": "reason" }` from the allow-list file; throws when an entry has no reason. */
export function readAllowedSkips(file) {
  if (!fs.existsSync(file)) return {};
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [title, reason] of Object.entries(list)) {
    if (typeof reason !== 'string' || !reason.trim()) throw new Error(`${file}: "${title}" needs a reason`);
  }
  return list;
}

/**
 * One suite's result. `counts` is what scripts/mocha-count-reporter.cjs wrote (null if nothing was written);
 * `exitCode` is the runner's. Returns {passed, failed, skipped, notes}.
 */
export function judgeSuite({ counts, exitCode, allowedSkips = {} }) {
  if (!counts) return { passed: 0, failed: 1, skipped: 0, notes: [`crashed (exit code ${exitCode}) before reporting results`] };
  const notes = [];
  const afterAll = counts.afterAllHookFailures || 0, blockingHooks = counts.hookFailures - afterAll;
  let failed = counts.failed + afterAll;
  if (afterAll) notes.push(`${afterAll} "after all" hook(s) failed`);
  if (counts.notRun > 0) {
    failed += counts.notRun;
    notes.push(`${counts.notRun} test(s) did not run (blocked by ${blockingHooks || 'no'} failing hook(s)${blockingHooks ? '' : ': an aborted run'})`);
  } else if (blockingHooks > 0) {
    failed += blockingHooks;
    notes.push(`${blockingHooks} hook(s) failed`);
  }
  let skipped = 0;
  for (const title of counts.pending) {
    if (allowedSkips[title]) { skipped++; continue; }
    failed++;
    notes.push(`skipped without a reason in test/allowed-skips.json: "${title}"`);
  }
  if (counts.total === 0) { failed++; notes.push('ran zero tests'); }
  if (exitCode !== 0 && failed === 0) { failed = 1; notes.push(`exit code ${exitCode} although no test failed${exitCode === 124 ? ' (timeout)' : ''}`); }
  return { passed: counts.passed, failed, skipped, notes };
}

/** The last line of npm test, over every suite and step: "N passed, M failed[, K skipped]". */
export function totalLine({ suites, failedSteps = 0, suitesNotRun = 0 }) {
  let passed = 0, failed = failedSteps + suitesNotRun, skipped = 0;
  for (const s of suites) { passed += s.passed; failed += s.failed; skipped += s.skipped; }
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}
