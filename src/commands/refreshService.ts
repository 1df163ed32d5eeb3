import { ServiceNode } from '../tree/nodes';
import { MentorCommand } from './context';
import { pickService } from './pickers';

export const refreshService: MentorCommand<[ServiceNode?]> = {
  id: 'mentor.refreshService',
  async run(ctx, node) {
    const service = node?.service ?? (await pickService(ctx, 'Refresh which service?'));
    await ctx.explorer.refreshService(service.name);
  },
};
