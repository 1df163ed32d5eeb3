// Child processes of the harness: each in its own process group, all tracked so Ctrl-C or a crash leaves
// no orphans (servers a test forgot, code-server's children).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const live = new Set();
export const secs = ms => `${(ms / 1000).toFixed(1)} s`;
export const say = line => process.stdout.write(line + '\n');
export const stripAnsi = s => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

export function killGroup(child, signal = 'SIGTERM') {
  try { process.kill(-child.pid, signal); } catch { try { child.kill(signal); } catch { /* gone */ } }
}

/**
 * Runs a command in its own process group; streams (echo) or buffers its output and writes it to logFile.
 * Resolves {code, output, ms}; code 124 on timeout (the whole group is killed).
 */
export function run(cmd, args, { env = {}, logFile, echo = true, timeoutMs = 15 * 60000, cwd } = {}) {
  return new Promise(resolve => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let output = '';
    const log = logFile ? fs.createWriteStream(logFile) : null;
    const onData = stream => chunk => {
      const text = chunk.toString();
      output += text;
      if (log) log.write(stripAnsi(text));
      if (echo) stream.write(text);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      say(`[test] ${path.basename(cmd)} ${args.slice(0, 2).join(' ')}: timed out after ${secs(timeoutMs)}, killing it`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, timeoutMs);
    let finished = false;
    const closed = new Promise(r => child.once('close', r));
    const done = async code => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      live.delete(child);
      killGroup(child, 'SIGKILL'); // leftovers of the group (e.g. a server a test forgot)
      await Promise.race([closed, new Promise(r => setTimeout(r, 2000))]); // drain the pipes
      const finish = () => resolve({ code: timedOut ? 124 : code, output, ms: Date.now() - started });
      if (log) log.end(finish); else finish();
    };
    child.on('error', e => { output += String(e); done(127); });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
