// "Tail Logs": a service's (or one revision's) Cloud Run logs, live, in their own output channel.
import { MentorCommand } from './context';
import { TailArgument, resolveTailTarget } from './tailTarget';

export const tailLogs: MentorCommand<[TailArgument?]> = {
  id: 'mentor.tailLogs',
  async run(ctx, arg) {
    const { target, revision } = await resolveTailTarget(ctx, arg);
    const running = ctx.tails.find(target.service);
    // A service node tails every revision; a revision node narrows the running tail to that revision.
    const filter = { ...(running?.session.filter ?? {}), revision };
    const tail = ctx.tails.start(target, filter);
    return tail.key;
  },
};
