// "Mentor: Delete Alert…": removes an alert policy (from its row under Alerts, or picked for a service)
// after a confirmation. Its notification channels stay: other policies may use them.
import * as vscode from 'vscode';
import { UserCancelledError, UserFacingError } from '../core/errors';
import type { AlertPolicySummary } from '../gcp/alertsApi';
import type { AlertPolicyNode } from '../tree/alertNodes';
import type { ServiceNode } from '../tree/nodes';
import { MentorCommand, MentorContext } from './context';
import { serviceFor } from './createAlert';

async function pickPolicy(ctx: MentorContext, arg: ServiceNode | string | undefined): Promise<{ policy: AlertPolicySummary; serviceId: string }> {
  const service = await serviceFor(ctx, arg, 'Delete an alert of which service?');
  ctx.alerts.invalidate();
  const policies = await ctx.alerts.policiesOf(service.id);
  if (!policies.length) throw new UserFacingError(`${service.id} has no alert policies.`, 'notFound', [
    { kind: 'command', label: 'Create Alert…', command: 'mentor.createAlert', args: [service.name] },
  ]);
  const picked = await vscode.window.showQuickPick(policies.map((policy) => ({
    label: policy.displayName, description: policy.conditions.map((c) => c.displayName).join(', '), policy,
  })), { placeHolder: `Delete which alert policy of ${service.id}?` });
  if (!picked) throw new UserCancelledError();
  return { policy: picked.policy, serviceId: service.id };
}

export const deleteAlert: MentorCommand<[(AlertPolicyNode | ServiceNode | string)?]> = {
  id: 'mentor.deleteAlert',
  async run(ctx, arg) {
    const { policy, serviceId } = arg && typeof arg === 'object' && arg.kind === 'alertPolicy'
      ? { policy: arg.policy, serviceId: arg.parent.service.id }
      : await pickPolicy(ctx, arg as ServiceNode | string | undefined);
    const confirm = 'Delete Alert Policy';
    const choice = await vscode.window.showWarningMessage(`Delete the alert policy "${policy.displayName}"?`, {
      modal: true,
      detail: 'Cloud Monitoring stops evaluating it and closes its open incidents. Its notification channels stay.',
    }, confirm);
    if (choice !== confirm) throw new UserCancelledError();
    await (await ctx.alerts.api()).deletePolicy(policy.name);
    ctx.alerts.policiesChanged(serviceId);
    void vscode.window.showInformationMessage(`Alert policy "${policy.displayName}" deleted.`);
  },
};
