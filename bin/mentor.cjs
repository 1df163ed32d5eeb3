#!/usr/bin/env node
// `npx mentor deploy`: runs the bundled CLI (built by `npm install` / `npm run build` into dist/cli.js).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('Mentor is not built yet: run "npm run build" in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
require(cli).main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
