#!/usr/bin/env node
// `npx mentor deploy`: runs the bundled CLI (built by `npm install` / `npm run build` into dist/cli.mjs,
// which shares its lazily loaded chunks with the extension).
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const cli = path.join(__dirname, '..', 'dist', 'cli.mjs');
if (!fs.existsSync(cli)) {
  process.stderr.write('Mentor is not built yet: run "npm run build" in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
import(pathToFileURL(cli).href).then((m) => m.main(process.argv.slice(2))).then((code) => process.exit(code), (error) => {
  // A clear message; the stack only when asked for (MENTOR_DEBUG=1).
  process.stderr.write(`\u2716 ${process.env.MENTOR_DEBUG ? (error && error.stack) || error : (error && error.message) || error}\n`);
  process.exit(1);
});
