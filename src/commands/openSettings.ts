import * as vscode from 'vscode';
import { MentorCommand } from './context';

export const openSettings: MentorCommand<[string?]> = {
  id: 'mentor.openSettings',
  async run(_ctx, setting) {
    // Workspace settings: Mentor's configuration belongs in the repository, where it can be committed.
    await vscode.commands.executeCommand('workbench.action.openWorkspaceSettings', { query: setting ?? 'mentor.' });
  },
};
