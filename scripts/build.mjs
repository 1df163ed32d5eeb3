// One build for everything:
//   dist/extension.mjs + dist/cli.mjs  ESM with code splitting (VS Code ≥ 1.100 loads ESM extensions): the
//       entries hold only what activation / the CLI's start needs; every `await import()` (each Google client
//       family, google-gax + grpc, dockerode, tar-fs, …) becomes a chunk loaded on first use, shared by the
//       extension and the CLI, so each module exists once (one google-gax, one UserFacingError class).
//   dist/ssh.cjs  docker-modem's SSH agent with ssh2, required only for an ssh:// Docker host.
//   dist/webview.js, dist/setupWizard.js  the webview bundles (service details; first-time setup).
//   dist/metrics.js + dist/metrics.css  the metrics panel (uPlot; its CSS import becomes the .css file).
//   out/  a plain transpile of src/emulator/test (same relative paths) so mocha, the emulator CLI and the
//       VS Code test host run JavaScript without a TypeScript loader; and of webview-ui/src, so unit tests can
//       run the webviews' DOM-free logic (each webview itself runs from its dist bundle).
// --production: minified, no source maps (what the .vsix ships). Type checking is `npm run typecheck` (tsc).
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// Bundled CommonJS packages call require() and read __dirname; ESM has neither, so every output file
// (entries and chunks) defines them for its own location.
const ESM_CJS_SHIM = [
  "import { createRequire as __mentorCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mentorFileURLToPath } from 'node:url';",
  'const require = __mentorCreateRequire(import.meta.url);',
  'const __filename = __mentorFileURLToPath(import.meta.url);',
  "const __dirname = __mentorFileURLToPath(new URL('.', import.meta.url));",
  // When the first of Mentor's modules started to run (after the loader fetched and linked them): the bench
  // splits "activation as seen by the caller" into loading and running with it.
  'globalThis.__mentorFirstModuleAt ??= performance.now();',
].join('\n');

/** docker-modem loads ssh2 at start-up for a feature few use: its SSH agent becomes a stub that loads dist/ssh.cjs on first call. */
const lazySshAgent = {
  name: 'lazy-ssh-agent',
  setup(build) {
    build.onResolve({ filter: /^\.\/ssh$/ }, (args) => (/docker-modem[\\/]lib$/.test(args.resolveDir) ? { path: 'ssh-agent', namespace: 'lazy-ssh' } : undefined));
    build.onResolve({ filter: /^\.\/ssh\.cjs$/, namespace: 'lazy-ssh' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-ssh' }, () => ({
      loader: 'js',
      contents: "module.exports = function sshAgent(options) { return require('./ssh.cjs')(options); };",
    }));
  },
};

/**
 * google-gax's index requires three protobufjs static modules (IAM, Locations, Operations: ~480 KB of generated
 * code) when it loads, and so delays the first listing by ~100 ms, though only long-running operations use one
 * (the clients themselves use their JSON protos). Each becomes a proxy that runs the module on first use.
 */
const lazyGaxStaticProtos = {
  name: 'lazy-gax-static-protos',
  setup(build) {
    build.onResolve({ filter: /\/protos\/(iam_service|locations|operations)$/ }, async (args) => {
      if (args.namespace === 'lazy-proto' || !/google-gax[\\/]build[\\/]src/.test(args.resolveDir)) return undefined;
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, namespace: 'lazy-proto' });
      return { path: real.path, namespace: 'lazy-proto' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-proto' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        // __esModule answered without loading: TypeScript's __importStar then keeps the proxy as it is.
        "module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? true : load()[key]), has: (_, key) => key in load(),",
        '  ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (_, key) => ({ ...Object.getOwnPropertyDescriptor(load(), key), configurable: true }) });',
      ].join('\n'),
    }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  // jsonc-parser's UMD "main" hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  // ssh2 has optional native parts that must stay out of any bundle.
  external: ['vscode', 'cpu-features', '*.node'],
};

const started = Date.now();
rmSync(join(root, 'out'), { recursive: true, force: true });
rmSync(join(root, 'dist'), { recursive: true, force: true });
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: { extension: 'src/extension.ts', cli: 'src/cli/main.ts' },
    outdir: 'dist',
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    banner: { js: ESM_CJS_SHIM },
    plugins: [lazySshAgent, lazyGaxStaticProtos],
    metafile: true,
  }).then((result) => {
    // For `npm run bench`: which chunks each entry loads statically (at start) and which on demand.
    mkdirSync(join(root, 'out'), { recursive: true });
    writeFileSync(join(root, 'out', 'bundle-meta.json'), JSON.stringify(result.metafile.outputs));
  }),
  esbuild.build({
    ...common,
    entryPoints: ['node_modules/docker-modem/lib/ssh.js'],
    outfile: 'dist/ssh.cjs',
    format: 'cjs',
  }),
  ...[['webview-ui/src/main.ts', 'dist/webview.js'], ['webview-ui/src/setup/main.ts', 'dist/setupWizard.js'],
    ['webview-ui/src/metrics/main.ts', 'dist/metrics.js']].map(([entry, outfile]) => esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  })),
  esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src', 'emulator', 'test', 'webview-ui/src'].flatMap(tsFiles),
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
