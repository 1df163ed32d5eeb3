// Bundle sizes for `npm run bench`, from the production build's metafile (out/bundle-meta.json):
//   startup   what an entry loads before its code runs: the entry and every chunk it imports statically
//   families  what each `await import()` adds on first use (its chunk and the chunks it alone pulls in)
// plus dist/ssh.cjs (only for ssh:// Docker hosts) and the webview bundle. Bytes and gzip bytes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

function sizes(root, files) {
  let bytes = 0, gzipBytes = 0;
  for (const f of files) {
    const data = fs.readFileSync(path.join(root, f));
    bytes += data.length;
    gzipBytes += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { bytes, gzipBytes };
}

export function benchBundles(root) {
  const outputs = JSON.parse(fs.readFileSync(path.join(root, 'out', 'bundle-meta.json'), 'utf8'));
  const js = Object.keys(outputs).filter((f) => f.endsWith('.mjs'));
  const staticClosure = (file, seen = new Set()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) staticClosure(i.path, seen);
    return seen;
  };
  const entry = (name) => js.find((f) => path.basename(f) === `${name}.mjs`);
  const startup = staticClosure(entry('extension'));
  const result = {
    extensionStartup: { files: startup.size, ...sizes(root, [...startup]) },
    cliStartup: sizes(root, [...staticClosure(entry('cli'))]),
    families: {},
    ssh: sizes(root, ['dist/ssh.cjs']),
    webview: sizes(root, ['dist/webview.js']),
    allShipped: sizes(root, [...js.filter((f) => f !== entry('cli')), 'dist/ssh.cjs', 'dist/webview.js']),
  };
  const lazy = new Set(js.flatMap((f) => outputs[f].imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => i.path)));
  for (const chunk of lazy) {
    const added = [...staticClosure(chunk)].filter((f) => !startup.has(f));
    const name = outputs[chunk].entryPoint ? outputs[chunk].entryPoint.replace(/^(src\/|node_modules\/)/, '') : path.basename(chunk);
    result.families[name] = { files: added.length, ...sizes(root, added) };
  }
  return result;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
export function printBundles(b) {
  console.log(`bundle: extension at activation ${kb(b.extensionStartup.bytes)} (${kb(b.extensionStartup.gzipBytes)} gzip, ${b.extensionStartup.files} files); ` +
    `CLI at start ${kb(b.cliStartup.bytes)}; webview ${kb(b.webview.bytes)} (${kb(b.webview.gzipBytes)} gzip); ssh ${kb(b.ssh.bytes)}; ` +
    `all shipped ${kb(b.allShipped.bytes)} (${kb(b.allShipped.gzipBytes)} gzip)`);
  for (const [name, s] of Object.entries(b.families).sort((x, y) => y[1].bytes - x[1].bytes)) {
    console.log(`  on first use of ${name}: +${kb(s.bytes)} (${kb(s.gzipBytes)} gzip, ${s.files} files)`);
  }
}
