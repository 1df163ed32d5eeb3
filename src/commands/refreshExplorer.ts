import { MentorCommand } from './context';

export const refreshExplorer: MentorCommand = {
  id: 'mentor.refresh',
  async run(ctx) {
    // A refresh is also how people recover from errors: then drop the possibly broken connection too
    // (not otherwise: closing it would fail calls still in flight).
    if (ctx.explorer.state === 'error') ctx.connection.reset();
    ctx.explorer.refresh();
  },
};
