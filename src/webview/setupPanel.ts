// Hosts the first-time setup wizard: strict CSP with a nonce, scripts only from dist/, a ready handshake,
// typed messages (setupProtocol.ts). One wizard per window. Requests run one at a time, so a double click
// never starts two runs. Secret values arrive in `saveSecret`, go to Secret Manager, and are dropped.
import * as vscode from 'vscode';
import { webviewHtml } from './webviewHtml';
import { MentorContext } from '../commands/context';
import { findAppEnvVars, type SourceFile } from '../core/appEnvVars';
import { findAppRoles } from '../core/appRoles';
import { connectSetupApi } from '../gcp/setupApi';
import { workspaceProjectFiles } from '../local/workspaceFiles';
import { saveSecret } from '../setup/secretsStep';
import { SetupAnswers, SetupContext, suggestServiceAccountId } from '../setup/setupContext';
import { runSteps, SETUP_STEPS, StepOutcome } from '../setup/setupRunner';
import { activeWorkspaceFolder, readServiceName, readTarget, TRUSTED_ENDPOINTS_KEY } from '../workspaceSettings';
import { isSetupRequest, PROJECT_DISPLAY_NAME, PROJECT_ID, SetupMessage, SetupRequest, StepView } from './setupProtocol';
import { writeSetupSettings } from './setupSettings';

export class SetupWizardPanel implements vscode.Disposable {
  private static current: SetupWizardPanel | undefined;
  private ready = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private setup: SetupContext | undefined;
  private readonly steps = new Map<string, StepView>();

