// "Run Container Locally", faithful to Cloud Run: PORT and K_* env, Cloud Run's memory/CPU limits, env
// from a .env file, mentor.secrets from Secret Manager in memory when the user says so (local/localSecrets),
// published on 127.0.0.1; started when the health check chosen for the app passes. If the app does not
// answer on $PORT, the message says why and offers the line to change.
import * as vscode from 'vscode';
import { CLOUD_RUN_RESERVED_ENV, cloudRunEnv } from '../core/containerContract';
import { parseDotenv } from '../core/dotenv';
import { pathInsideFolder } from '../core/workspacePaths';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { diagnosePort, SourceFile } from '../core/portDiagnosis';
import { parseCpu, parseMemory } from '../core/resources';
import { chooseHealthChecks, describeCheck, describeResolved, HealthCheckStep, ResolvedHealthCheck } from '../core/healthCheck';
import { runHealthChecks } from '../docker/healthCheckProbe';
import type { HealthProbeResult } from '../docker/healthProbe';
import { localSecretValues } from '../local/localSecrets';
import { startCommandPortError } from '../local/startCommandCheck';
import { workspaceProjectFiles } from '../local/workspaceFiles';
import type { RunningContainer } from '../docker/types';
import { readLocalRunSettings, readServiceName } from '../workspaceSettings';
import { buildWorkspaceImage } from './buildContainer';
import { MentorCommand, MentorContext } from './context';
import { requireFolder } from './createDockerfile';

const NO_ENV_FILE = 'No .env file';

export interface LocalRunResult {
  url: string;
  hostPort: number;
  startupMs: number;
  status: number;
  healthCheck: HealthCheckStep;
}

export const runLocally: MentorCommand = {
  id: 'mentor.runLocally',
  async run(ctx): Promise<LocalRunResult> {
    const folder = requireFolder();
    const service = readServiceName();
    const settings = readLocalRunSettings();
    const limits = { memoryBytes: toSetting(() => parseMemory(settings.memory), 'memory'), nanoCpus: toSetting(() => parseCpu(settings.cpu), 'cpu') };
    const portError = await startCommandPortError(folder.uri.fsPath, settings.port);
    if (portError) throw portError;
    const userEnv = await readEnvFile(ctx, folder, settings.envFile);
    // What the .env file sets wins locally (a developer's test key); the rest of mentor.secrets may come from Secret Manager.
    const memoryEnv = await localSecretValues(ctx.extension, folder, ctx.log, new Set(Object.keys(userEnv)));
    await buildWorkspaceImage(ctx);

    await ctx.localRun.stop();
    const engine = await ctx.docker.engine();
    const env = { ...userEnv, ...cloudRunEnv(service, `${service}-local`, settings.port) };
    const container = await engine.run({
      image: `${service}:local`, env, memoryEnv, containerPort: settings.port, ...limits,
      labels: { 'mentor.service': service, 'mentor.folder': folder.uri.fsPath },
    });
    ctx.localRun.attach(service, container);
    const url = `http://127.0.0.1:${container.hostPort}`;

    const steps = await chooseHealthChecks(workspaceProjectFiles(folder), settings.healthPath);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting ${service} locally`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return runHealthChecks({
          baseUrl: url, steps, timeoutMs: settings.startupTimeoutSeconds * 1000, signal: abort.signal,
          stillRunning: async () => (await container.state()).running,
          onStep: (step) => progress.report({ message: `waiting for ${describeCheck(step)} on port ${settings.port}…` }),
        });
      },
    );
    if (outcome.ok) {
      ctx.localRun.markHealthy(outcome.elapsedMs);
      ctx.log.info(`${service} healthy locally at ${url} after ${outcome.elapsedMs} ms. ${describeResolved(outcome)}`);
      void offerLocalActions(folder, service, url, outcome);
      return { url, hostPort: container.hostPort, startupMs: outcome.elapsedMs, status: outcome.status, healthCheck: outcome.step };
    }
    const probe = outcome.probe;
    const failure = await explainFailure(folder, container, settings.port, outcome.step, probe);
    ctx.localRun.showLogs();
    await ctx.localRun.stop();
    if (probe.reason === 'aborted') throw new UserCancelledError();
    throw failure;
  },
};

const LOCAL_ACTIONS: Record<string, string> = {
  'Open in Browser': 'mentor.openLocalContainer', 'Show Logs': 'mentor.showLocalLogs', Stop: 'mentor.stopLocalContainer',
};
export const SAVE_HEALTH_PATH_BUTTON = 'Save as mentor.healthPath';

/** The running notification, naming the check and why; a check found in the app can be kept as the setting. */
async function offerLocalActions(folder: vscode.WorkspaceFolder, service: string, url: string, outcome: ResolvedHealthCheck & { elapsedMs: number }) {
  const { step } = outcome;
  const savable = step.source === 'route' || step.source === 'openapi';
  const passedOver = outcome.notes.length ? ` ${outcome.notes.join('; ')}.` : '';
  const choice = await vscode.window.showInformationMessage(
    `${service} is running at ${url} — GET ${step.path} ${outcome.status} after ${(outcome.elapsedMs / 1000).toFixed(1)} s (${step.reason}).${passedOver}`,
    ...Object.keys(LOCAL_ACTIONS), ...(savable ? [SAVE_HEALTH_PATH_BUTTON] : []),
  );
  if (choice === SAVE_HEALTH_PATH_BUTTON) {
    await vscode.workspace.getConfiguration('mentor', folder.uri).update('healthPath', step.path, vscode.ConfigurationTarget.WorkspaceFolder);
    void vscode.window.showInformationMessage(`mentor.healthPath is now ${step.path} in ${folder.name}'s settings.`);
  } else if (choice) {
    await vscode.commands.executeCommand(LOCAL_ACTIONS[choice]);
  }
}

