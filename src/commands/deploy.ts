// "Deploy to Cloud Run": the deploy pipeline (src/deploy) with VS Code as its UI — one cancellable
// progress notification, the plan and dropped references as modal confirmations, output in a channel.
import * as vscode from 'vscode';
import { serviceResourceName } from '../core/cloudRunNames';
import { DeployConfig } from '../core/deployConfig';
import { DeployPlan, riskyChanges } from '../core/deployPlan';
import { UserFacingError } from '../core/errors';
import { connectCloudLogging } from '../gcp/cloudLogging';
import { idTokenHeaders } from '../gcp/idToken';
import { connectPreflight, type PreflightApi } from '../gcp/preflightApi';
import { registryAuthFor } from '../gcp/registryCredentials';
import { deployLogsFrom } from '../deploy/deployLogs';
import { deployMetricsFrom } from '../deploy/deployMetrics';
import { RolloutSteering } from '../deploy/rolloutSteering';
import { runDeploy } from '../deploy/pipeline';
import { RestoreFailedError } from '../deploy/releaseSteps';
import { DeployDeps, DeployResult, DeployUi } from '../deploy/types';
import { gitRevisionTag } from '../local/gitRevision';
import { readDeployConfig } from '../workspaceSettings';
import { MentorCommand, MentorContext } from './context';
import { requireFolder } from './createDockerfile';

export const DEPLOY_BUTTON = 'Deploy';
export const CREATE_BUTTON = 'Create Service';
export const CHANGE_ACCESS_BUTTON = 'Deploy and Change Access';
export const UNDO_BUTTON = 'Undo';
export const KEEP_REFS_BUTTON = 'Keep Them';
export const REMOVE_REFS_BUTTON = 'Remove Them';

export const deploy: MentorCommand = {
  id: 'mentor.deploy',
  async run(ctx): Promise<DeployResult> {
    const folder = requireFolder();
    const config = readDeployConfig();
    const serviceName = serviceResourceName(config.project, config.region, config.service);
    if (ctx.deploysRunning.has(serviceName)) {
      throw new UserFacingError(`A deploy of ${config.service} is already running in this window: wait for it, or cancel it in its progress notification.`, 'conflict');
    }
    ctx.deploysRunning.add(serviceName);
    showDeployRunning(ctx, config.service);
    ctx.explorer.setBusy(serviceName, 'Deploying…');
    const output = ctx.deployOutput;
    const target = ctx.connection.target;
    const logging = connectCloudLogging(target);
    logging.catch(() => undefined);
    let preflight: PreflightApi | undefined;
    // The metrics panel's Promote / Roll back reach this rollout through it.
    const steering = new RolloutSteering();
    ctx.rollouts.set(serviceName, steering);
    try {
      const cloudRun = await ctx.connection.api();
      preflight = await connectPreflight(target);
      const deps: DeployDeps = {
        cloudRun, preflight, docker: () => ctx.docker.engine(),
        registryAuth: (host) => registryAuthFor(target, host),
        logs: deployLogsFrom(() => logging, config.project, config.region),
        metrics: deployMetricsFrom(() => ctx.monitoring.api(), config.project, config.region),
        steering,
        authHeaders: config.allowUnauthenticated ? undefined : (url) => idTokenHeaders(target, url),
      };
      output.clear();
      output.show(true);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Deploying ${config.service}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return runDeploy({ config, folder: folder.uri.fsPath, sourceTag: await gitRevisionTag(folder.uri.fsPath) }, deps,
            vscodeDeployUi(ctx, output, progress), abort.signal);
        },
      );
      reportDeployed(ctx, config, serviceName, result);
      return result;
    } catch (error) {
      // "Restore" (and Undo) put back the split that served before the deploy.
      if (error instanceof RestoreFailedError) ctx.previousTraffic.set(error.serviceName, error.previous);
      if (error instanceof UserFacingError) output.appendLine(`Deploy failed: ${error.message}${error.detail ? `\n${error.detail}` : ''}`);
      throw error;
    } finally {
      ctx.deploysRunning.delete(serviceName);
      ctx.rollouts.delete(serviceName);
      showDeployRunning(ctx, undefined);
      ctx.explorer.setBusy(serviceName, undefined);
      ctx.explorer.refresh();
      void preflight?.close();
      void logging.then((l) => l.close(), () => undefined);
    }
  },
};

