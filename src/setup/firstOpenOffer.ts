// The first-open offer: in a folder that looks like a container app and has no mentor.project, Mentor asks
// once whether to set up Google Cloud. It runs after activate() has returned and is loaded on demand, so
// activation pays nothing for it. The answer lives in workspaceState (this machine, this workspace) and is
// honoured: "Don't Ask Again" never asks again here, "Not Now" (or closing the toast) waits a week.
import * as vscode from 'vscode';

export const OFFER_STATE_KEY = 'mentor.setupOffer';
export const SET_UP = 'Set Up…';
export const NOT_NOW = 'Not Now';
export const NEVER = "Don't Ask Again";
const SNOOZE_MS = 7 * 24 * 60 * 60 * 1000;

/** The files at a folder's top that make it a FastAPI/container app (the same list as package.json's workspaceContains events). */
export const APP_MARKERS = ['Dockerfile', 'requirements.txt', 'pyproject.toml', 'main.py'];

interface OfferState {
  answer: 'notNow' | 'never';
  at: number;
}

export async function offerSetupOnce(context: vscode.ExtensionContext, now = Date.now()): Promise<string | undefined> {
  const state = context.workspaceState.get<OfferState>(OFFER_STATE_KEY);
  await vscode.commands.executeCommand('setContext', 'mentor.setupDeclined', state?.answer === 'never');
  if (state?.answer === 'never' || (state?.answer === 'notNow' && now - state.at < SNOOZE_MS)) return undefined;
  const folder = await firstAppFolderWithoutProject();
  if (!folder) return undefined;
  // Recorded before asking: a window closed while the toast shows must not ask again at the next start.
  await context.workspaceState.update(OFFER_STATE_KEY, { answer: 'notNow', at: now } satisfies OfferState);
  const answer = await vscode.window.showInformationMessage(
    `Deploy ${folder.name} to Cloud Run? Mentor can set up Google Cloud for it: project, billing, APIs, a Docker repository, a runtime service account and secrets.`,
    SET_UP, NOT_NOW, NEVER);
  if (answer === NEVER) {
    await context.workspaceState.update(OFFER_STATE_KEY, { answer: 'never', at: now } satisfies OfferState);
    await vscode.commands.executeCommand('setContext', 'mentor.setupDeclined', true);
  } else if (answer === SET_UP) {
    await vscode.commands.executeCommand('mentor.setup');
  }
  return answer;
}

async function firstAppFolderWithoutProject(): Promise<vscode.WorkspaceFolder | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (vscode.workspace.getConfiguration('mentor', folder.uri).get<string>('project', '').trim()) continue;
    for (const marker of APP_MARKERS) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, marker));
        return folder;
      } catch {
        // not there; try the next marker
      }
    }
  }
  return undefined;
}
