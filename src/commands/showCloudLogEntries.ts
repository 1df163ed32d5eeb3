// The "Show log entries" code action on a cloud diagnostic: the traceback's latest occurrences in a
// read-only document, and the service's tail channel revealed beside it.
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import { MentorCommand } from './context';

export const showCloudLogEntries: MentorCommand<[string]> = {
  id: 'mentor.showCloudLogEntries',
  async run(ctx, key) {
    const problem = ctx.cloudDiagnostics.problem(key);
    if (!problem) throw new UserFacingError('These cloud diagnostics were cleared.', 'notFound');
    if (problem.service) ctx.tails.showChannel(problem.service);
    const document = await vscode.workspace.openTextDocument(ctx.cloudDiagnostics.uriFor(problem));
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return document.uri.toString();
  },
};
