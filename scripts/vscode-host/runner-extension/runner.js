// A development extension that runs the integration tests, installed by scripts/vscode-host/run.cjs.
// Why not VS Code's own --extensionTestsPath: there its DialogService refuses every modal dialog
// ("refused to show dialog in tests"), so dialogs could never be tested. This extension activates on
// startup, calls run() of the tests module named by MENTOR_HARNESS_TESTS_PATH and reports through the
// console, which the harness reads ("@@harness started" / "@@harness exit CODE").
'use strict';

exports.activate = function activate() {
  console.log('@@harness started ' + process.version);
  setTimeout(async () => {
    let code = 1;
    try {
      const testsPath = process.env.MENTOR_HARNESS_TESTS_PATH;
      const tests = require(testsPath);
      if (typeof tests.run !== 'function') throw new Error(testsPath + ' exports no run()');
      if (tests.run.length >= 2) {
        await new Promise((resolve, reject) => tests.run(testsPath, (err, failures) => (err ? reject(err) : failures ? reject(new Error(failures + ' failures')) : resolve())));
      } else await tests.run();
      code = 0;
    } catch (e) {
      const failed = e && /^\d+ (test\(s\) failed|failures)$/.test(e.message);
      console.error('[test runner] ' + (failed ? e.message : (e && e.stack) || String(e)));
    }
    console.log('@@harness exit ' + code);
  }, 0);
};

exports.deactivate = function deactivate() {};
