// One build for everything: the extension bundle, the webview bundle, and a plain transpile of
// src/emulator/test into out/ (same relative paths) so mocha, the emulator CLI and the VS Code test
// host run JavaScript without a TypeScript loader. Type checking is `npm run typecheck` (tsc).
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) { if (name !== 'fixtures') out.push(...tsFiles(rel)); }
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const started = Date.now();
rmSync(join(root, 'out'), { recursive: true, force: true });
await Promise.all([
  esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // ssh2 (via dockerode) has optional native parts that must stay out of the bundle.
    external: ['vscode', 'cpu-features', '*.node'],
    minify: production,
    sourcemap: !production,
    metafile: true,
    logLevel: 'warning',
  }),
  esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    bundle: true,
    // jsonc-parser's UMD "main" hides its requires from the bundler; its ESM build bundles cleanly.
    mainFields: ['module', 'main'],
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['cpu-features', '*.node'],
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  }),
  esbuild.build({
    absWorkingDir: root,
    entryPoints: ['webview-ui/src/main.ts'],
    outfile: 'dist/webview.js',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  }),
  esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src', 'emulator', 'test'].flatMap(tsFiles),
    outdir: 'out',
    outbase: '.',
    bundle: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // Relative import() must become require(): Node cannot resolve extensionless ESM specifiers.
    supported: { 'dynamic-import': false },
    sourcemap: 'inline',
    logLevel: 'warning',
  }),
]);
console.log(`[build] done in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
