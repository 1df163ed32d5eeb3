// The notice when a build of the current branch ends: "Deployed <revision> · <url> · /health 200" with
// Open URL, or "Build failed at step <id>: <reason>" with Show Build Log and Roll Back (which routes all
// traffic back to the revision that served before, through the traffic command).
import * as vscode from 'vscode';
import type { BuildSummary } from '../core/builds';
import { deployedMessage, failedMessage, failureReason } from '../core/buildText';
import { BuildLogReader } from './buildLogs';
import { SHOW_BUILD_LOG_COMMAND } from './buildStatusBar';

export const OPEN_URL = 'Open URL';
export const SHOW_BUILD_LOG = 'Show Build Log';
export const ROLL_BACK = 'Roll Back';
export const ROLL_BACK_COMMAND = 'mentor.rollBackBuild';

/** The text of the notice (also logged); the reason of a failure comes from the failed step's last lines. */
export async function buildEndMessage(build: BuildSummary, reader: BuildLogReader, log: vscode.LogOutputChannel): Promise<string> {
  if (build.phase === 'success') return deployedMessage(build.deployOutput, build.id);
  let lines: string[] = [];
  if (build.failedStep) {
    lines = await reader.stepTail(build, build.failedStep).catch((error: unknown) => {
      log.warn(`Reading the log of step ${build.failedStep} of build ${build.id} failed: ${(error as Error)?.message ?? error}`);
      return [];
    });
  }
  return failedMessage(build, failureReason(lines));
}

export async function notifyBuildEnd(build: BuildSummary, reader: BuildLogReader, log: vscode.LogOutputChannel): Promise<void> {
  const message = await buildEndMessage(build, reader, log);
  log.info(`Build ${build.id} (${build.shortSha ?? '?'}${build.branch ? ` on ${build.branch}` : ''}) ended: ${message}`);
  if (build.phase === 'success') {
    const url = build.deployOutput?.url;
    const choice = await vscode.window.showInformationMessage(message, ...(url ? [OPEN_URL] : []), SHOW_BUILD_LOG);
    if (choice === OPEN_URL && url) await vscode.env.openExternal(vscode.Uri.parse(url));
    if (choice === SHOW_BUILD_LOG) await vscode.commands.executeCommand(SHOW_BUILD_LOG_COMMAND, build.id);
    return;
  }
  const choice = await vscode.window.showErrorMessage(message, SHOW_BUILD_LOG, ...(build.service ? [ROLL_BACK] : []));
  if (choice === SHOW_BUILD_LOG) await vscode.commands.executeCommand(SHOW_BUILD_LOG_COMMAND, build.id);
  if (choice === ROLL_BACK) await vscode.commands.executeCommand(ROLL_BACK_COMMAND, build.id);
}
