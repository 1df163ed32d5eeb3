// Clicking a route's numbers: list the service's request logs again now instead of within the minute.
import { MentorCommand } from './context';

export const refreshRouteInsight: MentorCommand<[]> = {
  id: 'mentor.refreshRouteInsight',
  async run(ctx) {
    const feature = await ctx.insight.start();
    await feature.refreshNow();
  },
};
