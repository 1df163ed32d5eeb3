// "Create Alert…" for a service: the kind, its threshold, where it notifies, then the plan — what will be
// created, shown before anything is — and only then the policy.
import * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import type { ServiceSummary } from '../core/model';
import type { AlertPolicySummary, AlertsApi } from '../gcp/alertsApi';
import { KIND_TEXT, planAlert, validateThreshold, type AlertKind, type AlertPlan } from './alertPlans';
import { chooseChannel } from './channelStep';

export interface CreateAlertTarget {
  project: string;
  region: string;
  service: ServiceSummary;
}

async function pickKind(title: string): Promise<AlertKind> {
  const kinds = Object.keys(KIND_TEXT) as AlertKind[];
  const picked = await vscode.window.showQuickPick(
    kinds.map((alertKind) => ({ label: KIND_TEXT[alertKind].label, detail: KIND_TEXT[alertKind].detail, alertKind })),
    { title, placeHolder: 'What should this alert watch?', ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.alertKind;
}

async function askThreshold(kind: AlertKind, title: string): Promise<number> {
  const text = KIND_TEXT[kind];
  const value = await vscode.window.showInputBox({
    title, prompt: `${text.prompt} (${text.unit})`, value: text.initial, ignoreFocusOut: true,
    validateInput: (typed) => validateThreshold(kind, typed),
  });
  if (value === undefined) throw new UserCancelledError();
  return Number(value.trim());
}

async function confirmPlan(plan: AlertPlan): Promise<void> {
  const create = 'Create Alert Policy';
  const choice = await vscode.window.showInformationMessage(`Create this alert for Cloud Monitoring?`, {
    modal: true, detail: plan.lines.join('\n'),
  }, create);
  if (choice !== create) throw new UserCancelledError();
}

export async function runCreateAlert(api: AlertsApi, target: CreateAlertTarget): Promise<AlertPolicySummary> {
  const title = `Create Alert for ${target.service.id}`;
  const kind = await pickKind(title);
  const threshold = await askThreshold(kind, title);
  const chosen = await chooseChannel(api, title);
  const plan = planAlert({
    kind, threshold, project: target.project, region: target.region, service: target.service.id,
    channels: chosen.channel ? [chosen.channel.name] : [], channelLabels: chosen.channel ? [chosen.label] : [],
  });
  await confirmPlan(plan);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating "${plan.displayName}"…` },
    () => api.createPolicy(plan.body));
}
