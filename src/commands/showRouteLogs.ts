// "Show logs for this route" (a route's CodeLens): the service's live tail, narrowed to the requests of that
// route (path template and methods), in the tail's own output channel. The tail's other filters stay.
import { UserFacingError } from '../core/errors';
import { RouteFilter, TailTarget, describeFilter } from '../core/logEntries';
import { MentorCommand } from './context';

export const showRouteLogs: MentorCommand<[TailTarget?, RouteFilter?]> = {
  id: 'mentor.showRouteLogs',
  run(ctx, target, route) {
    if (!target?.service || !route?.path) {
      throw new UserFacingError('Show logs for a route from the CodeLens above a route handler in a Python file of your app.', 'invalidArgument');
    }
    const running = ctx.tails.find(`${target.project}/${target.region}/${target.service}`);
    const filter = { ...(running?.session.filter ?? {}), route: { path: route.path, ...(route.methods?.length ? { methods: [...route.methods] } : {}) } };
    const tail = ctx.tails.start(target, filter);
    return describeFilter(tail.session.filter);
  },
};
