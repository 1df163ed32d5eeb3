// Runs every *.test.js below a folder with mocha (bdd) inside the real extension host; each VS Code test
// session's entry point (--extensionTestsPath, e.g. out/test/integration/index.js) calls it for its own folder.
// Env: MENTOR_TEST_COUNTS_FILE (counts JSON written by the reporter), MENTOR_TEST_GREP (only matching tests).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

export function run(): Promise<void> {
  return runTestsIn(__dirname);
}

export async function runTestsIn(testsDir: string): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Reporter = require(path.join(root, 'scripts', 'mocha-count-reporter.cjs'));
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60000,
    reporter: Reporter,
    reporterOptions: { countsFile: process.env.MENTOR_TEST_COUNTS_FILE },
    grep: process.env.MENTOR_TEST_GREP || undefined,
  });
  // audit/ audits what the other tests left behind (logs, storage, artifacts), so it runs last.
  const files = findTests(testsDir).sort((a, b) => Number(a.includes(`${path.sep}audit${path.sep}`)) - Number(b.includes(`${path.sep}audit${path.sep}`)));
  if (files.length === 0) throw new Error(`no *.test.js files under ${testsDir}`);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (e) {
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
