// First-time Google Cloud setup: the steps with their state, the choices they need, the app's secrets, and
// Finish (writes the folder's settings) → Deploy Now. Rendering only: every action is a typed request.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { AnswersView, SetupMessage, StepView } from '../../../src/webview/setupProtocol';
import { h } from '../dom';
import { billingChooser, projectChooser } from './choosers';
import { send } from './host';
import { secretsSection } from './secretsView';
import { stepCard } from './stepsView';
import { WIZARD_STYLE } from './style';

type TextField = HTMLElement & { value: string };

const app = document.getElementById('app')!;
const steps = new Map<string, StepView>();
let answers: AnswersView | undefined;
let projects: ReturnType<typeof projectChooser> | undefined;
let billing: ReturnType<typeof billingChooser> | undefined;
let secrets: ReturnType<typeof secretsSection> | undefined;
const stepsBox = h('div', { id: 'steps' });
const busy = h('span', { id: 'busy', className: 'busy' });
const banner = h('div', { id: 'banner' });
const finished = h('div', { id: 'finished' });

window.addEventListener('message', (event: MessageEvent<SetupMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      answers = message.answers;
      for (const step of message.steps) steps.set(step.id, step);
      return renderPage(message.folder, message.emulator, message.envVars);
    case 'step':
      steps.set(message.step.id, message.step);
      return renderSteps();
    case 'answers':
      answers = message.answers;
      secrets?.update(message.answers);
      return renderSteps();
    case 'projects':
      return projects?.showProjects(message);
    case 'billingAccounts':
      return billing?.showAccounts(message.accounts);
    case 'busy':
      busy.replaceChildren(...(message.busy ? [h('vscode-progress-ring', {}), 'Working…'] : []));
      // How many runs have finished: lets a test (or a screen reader user) tell a new result from the last one.
      if (!message.busy) busy.dataset.runs = String(Number(busy.dataset.runs ?? 0) + 1);
      return;
    case 'secretResult':
      return secrets?.result(message.name, message.ok, message.message);
    case 'finished':
      finished.replaceChildren(
        h('p', { className: 'ok' }, message.written.length
          ? `Wrote ${message.written.join(', ')} to ${message.settingsFile}.`
          : `${message.settingsFile} already holds these answers.`),
        h('div', { className: 'row actions' },
          h('vscode-button', { id: 'deploy-now', onclick: () => send({ type: 'deployNow' }) }, 'Deploy Now'),
          h('vscode-button', { secondary: true, id: 'set-up-cd', onclick: () => send({ type: 'setUpContinuousDeployment' }) },
            'Set Up Continuous Deployment')),
        h('p', { className: 'muted' }, 'Continuous deployment: cloudbuild.yaml and a Cloud Build trigger, so every push to main deploys with the same health-gated rollout.'));
      return;
    case 'error':
      banner.replaceChildren(h('p', { className: 'error', role: 'alert' }, message.message));
      return;
  }
});

function renderPage(folder: string, emulator: string | undefined, envVars: Parameters<typeof secretsSection>[0]): void {
  projects = projectChooser();
  billing = billingChooser();
  secrets = secretsSection(envVars);
  if (answers) secrets.update(answers);
  app.replaceChildren(
    h('header', { className: 'header' }, h('h1', {}, `Set up Google Cloud for ${folder}`),
      emulator ? h('vscode-badge', {}, `emulator ${emulator}`) : '', busy),
    h('p', { className: 'muted' }, 'Each step checks what exists, creates only what is missing, and checks again. Running it twice changes nothing.'),
    banner,
    settingsForm(),
    h('div', { className: 'row actions' },
      h('vscode-button', { id: 'run-setup', onclick: () => { banner.replaceChildren(); send({ type: 'run' }); } }, 'Set Up'),
      h('vscode-button', { secondary: true, id: 'check-again', onclick: () => send({ type: 'check' }) }, 'Check Again')),
    stepsBox,
    h('div', { className: 'row actions' }, h('vscode-button', { id: 'finish', onclick: () => send({ type: 'finish' }) }, 'Finish: Write Settings')),
    finished,
  );
  renderSteps();
}

function settingsForm(): HTMLElement {
  const field = (id: string, label: string, value: string) => h('label', { className: 'field' }, label,
    h('vscode-textfield', { id, value }));
  const a = answers!;
  const form = h('div', { className: 'row form' },
    field('answer-region', 'Region', a.region), field('answer-service', 'Service', a.service),
    field('answer-repository', 'Repository', a.repository), field('answer-service-account', 'Runtime service account ID', a.serviceAccountId),
    h('vscode-button', { secondary: true, id: 'apply-answers', onclick: () => {
      const value = (id: string) => (document.getElementById(id) as TextField).value;
      send({ type: 'setAnswers', region: value('answer-region'), service: value('answer-service'), repository: value('answer-repository'),
        serviceAccountId: value('answer-service-account') });
    } }, 'Apply'));
  return form;
}

function renderSteps(): void {
  stepsBox.replaceChildren(...[...steps.values()].map((step) => {
    // The choosers are built once and moved, so what the user typed in them survives re-rendering.
    if (step.id === 'project') {
      projects?.sync(answers, step);
      return stepCard(step, projects?.element);
    }
    // Billing needs a choice only until the project is billed; a pick waiting for Set Up shows, folded, with Change….
    if (step.id === 'billing' && (step.state === 'needsAction' || (answers?.billingAccount && step.state !== 'done'))) {
      billing?.sync(answers, step);
      return stepCard(step, billing?.element);
    }
    if (step.id === 'secrets') return stepCard(step, secrets?.element);
    return stepCard(step);
  }));
}

const style = document.createElement('style');
style.textContent = WIZARD_STYLE;
document.head.append(style);
send({ type: 'ready' });
