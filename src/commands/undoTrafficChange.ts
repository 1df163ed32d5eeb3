// Restores the split a service had before Mentor's last traffic change.
import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import { restoreSplit } from '../core/traffic';
import { MentorCommand } from './context';
import { pickService } from './pickers';

export const undoTrafficChange: MentorCommand<[string?]> = {
  id: 'mentor.undoTrafficChange',
  async run(ctx, serviceName) {
    const name = serviceName ?? (await pickService(ctx, 'Undo the last traffic change of which service?')).name;
    const previous = ctx.previousTraffic.get(name);
    if (!previous) {
      throw new UserFacingError(`Mentor has not changed the traffic of ${name.split('/').pop()} in this session.`, 'invalidArgument');
    }
    const plan = restoreSplit(previous);
    const api = await ctx.connection.api();
    ctx.explorer.setBusy(name, 'Restoring traffic…');
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Restoring the previous traffic split` },
        () => api.updateTraffic(name, plan.targets),
      );
      ctx.previousTraffic.delete(name);
    } finally {
      ctx.explorer.setBusy(name, undefined);
      await ctx.explorer.refreshService(name);
    }
    void vscode.window.showInformationMessage(`Traffic restored: ${plan.description.replace(/^restore /, '')}.`);
  },
};
