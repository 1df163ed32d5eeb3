// The choices a step needs from the user: a project (search as you type, paginated, or a new one) and a
// billing account to link. Built once, so what was typed survives re-rendering; the host's answers update
// them. Once a choice is made the chooser folds away to that choice and a "Change…" button, which opens it
// again as it was left (search text, results); a step that still needs a choice shows its chooser open.
import type { AnswersView, SetupMessage, StepView } from '../../../src/webview/setupProtocol';
import { h } from '../dom';
import { send } from './host';
import { ProjectSearch } from './projectSearch';

type TextField = HTMLElement & { value: string };
type ProjectsMessage = Extract<SetupMessage, { type: 'projects' }>;

/** A chooser that folds to its choice: `sync` decides open or folded from the answers and the step. */
function foldingChooser(id: string, body: HTMLElement, onOpen: () => void) {
  const choice = h('span', { className: 'choice-text' });
  let reopened = false;
  let lastChoice: string | undefined;
  const folded = h('div', { className: 'row choice', id: `${id}-choice` }, choice,
    h('vscode-button', { secondary: true, id: `change-${id}`, onclick: () => { reopened = true; show(true); onOpen(); } }, 'Change…'));
  const element = h('div', { className: 'chooser', id: `${id}-chooser` }, folded, body);
  const show = (open: boolean) => {
    body.hidden = !open;
    folded.hidden = open;
    element.dataset.open = String(open);
  };
  return {
    element,
    /** A pick in the chooser: fold it now (the host's answer brings the new choice's label). */
    picked() {
      reopened = false;
      show(!lastChoice);
    },
    /** `chosen` is the choice's label (undefined: none yet); `needsChoice` keeps the chooser open whatever was chosen. */
    sync(chosen: string | undefined, needsChoice: boolean) {
      if (chosen !== lastChoice) reopened = false; // a new choice folds the chooser again
      lastChoice = chosen;
      choice.textContent = chosen ?? '';
      show(reopened || !chosen || needsChoice);
    },
  };
}

export function projectChooser(): { element: HTMLElement; showProjects(message: ProjectsMessage): void; sync(answers: AnswersView | undefined, step: StepView): void } {
  const requests = new ProjectSearch();
  const search = h('vscode-textfield', { id: 'project-search', placeholder: 'Search your projects by ID or name' }) as TextField;
  const results = h('div', { id: 'project-results', className: 'results' });
  const more = h('div', { id: 'project-more' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    more.replaceChildren(); // the next page of what is on screen no longer follows what is typed
    timer = setTimeout(() => send(requests.search(search.value)), 250);
  });
  const newId = h('vscode-textfield', { id: 'new-project-id', placeholder: 'new-project-id' }) as TextField;
  const newName = h('vscode-textfield', { id: 'new-project-name', placeholder: 'Display name' }) as TextField;
  const body = h('div', {},
    search, results, more,
    h('p', { className: 'or' }, 'or create a new project:'),
    h('div', { className: 'row' }, newId, newName,
      h('vscode-button', { id: 'new-project', onclick: () => send({ type: 'newProject', projectId: newId.value.trim(), displayName: newName.value.trim() }) }, 'Use New Project')),
  );
  const chooser = foldingChooser('project', body, () => search.focus());
  send(requests.search(''));
  return {
    element: chooser.element,
    showProjects(message) {
      const answer = requests.accept(message);
      if (!answer) return;
      const rows = answer.projects.map((p) => h('vscode-button', { secondary: true, className: 'project', 'data-project': p.projectId,
        onclick: () => { chooser.picked(); send({ type: 'chooseProject', projectId: p.projectId }); } }, `${p.displayName || p.projectId} (${p.projectId})`));
      if (answer.append) results.append(...rows);
      else {
        results.replaceChildren(...(rows.length ? rows
          : [h('p', { className: 'muted', id: 'no-project' }, answer.query.trim() ? `No project matches "${answer.query.trim()}".` : 'You have no project yet: create one below.')]));
      }
      more.replaceChildren(answer.nextPageToken
        ? h('vscode-button', { secondary: true, id: 'more-projects', onclick: () => { const next = requests.more(); if (next) send(next); } }, 'More…')
        : '');
    },
    sync(answers, step) {
      const fresh = answers?.newProject?.projectId === answers?.project ? answers?.newProject : undefined;
      const chosen = fresh ? `New project ${fresh.projectId} ("${fresh.displayName}")` : answers?.project;
      chooser.sync(chosen, step.state === 'needsAction');
    },
  };
}

export function billingChooser(): { element: HTMLElement; showAccounts(accounts: { name: string; displayName: string; open: boolean }[]): void; sync(answers: AnswersView | undefined, step: StepView): void } {
  const list = h('div', { id: 'billing-accounts', className: 'results' });
  const names = new Map<string, string>();
  const body = h('div', {},
    h('vscode-button', { secondary: true, id: 'list-billing', onclick: () => send({ type: 'listBillingAccounts' }) }, 'Show My Billing Accounts'), list);
  const chooser = foldingChooser('billing', body, () => undefined);
  return {
    element: chooser.element,
    showAccounts(accounts) {
      const open = accounts.filter((a) => a.open);
      for (const a of open) names.set(a.name, a.displayName);
      list.replaceChildren(...(open.length ? open.map((a) => h('vscode-button', { secondary: true, className: 'billing-account', 'data-account': a.name,
        onclick: () => { chooser.picked(); send({ type: 'chooseBilling', account: a.name }); } }, `Link ${a.displayName} (${a.name.split('/').pop()})`))
        : [h('p', { className: 'muted' }, 'You have no open billing account.')]));
    },
    sync(answers, step) {
      const account = answers?.billingAccount;
      chooser.sync(account ? `Link to ${names.get(account) ?? account.split('/').pop()}` : undefined, step.state === 'needsAction');
    },
  };
}