  static show(ctx: MentorContext): SetupWizardPanel {
    if (SetupWizardPanel.current) {
      SetupWizardPanel.current.panel.reveal();
      return SetupWizardPanel.current;
    }
    const folder = activeWorkspaceFolder();
    if (!folder) throw new Error('Open the folder of your app first: the setup writes its answers to the folder\'s .vscode/settings.json.');
    const panel = vscode.window.createWebviewPanel('mentor.setup', 'Set Up Google Cloud', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist')],
    });
    SetupWizardPanel.current = new SetupWizardPanel(ctx, panel, folder);
    return SetupWizardPanel.current;
  }

  private constructor(private readonly ctx: MentorContext, readonly panel: vscode.WebviewPanel, private readonly folder: vscode.WorkspaceFolder) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'cloud-run.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isSetupRequest(message)) return;
        const failed = (error: unknown) => this.post({ type: 'error', message: (error as Error)?.message ?? String(error) });
        // Searching only reads, and must not wait behind a run of the steps: it answers beside the queue (the
        // webview shows only the answer to its newest search).
        if (message.type === 'searchProjects') return void this.searchProjects(message).catch(failed);
        this.queue = this.queue.then(() => this.onRequest(message)).catch(failed);
      }),
    );
  }

  private async onRequest(request: SetupRequest): Promise<void> {
    if (request.type === 'ready') {
      this.ready = true;
      return this.start();
    }
    const setup = this.setup;
    if (!setup) return;
    const answers = setup.answers;
    switch (request.type) {
      case 'check':
        return this.runAll(false);
      case 'run':
        return this.runAll(true);
      case 'chooseProject':
        answers.project = request.projectId;
        answers.newProject = undefined;
        return this.answersChanged();
      case 'newProject':
        if (!PROJECT_ID.test(request.projectId)) {
          return this.post({ type: 'error', message: `"${request.projectId}" is not a valid project ID: 6–30 lowercase letters, digits or hyphens, starting with a letter.` });
        }
        if (!PROJECT_DISPLAY_NAME.test(request.displayName.trim() || request.projectId)) {
          return this.post({ type: 'error', message: `"${request.displayName}" is not a valid project name: 4–30 letters, digits, spaces, hyphens, quotes or exclamation marks.` });
        }
        answers.project = request.projectId;
        answers.newProject = { projectId: request.projectId, displayName: request.displayName.trim() || request.projectId };
        return this.answersChanged();
      case 'listBillingAccounts':
        return this.post({ type: 'billingAccounts', accounts: await setup.api.listBillingAccounts() });
      case 'chooseBilling':
        answers.billingAccount = request.account;
        return this.answersChanged();
      case 'setAnswers':
        Object.assign(answers, { region: request.region.trim(), service: request.service.trim(), repository: request.repository.trim(),
          serviceAccountId: request.serviceAccountId.trim() });
        return this.answersChanged();
      case 'saveSecret':
        return this.saveSecret(request.name, request.secretId, new TextEncoder().encode(request.value));
      case 'saveSecretFromFile': {
        const [file] = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: `Use as ${request.name}`, defaultUri: this.folder.uri }) ?? [];
        if (!file) return;
        return this.saveSecret(request.name, request.secretId, await vscode.workspace.fs.readFile(file));
      }
      case 'notSecret':
        if (!answers.notSecrets.includes(request.name)) answers.notSecrets.push(request.name);
        delete answers.secrets[request.name];
        await this.ctx.extension.workspaceState.update(notSecretsKey(this.folder), answers.notSecrets);
        return this.answersChanged();
      case 'copy':
        await vscode.env.clipboard.writeText(request.text);
        return;
      case 'finish': {
        const written = await writeSetupSettings(this.folder, answers);
        this.ctx.log.info(`Setup wrote ${written.join(', ')} to ${this.folder.name}/.vscode/settings.json`);
        return this.post({ type: 'finished', settingsFile: `${this.folder.name}/.vscode/settings.json`, written });
      }
      case 'deployNow':
        await vscode.commands.executeCommand('mentor.deploy');
        return;
      case 'setUpContinuousDeployment':
        // Not awaited: the command asks in dialogs and its own progress notification, and the wizard stays usable meanwhile.
        void vscode.commands.executeCommand('mentor.setUpContinuousDeployment');
        return;
    }
  }

  private async searchProjects(request: Extract<SetupRequest, { type: 'searchProjects' }>): Promise<void> {
    const page = await this.setup?.api.searchProjects(request.query, request.pageToken);
    if (!page) return;
    this.post({ type: 'projects', requestId: request.requestId, query: request.query, append: Boolean(request.pageToken), nextPageToken: page.nextPageToken,
      projects: page.projects.filter((p) => p.state === 'ACTIVE').map((p) => ({ projectId: p.projectId, displayName: p.displayName })) });
  }

  private async start(): Promise<void> {
    const target = readTarget(this.ctx.extension.globalState.get<string[]>(TRUSTED_ENDPOINTS_KEY, []));
    const api = await connectSetupApi(target);
    const answers = currentAnswers(this.folder, this.ctx.extension.workspaceState.get<string[]>(notSecretsKey(this.folder), []));
    const sources = await this.appSources();
    const scanned = findAppEnvVars(sources);
    // Variables the settings already reference stay in the list even when the scan does not see them.
    const envVars = [...scanned, ...Object.keys(answers.secrets).filter((name) => !scanned.some((v) => v.name === name))
      .map((name) => ({ name, foundIn: ['mentor.secrets'] }))];
    const emulator = target.apiEndpoint && !target.untrustedEndpoint ? target.apiEndpoint : undefined;
    this.setup = {
      api, answers, emulator, appEnvVars: envVars.map((v) => v.name), appRoles: findAppRoles(sources), apisJustEnabled: false,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      progress: (note) => this.progress(note),
    };
    this.disposables.push({ dispose: () => void api.close() });
    for (const step of SETUP_STEPS) this.steps.set(step.id, { id: step.id, title: step.title, state: 'pending', summary: '', gcloud: step.gcloud(this.setup) });
    this.post({ type: 'init', answers: { ...answers }, steps: [...this.steps.values()], envVars, emulator, folder: this.folder.name });
    await this.runAll(false);
  }

  private async answersChanged(): Promise<void> {
    this.post({ type: 'answers', answers: { ...this.setup!.answers } });
    await this.runAll(false);
  }

  private async runAll(allowCreate: boolean): Promise<void> {
    const setup = this.setup!;
    this.post({ type: 'busy', busy: true });
    try {
      await runSteps(setup, allowCreate, (outcome) => this.report(outcome));
    } finally {
      this.post({ type: 'busy', busy: false });
    }
  }

  private async saveSecret(name: string, secretId: string, value: Uint8Array): Promise<void> {
    const setup = this.setup!;
    this.post({ type: 'busy', busy: true });
    try {
      const ref = await saveSecret(setup, name, secretId.trim(), value);
      this.ctx.log.info(`Setup: ${name} now reads secret ${ref}`); // the reference only, never the value
      this.post({ type: 'secretResult', name, ok: true, message: `Saved as ${ref}; the runtime service account can read it.` });
    } catch (error) {
      this.post({ type: 'secretResult', name, ok: false, message: (error as Error)?.message ?? String(error) });
    } finally {
      value.fill(0); // the only copy the host held
      this.post({ type: 'busy', busy: false });
    }
    this.post({ type: 'answers', answers: { ...setup.answers } });
    await this.runAll(false);
  }

  private report(outcome: StepOutcome): void {
    const step = SETUP_STEPS.find((s) => s.id === outcome.id)!;
    const view: StepView = { id: outcome.id, title: step.title, state: outcome.state, summary: outcome.summary, willCreate: outcome.willCreate,
      fix: outcome.fix, gcloud: step.gcloud(this.setup!) };
    this.steps.set(view.id, view);
    if (['done', 'failed', 'needsAction'].includes(outcome.state)) this.ctx.log.info(`Setup ${outcome.id}: ${outcome.state} — ${outcome.summary}`);
    this.post({ type: 'step', step: view });
  }

  private progress(note: string): void {
    const working = [...this.steps.values()].find((s) => s.state === 'working' || s.state === 'checking');
    if (working) this.post({ type: 'step', step: { ...working, note } });
  }

  /** The app's Python sources, .env examples and dependency files: what the env-var and role scans read. */
  private async appSources(): Promise<SourceFile[]> {
    const files = workspaceProjectFiles(this.folder);
    const paths = (await files.list()).filter((p) => p.endsWith('.py') || /(^|\/)(\.env\.(example|sample|template)|requirements[^/]*\.txt|pyproject\.toml)$/.test(p)).slice(0, 2000);
    return Promise.all(paths.map(async (path) => ({ path, text: (await files.read(path)) ?? '' })));
  }

  private post(message: SetupMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.ctx.extension.extensionUri, 'setupWizard.js', 'Set Up Google Cloud', 'Loading the setup…');
  }

  dispose(): void {
    SetupWizardPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Names only (which variables are plain config), kept on this machine so a re-run does not ask again. */
function notSecretsKey(folder: vscode.WorkspaceFolder): string {
  return `mentor.setup.notSecrets:${folder.uri.toString()}`;
}

/** What the folder's settings already say, so a re-run starts from the answers of the last one. */
function currentAnswers(folder: vscode.WorkspaceFolder, notSecrets: string[]): SetupAnswers {
  const config = vscode.workspace.getConfiguration('mentor', folder.uri);
  const service = readServiceName();
  const account = config.get<string>('serviceAccount', '').trim();
  return {
    project: config.get<string>('project', '').trim() || undefined,
    region: config.get<string>('region', 'us-central1').trim() || 'us-central1',
    service,
    repository: config.get<string>('repository', 'mentor').trim() || 'mentor',
    serviceAccountId: account.endsWith('.iam.gserviceaccount.com') ? account.split('@')[0] : suggestServiceAccountId(service),
    secrets: { ...config.get<Record<string, string>>('secrets', {}) },
    notSecrets: [...notSecrets],
  };
}
