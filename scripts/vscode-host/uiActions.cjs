// The UI bridge's actions: what an integration test may do to, or read from, the real workbench page
// (dialogs, tree rows, notifications, quick input, status bar, context menus, webviews, screenshots).
// Page-side functions are real functions handed to Playwright's evaluate; the helpers they share,
// `__uiVisible` and `__uiVisibleRowsTopDown`, are installed into the page by an init script (installPageHelpers).
/* global __uiVisible, __uiVisibleRowsTopDown */
'use strict';
const fs = require('fs');
const path = require('path');
const { sleep } = require('./codeServer.cjs');

const log = (...x) => process.stdout.write(x.join(' ') + '\n');

/** Runs in the page before the workbench loads: one definition of "visible" for every page function. */
function pageHelpers() {
  globalThis.__uiVisible = el => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  // List rows are absolutely positioned and recycled: DOM order is not screen order.
  globalThis.__uiVisibleRowsTopDown = (root, selector) => [...root.querySelectorAll(selector)].filter(globalThis.__uiVisible)
    .sort((x, y) => x.getBoundingClientRect().top - y.getBoundingClientRect().top);
}

/** Must be awaited before the page navigates. */
async function installPageHelpers(page) {
  await page.addInitScript(pageHelpers);
}

/** What the workbench shows as text right now (the same moment a screenshot is taken). */
function visibleWorkbenchText() {
  const parts = [];
  for (const sel of ['.part.sidebar', '.part.editor', '.part.panel', '.part.statusbar', '.notifications-center', '.notifications-toasts', '.monaco-dialog-box', '.quick-input-widget']) {
    for (const e of document.querySelectorAll(sel)) if (__uiVisible(e)) parts.push(e.innerText);
  }
  // Monaco renders spaces as no-break spaces: tests match plain text.
  return parts.join('\n').replace(/\u00a0/g, ' ');
}

