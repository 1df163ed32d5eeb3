// "Create Dockerfile": detect the FastAPI app and its dependencies, propose a Cloud Run Dockerfile and
// .dockerignore, and never overwrite silently: a different existing file is shown as a diff first.
import * as vscode from 'vscode';
import { renderDockerfile } from '../core/dockerfileTemplate';
import { renderDockerignore } from '../core/dockerignoreTemplate';
import { UserFacingError } from '../core/errors';
import { detectPythonProject } from '../core/pythonProject';
import { dockerfileCommand, portProblem } from '../core/startCommand';
import { FIX_START_COMMAND } from '../local/startCommandCheck';
import { workspaceProjectFiles } from '../local/workspaceFiles';
import { activeWorkspaceFolder, readDeployConfig } from '../workspaceSettings';
import { MentorCommand } from './context';

export const REPLACE_BUTTON = 'Replace';
export const KEEP_BUTTON = 'Keep Mine';
export const FIX_LINE = 'Fix Line';

export interface CreateDockerfileResult {
  appModule: string;
  written: string[];
  kept: string[];
  unchanged: string[];
  /** The line of the user's Dockerfile that "Fix Line" changed. */
  fixedLine?: number;
}

export const createDockerfile: MentorCommand = {
  id: 'mentor.createDockerfile',
  async run(ctx): Promise<CreateDockerfileResult> {
    const folder = requireFolder();
    const files = workspaceProjectFiles(folder);
    const project = await detectPythonProject(files);
    if (!project) {
      throw new UserFacingError(`No FastAPI app found in ${folder.name}: Mentor looks for "app = FastAPI(...)" in main.py, ` +
        'app.py, app/main.py, src/main.py and other Python files near the top of the folder.', 'notFound');
    }
    const result: CreateDockerfileResult = { appModule: project.appModule, written: [], kept: [], unchanged: [] };
    for (const [name, content] of [['Dockerfile', renderDockerfile(project)], ['.dockerignore', renderDockerignore()]] as const) {
      const target = vscode.Uri.joinPath(folder.uri, name);
      const existing = await files.read(name);
      if (existing === content) {
        result.unchanged.push(name);
        continue;
      }
      const choice = existing === undefined ? REPLACE_BUTTON
        : await confirmReplace(ctx.proposals.propose(name, content), target, name, name === 'Dockerfile' ? existing : undefined);
      if (choice === REPLACE_BUTTON) {
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
        result.written.push(name);
      } else {
        result.kept.push(name);
        if (choice?.startsWith(FIX_LINE)) result.fixedLine = (await vscode.commands.executeCommand<{ line: number } | undefined>(FIX_START_COMMAND, target.fsPath))?.line;
      }
    }
    ctx.log.info(`Create Dockerfile for ${project.appModule} (${project.dependencies.kind}): ` +
      `written ${result.written.join(', ') || 'nothing'}; kept ${result.kept.join(', ') || 'nothing'}`);
    if (result.written.includes('Dockerfile')) {
      await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, 'Dockerfile'), { preview: false });
    }
    const note = project.declaresUvicorn ? '' : ' uvicorn is not in your dependencies, so the Dockerfile installs it.';
    void vscode.window.showInformationMessage(result.written.length
      ? `Wrote ${result.written.join(' and ')} for ${project.appModule} (listens on 0.0.0.0:$PORT).${note}`
      : `Kept your ${[...result.kept, ...result.unchanged].join(' and ')}.`);
    return result;
  },
};

/**
 * Shows the diff and asks. A Dockerfile of the user's own is read first: its start command's port and
 * module are explained, and a fixed port that breaks Cloud Run can be fixed in one line instead of replacing it.
 */
async function confirmReplace(proposal: vscode.Uri, target: vscode.Uri, name: string, dockerfile?: string): Promise<string | undefined> {
  await vscode.commands.executeCommand('vscode.diff', target, proposal, `${name}: yours ↔ Mentor's proposal`, { preview: true });
  const location = dockerfile === undefined ? undefined : dockerfileCommand(name, dockerfile);
  const problem = location && portProblem(location, readDeployConfig().port);
  const reads = location ? ` It starts ${location.command.server}${location.command.appModule ? ` with ${location.command.appModule}` : ''} ` +
    `(line ${location.line}).` : '';
  const fix = location && problem ? [`${FIX_LINE} ${location.line}`] : [];
  return vscode.window.showWarningMessage(
    `Your ${name} differs from Mentor's proposal.${reads}${problem ? ` ${problem}` : ''} ${fix.length ? 'Fix that line, or replace the file?' : 'Replace it?'}`,
    { modal: true, detail: 'The diff editor shows what would change. Nothing is written unless you choose.' },
    ...fix, REPLACE_BUTTON, KEEP_BUTTON,
  );
}

export function requireFolder(): vscode.WorkspaceFolder {
  const folder = activeWorkspaceFolder();
  if (!folder) throw new UserFacingError('Open the folder of your app first (File › Open Folder).', 'configuration');
  return folder;
}
