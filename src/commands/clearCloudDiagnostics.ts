import * as vscode from 'vscode';
import { MentorCommand } from './context';

export const clearCloudDiagnostics: MentorCommand = {
  id: 'mentor.clearCloudDiagnostics',
  run(ctx) {
    const removed = ctx.cloudDiagnostics.clear();
    void vscode.window.setStatusBarMessage(`Cleared ${removed} cloud diagnostic${removed === 1 ? '' : 's'}`, 4000);
    return removed;
  },
};
