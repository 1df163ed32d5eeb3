// "Build Container": build the workspace's Dockerfile on the local engine with step-by-step progress,
// cancellable, output in its own channel; tags SERVICE:local and SERVICE:<git sha>[-dirty].
import * as vscode from 'vscode';
import { serviceIdProblem } from '../core/cloudRunNames';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { secretFileActions, secretsInLocalImageWarning } from '../core/secretsInImage';
import { secretFilesInContext } from '../docker/contextSecrets';
import type { BuildResult } from '../docker/types';
import { gitRevisionTag } from '../local/gitRevision';
import { readDeployConfig, readServiceName } from '../workspaceSettings';
import { MentorCommand, MentorContext } from './context';
import { requireFolder } from './createDockerfile';
import { runErrorAction } from './registerCommand';

export const buildContainer: MentorCommand = {
  id: 'mentor.buildContainer',
  run: (ctx) => buildWorkspaceImage(ctx),
};

/** Also used by Run Locally, which always runs what the sources say now (a cached build takes seconds). */
export async function buildWorkspaceImage(ctx: MentorContext): Promise<BuildResult> {
  const folder = requireFolder();
  const service = readServiceName();
  const problem = serviceIdProblem(service);
  if (problem) {
    throw new UserFacingError(`${problem} Image tags use the service name.`, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.service' }]);
  }
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, 'Dockerfile'));
  } catch {
    throw new UserFacingError(`There is no Dockerfile in ${folder.name}.`, 'notFound',
      [{ kind: 'command', label: 'Create Dockerfile', command: 'mentor.createDockerfile' }]);
  }
  // A local image is not pushed, so the build goes on beside the warning; a deploy would refuse these files.
  void warnAboutSecretFiles(ctx, folder);
  const engine = await ctx.docker.engine();
  const revision = await gitRevisionTag(folder.uri.fsPath);
  const tags = [`${service}:local`, ...(revision ? [`${service}:${revision}`] : [])];
  const output = ctx.buildOutput;
  output.clear();
  output.appendLine(`Building ${tags.join(', ')} from ${folder.uri.fsPath} on ${engine.info.host} (API ${engine.info.apiVersion})`);

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Building ${service}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      let lastStep = 0;
      try {
        const result = await engine.build({
          contextDir: folder.uri.fsPath,
          dockerfile: 'Dockerfile',
          tags,
          signal: abort.signal,
          onProgress: ({ line, step, totalSteps }) => {
            output.appendLine(line);
            if (step && totalSteps && step !== lastStep) {
              progress.report({ message: `step ${step} of ${totalSteps}`, increment: (100 * (step - lastStep)) / totalSteps });
              lastStep = step;
            }
          },
        });
        const summary = `Built ${tags.join(', ')} in ${(result.durationMs / 1000).toFixed(1)} s ` +
          `(context: ${result.contextFiles} files, ${(result.contextBytes / 1024).toFixed(0)} KiB).`;
        output.appendLine(summary);
        ctx.log.info(summary);
        void vscode.window.setStatusBarMessage(`$(check) ${summary}`, 8000);
        return result;
      } catch (error) {
        if (abort.signal.aborted) {
          output.appendLine('Build cancelled.');
          throw new UserCancelledError();
        }
        output.show(true);
        throw error;
      } finally {
        cancel.dispose();
      }
    },
  );
}

/** A warning naming the secret files in the build context, with the deploy's two ways out as buttons. */
async function warnAboutSecretFiles(ctx: MentorContext, folder: vscode.WorkspaceFolder): Promise<void> {
  try {
    const findings = await secretFilesInContext(folder.uri.fsPath, 'Dockerfile', readDeployConfig().allowedFilesInImage);
    if (!findings.length) return;
    const message = secretsInLocalImageWarning(findings);
    ctx.log.warn(message);
    const actions = secretFileActions(findings, folder.uri.fsPath);
    const chosen = await vscode.window.showWarningMessage(message, ...actions.map((a) => a.label));
    const action = actions.find((a) => a.label === chosen);
    if (action) await runErrorAction(ctx, action);
  } catch (error) {
    // the build reports a context it cannot read; the scan only adds a warning
    ctx.log.warn(`Could not check the build context for secrets: ${(error as Error).message}`);
  }
}
