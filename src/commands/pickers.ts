// Quick-pick fallbacks for commands run from the palette instead of the explorer.
import * as vscode from 'vscode';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { RevisionSummary, ServiceSummary } from '../core/model';
import { revisionTrafficLabel, summarizeSplit } from '../core/traffic';
import { MentorContext } from './context';

export async function pickService(ctx: MentorContext, placeHolder: string): Promise<ServiceSummary> {
  const api = await ctx.connection.api();
  const services = ctx.explorer.services.length ? ctx.explorer.services : await api.listServices();
  if (services.length === 0) {
    const { project, region } = ctx.connection.target;
    throw new UserFacingError(`There are no Cloud Run services in ${project} / ${region}.`, 'notFound',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.project' }]);
  }
  const picked = await vscode.window.showQuickPick(
    services.map((service) => ({ label: service.id, description: summarizeSplit(service.trafficStatuses), detail: service.uri, service })),
    { placeHolder, matchOnDescription: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.service;
}

export async function pickRevision(ctx: MentorContext, service: ServiceSummary, placeHolder: string): Promise<RevisionSummary> {
  const revisions = await (await ctx.connection.api()).listRevisions(service.name);
  const picked = await vscode.window.showQuickPick(
    revisions.map((revision) => ({
      label: revision.id,
      description: revisionTrafficLabel(revision.id, service.trafficStatuses),
      detail: revision.stateMessage ?? revision.image,
      revision,
    })),
    { placeHolder },
  );
  if (!picked) throw new UserCancelledError();
  return picked.revision;
}
