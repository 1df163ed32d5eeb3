// Reads the deploy target from the repository's settings (mentor.*), which can be committed.
import * as vscode from 'vscode';
import { suggestServiceId } from './core/cloudRunNames';
import { endpointNeedsTrust, MentorTarget } from './core/settings';
import { DeployConfig, deployConfigFromSettings } from './core/deployConfig';

/** Where the user's "trust this endpoint" answers live: this machine's extension state, never the repository. */
export const TRUSTED_ENDPOINTS_KEY = 'mentor.trustedApiEndpoints';

/** The target, with `untrustedEndpoint` set for a non-loopback endpoint that only the workspace asks for. */
export function readTarget(trustedEndpoints: readonly string[] = []): MentorTarget {
  const config = vscode.workspace.getConfiguration('mentor');
  const apiEndpoint = config.get<string>('apiEndpoint', '').trim();
  const inspected = config.inspect<string>('apiEndpoint');
  const fromWorkspace = [inspected?.workspaceFolderValue, inspected?.workspaceValue].some((v) => v !== undefined && v.trim() === apiEndpoint);
  const untrustedEndpoint = endpointNeedsTrust(apiEndpoint, fromWorkspace, trustedEndpoints);
  return {
    project: config.get<string>('project', '').trim(),
    region: config.get<string>('region', 'us-central1').trim(),
    apiEndpoint,
    ...(untrustedEndpoint ? { untrustedEndpoint } : {}),
  };
}

/** mentor.service, defaulting to the name of the folder Mentor works on, made into a valid service ID. */
export function readServiceName(): string {
  const configured = folderSettings().get<string>('service', '').trim();
  if (configured) return configured;
  return suggestServiceId(activeWorkspaceFolder()?.name ?? 'service');
}

/** mentor.* as they apply to the folder Mentor works on (a multi-root window has one set per folder). */
function folderSettings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('mentor', activeWorkspaceFolder()?.uri);
}

/** How "Run Container Locally" imitates Cloud Run (settings live in the repository). */
export interface LocalRunSettings {
  /** The port the app must listen on ($PORT). */
  port: number;
  /** mentor.healthPath when set; otherwise the check is chosen from the app. */
  healthPath?: string;
  memory: string;
  cpu: string;
  startupTimeoutSeconds: number;
  /** Workspace-relative .env file passed to the container; empty = ask. */
  envFile: string;
}

export function readLocalRunSettings(): LocalRunSettings {
  const config = folderSettings();
  // The same port, health path and limits the deploy uses: the local run imitates the deployed service.
  const { port, healthPath, memory, cpu } = readDeployConfig();
  return {
    port, healthPath, memory, cpu,
    startupTimeoutSeconds: config.get<number>('startupTimeoutSeconds', 60),
    envFile: config.get<string>('localEnvFile', '').trim(),
  };
}

/** The workspace folder Mentor works on: the only one, or the one holding the active editor's file. */
export function activeWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) || folders[0];
}

export function readDeployConfig(): DeployConfig {
  const config = folderSettings();
  return deployConfigFromSettings((key, fallback) => config.get(key, fallback), readServiceName(), (key) => {
    const value = config.inspect(key);
    return [value?.globalValue, value?.workspaceValue, value?.workspaceFolderValue,
      value?.globalLanguageValue, value?.workspaceLanguageValue, value?.workspaceFolderLanguageValue].some((v) => v !== undefined);
  });
}
