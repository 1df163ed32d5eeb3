// Service details: traffic split and revisions, with "Route 100%" per revision. Rendering only; every
// action is a typed request to the extension, which runs the same command as the explorer.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { PanelMessage, RevisionView, ServiceView } from '../../src/webview/protocol';
import { send } from './vscodeApi';
import { h } from './dom';

const app = document.getElementById('app')!;
const SHARE_COLORS = ['var(--vscode-charts-green)', 'var(--vscode-charts-blue)', 'var(--vscode-charts-purple)',
  'var(--vscode-charts-orange)', 'var(--vscode-charts-yellow)'];

window.addEventListener('message', (event: MessageEvent<PanelMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'show': return render(message.service, message.revisions);
    case 'busy': return setBusy(message.note);
    case 'error': return showError(message.message);
  }
});

function render(service: ServiceView, revisions: RevisionView[]): void {
  app.replaceChildren(
    h('header', { className: 'header' },
      h('h1', {}, service.id),
      h('vscode-badge', { variant: 'counter', className: `state ${service.state}` }, service.state),
      h('span', { className: 'where' }, `${service.project} · ${service.region}`),
      h('div', { id: 'busy', className: 'busy' }),
    ),
    service.stateMessage ? h('p', { className: 'error' }, service.stateMessage) : '',
    service.url
      ? h('p', {}, h('a', { href: service.url, onclick: (e: Event) => { e.preventDefault(); send({ type: 'openUrl', url: service.url! }); } }, service.url))
      : h('p', { className: 'muted' }, 'No URL yet'),
    h('h2', {}, 'Traffic'),
    trafficBar(service),
    h('h2', {}, `Revisions (${revisions.length})`),
    revisionTable(revisions),
    h('p', {}, h('vscode-button', { secondary: true, onclick: () => send({ type: 'refresh' }) }, 'Refresh')),
  );
}

function trafficBar(service: ServiceView): HTMLElement {
  const serving = service.traffic.filter((t) => t.percent > 0);
  return h('div', {},
    h('div', { className: 'bar', role: 'img', ariaLabel: serving.map((t) => `${t.revision} ${t.percent}%`).join(', ') },
      ...serving.map((t, i) => h('span', { style: `width:${t.percent}%;background:${SHARE_COLORS[i % SHARE_COLORS.length]}` }, `${t.percent}%`))),
    h('ul', { className: 'legend' }, ...service.traffic.map((t) =>
      h('li', {}, `${t.revision} — ${t.percent}%${t.latest ? ' (latest)' : ''}${t.tag ? ` · tag ${t.tag}` : ''}`,
        t.tagUrl ? h('span', { className: 'muted' }, ` ${t.tagUrl}`) : ''))),
  );
}

function revisionTable(revisions: RevisionView[]): HTMLElement {
  return h('vscode-table', { zebra: true, bordered: true, resizable: true, columns: ['34%', '18%', '16%', '14%', '18%'] },
    h('vscode-table-header', { slot: 'header' },
      ...['Revision', 'Traffic', 'Created', 'Status', ''].map((title) => h('vscode-table-header-cell', {}, title))),
    h('vscode-table-body', { slot: 'body' }, ...revisions.map((r) =>
      h('vscode-table-row', { className: r.serving ? 'serving' : '' },
        h('vscode-table-cell', { title: r.image ?? '' }, r.id),
        h('vscode-table-cell', {}, r.trafficLabel || '—'),
        h('vscode-table-cell', { title: r.created ?? '' }, r.createdAgo ?? ''),
        h('vscode-table-cell', { title: r.stateMessage ?? '' }, r.state),
        h('vscode-table-cell', {}, r.state === 'ready' && !r.trafficLabel.startsWith('100%')
          ? h('vscode-button', { onclick: () => send({ type: 'routeAllTraffic', revision: r.id }) }, 'Route 100%')
          : ''),
      ))),
  );
}

function setBusy(note: string | undefined): void {
  const busy = document.getElementById('busy');
  if (busy) busy.replaceChildren(...(note ? [h('vscode-progress-ring', {}), note] : []));
}

function showError(message: string): void {
  app.prepend(h('p', { className: 'error', role: 'alert' }, message));
}

const style = document.createElement('style');
style.textContent = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
  .header { display: flex; align-items: center; gap: 12px; }
  .where, .muted { color: var(--vscode-descriptionForeground); }
  .busy { display: flex; align-items: center; gap: 6px; }
  .error { color: var(--vscode-errorForeground); }
  .bar { display: flex; height: 22px; border-radius: 3px; overflow: hidden; max-width: 640px; }
  .bar span { color: var(--vscode-editor-background); font-size: 11px; line-height: 22px; text-align: center; overflow: hidden; }
  .legend { padding-left: 18px; }
  vscode-table-row.serving vscode-table-cell:first-child { font-weight: 600; }
`;
document.head.append(style);
send({ type: 'ready' });