/** While a deploy runs, the status bar button says so and starts nothing (a second deploy would be refused). */
function showDeployRunning(ctx: MentorContext, service: string | undefined): void {
  ctx.deployButton.text = service ? `$(sync~spin) Deploying ${service}…` : '$(cloud-upload) Deploy';
  ctx.deployButton.tooltip = service ? `A deploy of ${service} is running; its progress notification can cancel it.` : 'Deploy this folder to Cloud Run (Mentor)';
  ctx.deployButton.command = service ? undefined : 'mentor.deploy';
}

function reportDeployed(ctx: MentorContext, config: DeployConfig, serviceName: string, result: DeployResult): void {
  const summary = `Deployed ${result.revision} · ${result.url} · ${result.healthPath} ${result.healthStatus} in ${result.healthMs} ms`;
  ctx.deployOutput.appendLine(summary);
  ctx.deployOutput.appendLine(`Steps: ${result.timings.map((t) => `${t.step} ${(t.ms / 1000).toFixed(1)} s`).join(', ')}`);
  ctx.log.info(summary);
  // One Undo restores the split that served before this deploy.
  if (result.previousTraffic.length) ctx.previousTraffic.set(serviceName, result.previousTraffic);
  // Tracebacks from older revisions no longer describe what serves; the new revision starts clean.
  ctx.cloudDiagnostics.revisionTookAllTraffic(config.service, result.revision);
  const choices = ['Open', 'Copy URL', 'Tail Logs', ...(result.previousTraffic.length ? [UNDO_BUTTON] : [])];
  void vscode.window.showInformationMessage(summary, ...choices).then((choice) => {
    if (choice === 'Open') void vscode.env.openExternal(vscode.Uri.parse(result.url));
    if (choice === 'Copy URL') void vscode.env.clipboard.writeText(result.url);
    if (choice === 'Tail Logs') void vscode.commands.executeCommand('mentor.tailLogs', serviceName);
    if (choice === UNDO_BUTTON) void vscode.commands.executeCommand('mentor.undoTrafficChange', serviceName);
  });
  if (vscode.workspace.getConfiguration('mentor').get('tail.startAfterDeploy', true)) {
    void vscode.commands.executeCommand('mentor.tailLogs', serviceName);
  }
}

function vscodeDeployUi(ctx: MentorContext, output: vscode.OutputChannel,
  progress: vscode.Progress<{ message?: string }>): DeployUi {
  return {
    progress: (step, message) => {
      // A step's start also heads its part of the deploy log, so the log reads step by step.
      if (!message) output.appendLine(`▶ ${step}`);
      progress.report({ message: message ? `${step}: ${message}` : step });
    },
    log: (line) => output.appendLine(line),
    warn: (message) => {
      output.appendLine(`⚠ ${message}`);
      ctx.log.warn(message);
      void vscode.window.showWarningMessage(message);
    },
    async confirmPlan(service: string, planText: string, plan: DeployPlan) {
      // Access that widens or narrows (or anything removed) needs its own, explicitly labelled choice.
      const button = plan.creates ? CREATE_BUTTON : riskyChanges(plan).length ? CHANGE_ACCESS_BUTTON : DEPLOY_BUTTON;
      const message = plan.creates ? `Create the Cloud Run service ${service}?` : `Deploy a new revision of ${service}?`;
      const after = plan.creates ? 'Its first revision must pass its health check before the deploy counts as done.'
        : 'The new revision starts with 0% of traffic and must pass its health check first.';
      const answer = await vscode.window.showWarningMessage(message, { modal: true, detail: `${planText}\n\n${after}` }, button);
      return answer === button;
    },
    async confirmDroppedRefs(service: string, plan: DeployPlan) {
      const lines = [...plan.droppedEnv.map((n) => `env ${n}`), ...plan.droppedSecrets.map((s) => `secret ${s}`)];
      const answer = await vscode.window.showWarningMessage(
        `${service} has settings that your mentor.* settings do not mention. Keep them?`,
        { modal: true, detail: `${lines.join('\n')}\n\nRemoving them may break the app (for example a missing API key).` },
        KEEP_REFS_BUTTON, REMOVE_REFS_BUTTON,
      );
      return answer === KEEP_REFS_BUTTON ? 'keep' : answer === REMOVE_REFS_BUTTON ? 'remove' : 'cancel';
    },
  };
}
