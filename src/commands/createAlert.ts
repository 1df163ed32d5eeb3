// "Mentor: Create Alert…" for a service (its row, its Alerts node, or a quick pick from the palette):
// a 5xx ratio, p95 latency or no-instances alert policy in Cloud Monitoring, notifying a verified channel.
import * as vscode from 'vscode';
import { runCreateAlert } from '../alerts/createAlertFlow';
import type { ServiceSummary } from '../core/model';
import type { AlertsNode } from '../tree/alertNodes';
import type { ServiceNode } from '../tree/nodes';
import { MentorCommand, MentorContext } from './context';
import { pickService } from './pickers';

/** The service a command was run on: a row, an Alerts node, a service name, or asked for. */
export async function serviceFor(ctx: MentorContext, arg: ServiceNode | AlertsNode | string | undefined, placeHolder: string): Promise<ServiceSummary> {
  if (arg && typeof arg === 'object') return arg.service;
  if (typeof arg === 'string') {
    const shown = ctx.explorer.services.find((s) => s.name === arg || s.id === arg);
    if (shown) return shown;
  }
  return pickService(ctx, placeHolder);
}

export const createAlert: MentorCommand<[(ServiceNode | AlertsNode | string)?]> = {
  id: 'mentor.createAlert',
  async run(ctx, arg) {
    const service = await serviceFor(ctx, arg, 'Create an alert for which service?');
    const api = await ctx.alerts.api();
    const { project, region } = ctx.connection.target;
    const policy = await runCreateAlert(api, { project, region, service });
    ctx.alerts.policiesChanged(service.id);
    const notifies = policy.notificationChannels.length ? 'It notifies the channel you chose.' : 'It notifies nobody; incidents show on the service.';
    void vscode.window.showInformationMessage(`Alert policy "${policy.displayName}" created for ${service.id}. ${notifies}`);
    return policy;
  },
};
