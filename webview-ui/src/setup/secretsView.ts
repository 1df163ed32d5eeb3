// One row per environment variable the app reads: save a value (password field, or a file picked by the
// host, so a credentials JSON never passes through this page) or mark it "Not a Secret". A typed value is
// sent once and the field is cleared; nothing here keeps it.
import type { AnswersView, EnvVarView } from '../../../src/webview/setupProtocol';
import { h } from '../dom';
import { send } from './host';

type TextField = HTMLElement & { value: string };

export function secretsSection(envVars: EnvVarView[]): { element: HTMLElement; update(answers: AnswersView): void; result(name: string, ok: boolean, message: string): void } {
  const rows = new Map<string, { status: HTMLElement; outcome: HTMLElement }>();
  const element = h('div', { id: 'secrets', className: 'secrets' },
    ...(envVars.length ? [] : [h('p', { className: 'muted' }, 'The app reads no environment variables Mentor can see.')]),
    ...envVars.map((v) => {
      const secretId = h('vscode-textfield', { className: 'secret-id', value: v.name, ariaLabel: `Secret name for ${v.name}` }) as TextField;
      const value = h('vscode-textfield', { type: 'password', className: 'secret-value', placeholder: 'value', ariaLabel: `Value of ${v.name}` }) as TextField;
      const status = h('span', { className: 'ref' });
      const outcome = h('p', { className: 'outcome' });
      rows.set(v.name, { status, outcome });
      return h('div', { className: 'secret', 'data-env': v.name },
        h('div', { className: 'row' }, h('strong', {}, v.name), status, h('span', { className: 'muted' }, ` read in ${v.foundIn.slice(0, 3).join(', ')}`)),
        h('div', { className: 'row' }, secretId, value,
          h('vscode-button', { className: 'save-secret', onclick: () => {
            send({ type: 'saveSecret', name: v.name, secretId: secretId.value, value: value.value });
            value.value = '';
          } }, 'Save Secret'),
          h('vscode-button', { secondary: true, className: 'secret-file', onclick: () => send({ type: 'saveSecretFromFile', name: v.name, secretId: secretId.value }) }, 'From File…'),
          h('vscode-button', { secondary: true, className: 'not-secret', onclick: () => send({ type: 'notSecret', name: v.name }) }, 'Not a Secret')),
        outcome);
    }));
  return {
    element,
    update(answers) {
      for (const [name, row] of rows) {
        const ref = answers.secrets[name];
        row.status.textContent = ref ? ` → ${ref}` : answers.notSecrets.includes(name) ? ' (not a secret)' : ' (no secret yet)';
      }
    },
    result(name, ok, message) {
      const row = rows.get(name);
      if (!row) return;
      row.outcome.textContent = message;
      row.outcome.className = `outcome ${ok ? 'ok' : 'error'}`;
    },
  };
}
