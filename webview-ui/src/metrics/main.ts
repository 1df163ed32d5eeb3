// The metrics panel: range and revision pickers, a canary comparison during a rollout, the per-revision
// summary (numbers a person — and a test — can read), and the charts. Rendering only; the extension runs
// the queries and every action is a typed request.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import 'uplot/dist/uPlot.min.css';
import type { MetricRange } from '../../../src/core/metricQueries';
import { RANGE_CHOICES, type CanaryView, type MetricsMessage, type MetricsView, type RevisionRowView } from '../../../src/webview/metricsProtocol';
import { h } from '../dom';
import { chartSection, clearCharts } from './charts';
import { send } from './host';
import { METRICS_STYLE } from './style';

const app = document.getElementById('app')!;
let current: MetricsView | undefined;

window.addEventListener('message', (event: MessageEvent<MetricsMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'show': return render(message.view);
    case 'loading': return setStatus(message.note);
    case 'error': return showError(message.message, message.actions);
  }
});

function render(view: MetricsView): void {
  const started = performance.now();
  current = view;
  clearCharts();
  // Two charts side by side on a wide panel, one on a narrow one; uPlot needs pixel sizes up front.
  const columns = app.clientWidth >= 760 ? 2 : 1;
  const width = Math.max(280, Math.floor((app.clientWidth - 24 * (columns - 1)) / columns) - 4);
  const where = view.revision ?? 'all revisions';
  app.replaceChildren(
    h('header', { className: 'header' },
      h('h1', {}, view.service),
      h('span', { className: 'muted' }, `${view.project} · ${view.region}`),
      h('span', { id: 'scope', className: 'scope', 'data-revision': view.revision ?? '', 'data-range': view.range },
        `${where} · last ${RANGE_CHOICES.find((c) => c.range === view.range)?.label}`),
      h('span', { id: 'as-of', className: 'as-of', 'data-as-of': view.asOf }, view.asOf),
      h('div', { id: 'status', className: 'status' }),
    ),
    toolbar(view),
    view.canary ? canary(view.canary) : '',
    view.empty
      ? h('p', { id: 'empty', className: 'empty', 'data-state': 'empty' },
        `No metrics for ${view.service} (${where}) in the last ${RANGE_CHOICES.find((c) => c.range === view.range)?.label}. ` +
        'Cloud Run writes a point per minute once requests arrive; Cloud Monitoring shows it about 2 minutes later.')
      : '',
    h('h2', {}, 'Revisions'),
    summaryTable(view.summary),
    view.empty ? '' : h('div', { className: 'charts', style: `grid-template-columns: repeat(${columns}, ${width}px)` },
      ...view.charts.map((c) => chartSection(c, width))),
  );
  send({ type: 'painted', ms: performance.now() - started });
}

function select(id: string, value: string, options: { value: string; label: string }[], onChange: (value: string) => void): HTMLElement {
  const element = h('vscode-single-select', { id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
    ...options.map((o) => h('vscode-option', { value: o.value, ...(o.value === value ? { selected: true } : {}) }, o.label)));
  return element;
}

function toolbar(view: MetricsView): HTMLElement {
  return h('div', { className: 'toolbar' },
    h('label', {}, 'Range ', select('range', view.range, RANGE_CHOICES.map((c) => ({ value: c.range, label: c.label })),
      (range) => send({ type: 'setRange', range: range as MetricRange }))),
    h('label', {}, 'Revision ', select('revision', view.revision ?? '', [{ value: '', label: 'All revisions' }, ...view.revisions.map((r) => ({ value: r, label: r }))],
      (revision) => send({ type: 'setRevision', revision: revision || undefined }))),
    h('vscode-button', { id: 'refresh', secondary: true, onclick: () => send({ type: 'refresh' }) }, 'Refresh'),
  );
}

const cell = (metric: string, text: string | number) => h('vscode-table-cell', { 'data-metric': metric }, String(text));

function summaryTable(rows: RevisionRowView[]): HTMLElement {
  return h('vscode-table', { id: 'summary', zebra: true, bordered: true, columns: ['36%', '14%', '12%', '12%', '12%', '14%'] },
    h('vscode-table-header', { slot: 'header' },
      ...['Revision', 'Traffic', 'Requests', '5xx', '5xx ratio', 'p95'].map((t) => h('vscode-table-header-cell', {}, t))),
    h('vscode-table-body', { slot: 'body' }, ...rows.map((r) =>
      h('vscode-table-row', { className: 'revision-row', 'data-revision': r.revision, 'data-requests': String(r.requests),
        'data-errors': String(r.errors), 'data-p95-ms': r.p95Ms === undefined ? '' : String(r.p95Ms) },
      cell('revision', r.revision), cell('traffic', r.trafficLabel || '—'), cell('requests', r.requests), cell('errors', r.errors),
      cell('errorRatio', r.errorRatioText), cell('p95', r.p95Text)))),
  );
}

function canary(c: CanaryView): HTMLElement {
  const side = (role: string, r: RevisionRowView) => h('div', { className: `side ${role}`, 'data-role': role, 'data-revision': r.revision },
    h('h3', {}, `${role === 'candidate' ? 'Candidate' : 'Serving'}: ${r.revision}`),
    h('div', { className: 'big' }, h('span', { 'data-metric': 'errorRatio' }, r.errorRatioText), h('span', { className: 'muted' }, ' 5xx')),
    h('div', { className: 'big' }, h('span', { 'data-metric': 'p95' }, r.p95Text), h('span', { className: 'muted' }, ' p95')),
    h('div', { className: 'muted' }, `${r.requests} requests · ${r.trafficLabel || '0%'}`));
  return h('section', { id: 'canary', className: 'canary', 'data-candidate': c.candidate.revision, 'data-serving': c.serving.revision },
    h('h2', {}, `Rollout: ${c.candidatePercent}% to the candidate`),
    h('div', { className: 'sides' }, side('candidate', c.candidate), side('serving', c.serving)),
    h('div', { className: 'actions' },
      h('vscode-button', { id: 'promote', onclick: () => send({ type: 'promote' }) }, `Promote ${c.candidate.revision}`),
      h('vscode-button', { id: 'roll-back', secondary: true, onclick: () => send({ type: 'rollBack' }) }, `Roll back to ${c.serving.revision}`)),
    c.rolloutRunning ? h('p', { className: 'muted' }, 'A deploy in this window is rolling out: the buttons steer it (Roll back restores the split it started from).') : '');
}

function setStatus(note: string | undefined): void {
  const status = document.getElementById('status');
  if (status) status.replaceChildren(...(note ? [h('vscode-progress-ring', {}), note] : []));
}

function showError(message: string, actions: string[]): void {
  document.getElementById('error')?.remove();
  setStatus(undefined);
  const box = h('div', { id: 'error', className: 'error', role: 'alert', 'data-state': 'error' }, h('p', {}, message),
    h('div', { className: 'actions' }, ...actions.map((label, index) =>
      h('vscode-button', { secondary: index > 0, onclick: () => send({ type: 'errorAction', index }) }, label))));
  if (current) app.prepend(box);
  else app.replaceChildren(box);
}

const style = document.createElement('style');
style.textContent = METRICS_STYLE;
document.head.append(style);
send({ type: 'ready' });
