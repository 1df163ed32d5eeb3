// Mentor: Set Up Continuous Deployment — cloudbuild.yaml (shown as a diff first), a GitHub connection, the
// repository link, a build service account with exactly its roles, a trigger on push to main, and the
// cloud-builds topic (+ optional Slack). The steps live in src/cicd; this file gathers the answers from the
// settings and git, runs the steps under one cancellable progress notification, and reports what it did.
import * as vscode from 'vscode';
import { CicdAnswers, CicdContext, suggestBuildAccountId, suggestTriggerName } from '../cicd/cicdContext';
import { CICD_STEPS, CicdOutcome, runCicdSteps } from '../cicd/cicdSteps';
import { generatedCloudBuildFile } from '../cicd/cloudBuildFileSource';
import { UserCancelledError, UserFacingError } from '../core/errors';
import { chooseHealthChecks } from '../core/healthCheck';
import { connectCicdSetupApi } from '../gcp/cicdSetupApi';
import { untrustedEndpointError } from '../gcp/clientOptions';
import { connectSetupApi } from '../gcp/setupApi';
import { originDefaultBranch, originUrl } from '../local/gitRemote';
import { workspaceProjectFiles } from '../local/workspaceFiles';
import { activeWorkspaceFolder, readDeployConfig, readTarget, TRUSTED_ENDPOINTS_KEY } from '../workspaceSettings';
import { vscodeCicdUi } from './cicdUi';
import { MentorCommand, MentorContext } from './context';

const BRANCH_KEY = 'mentor.cicd.branch';
const SLACK_DECLINED_KEY = 'mentor.cicd.slackDeclined';

export interface ContinuousDeploymentResult {
  outcomes: CicdOutcome[];
  created: string[];
  reused: string[];
}

export const setUpContinuousDeployment: MentorCommand<[]> = {
  id: 'mentor.setUpContinuousDeployment',
  async run(ctx): Promise<ContinuousDeploymentResult> {
    const folder = activeWorkspaceFolder();
    if (!folder) throw new UserFacingError('Open the folder of your app first (File › Open Folder).', 'configuration');
    const target = readTarget(ctx.extension.globalState.get<string[]>(TRUSTED_ENDPOINTS_KEY, []));
    if (target.untrustedEndpoint) throw untrustedEndpointError(target.apiEndpoint);
    const config = readDeployConfig();
    if (!config.project) {
      throw new UserFacingError('mentor.project is not set: continuous deployment builds and deploys in that project.', 'configuration',
        [{ kind: 'command', label: 'Set Up Google Cloud…', command: 'mentor.setup' }, { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.project' }]);
    }
    const [healthCheck] = await chooseHealthChecks(workspaceProjectFiles(folder), config.healthPath);
    const cloudBuildFile = generatedCloudBuildFile({ config, healthCheck });
    try {
      cloudBuildFile.proposal(); // settings that cannot deploy fail here, before anything is created
    } catch (error) {
      throw new UserFacingError((error as Error).message, 'configuration', [{ kind: 'command', label: 'Open Settings', command: 'mentor.openSettings' }]);
    }
    const origin = await originUrl(folder.uri.fsPath);
    const answers: CicdAnswers = {
      project: config.project, region: config.region, service: config.service,
      buildAccountId: buildAccountId(folder, config.service),
      runtimeAccount: config.serviceAccount,
      secretIds: [...new Set(Object.values(config.secrets).map((ref) => ref.secret.split('/').pop() ?? ref.secret))],
      managesInvokerAccess: config.allowUnauthenticated,
      originUrl: origin,
      branch: origin ? await deployBranch(ctx, folder) : 'main',
      connectionId: 'mentor-github',
      triggerName: suggestTriggerName(config.service),
      slackDeclined: ctx.extension.workspaceState.get<boolean>(stateKey(SLACK_DECLINED_KEY, folder), false),
    };
    const [api, cicd] = await Promise.all([connectSetupApi(target), connectCicdSetupApi(target, process.env.PUBSUB_EMULATOR_HOST)]);
    let outcomes: CicdOutcome[];
    try {
      outcomes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Continuous deployment', cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          const say = (message: string) => progress.report({ message });
          const run: CicdContext = {
            api, cicd, answers: setupAnswers(answers), cicdAnswers: answers, appEnvVars: [], apisJustEnabled: false,
            emulator: target.apiEndpoint || undefined, signal: abort.signal, found: {}, cloudBuildFile,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            progress: say,
            ui: vscodeCicdUi({ folder, proposals: ctx.proposals, log: ctx.log, report: say }),
            files: {
              read: async (path) => {
                try { return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, path))); } catch { return undefined; }
              },
              write: async (path, text) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder.uri, path), new TextEncoder().encode(text)),
            },
          };
          return runCicdSteps(run, true, (o) => {
            if (['working', 'checking'].includes(o.state)) say(`${CICD_STEPS.find((s) => s.id === o.id)?.title}…`);
            else ctx.log.info(`Continuous deployment ${o.id}: ${o.state} — ${o.summary}${o.fix ? ` Fix: ${o.fix}` : ''}`);
          });
        });
    } finally {
      await Promise.allSettled([api.close(), cicd.close()]);
    }
    await ctx.extension.workspaceState.update(stateKey(SLACK_DECLINED_KEY, folder), answers.slackDeclined);
    return reportOutcomes(ctx, answers, outcomes);
  },
};

