// "Trust API Endpoint": the one-time confirmation before Mentor sends anything to a non-loopback
// mentor.apiEndpoint that the workspace's settings (a cloned repository) set. Remembered on this machine.
import * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import { TRUSTED_ENDPOINTS_KEY } from '../workspaceSettings';
import { MentorCommand } from './context';

export const TRUST_BUTTON = 'Trust and Connect';

export const trustApiEndpoint: MentorCommand<[string?]> = {
  id: 'mentor.trustApiEndpoint',
  async run(ctx, endpoint) {
    const value = endpoint ?? ctx.connection.target.apiEndpoint;
    if (!value) throw new UserCancelledError();
    const answer = await vscode.window.showWarningMessage(`Send Mentor's Cloud Run, Logging and Secret Manager calls to ${value}?`, {
      modal: true,
      detail: `This workspace's settings set mentor.apiEndpoint to ${value}, which is not this machine. Everything Mentor ` +
        'lists, deploys or reads (service specs, logs, secret references) would go there. Trust it only if you know who runs it.',
    }, TRUST_BUTTON);
    if (answer !== TRUST_BUTTON) throw new UserCancelledError();
    const trusted = ctx.extension.globalState.get<string[]>(TRUSTED_ENDPOINTS_KEY, []);
    await ctx.extension.globalState.update(TRUSTED_ENDPOINTS_KEY, [...new Set([...trusted, value])]);
    ctx.log.info(`Trusted mentor.apiEndpoint ${value}`);
    ctx.connection.reset();
    ctx.explorer.refresh();
    return true;
  },
};
