// "Set Tail Filter": minimum severity, text and revision of a running tail, changed while it runs (the
// stream restarts from the last entry shown). From code: (service, filter) applies a filter directly.
import * as vscode from 'vscode';
import { serviceResourceName } from '../core/cloudRunNames';
import { UserCancelledError } from '../core/errors';
import { SEVERITIES, Severity, TailFilter, describeFilter } from '../core/logEntries';
import { Tail } from '../logs/tailManager';
import { MentorCommand, MentorContext } from './context';
import { TailArgument, chooseTail } from './tailTarget';

export const SEVERITY_ITEM = 'Minimum severity';
export const TEXT_ITEM = 'Text';
export const REVISION_ITEM = 'Revision';
export const CLEAR_ITEM = 'Clear filters';

export const setTailFilter: MentorCommand<[TailArgument?, TailFilter?]> = {
  id: 'mentor.setTailFilter',
  async run(ctx, arg, filter) {
    const tail = await chooseTail(ctx, arg, 'Filter which tail?', false);
    const next = filter ?? (await promptFilter(ctx, tail));
    if (!tail.session.running) ctx.tails.start(tail.target, next);
    else ctx.tails.setFilter(tail, next);
    return describeFilter(next);
  },
};

async function promptFilter(ctx: MentorContext, tail: Tail): Promise<TailFilter> {
  const current = tail.session.filter;
  const picked = await vscode.window.showQuickPick([
    { label: SEVERITY_ITEM, description: current.minSeverity ?? 'DEFAULT (everything)' },
    { label: TEXT_ITEM, description: current.text ? `"${current.text}"` : 'any' },
    { label: REVISION_ITEM, description: current.revision ?? 'all revisions' },
    { label: CLEAR_ITEM, description: describeFilter(current) },
  ], { title: `Filter the ${tail.target.service} tail`, placeHolder: 'What should the tail show?' });
  switch (picked?.label) {
    case SEVERITY_ITEM: {
      const severity = await vscode.window.showQuickPick(
        SEVERITIES.map((s) => ({ label: s, description: s === current.minSeverity ? 'current' : undefined })),
        { title: 'Show entries of at least this severity' });
      if (!severity) throw new UserCancelledError();
      return { ...current, minSeverity: severity.label === 'DEFAULT' ? undefined : severity.label as Severity };
    }
    case TEXT_ITEM: {
      const text = await vscode.window.showInputBox({
        title: 'Show entries containing (case-insensitive; empty = any)', value: current.text ?? '',
        prompt: 'Matched against the message, the JSON message and the request URL',
      });
      if (text === undefined) throw new UserCancelledError();
      return { ...current, text: text.trim() || undefined };
    }
    case REVISION_ITEM: {
      const serviceName = serviceResourceName(tail.target.project, tail.target.region, tail.target.service);
      const revisions = await (await ctx.connection.api()).listRevisions(serviceName);
      const revision = await vscode.window.showQuickPick(
        [{ label: 'All revisions', id: undefined as string | undefined }, ...revisions.map((r) => ({ label: r.id, id: r.id as string | undefined }))],
        { title: 'Show entries of which revision?' });
      if (!revision) throw new UserCancelledError();
      return { ...current, revision: revision.id };
    }
    case CLEAR_ITEM:
      return {};
    default:
      throw new UserCancelledError();
  }
}
