// Reads the deploy target from the repository's settings (mentor.*), which can be committed.
import * as vscode from 'vscode';
import { suggestServiceId } from './core/cloudRunNames';
import { MentorTarget } from './core/settings';

export function readTarget(): MentorTarget {
  const config = vscode.workspace.getConfiguration('mentor');
  return {
    project: config.get<string>('project', '').trim(),
    region: config.get<string>('region', 'us-central1').trim(),
    apiEndpoint: config.get<string>('apiEndpoint', '').trim(),
  };
}

/** mentor.service, defaulting to the first workspace folder's name made into a valid service ID. */
export function readServiceName(): string {
  const configured = vscode.workspace.getConfiguration('mentor').get<string>('service', '').trim();
  if (configured) return configured;
  return suggestServiceId(vscode.workspace.workspaceFolders?.[0]?.name ?? 'service');
}
