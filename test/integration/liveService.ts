// Reading and changing a service the way the console or gcloud would (the real Cloud Run client on the
// emulator), and waiting for Mentor's modal plan: shared by the deploy and rollout tests.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { protos } from '@google-cloud/run';
import { CREATE_BUTTON } from '../../src/commands/deploy';
import type { DeployResult } from '../../src/deploy/types';
import { serviceName, servicesClient, setMentorSetting } from './support';
import { DialogInfo, ui } from './uiBridge';

export type Service = protos.google.cloud.run.v2.IService;

export async function getService(service: string): Promise<Service> {
  const client = servicesClient();
  try {
    return (await client.getService({ name: serviceName(service) }))[0];
  } finally {
    await client.close();
  }
}

/** Read, modify, UpdateService, wait for the operation: a change made outside Mentor. */
export async function changeService(service: string, modify: (live: Service) => void): Promise<Service> {
  const client = servicesClient();
  try {
    const [current] = await client.getService({ name: serviceName(service) });
    modify(current);
    const [operation] = await client.updateService({ service: { ...current, trafficStatuses: undefined } });
    const [done] = await operation.promise();
    return done as Service;
  } finally {
    await client.close();
  }
}

/** [revision, percent, tag] of every traffic status, as the service reports them. */
export async function trafficOf(service: string): Promise<[string, number, string][]> {
  return ((await getService(service)).trafficStatuses ?? []).map((t) => [String(t.revision ?? ''), t.percent ?? 0, String(t.tag ?? '')]);
}

/** The modal dialog once one is open (a deploy's plan), without answering it. */
export async function waitForDialog(timeoutMs = 120_000): Promise<DialogInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dialog = await ui.dialogText();
    if (dialog) return dialog;
    if (Date.now() > deadline) throw new Error('no dialog appeared');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Answers a plan left open by a failed test, so the next test starts with no modal. */
export async function cancelOpenDialog(): Promise<void> {
  if (await ui.dialogText()) await ui.clickDialogButton('Cancel').catch(() => undefined);
}

/** Applies the mentor.* settings, then creates the service with Mentor's own deploy (answering its plan). */
export async function createWithMentor(settings: Record<string, unknown>): Promise<DeployResult> {
  for (const [key, value] of Object.entries(settings)) await setMentorSetting(key, value);
  const deploying = vscode.commands.executeCommand<DeployResult>('mentor.deploy');
  await ui.clickDialogButton(CREATE_BUTTON, { timeoutMs: 120_000 });
  const created = await deploying;
  assert.ok(created, `the first deploy of ${settings.service} failed: see the Mentor: Deploy output`);
  return created;
}
