import { MentorCommand } from './context';

export const refreshExplorer: MentorCommand = {
  id: 'mentor.refresh',
  async run(ctx) {
    // A refresh is also how people recover from errors: drop a possibly broken connection too.
    await ctx.connection.reset();
    ctx.explorer.refresh();
  },
};
