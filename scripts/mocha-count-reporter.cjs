// Mocha reporter: prints exactly like `spec`, and when the run ends writes
//   {"total": T, "passed": N, "failed": F, "hookFailures": H, "afterAllHookFailures": A, "notRun": R, "pending": ["full title", ...]}
// to the file named by reporterOptions.countsFile or env MENTOR_TEST_COUNTS_FILE (if either is set).
// `failed` counts failed tests; `notRun` the tests that neither passed, failed nor were skipped (blocked by
// a failing hook, or an aborted run): scripts/test/totals.mjs counts those as failed too. An "after all"
// hook blocks no test, so its failures are counted apart (A of the H hook failures).
// Used by scripts/test-all.mjs for every suite (plain mocha and inside the VS Code extension host).
//   mocha --reporter scripts/mocha-count-reporter.cjs --reporter-option countsFile=counts.json ...
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class MentorCountReporter extends Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const file = (options.reporterOptions && options.reporterOptions.countsFile) || process.env.MENTOR_TEST_COUNTS_FILE;
    const passed = new Set(), failed = new Set(), pending = [];
    let hookFailures = 0, afterAllHookFailures = 0;
    runner.on(EVENT_TEST_PASS, test => passed.add(test));
    // A test can fail after it passed (an uncaught error later): it counts once, as failed.
    runner.on(EVENT_TEST_FAIL, (test) => { if (test.type === 'hook') { hookFailures++; if (/^"after all" hook/.test(test.title)) afterAllHookFailures++; } else { passed.delete(test); failed.add(test); } });
    runner.on(EVENT_TEST_PENDING, test => pending.push(test.fullTitle()));
    runner.once(EVENT_RUN_END, () => {
      const total = runner.total || 0;
      const counts = {
        total, passed: passed.size, failed: failed.size, hookFailures, afterAllHookFailures,
        notRun: Math.max(0, total - passed.size - failed.size - pending.length), pending,
      };
      if (!file) return;
      try {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(counts) + '\n');
        fs.renameSync(tmp, file);
      } catch (e) {
        console.error(`[mocha-count-reporter] cannot write ${file}: ${e && e.message}`);
      }
    });
  }
}

module.exports = MentorCountReporter;
