// Entry point of the "apps" VS Code session (out/test/apps/index.js): a multi-root window holding every
// FastAPI layout of test/fixtures/apps, each taken from Create Dockerfile to a deployed service.
import { runTestsIn } from '../integration/index';

export function run(): Promise<void> {
  return runTestsIn(__dirname);
}
