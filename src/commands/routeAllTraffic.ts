// "Route 100% traffic" to one revision: confirm with the current split, update with progress, refresh
// only that service, and offer Undo.
import * as vscode from 'vscode';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { describeSplit, routeAllTraffic as planRouteAll } from '../core/traffic';
import { RevisionNode } from '../tree/nodes';
import { MentorCommand } from './context';
import { pickRevision, pickService } from './pickers';
import { undoTrafficChange } from './undoTrafficChange';

export const ROUTE_CONFIRM_BUTTON = 'Route 100%';

export const routeAllTraffic: MentorCommand<[RevisionNode?]> = {
  id: 'mentor.routeAllTraffic',
  async run(ctx, node) {
    const picked = node ? node.service : await pickService(ctx, 'Which service?');
    const revision = node ? node.revision : await pickRevision(ctx, picked, 'Which revision should get 100% of traffic?');
    const api = await ctx.connection.api();
    // Re-read the service: the tree may be minutes old, and the plan must start from the live split.
    const service = await api.getService(picked.name);
    if (revision.state === 'failed') {
      throw new UserFacingError(`${revision.id} is not ready${revision.stateMessage ? `: ${revision.stateMessage}` : ''}. ` +
        'Cloud Run cannot route traffic to it.', 'invalidArgument');
    }
    const plan = planRouteAll(revision.id, service.trafficStatuses);
    if (plan.description === 'no change') {
      void vscode.window.showInformationMessage(`${revision.id} already receives 100% of ${service.id}'s traffic.`);
      return;
    }
    const answer = await vscode.window.showWarningMessage(
      `Route 100% of ${service.id} traffic to ${revision.id}?`,
      { modal: true, detail: `Current split: ${describeSplit(service.trafficStatuses)}\nChange: ${plan.description}` +
        (plan.targets.some((t) => t.tag) ? '\nTags keep pointing at their revisions.' : '') },
      ROUTE_CONFIRM_BUTTON,
    );
    if (answer !== ROUTE_CONFIRM_BUTTON) throw new UserCancelledError();

    ctx.explorer.setBusy(service.name, `Routing 100% to ${revision.id}…`);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Routing 100% of ${service.id} to ${revision.id}` },
        () => api.updateTraffic(service.name, plan.targets),
      );
    } finally {
      ctx.explorer.setBusy(service.name, undefined);
      await ctx.explorer.refreshService(service.name);
    }
    ctx.previousTraffic.set(service.name, service.traffic);
    ctx.cloudDiagnostics.revisionTookAllTraffic(service.id, revision.id);
    ctx.log.info(`${service.id}: ${plan.description}`);
    void vscode.window.showInformationMessage(`${service.id}: 100% of traffic now goes to ${revision.id}.`, 'Undo')
      .then((choice) => choice && vscode.commands.executeCommand(undoTrafficChange.id, service.name));
  },
};
