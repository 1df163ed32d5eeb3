// UI bridge for integration tests: drive and read the REAL VS Code UI from the extension host.
// A request is a console line `@@ui {"id","action",...args}`; scripts/vscode-host/run.cjs performs it
// with Playwright on the workbench page and answers in $MENTOR_UI_BRIDGE_DIR/<id>.json as
// {ok:true,result} | {ok:false,error}. Every call is bounded: the harness waits at most `timeoutMs`
// (default 10 s) for the UI, and this side waits at most that + 20 s for the answer.
import * as fs from 'fs';
import * as path from 'path';

export interface TreeRow {
  level: number;
  /** true/false for collapsible rows, undefined for leaves */
  expanded: boolean | undefined;
  label: string;
  description: string;
  /** title of the view (pane) the row is in */
  view: string;
  selected: boolean;
  focused: boolean;
  ariaLabel: string;
}
export interface DialogInfo {
  message: string;
  detail: string;
  buttons: string[];
  checkbox?: string;
}
export interface NotificationItem {
  message: string;
  source: string;
  severity: 'error' | 'warning' | 'info';
  buttons: string[];
}
export interface QuickPickItemInfo {
  label: string;
  description: string;
  detail: string;
  separator: string;
  focused: boolean;
  checked: boolean | undefined;
}
export interface QuickInputState {
  visible: boolean;
  title: string;
  value: string;
  placeholder: string;
  /** validation / hint message under the box */
  message: string;
  items: QuickPickItemInfo[];
  /** Labels of the header's buttons, e.g. the OK of VS Code's simple file dialog (its openLabel). */
  buttons: string[];
}
export interface StatusBarItem {
  id: string;
  text: string;
  tooltip: string;
}
export interface Screenshot {
  file: string;
  /** innerText of the visible workbench parts and webviews when the picture was taken */
  text: string;
}
/** Options shared by every waiting action: how long the harness waits for the UI (ms, default 10000). */
export interface WaitOptions {
  timeoutMs?: number;
}

let seq = 0;
const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

/** True when the tests run under scripts/vscode-host/run.cjs (the bridge is available). */
export function uiBridgeAvailable(): boolean {
  return !!process.env.MENTOR_UI_BRIDGE_DIR;
}

