// The continuous-deployment steps' CicdUi in VS Code: the diff editor and a modal question for cloudbuild.yaml,
// the browser for GitHub's pages, the progress notification while waiting, a password box for the Slack
// webhook URL (its value is returned to the step and nowhere else), and an untitled editor for the notifier config.
import * as vscode from 'vscode';
import { CicdUi, ReviewAnswer } from '../cicd/cicdContext';
import { slackWebhookProblem } from '../cicd/notificationSteps';
import { ProposedFiles } from '../local/proposedFiles';

export const WRITE_BUTTON = 'Write cloudbuild.yaml';
export const REPLACE_EDITED_BUTTON = "Replace with Mentor's Version";
export const KEEP_EDITED_BUTTON = 'Keep Mine';

export interface VscodeCicdUiDeps {
  folder: vscode.WorkspaceFolder;
  proposals: ProposedFiles;
  log: vscode.LogOutputChannel;
  /** The progress notification's message line. */
  report(message: string): void;
}

export function vscodeCicdUi(deps: VscodeCicdUiDeps): CicdUi {
  return {
    async reviewFile(path, current, proposal, edited): Promise<ReviewAnswer> {
      const right = deps.proposals.propose(path, proposal);
      const left = current === undefined ? deps.proposals.propose(`(no file yet)/${path}`, '') : vscode.Uri.joinPath(deps.folder.uri, path);
      const title = `${path}: ${current === undefined ? 'no file yet' : edited ? 'yours' : 'current'} ↔ Mentor's proposal`;
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
      if (edited) {
        const choice = await vscode.window.showWarningMessage(`You edited ${path} since Mentor generated it (or Mentor did not write it).`,
          { modal: true, detail: `The diff shows your file (left) and Mentor's version for the current settings (right). Your file stays as it is unless you replace it.` },
          REPLACE_EDITED_BUTTON, KEEP_EDITED_BUTTON);
        return choice === REPLACE_EDITED_BUTTON ? 'write' : 'keep';
      }
      const choice = await vscode.window.showInformationMessage(current === undefined ? `Write ${path}?` : `Update ${path} for the current settings?`,
        { modal: true, detail: current === undefined
          ? 'The diff shows the proposed file: build and push the image, then deploy it with the health-gated rollout. Commit and push it to deploy on every push.'
          : 'The file is unchanged since Mentor generated it; the diff shows what the current settings change.' },
        WRITE_BUTTON);
      return choice === WRITE_BUTTON ? 'write' : 'keep';
    },
    async openBrowser(uri) {
      deps.log.info(`Continuous deployment: opening ${uri} in the browser`);
      // Not awaited: a browser that asks first must not hold up the polling that notices the user is done.
      void vscode.env.openExternal(vscode.Uri.parse(uri, true));
    },
    waiting(note) {
      deps.report(note);
    },
    async askSlackWebhook() {
      const value = await vscode.window.showInputBox({
        title: 'Slack notifications for builds (optional)',
        prompt: "Paste a Slack incoming-webhook URL to post each build's result to a channel. It is kept only in Secret Manager. Escape skips this.",
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'https://hooks.slack.com/services/…',
        validateInput: (v) => (v.trim() ? slackWebhookProblem(v) : undefined),
      });
      return value?.trim() || undefined;
    },
    async showNotifierConfig(text) {
      // A read-only proposal, not a file: the config names the secret, never its value, but whether to keep it
      // in the repository (Save As…) is the user's choice, and closing it never asks to save.
      await vscode.window.showTextDocument(deps.proposals.propose('slack-notifier.yaml', text), { preview: false });
    },
  };
}
