// Where an alert notifies: an existing notification channel, a new email channel (created, then verified
// with the code Google mails to it: an UNVERIFIED channel receives nothing), Slack (explained: Google
// creates Slack channels only after an OAuth authorization in the Cloud console, which Mentor does not
// imitate), or nobody.
import * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import { WrongVerificationCode, type AlertsApi, type ChannelSummary } from '../gcp/alertsApi';
import { validateEmail } from './alertPlans';

export interface ChosenChannel {
  /** Undefined = no notifications. */
  channel?: ChannelSummary;
  /** How it reads in the plan. */
  label: string;
}

type ChannelPick = vscode.QuickPickItem & ({ action: 'use'; channel: ChannelSummary } | { action: 'email' | 'slack' | 'none' });

const TYPE_ICONS: Record<string, string> = { email: 'mail', slack: 'comment-discussion', pubsub: 'broadcast', webhook_tokenauth: 'globe' };

export function channelLabel(c: ChannelSummary): string {
  const state = c.verification === 'verified' ? ' (verified)' : c.verification === 'unverified' ? ' (not verified)' : '';
  return `${c.type} ${c.address || c.displayName}${state}`;
}

export function slackConsoleUrl(project: string): string {
  return `https://console.cloud.google.com/monitoring/alerting/notifications?project=${encodeURIComponent(project)}`;
}

export async function chooseChannel(api: AlertsApi, title: string): Promise<ChosenChannel> {
  for (;;) {
    const channels = await api.listChannels();
    const items: ChannelPick[] = [
      ...channels.filter((c) => c.enabled).map((channel): ChannelPick => ({
        label: `$(${TYPE_ICONS[channel.type] ?? 'bell'}) ${channel.address || channel.displayName || channel.name}`,
        description: channel.verification === 'unverified' ? `${channel.type} · not verified — Mentor will ask for the code` : channel.type,
        detail: channel.displayName || undefined,
        action: 'use', channel,
      })),
      { label: '$(add) New email channel…', description: 'Google mails a verification code to the address', action: 'email' },
      { label: '$(comment-discussion) Slack…', description: 'Connected through the Cloud console', action: 'slack' },
      { label: '$(circle-slash) No notifications', description: 'Incidents still open in Monitoring and show on the service', action: 'none' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Where should this alert notify you?', ignoreFocusOut: true });
    if (!picked) throw new UserCancelledError();
    if (picked.action === 'none') return { label: 'nobody' };
    if (picked.action === 'slack') {
      if (await explainSlack(api.target.project)) continue;
      throw new UserCancelledError();
    }
    let channel = picked.action === 'use' ? picked.channel : await newEmailChannel(api, title);
    if (channel.verification === 'unverified') channel = await verifyEmail(api, channel, title);
    return { channel, label: channelLabel(channel) };
  }
}

/** True = show the channel list again (the user may have added Slack in the console meanwhile). */
async function explainSlack(project: string): Promise<boolean> {
  const open = 'Open Notification Channels in the Console';
  const back = 'Back to the Channel List';
  const choice = await vscode.window.showInformationMessage('Slack is connected in the Google Cloud console, not here', {
    modal: true,
    detail: 'Google creates a Slack notification channel only after you authorize its Slack app in the Cloud console ' +
      '(Monitoring → Alerting → Edit notification channels → Slack → Add new): that OAuth sign-in gives Google the ' +
      'token, and Mentor does not handle Slack tokens. Once the channel exists it appears in this list: pick it here.',
  }, open, back);
  if (choice === open) {
    await vscode.env.openExternal(vscode.Uri.parse(slackConsoleUrl(project)));
    return true;
  }
  return choice === back;
}

async function newEmailChannel(api: AlertsApi, title: string): Promise<ChannelSummary> {
  const address = await vscode.window.showInputBox({
    title, prompt: 'Email address for alert notifications', placeHolder: 'oncall@example.com', ignoreFocusOut: true,
    validateInput: (text) => validateEmail(text),
  });
  if (address === undefined) throw new UserCancelledError();
  return api.createEmailChannel(address.trim(), `Mentor: ${address.trim()}`);
}

/**
 * Sends the code and asks for it until Google accepts one; a wrong code keeps the box open with the reason.
 * Escape leaves the channel unverified (it stays listed; picking it again resumes here).
 */
export async function verifyEmail(api: AlertsApi, channel: ChannelSummary, title: string): Promise<ChannelSummary> {
  await api.sendVerificationCode(channel.name);
  const resend: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('mail'), tooltip: 'Send a new code' };
  const box = vscode.window.createInputBox();
  box.title = `${title} — verify ${channel.address}`;
  box.prompt = `Google sent a verification code (like G-123456) to ${channel.address}. Type it from that mail.`;
  box.placeholder = 'G-123456';
  box.ignoreFocusOut = true;
  box.buttons = [resend];
  try {
    return await new Promise<ChannelSummary>((resolve, reject) => {
      let busy = false;
      box.onDidChangeValue(() => { if (!busy) box.validationMessage = undefined; });
      box.onDidTriggerButton(() => {
        box.busy = true;
        api.sendVerificationCode(channel.name).then(() => {
          box.validationMessage = undefined;
          box.prompt = `A new code was sent to ${channel.address}. Type the newest one.`;
        }, reject).finally(() => (box.busy = false));
      });
      box.onDidAccept(() => {
        const code = box.value.trim();
        if (!code) {
          box.validationMessage = 'Type the code from the mail (like G-123456).';
          return;
        }
        busy = box.busy = true;
        api.verifyChannel(channel.name, code).then(resolve, (error: unknown) => {
          if (!(error instanceof WrongVerificationCode)) return reject(error);
          box.validationMessage = `Google did not accept "${code}": check the newest mail to ${channel.address}, or send a new code.`;
        }).finally(() => { busy = box.busy = false; });
      });
      box.onDidHide(() => reject(new UserCancelledError()));
      box.show();
    });
  } finally {
    box.dispose();
  }
}
