// The wizard's last step: its non-secret answers go to the folder's .vscode/settings.json, where a team can
// review and commit them (mentor.secrets holds references with pinned versions, never values).
import * as vscode from 'vscode';
import { SetupAnswers, serviceAccountEmail } from '../setup/setupContext';

/** Writes the answers that differ from what the folder says; returns the settings written. */
export async function writeSetupSettings(folder: vscode.WorkspaceFolder, answers: SetupAnswers): Promise<string[]> {
  if (!answers.project) throw new Error('Choose a project first.');
  const config = vscode.workspace.getConfiguration('mentor', folder.uri);
  const inspected = config.inspect<Record<string, string>>('secrets');
  const secrets = { ...(inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? {}), ...answers.secrets };
  const wanted: [string, unknown][] = [
    ['project', answers.project],
    ['region', answers.region],
    ['service', answers.service],
    ['repository', answers.repository],
    ['serviceAccount', serviceAccountEmail(answers)],
    ['secrets', secrets],
  ];
  const written: string[] = [];
  for (const [key, value] of wanted) {
    const current = config.inspect(key)?.workspaceFolderValue;
    if (JSON.stringify(current) === JSON.stringify(value)) continue;
    await config.update(key, value, vscode.ConfigurationTarget.WorkspaceFolder);
    written.push(`mentor.${key}`);
  }
  return written;
}
