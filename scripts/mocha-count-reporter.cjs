// Mocha reporter: prints exactly like `spec`, and when the run ends writes
//   {"passed": N, "failed": M, "pending": P}
// to the file named by reporterOptions.countsFile or env MENTOR_TEST_COUNTS_FILE (if either is set).
// Used by scripts/test-all.mjs for every suite (plain mocha and inside the VS Code extension host).
//   mocha --reporter scripts/mocha-count-reporter.cjs --reporter-option countsFile=counts.json ...
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class MentorCountReporter extends Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const file = (options.reporterOptions && options.reporterOptions.countsFile) || process.env.MENTOR_TEST_COUNTS_FILE;
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats || runner.stats || {};
      const counts = { passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0 };
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