function reportOutcomes(ctx: MentorContext, answers: CicdAnswers, outcomes: CicdOutcome[]): ContinuousDeploymentResult {
  const title = (o: CicdOutcome) => CICD_STEPS.find((s) => s.id === o.id)?.title ?? o.id;
  const created = outcomes.filter((o) => o.state === 'done' && o.changed).map(title);
  const reused = outcomes.filter((o) => o.state === 'done' && !o.changed).map(title);
  const stuck = outcomes.find((o) => o.state === 'needsAction' || o.state === 'failed');
  if (stuck && stuck.id !== 'notifications') {
    void vscode.window.showWarningMessage(`Continuous deployment — ${title(stuck)}: ${stuck.summary}${stuck.fix ? ` ${stuck.fix}` : ''}`, 'Show Log')
      .then((choice) => choice && ctx.log.show());
    return { outcomes, created, reused };
  }
  const what = created.length ? `Set up ${created.join(', ')}; found and reused ${reused.join(', ') || 'nothing'}.`
    : `Everything was found and reused; nothing created (${reused.join(', ')}).`;
  const slack = stuck ? ` Slack: ${stuck.summary}` : '';
  void vscode.window.showInformationMessage(`Continuous deployment: a push to ${answers.branch} deploys ${answers.service}. ${what} ` +
    `Commit and push cloudbuild.yaml to ${answers.branch} to start.${slack}`, 'Show Log').then((choice) => choice && ctx.log.show());
  return { outcomes, created, reused };
}

/** The SetupAnswers the wizard's shared helpers read (project, for error messages). */
function setupAnswers(a: CicdAnswers) {
  return { project: a.project, region: a.region, service: a.service, repository: '', serviceAccountId: a.buildAccountId, secrets: {}, notSecrets: [] };
}

/** mentor.buildServiceAccount (an email in the project, or an ID), else SERVICE-deployer. */
function buildAccountId(folder: vscode.WorkspaceFolder, service: string): string {
  const configured = vscode.workspace.getConfiguration('mentor', folder.uri).get<string>('buildServiceAccount', '').trim();
  return configured ? configured.split('@')[0] : suggestBuildAccountId(service);
}

/** main, unless origin's default branch is another one: then the user chooses (once per workspace). */
async function deployBranch(ctx: MentorContext, folder: vscode.WorkspaceFolder): Promise<string> {
  const remembered = ctx.extension.workspaceState.get<string>(stateKey(BRANCH_KEY, folder));
  if (remembered) return remembered;
  const fallback = await originDefaultBranch(folder.uri.fsPath);
  if (!fallback || fallback === 'main') return 'main';
  const picked = await vscode.window.showQuickPick([
    { label: fallback, description: "origin's default branch" },
    { label: 'main', description: 'the usual deploy branch' },
  ], { title: 'Deploy on pushes to which branch?', placeHolder: `origin's default branch is ${fallback}, not main`, ignoreFocusOut: true });
  if (!picked) throw new UserCancelledError();
  await ctx.extension.workspaceState.update(stateKey(BRANCH_KEY, folder), picked.label);
  return picked.label;
}

const stateKey = (key: string, folder: vscode.WorkspaceFolder) => `${key}:${folder.uri.toString()}`;
