// "Mentor: Show Metrics": the metrics panel of a service (from its row, or a quick pick from the palette),
// or of one revision (from a revision row: the panel opens filtered to it).
import { RevisionNode, ServiceNode } from '../tree/nodes';
import { MetricsPanel } from '../webview/metricsPanel';
import { MentorCommand } from './context';
import { pickService } from './pickers';

export const showMetrics: MentorCommand<[(ServiceNode | RevisionNode)?]> = {
  id: 'mentor.showMetrics',
  async run(ctx, node) {
    const service = node?.service ?? (await pickService(ctx, 'Show metrics of which service?'));
    return MetricsPanel.show(ctx, service, node?.kind === 'revision' ? node.revision.id : undefined);
  },
};