/** Action implementations. Each gets (args) and returns a JSON-serialisable result. */
function makeUiActions(page, ctx) {
  const T = a => Math.max(0, Math.min(a && a.timeoutMs !== undefined ? +a.timeoutMs || 0 : 10000, 120000));
  const poll = async (fn, timeoutMs, what) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`${what} (waited ${timeoutMs} ms)`);
      await sleep(100);
    }
  };
  const inPage = (fn, arg) => page.evaluate(fn, arg === undefined ? null : arg);
  /** index of the element (among those matched) whose text equals `label` (else contains it). */
  const pickByText = (texts, label) => {
    const want = String(label).trim();
    let i = texts.findIndex(t => t === want);
    if (i < 0) i = texts.findIndex(t => t.toLowerCase() === want.toLowerCase());
    if (i < 0) i = texts.findIndex(t => t.includes(want));
    return i;
  };

  const exactText = t => new RegExp(`^\\s*${String(t).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const dialogInfo = () => inPage(() => {
    const box = [...document.querySelectorAll('.monaco-dialog-box')].find(__uiVisible);
    if (!box) return null;
    const text = sel => { const e = box.querySelector(sel); return e ? e.textContent.trim() : ''; };
    return {
      message: text('.dialog-message-text'), detail: text('.dialog-message-detail'),
      buttons: [...box.querySelectorAll('.dialog-buttons .monaco-button')].map(b => b.textContent.trim()),
      checkbox: text('.dialog-checkbox-row .dialog-checkbox-message') || undefined,
    };
  });
  const treeRows = args => inPage((args) => {
    const out = [];
    for (const row of __uiVisibleRowsTopDown(document, '.pane-body .monaco-list-row[role=treeitem]')) {
      const pane = row.closest('.pane');
      const title = pane && pane.querySelector('.pane-header .title');
      const view = title ? title.textContent.trim() : '';
      if (args && args.view && !view.toLowerCase().includes(String(args.view).toLowerCase())) continue;
      const text = sel => { const e = row.querySelector(sel); return e ? e.textContent.trim() : ''; };
      const exp = row.getAttribute('aria-expanded');
      out.push({
        level: +(row.getAttribute('aria-level') || 0), expanded: exp === 'true' ? true : exp === 'false' ? false : undefined,
        label: text('.label-name'), description: text('.label-description'), view,
        selected: row.classList.contains('selected'), focused: row.classList.contains('focused'),
        ariaLabel: row.getAttribute('aria-label') || '',
      });
    }
    return out;
  }, args);
  const notificationItems = () => inPage(() => {
    const seen = new Set(); const out = [];
    for (const item of document.querySelectorAll('.notifications-center .notification-list-item, .notifications-toasts .notification-list-item')) {
      if (!__uiVisible(item)) continue;
      const text = sel => { const e = item.querySelector(sel); return e ? e.textContent.trim() : ''; };
      const icon = item.querySelector('.notification-list-item-icon');
      const cls = icon ? icon.className : '';
      const severity = /codicon-error/.test(cls) ? 'error' : /codicon-warning/.test(cls) ? 'warning' : 'info';
      const n = { message: text('.notification-list-item-message'), source: text('.notification-list-item-source'), severity,
        buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map(b => b.textContent.trim()) };
      const key = n.message + '\u0000' + n.source;
      if (!seen.has(key)) { seen.add(key); out.push(n); }
    }
    return out;
  });
  const openNotificationCenter = async () => {
    const open = await inPage(() => __uiVisible(document.querySelector('.notifications-center')));
    if (open) return;
    const bell = page.locator('.part.statusbar [id="status.notifications"] a, .part.statusbar [id="status.notifications"]').first();
    await bell.click({ timeout: 5000 });
    await page.mouse.move(5, 450); // no hover tooltip over the bell in screenshots
    await poll(() => inPage(() => __uiVisible(document.querySelector('.notifications-center'))), 5000, 'notification center did not open');
  };
  const quickInput = () => inPage(() => {
    const w = [...document.querySelectorAll('.quick-input-widget')].find(__uiVisible);
    if (!w) return { visible: false, items: [] };
    const text = (root, sel) => { const e = root.querySelector(sel); return e && __uiVisible(e) ? e.textContent.trim() : ''; };
    const input = w.querySelector('.quick-input-box input');
    const items = [];
    for (const row of __uiVisibleRowsTopDown(w, '.quick-input-list .monaco-list-row')) {
      const cb = row.querySelector('input[type=checkbox]');
      items.push({
        label: text(row, '.quick-input-list-label .label-name') || text(row, '.label-name') || row.getAttribute('aria-label') || '',
        description: text(row, '.label-description'), detail: text(row, '.quick-input-list-label-meta .monaco-icon-label, .quick-input-list-detail'),
        separator: text(row, '.quick-input-list-separator'),
        focused: row.classList.contains('focused'), checked: cb ? cb.checked : undefined,
      });
    }
    return {
      visible: true, title: text(w, '.quick-input-title'), value: input ? input.value : '',
      placeholder: input ? input.getAttribute('placeholder') || '' : '', message: text(w, '.quick-input-message'), items,
      // The header's buttons, e.g. the OK of VS Code's simple file dialog (labelled with the dialog's openLabel).
      buttons: [...w.querySelectorAll('.quick-input-action .monaco-button')].filter(__uiVisible).map(b => b.textContent.trim()).filter(Boolean),
    };
  });
  const webviewFrame = async args => {
    const idx = (args && args.index) || 0;
    return poll(async () => {
      const frames = [];
      for (const h of await page.$$('iframe.webview.ready')) {
        if (!(await h.isVisible())) continue;
        const outer = await h.contentFrame();
        // frame.name() is fixed when the frame attaches ("pending-frame"); VS Code renames it later
        for (const child of outer ? outer.childFrames() : []) {
          const el = await child.frameElement().catch(() => null);
          if (el && (await el.getAttribute('id').catch(() => null)) === 'active-frame') { frames.push(child); break; }
        }
      }
      return frames[idx];
    }, T(args), 'no visible webview');
  };

  return {
    /** Saves NAME.png and, taken at the same moment, NAME.txt with the text on screen; returns both. */
    async screenshot(args) {
      const name = String(args.name || `shot-${Date.now()}`).replace(/[^\w.-]+/g, '_');
      await sleep(args.delayMs === undefined ? 500 : +args.delayMs);
      const file = path.join(ctx.shotDir, name + '.png');
      const webviews = [];
      for (let index = 0; ; index++) {
        const frame = await webviewFrame({ index, timeoutMs: 0 }).catch(() => null);
        if (!frame) break;
        webviews.push(await frame.evaluate(() => document.body.innerText.replace(/\u00a0/g, ' ')).catch(() => ''));
      }
      const text = [await inPage(visibleWorkbenchText), ...webviews].join('\n');
      await page.screenshot({ path: file + '.tmp.png', fullPage: !!args.fullPage, timeout: 30000 });
      fs.renameSync(file + '.tmp.png', file);
      fs.writeFileSync(path.join(ctx.shotDir, name + '.txt'), text);
      log(`[vscode-host] screenshot ${path.relative(process.cwd(), file)}`);
      return { file, text };
    },
    dialogText: () => dialogInfo(),
    async clickDialogButton(args) {
      const label = args.label;
      const info = await poll(async () => {
        const d = await dialogInfo();
        return d && pickByText(d.buttons, label) >= 0 ? d : null;
      }, T(args), `no dialog with a button "${label}"`);
      const i = pickByText(info.buttons, label);
      await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').nth(i).click({ timeout: T(args) });
      return { ...info, clicked: info.buttons[i] };
    },
    treeRows: args => treeRows(args),
    async waitForTreeRow(args) {
      const want = args.description === undefined ? null : String(args.description);
      return poll(async () => {
        const rows = (await treeRows(args)).filter(r => want === null || r.description.includes(want));
        return rows[pickByText(rows.map(r => r.label), args.label)];
      }, T(args), `no tree row "${args.label}"${want === null ? '' : ` with a description containing "${want}"`}`);
    },
    /** Waits, checking every animation frame in the page, for a visible row labelled exactly `label`; returns
     *  the page's Date.now() at that frame (so a caller can time "visible" without the bridge's polling). */
    async treeRowVisibleAt(args) {
      const handle = await page.waitForFunction((label) => {
        const rows = [...document.querySelectorAll('.pane-body .monaco-list-row[role=treeitem] .label-name')];
        return rows.some(e => e.textContent.trim() === label && __uiVisible(e)) ? Date.now() : 0;
      }, String(args.label), { polling: 'raf', timeout: T(args) });
      return handle.jsonValue();
    },
    async clickTreeRow(args) {
      // resolve the exact label first (same matching rules as everywhere), then click by that label
      const row = await poll(async () => (await treeRows(args)).find((r, _, all) => r === all[pickByText(all.map(x => x.label), args.label)]),
        T(args), `no tree row "${args.label}"`);
      const scope = args.view ? page.locator('.pane', { has: page.locator('.pane-header .title', { hasText: String(args.view) }) }) : page;
      const loc = scope.locator('.pane-body .monaco-list-row[role=treeitem]').filter({ has: page.locator('.label-name', { hasText: exactText(row.label) }) });
      await loc.first().click({ button: args.button || 'left', clickCount: args.double ? 2 : 1, timeout: T(args) });
      return row;
    },
    async notifications(args) {
      if (args.open) await openNotificationCenter();
      return (await notificationItems()).map(n => n.message);
    },
    async notificationItems(args) {
      if (args.open) await openNotificationCenter();
      return notificationItems();
    },
    async waitForNotification(args) {
      return poll(async () => {
        if (args.open !== false) await openNotificationCenter().catch(() => {});
        return (await notificationItems()).find(n => n.message.includes(args.text));
      }, T(args), `no notification containing "${args.text}"`);
    },
    async pressKeys(args) {
      const keys = Array.isArray(args.keys) ? args.keys : [args.keys];
      for (const k of keys) await page.keyboard.press(String(k), { delay: 20 });
      return true;
    },
    async typeText(args) { await page.keyboard.type(String(args.text), { delay: 10 }); return true; },
    async quickInput(args) {
      if (args.wait === false) return quickInput();
      return poll(async () => { const q = await quickInput(); return q.visible ? q : null; }, T(args), 'no quick input visible');
    },
    async quickPickItems(args) {
      return (await poll(async () => { const q = await quickInput(); return q.visible ? q : null; }, T(args), 'no quick pick visible')).items;
    },
    async selectQuickPick(args) {
      const item = await poll(async () => {
        const q = await quickInput(); if (!q.visible) return null;
        const k = pickByText(q.items.map(x => x.label), args.label); return k >= 0 ? q.items[k] : null;
      }, T(args), `no quick pick item "${args.label}"`);
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: exactText(item.label) }) }).first().click({ timeout: T(args) });
      return item;
    },
    async fillQuickInput(args) {
      const input = page.locator('.quick-input-widget .quick-input-box input').first();
      await input.waitFor({ state: 'visible', timeout: T(args) });
      await input.fill(String(args.text), { timeout: T(args) });
      await sleep(200); // let validation run
      const state = await quickInput();
      if (args.submit) await input.press('Enter');
      return state;
    },
    async clickQuickInputButton(args) {
      const label = await poll(async () => {
        const q = await quickInput(); if (!q.visible) return null;
        const k = pickByText(q.buttons, args.label); return k >= 0 ? q.buttons[k] : null;
      }, T(args), `no quick input button "${args.label}"`);
      await page.locator('.quick-input-widget .quick-input-action .monaco-button').filter({ hasText: exactText(label) }).first().click({ timeout: T(args) });
      return label;
    },
    async statusBarItems() {
      return inPage(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].filter(__uiVisible)
        .map(e => ({ id: e.id, text: e.textContent.trim(), tooltip: (e.querySelector('a') || e).getAttribute('aria-label') || '' })));
    },
    async contextMenuItems(args) {
      return poll(() => inPage(() => {
        const m = [...document.querySelectorAll('.context-view .monaco-menu')].find(__uiVisible);
        return m ? [...m.querySelectorAll('.action-label')].filter(__uiVisible).map(e => e.textContent.trim()).filter(Boolean) : null;
      }), T(args), 'no context menu visible');
    },
    async selectContextMenu(args) {
      const labels = page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label');
      const i = await poll(async () => {
        const texts = await labels.evaluateAll(els => els.map(e => e.textContent.trim()));
        const k = pickByText(texts, args.label); return k >= 0 ? k + 1 : 0;
      }, T(args), `no context menu item "${args.label}"`) - 1;
      await labels.nth(i).click({ timeout: T(args) });
      return true;
    },
    async webviewText(args) {
      const f = await webviewFrame(args);
      const sel = args.selector || 'body';
      return poll(async () => {
        const t = await f.evaluate(s => { const e = document.querySelector(s); return e ? e.innerText : null; }, sel);
        return t !== null && (!args.contains || t.includes(args.contains)) ? t : null;
      }, T(args), `webview ${sel} ${args.contains ? `does not contain "${args.contains}"` : 'not found'}`);
    },
    async webviewClick(args) {
      const f = await webviewFrame(args);
      const loc = args.selector ? f.locator(args.selector) : f.getByText(String(args.text), { exact: false });
      await loc.first().click({ timeout: T(args) });
      return true;
    },
    async click(args) {
      const loc = args.text ? page.locator(args.selector || '*', { hasText: String(args.text) }) : page.locator(args.selector);
      await loc.first().click({ timeout: T(args), button: args.button || 'left' });
      return true;
    },
    async textContent(args) {
      return poll(() => inPage((s) => { const e = [...document.querySelectorAll(s)].find(__uiVisible); return e ? e.textContent : null; }, args.selector),
        T(args), `no visible ${args.selector}`);
    },
    /** Text that CSS draws (::before/::after `content`, e.g. an editor decoration's after-line note) on the
     *  visible elements matching selector (default: the spans of the visible editors' lines), top to bottom,
     *  each with the text of the editor line it is drawn on. */
    async decorationTexts(args) {
      return inPage((s) => __uiVisibleRowsTopDown(document, s).flatMap((e) => ['::before', '::after'].map((p) => {
        const c = getComputedStyle(e, p).content;
        if (!c || c === 'none' || c === 'normal') return [];
        let text = c;
        try { text = JSON.parse(c); } catch { /* not a plain CSS string */ }
        const line = e.closest('.view-line');
        return [{ text, line: line ? line.textContent.replace(/\u00a0/g, ' ') : '' }];
      }).flat()), args.selector || '.part.editor .view-lines span');
    },
    async waitFor(args) { await page.locator(args.selector).first().waitFor({ state: args.state || 'visible', timeout: T(args) }); return true; },
    async pageTitle() { return page.title(); },
  };
}

module.exports = { makeUiActions, installPageHelpers, visibleWorkbenchText };
