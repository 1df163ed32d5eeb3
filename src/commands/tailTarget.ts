// What the tail commands accept: an explorer node, a service resource name or ID (from other commands,
// e.g. Deploy's "Tail Logs"), or nothing — then a quick pick of the services or of the running tails.
import * as vscode from 'vscode';
import { parseResourceName } from '../core/cloudRunNames';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { TailTarget } from '../core/logEntries';
import { Tail } from '../logs/tailManager';
import { RevisionNode, ServiceNode } from '../tree/nodes';
import { MentorContext } from './context';
import { pickService } from './pickers';

export type TailArgument = ServiceNode | RevisionNode | string | undefined;

export async function resolveTailTarget(ctx: MentorContext, arg: TailArgument): Promise<{ target: TailTarget; revision?: string }> {
  if (typeof arg === 'string') {
    const name = parseResourceName(arg);
    if (name && !name.revision) return { target: { project: name.project, region: name.location, service: name.service } };
    const { project, region } = ctx.connection.target;
    return { target: { project, region, service: arg } };
  }
  if (arg?.kind === 'revision') {
    const { service, revision } = arg;
    return { target: { project: service.project, region: service.region, service: service.id }, revision: revision.id };
  }
  const service = arg?.kind === 'service' ? arg.service : await pickService(ctx, 'Tail the logs of which service?');
  return { target: { project: service.project, region: service.region, service: service.id } };
}

/** The tail a command means: the argument's, the only one, or one the user picks. */
export async function chooseTail(ctx: MentorContext, arg: TailArgument, placeHolder: string, runningOnly: boolean): Promise<Tail> {
  if (arg !== undefined) {
    const { target } = await resolveTailTarget(ctx, arg);
    const tail = ctx.tails.find(target.service);
    if (tail) return tail;
    throw new UserFacingError(`${target.service} is not being tailed.`, 'notFound',
      [{ kind: 'command', label: 'Tail Logs', command: 'mentor.tailLogs' }]);
  }
  const candidates = ctx.tails.all.filter((t) => !runningOnly || t.session.running);
  if (candidates.length === 0) {
    throw new UserFacingError(runningOnly ? 'No log tail is running.' : 'No logs have been tailed yet.', 'notFound',
      [{ kind: 'command', label: 'Tail Logs', command: 'mentor.tailLogs' }]);
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((tail) => ({ label: tail.target.service, description: tail.session.status.state, tail })), { placeHolder });
  if (!picked) throw new UserCancelledError();
  return picked.tail;
}
