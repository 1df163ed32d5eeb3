// One card per setup step: its state, what it found, what it will create, the fix, and the gcloud command.
import type { StepView } from '../../../src/webview/setupProtocol';
import { h } from '../dom';
import { send } from './host';

const STATE_LABELS: Record<StepView['state'], string> = {
  pending: 'Waiting', checking: 'Checking…', working: 'Working…', done: 'Done', missing: 'Will create', needsAction: 'Needs action', failed: 'Failed',
};

export function stepCard(step: StepView, extra?: HTMLElement): HTMLElement {
  return h('section', { className: `step ${step.state}`, id: `step-${step.id}`, 'data-state': step.state },
    h('h3', {}, h('span', { className: 'state' }, STATE_LABELS[step.state]), ' ', step.title),
    step.summary ? h('p', { className: 'summary' }, step.summary) : '',
    step.note && (step.state === 'working' || step.state === 'checking') ? h('p', { className: 'note' }, h('vscode-progress-ring', {}), step.note) : '',
    step.willCreate ? h('p', { className: 'will-create' }, `Will create: ${step.willCreate}`) : '',
    step.fix ? h('p', { className: 'fix' }, `Fix: ${step.fix}`) : '',
    extra ?? '',
    h('details', {},
      h('summary', {}, 'Equivalent gcloud command'),
      h('pre', { className: 'gcloud' }, step.gcloud),
      h('vscode-button', { secondary: true, className: 'copy', onclick: () => send({ type: 'copy', text: step.gcloud }) }, 'Copy')),
  );
}
