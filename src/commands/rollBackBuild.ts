// "Roll Back" after a build: route 100% of the service's traffic to the revision that served before the
// build (the deploy step reports it as previousRevision), through the traffic command and its confirmation.
import { UserFacingError } from '../core/errors';
import { serviceResourceName } from '../core/cloudRunNames';
import type { BuildNode } from '../tree/buildNodes';
import type { RevisionNode } from '../tree/nodes';
import { MentorCommand } from './context';
import { pickRevision } from './pickers';
import { routeAllTraffic } from './routeAllTraffic';

export const rollBackBuild: MentorCommand<[(string | BuildNode)?]> = {
  id: 'mentor.rollBackBuild',
  async run(ctx, arg) {
    const session = await ctx.builds.enable('Roll Back was run');
    const id = typeof arg === 'string' ? arg : arg?.kind === 'build' ? arg.build.id : session.watcher.headBuild?.id;
    if (!id) throw new UserFacingError('Which build? Run Roll Back from a build\'s notice or its row under Builds.', 'invalidArgument');
    const build = await session.findBuild(id);
    if (!build.service) {
      throw new UserFacingError(`Build ${build.id} names no Cloud Run service (no _SERVICE substitution or service tag).`, 'invalidArgument');
    }
    const api = await ctx.connection.api();
    const { project, region } = ctx.connection.target;
    const service = await api.getService(serviceResourceName(project, region, build.service));
    const previous = build.deployOutput?.previousRevision;
    const revision = previous ? await api.getRevision(previous)
      : await pickRevision(ctx, service, `Build ${build.shortSha ?? build.id} did not report the previous revision: route 100% to which one?`);
    const node: RevisionNode = { kind: 'revision', revision, service };
    return routeAllTraffic.run(ctx, node);
  },
};