function toSetting<T>(parse: () => T, setting: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UserFacingError((error as Error).message, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: `mentor.${setting}` }]);
  }
}

/** Values from mentor.localEnvFile, or from a .env file the user picks. Values are never logged. */
async function readEnvFile(ctx: MentorContext, folder: vscode.WorkspaceFolder, configured: string): Promise<Record<string, string>> {
  let relative = configured;
  if (!relative) {
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '{.env,.env.*,*.env}'), undefined, 20);
    if (found.length === 0) return {};
    const picked = await vscode.window.showQuickPick([NO_ENV_FILE, ...found.map((uri) => vscode.workspace.asRelativePath(uri, false))],
      { placeHolder: 'Environment for the local container (set mentor.localEnvFile to skip this question)' });
    if (!picked) throw new UserCancelledError();
    if (picked === NO_ENV_FILE) return {};
    relative = picked.includes('/') && picked.startsWith(`${folder.name}/`) ? picked.slice(folder.name.length + 1) : picked;
  }
  // A cloned repository's settings must not hand the container a file from elsewhere on this machine.
  const inside = pathInsideFolder(relative);
  if ('problem' in inside) {
    throw new UserFacingError(`mentor.localEnvFile ${inside.problem}.`, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.localEnvFile' }]);
  }
  relative = inside.path;
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, relative)));
  } catch {
    throw new UserFacingError(`The env file ${relative} does not exist.`, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.localEnvFile' }]);
  }
  const { values, problems } = parseDotenv(text);
  const overridden = CLOUD_RUN_RESERVED_ENV.filter((name) => name in values);
  if (overridden.length) ctx.log.warn(`${relative}: ${overridden.join(', ')} are set by Cloud Run and were replaced.`);
  if (problems.length) ctx.log.warn(`${relative}: skipped ${problems.join('; ')}`);
  ctx.log.info(`Local container env from ${relative}: ${Object.keys(values).length} variables (values not logged)`);
  return values;
}

async function explainFailure(folder: vscode.WorkspaceFolder, container: RunningContainer, port: number, step: HealthCheckStep,
  probe: Exclude<HealthProbeResult, { ok: true }>): Promise<UserFacingError> {
  const showLogs = { kind: 'command', label: 'Show Logs', command: 'mentor.showLocalLogs' } as const;
  if (probe.reason === 'exited') {
    const state = await container.state().catch(() => undefined);
    const why = state?.oomKilled ? ' (out of memory: raise mentor.memory)' : state?.exitCode !== undefined ? ` with code ${state.exitCode}` : '';
    return new UserFacingError(`The container exited${why} before answering GET ${step.path}. See its logs for the error.`,
      'operationFailed', [showLogs]);
  }
  if (probe.lastStatus !== undefined) {
    return new UserFacingError(`The app answers on $PORT (${port}) but GET ${step.path} returned ${probe.lastStatus} (${step.reason}). ` +
      (step.source === 'setting' ? 'Set mentor.healthPath to an endpoint that returns 200, or clear it to let Mentor choose.'
        : 'Answers of 500 and above mean the app failed: see its logs.'), 'operationFailed',
    [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.healthPath' }, showLogs]);
  }
  const sockets = await container.listeningSockets().catch(() => []);
  const diagnosis = diagnosePort(port, sockets, await sourcesToSearch(folder));
  const actions = diagnosis.location
    ? [{ kind: 'openFile', label: 'Show Line', path: vscode.Uri.joinPath(folder.uri, diagnosis.location.path).fsPath, line: diagnosis.location.line } as const, showLogs]
    : [showLogs];
  const where = diagnosis.location ? ` Change ${diagnosis.location.path} line ${diagnosis.location.line}: ${diagnosis.location.text}` : '';
  return new UserFacingError(`${diagnosis.message}${where}`, 'operationFailed', actions);
}

async function sourcesToSearch(folder: vscode.WorkspaceFolder): Promise<SourceFile[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '{Dockerfile,*.py,*/*.py,Procfile}'), '**/.venv/**', 50);
  const sources: SourceFile[] = [];
  for (const uri of uris) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    sources.push({ path: vscode.workspace.asRelativePath(uri, false).replace(/^[^/]+\//, (m) => (m === `${folder.name}/` ? '' : m)), text });
  }
  return sources;
}
