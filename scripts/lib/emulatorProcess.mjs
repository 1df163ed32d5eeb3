// Starts the Cloud Run emulator CLI (out/emulator/cli.js) with the demo seed, for npm test and npm start.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { killGroup, live } from './processes.mjs';

/**
 * Starts `node out/emulator/cli.js --port 0 --seed demo --data DIR` in its own process group; resolves
 * {child, address, restAddress, command, stop()} once it prints its gRPC and REST addresses.
 */
export function startEmulator({ node, cli, cwd, dataDir, logFile, env = {} }) {
  const args = [cli, '--port', '0', '--seed', 'demo', '--data', dataDir];
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    const log = fs.createWriteStream(logFile);
    let seen = '', settled = false;
    const timer = setTimeout(() => fail(new Error('the emulator did not print its address within 30 s')), 30000);
    const fail = e => {
      if (settled) return; settled = true; clearTimeout(timer);
      killGroup(child, 'SIGKILL'); live.delete(child);
      reject(new Error(`${e.message}\n${seen.trim().split('\n').slice(-15).join('\n')}`));
    };
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode) { live.delete(child); return; }
      const gone = new Promise(r => child.once('exit', r));
      try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await Promise.race([gone, new Promise(r => setTimeout(r, 7000))]);
      clearTimeout(t); killGroup(child, 'SIGKILL'); live.delete(child); log.end();
    };
    const onData = chunk => {
      const text = chunk.toString(); log.write(text);
      if (settled) return;
      seen += text;
      const m = /Mentor emulator listening on (\S+):(\d+)/.exec(seen);
      const rest = /REST\/JSON on http:\/\/(\S+):(\d+)/.exec(seen); // printed right after, for REST clients and gcloud
      if (!m || !rest) return;
      settled = true; clearTimeout(timer);
      const host = m[1] === '0.0.0.0' || m[1] === '::' ? '127.0.0.1' : m[1];
      resolve({ child, address: `${host}:${m[2]}`, restAddress: `${host}:${rest[2]}`, command: [node, ...args], stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', fail);
    child.on('exit', code => fail(new Error(`the emulator exited with code ${code} during start-up`)));
  });
}
