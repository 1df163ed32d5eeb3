// What comes back from the extension host while tests run: its console lines (mirrored by the workbench
// into the page console), the test runner's start/exit markers, and UI-bridge requests, which are performed
// one at a time on the page and answered in MENTOR_UI_BRIDGE_DIR/<id>.json.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const { withTimeout } = require('./codeServer.cjs');

const log = (...x) => process.stdout.write(x.join(' ') + '\n');
const NOISE = /^\[(AgentHost|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection|AgentHostChannel)|^(Resolv|Creating a socket|Updating additional)|ENOTFOUND|^%c|Dialog requested during smoke test/;

/** Performs bridge requests in order; `drain()` waits for the ones in flight. */
function makeBridge({ page, actions, bridgeDir, shotDir }) {
  let queue = Promise.resolve();
  const perform = req => {
    queue = queue.then(async () => {
      const started = Date.now();
      let answer;
      try {
        const fn = actions[req.action];
        if (!fn) throw new Error(`unknown UI bridge action "${req.action}" (known: ${Object.keys(actions).join(', ')})`);
        const { id: _id, action: _action, ...args } = req;
        const result = await withTimeout(fn(args), 130000, `ui.${req.action}`);
        answer = { ok: true, result: result === undefined ? null : result };
      } catch (e) {
        answer = { ok: false, error: String((e && e.message) || e).split('\n')[0] };
        log(`[vscode-host] ui.${req.action} failed after ${Date.now() - started} ms: ${answer.error}`);
        await page.screenshot({ path: path.join(shotDir, `ui-failure-${String(req.id).replace(/[^\w.-]+/g, '_')}.png`) }).catch(() => {});
      }
      if (process.env.VERBOSE) log(`[vscode-host] ui.${req.action} ${Date.now() - started} ms`);
      const file = path.join(bridgeDir, `${req.id}.json`);
      fs.writeFileSync(file + '.tmp', JSON.stringify(answer));
      fs.renameSync(file + '.tmp', file);
    });
  };
  return { perform, drain: () => queue };
}

/**
 * Routes one extension-host console line: runner markers go to onStarted/onExit, `@@ui {...}` to the
 * bridge, everything else is printed (mocha's output among it).
 */
function makeOutputRouter({ bridge, onStarted, onExit }) {
  return (level, text) => {
    const h = /^@@harness (started|exit) ?(.*)$/.exec(text);
    if (h) { if (h[1] === 'started') onStarted(); else onExit(+h[2]); return; }
    const m = /^@@ui (\{.*\})\s*$/s.exec(text);
    if (m) {
      let req;
      try { req = JSON.parse(m[1]); } catch (e) { log(`[vscode-host] bad @@ui request: ${e.message}`); return; }
      if (req && req.id && req.action) bridge.perform(req);
      return;
    }
    log(text.split('\n').map(l => (level === 'error' ? '[exthost:err] ' : '') + l).join('\n'));
  };
}

/**
 * Wires the page to the router. In extension-development mode VS Code prints the extension host's console
 * into the page console as  console[severity]('%c[Extension Host] %c' + firstArg, css, css, ...rest).
 * In `vscode` mode (VS Code's own extensionTestsPath) it arrives through codeAutomationLog instead.
 */
async function relayHostConsole(page, mode, route, onHostCrash) {
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const t = util.format(...(Array.isArray(args) ? args : [args]));
    if (mode === 'vscode') {
      if (/^@@ui /.test(t) || process.env.VERBOSE || !NOISE.test(t)) route(type, t);
      return;
    }
    if (/Extension host .*terminated unexpectedly/i.test(t)) { log(`[vscode-host] ${t}`); onHostCrash(); return; }
    if (process.env.VERBOSE || (type === 'error' && !NOISE.test(t) && !/^\[Extension Host\]/.test(t))) log(`[workbench:${type}] ${t}`);
  });
  if (mode !== 'runner') return;
  const PREFIX = '%c[Extension Host] %c', PREFIX_NONSTRING = '%c[Extension Host]%';
  let chain = Promise.resolve();
  page.on('console', msg => {
    if (!msg.text().startsWith('%c[Extension Host]')) return;
    const handles = msg.args();
    const level = msg.type() === 'warning' ? 'warn' : msg.type();
    chain = chain.then(async () => {
      const values = await Promise.all(handles.map(h => h.jsonValue().catch(() => String(h))));
      let text;
      if (typeof values[0] === 'string' && values[0].startsWith(PREFIX)) text = util.format(values[0].slice(PREFIX.length), ...values.slice(3));
      else if (typeof values[0] === 'string' && values[0].startsWith(PREFIX_NONSTRING)) text = util.format(...values.slice(2));
      else text = util.format(...values);
      route(level, text);
    }).catch(e => log(`[vscode-host] console relay: ${e.message}`));
  });
}

module.exports = { makeBridge, makeOutputRouter, relayHostConsole };
