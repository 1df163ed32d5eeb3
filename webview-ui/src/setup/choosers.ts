// The choices a step needs from the user: a project (search as you type, paginated, or a new one) and a
// billing account to link. Built once; the host's answers update them.
import type { ProjectView } from '../../../src/webview/setupProtocol';
import { h } from '../dom';
import { send } from './host';

type TextField = HTMLElement & { value: string };

export function projectChooser(): { element: HTMLElement; showProjects(projects: ProjectView[], append: boolean, nextPageToken?: string): void } {
  const search = h('vscode-textfield', { id: 'project-search', placeholder: 'Search your projects by ID or name' }) as TextField;
  const results = h('div', { id: 'project-results', className: 'results' });
  const more = h('div', {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  let query = '';
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = search.value; send({ type: 'searchProjects', query }); }, 250);
  });
  const newId = h('vscode-textfield', { id: 'new-project-id', placeholder: 'new-project-id' }) as TextField;
  const newName = h('vscode-textfield', { id: 'new-project-name', placeholder: 'Display name' }) as TextField;
  const element = h('div', { className: 'chooser' },
    search, results, more,
    h('p', { className: 'or' }, 'or create a new project:'),
    h('div', { className: 'row' }, newId, newName,
      h('vscode-button', { id: 'new-project', onclick: () => send({ type: 'newProject', projectId: newId.value.trim(), displayName: newName.value.trim() }) }, 'Use New Project')),
  );
  send({ type: 'searchProjects', query: '' });
  return {
    element,
    showProjects(projects, append, nextPageToken) {
      const rows = projects.map((p) => h('vscode-button', { secondary: true, className: 'project', 'data-project': p.projectId,
        onclick: () => send({ type: 'chooseProject', projectId: p.projectId }) }, `${p.displayName || p.projectId} (${p.projectId})`));
      if (append) results.append(...rows);
      else results.replaceChildren(...(rows.length ? rows : [h('p', { className: 'muted' }, 'No project matches.')]));
      more.replaceChildren(nextPageToken
        ? h('vscode-button', { secondary: true, id: 'more-projects', onclick: () => send({ type: 'searchProjects', query, pageToken: nextPageToken }) }, 'More…')
        : '');
    },
  };
}

export function billingChooser(): { element: HTMLElement; showAccounts(accounts: { name: string; displayName: string; open: boolean }[]): void } {
  const list = h('div', { id: 'billing-accounts', className: 'results' });
  const element = h('div', { className: 'chooser' },
    h('vscode-button', { secondary: true, id: 'list-billing', onclick: () => send({ type: 'listBillingAccounts' }) }, 'Show My Billing Accounts'), list);
  return {
    element,
    showAccounts(accounts) {
      const open = accounts.filter((a) => a.open);
      list.replaceChildren(...(open.length ? open.map((a) => h('vscode-button', { secondary: true, className: 'billing-account', 'data-account': a.name,
        onclick: () => send({ type: 'chooseBilling', account: a.name }) }, `Link ${a.displayName} (${a.name.split('/').pop()})`))
        : [h('p', { className: 'muted' }, 'You have no open billing account.')]));
    },
  };
}