/** Low-level: performs one bridge action and returns its result (or throws with the harness's error). */
export async function uiRequest<T>(action: string, args: object = {}): Promise<T> {
  const dir = process.env.MENTOR_UI_BRIDGE_DIR;
  if (!dir) {
    throw new Error(`ui.${action}: UI bridge unavailable (MENTOR_UI_BRIDGE_DIR not set); run the tests through scripts/vscode-host/run.cjs`);
  }
  const id = `${process.pid}-${Date.now().toString(36)}-${++seq}`;
  const file = path.join(dir, `${id}.json`);
  const { timeoutMs } = args as WaitOptions;
  const waitMs = (typeof timeoutMs === 'number' ? timeoutMs : 10000) + 20000;
  console.log('@@ui ' + JSON.stringify({ ...args, id, action }));
  const deadline = Date.now() + waitMs;
  for (;;) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      fs.rmSync(file, { force: true });
      const answer = JSON.parse(text) as { ok: boolean; result?: T; error?: string };
      if (answer.ok) return answer.result as T;
      throw new Error(`ui.${action}(${JSON.stringify(args)}) failed: ${answer.error}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`ui.${action}(${JSON.stringify(args)}): no answer from the harness within ${waitMs} ms`);
    }
    await sleep(40);
  }
}

export const ui = {
  /** Screenshot of the whole window to $SCREENSHOT_DIR/<name>.png (after `delayMs`, default 500), with the text
   *  on screen at that moment (workbench parts and visible webviews; also saved as <name>.txt). Assert on `text`. */
  screenshot: (name: string, opts: { delayMs?: number; fullPage?: boolean } = {}) => uiRequest<Screenshot>('screenshot', { name, ...opts }),

  /** The visible modal dialog (message, detail, button labels), or null. */
  dialogText: () => uiRequest<DialogInfo | null>('dialogText'),
  /** Waits for a modal dialog with a button `label` (exact, else case-insensitive, else substring), clicks it;
   *  returns the dialog's text and the clicked label. */
  clickDialogButton: (label: string, opts: WaitOptions = {}) =>
    uiRequest<DialogInfo & { clicked: string }>('clickDialogButton', { label, ...opts }),

  /** Visible tree rows of all views (optionally only views whose title contains `view`), top to bottom. */
  treeRows: (opts: { view?: string } = {}) => uiRequest<TreeRow[]>('treeRows', opts),
  /** Waits until a visible row labelled `label` exists (and, with `description`, whose description contains
   *  that text — use it to wait for a row to CHANGE); returns it. */
  waitForTreeRow: (label: string, opts: WaitOptions & { view?: string; description?: string } = {}) =>
    uiRequest<TreeRow>('waitForTreeRow', { label, ...opts }),
  /** Waits for a visible tree row labelled exactly `label`, checked every animation frame in the page; returns
   *  the page's Date.now() when it appeared (to time "visible" without the bridge's own polling delay). */
  treeRowVisibleAt: (label: string, opts: WaitOptions = {}) => uiRequest<number>('treeRowVisibleAt', { label, ...opts }),
  /** Clicks (button 'left'|'right', double) the visible tree row labelled `label`; returns the row as it was before the click. */
  clickTreeRow: (label: string, opts: WaitOptions & { view?: string; button?: 'left' | 'right'; double?: boolean } = {}) =>
    uiRequest<TreeRow>('clickTreeRow', { label, ...opts }),

  /** Messages of the notifications in the notification center and toasts. `open:true` opens the center
   *  first (smoke-test mode shows no toasts; or run the command `notifications.showList`). */
  notifications: (opts: { open?: boolean } = {}) => uiRequest<string[]>('notifications', opts),
  notificationItems: (opts: { open?: boolean } = {}) => uiRequest<NotificationItem[]>('notificationItems', opts),
  /** Waits for a notification whose message contains `text` (opens the center unless open:false). */
  waitForNotification: (text: string, opts: WaitOptions & { open?: boolean } = {}) =>
    uiRequest<NotificationItem>('waitForNotification', { text, ...opts }),

  /** Playwright key names, e.g. 'Escape', 'Enter', 'Control+Shift+P', or a list pressed in order. */
  pressKeys: (keys: string | string[]) => uiRequest<true>('pressKeys', { keys }),
  /** Types text into whatever has focus. */
  typeText: (text: string) => uiRequest<true>('typeText', { text }),

  /** Waits for the quick pick / input box; returns its visible items. */
  quickPickItems: (opts: WaitOptions = {}) => uiRequest<QuickPickItemInfo[]>('quickPickItems', opts),
  /** Waits for the quick input; returns title, value, placeholder, validation message and items. wait:false = no wait. */
  quickInput: (opts: WaitOptions & { wait?: boolean } = {}) => uiRequest<QuickInputState>('quickInput', opts),
  /** Clicks the visible quick pick item labelled `label` (exact, else case-insensitive, else substring). */
  selectQuickPick: (label: string, opts: WaitOptions = {}) => uiRequest<QuickPickItemInfo>('selectQuickPick', { label, ...opts }),
  /** Replaces the text of the quick input box; returns its state (incl. validation message) and presses Enter if submit. */
  fillQuickInput: (text: string, opts: WaitOptions & { submit?: boolean } = {}) =>
    uiRequest<QuickInputState>('fillQuickInput', { text, ...opts }),

  /** Clicks the quick input's header button labelled `label` (exact, else case-insensitive, else substring), e.g. a
   *  file dialog's OK; returns the clicked label. */
  clickQuickInputButton: (label: string, opts: WaitOptions = {}) => uiRequest<string>('clickQuickInputButton', { label, ...opts }),

  statusBarItems: () => uiRequest<StatusBarItem[]>('statusBarItems'),
  /** Labels of the open context menu (e.g. after clickTreeRow(label, {button:'right'})). */
  contextMenuItems: (opts: WaitOptions = {}) => uiRequest<string[]>('contextMenuItems', opts),
  selectContextMenu: (label: string, opts: WaitOptions = {}) => uiRequest<true>('selectContextMenu', { label, ...opts }),

  /** innerText of `selector` (default body) in the index-th visible webview; waits until it contains `contains`. */
  webviewText: (opts: WaitOptions & { selector?: string; contains?: string; index?: number } = {}) =>
    uiRequest<string>('webviewText', opts),
  /** Clicks an element (by CSS selector, or by visible text) inside the index-th visible webview. */
  webviewClick: (target: { selector?: string; text?: string; index?: number } & WaitOptions) => uiRequest<true>('webviewClick', target),

  /** Generic: click the first element matching selector (and containing text). */
  click: (selector: string, opts: WaitOptions & { text?: string; button?: 'left' | 'right' } = {}) =>
    uiRequest<true>('click', { selector, ...opts }),
  /** textContent of the first visible element matching selector (waits for it). */
  textContent: (selector: string, opts: WaitOptions = {}) => uiRequest<string>('textContent', { selector, ...opts }),
  /** Text CSS draws with ::before/::after (an editor decoration's after-line note) on visible elements matching
   *  `selector` (default: spans of the visible editors' lines), top to bottom, with the text of its editor line; no wait. */
  decorationTexts: (opts: { selector?: string } = {}) => uiRequest<{ text: string; line: string }[]>('decorationTexts', opts),
  waitFor: (selector: string, opts: WaitOptions & { state?: 'visible' | 'hidden' | 'attached' | 'detached' } = {}) =>
    uiRequest<true>('waitFor', { selector, ...opts }),
  /** The workbench page's title (a round trip through the page). */
  pageTitle: () => uiRequest<string>('pageTitle'),
};
