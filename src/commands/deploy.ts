// "Deploy to Cloud Run": the deploy pipeline (src/deploy) with VS Code as its UI — one cancellable
// progress notification, the plan and dropped references as modal confirmations, output in a channel.
import * as vscode from 'vscode';
import { serviceResourceName } from '../core/cloudRunNames';
import { DeployPlan } from '../core/deployPlan';
import { UserFacingError } from '../core/errors';
import { connectCloudLogging } from '../gcp/cloudLogging';
import { idTokenHeaders } from '../gcp/idToken';
import { connectPreflight } from '../gcp/preflightApi';
import { registryAuthFor } from '../gcp/registryCredentials';
import { deployLogsFrom } from '../deploy/deployLogs';
import { runDeploy } from '../deploy/pipeline';
import { DeployResult, DeployUi } from '../deploy/types';
import { gitRevisionTag } from '../local/gitRevision';
import { readDeployConfig } from '../workspaceSettings';
import { MentorCommand, MentorContext } from './context';
import { requireFolder } from './createDockerfile';

export const DEPLOY_BUTTON = 'Deploy';
export const KEEP_REFS_BUTTON = 'Keep Them';
export const REMOVE_REFS_BUTTON = 'Remove Them';

export const deploy: MentorCommand = {
  id: 'mentor.deploy',
  async run(ctx): Promise<DeployResult> {
    const folder = requireFolder();
    const config = readDeployConfig();
    const cloudRun = await ctx.connection.api();
    const target = ctx.connection.target;
    const preflight = await connectPreflight(target);
    const logging = connectCloudLogging(target);
    logging.catch(() => undefined);
    const serviceName = serviceResourceName(config.project, config.region, config.service);
    const output = ctx.deployOutput;
    output.clear();
    output.show(true);
    ctx.explorer.setBusy(serviceName, 'Deploying…');
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Deploying ${config.service}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return runDeploy({ config, folder: folder.uri.fsPath, sourceTag: await gitRevisionTag(folder.uri.fsPath) }, {
            cloudRun, preflight, docker: () => ctx.docker.engine(),
            registryAuth: (host) => registryAuthFor(target, host),
            logs: deployLogsFrom(() => logging, config.project, config.region),
            authHeaders: config.allowUnauthenticated ? undefined : (url) => idTokenHeaders(target, url),
          }, vscodeDeployUi(ctx, output, progress), abort.signal);
        },
      );
      const summary = `Deployed ${result.revision} · ${result.url} · ${config.healthPath} ${result.healthStatus} in ${result.healthMs} ms`;
      output.appendLine(summary);
      output.appendLine(`Steps: ${result.timings.map((t) => `${t.step} ${(t.ms / 1000).toFixed(1)} s`).join(', ')}`);
      ctx.log.info(summary);
      // Tracebacks from older revisions no longer describe what serves; the new revision starts clean.
      ctx.cloudDiagnostics.revisionTookAllTraffic(config.service, result.revision);
      void vscode.window.showInformationMessage(summary, 'Open', 'Copy URL', 'Tail Logs').then((choice) => {
        if (choice === 'Open') void vscode.env.openExternal(vscode.Uri.parse(result.url));
        if (choice === 'Copy URL') void vscode.env.clipboard.writeText(result.url);
        if (choice === 'Tail Logs') void vscode.commands.executeCommand('mentor.tailLogs', serviceName);
      });
      if (vscode.workspace.getConfiguration('mentor').get('tail.startAfterDeploy', true)) {
        void vscode.commands.executeCommand('mentor.tailLogs', serviceName);
      }
      return result;
    } catch (error) {
      if (error instanceof UserFacingError) output.appendLine(`Deploy failed: ${error.message}${error.detail ? `\n${error.detail}` : ''}`);
      throw error;
    } finally {
      ctx.explorer.setBusy(serviceName, undefined);
      ctx.explorer.refresh();
      void preflight.close();
      void logging.then((l) => l.close(), () => undefined);
    }
  },
};

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
    async confirmPlan(service: string, planText: string) {
      const answer = await vscode.window.showWarningMessage(`Deploy a new revision of ${service}?`,
        { modal: true, detail: `${planText}\n\nThe new revision starts with 0% of traffic and must pass its health check first.` },
        DEPLOY_BUTTON);
      return answer === DEPLOY_BUTTON;
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
