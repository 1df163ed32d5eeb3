// Run Locally with the same secrets as Cloud Run: the values mentor.secrets references, read from Secret
// Manager with the user's credentials at container start and handed over in memory (core/memoryEnv) —
// never in a file, a setting, Docker's container config or a log. mentor.localSecrets says whether to:
// "ask" (default: a quick pick each run, with "Always" / "Never" saved to the folder's settings),
// "secretManager", or "none".
import * as vscode from 'vscode';
import type { SecretRef } from '../core/deployConfig';
import { UserCancelledError } from '../core/errors';
import type { LogOutputChannel } from 'vscode';
import { readDeployConfig, readTarget, TRUSTED_ENDPOINTS_KEY } from '../workspaceSettings';

export type LocalSecretsMode = 'ask' | 'secretManager' | 'none';

export const READ_ONCE = 'Read from Secret Manager';
export const READ_ALWAYS = 'Always Read from Secret Manager';
export const WITHOUT = 'Run Without Them';
export const NEVER = 'Never for Local Runs';

/** The values for the local container's memory env, or {} when the user runs without them. */
export async function localSecretValues(extension: vscode.ExtensionContext, folder: vscode.WorkspaceFolder, log: LogOutputChannel,
  exclude: ReadonlySet<string>): Promise<Record<string, string>> {
  const refs: Record<string, SecretRef> = Object.fromEntries(Object.entries(readDeployConfig().secrets).filter(([name]) => !exclude.has(name)));
  const names = Object.keys(refs);
  if (!names.length) return {};
  const settings = vscode.workspace.getConfiguration('mentor', folder.uri);
  let mode = settings.get<LocalSecretsMode>('localSecrets', 'ask');
  if (mode === 'ask') mode = await ask(settings, names);
  if (mode === 'none') return {};
  const target = readTarget(extension.globalState.get<string[]>(TRUSTED_ENDPOINTS_KEY, []));
  const { readSecretValues } = await import('../gcp/secretValuesClient');
  const values = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${names.length} secrets from Secret Manager…` },
    () => readSecretValues(target, refs));
  log.info(`Local container: ${names.join(', ')} from Secret Manager, passed in memory (values not logged or stored).`);
  return values;
}

async function ask(settings: vscode.WorkspaceConfiguration, names: string[]): Promise<'secretManager' | 'none'> {
  const list = names.join(', ');
  const items: (vscode.QuickPickItem & { mode: 'secretManager' | 'none'; save?: boolean })[] = [
    { label: READ_ONCE, mode: 'secretManager', detail: `${list} with your Google credentials, handed to the container in memory: never written to disk or Docker's config` },
    { label: READ_ALWAYS, mode: 'secretManager', save: true, description: 'mentor.localSecrets: secretManager' },
    { label: WITHOUT, mode: 'none', detail: 'The app starts without these variables (or with those your .env file sets)' },
    { label: NEVER, mode: 'none', save: true, description: 'mentor.localSecrets: none' },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `The app reads ${list} from Secret Manager on Cloud Run. Locally?`, ignoreFocusOut: true });
  if (!picked) throw new UserCancelledError();
  if (picked.save) await settings.update('localSecrets', picked.mode, vscode.ConfigurationTarget.WorkspaceFolder);
  return picked.mode;
}
