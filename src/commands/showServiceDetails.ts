import { ServiceNode } from '../tree/nodes';
import { ServiceDetailsPanel } from '../webview/servicePanel';
import { MentorCommand } from './context';
import { pickService } from './pickers';

export const showServiceDetails: MentorCommand<[ServiceNode?]> = {
  id: 'mentor.showServiceDetails',
  async run(ctx, node) {
    const service = node?.service ?? (await pickService(ctx, 'Show details of which service?'));
    return ServiceDetailsPanel.show(ctx, service);
  },
};
