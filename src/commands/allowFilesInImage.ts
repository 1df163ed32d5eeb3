// "Allow in Image" on a secrets finding: after a modal that names the files, they go into
// mentor.allowedFilesInImage in the folder's .vscode/settings.json, so the decision is in the repository
// (reviewable, shared with the team and the CLI) rather than hidden on one machine.
import * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import { ALLOW_FILES_BUTTON, ALLOWED_FILES_SETTING } from '../core/secretsInImage';
import { MentorCommand } from './context';
import { secretFileTarget } from './secretFileArgs';

const SETTING = ALLOWED_FILES_SETTING.slice('mentor.'.length);

export const allowFilesInImage: MentorCommand<[string[]?, string?]> = {
  id: 'mentor.allowFilesInImage',
  async run(ctx, paths, contextDir): Promise<string[]> {
    const target = await secretFileTarget(paths, contextDir, 'Files to build into the image anyway');
    const answer = await vscode.window.showWarningMessage(
      target.paths.length === 1 ? `Build ${target.paths[0]} into the image?` : `Build these ${target.paths.length} files into the image?`,
      {
        modal: true,
        detail: `${target.paths.join('\n')}\n\nWhoever can pull the image can read ${target.paths.length === 1 ? 'it' : 'them'}. ` +
          `Mentor remembers this in ${target.folder.name}/.vscode/settings.json (${ALLOWED_FILES_SETTING}), and deploys stop ` +
          'refusing the image for these files.',
      },
      ALLOW_FILES_BUTTON,
    );
    if (answer !== ALLOW_FILES_BUTTON) throw new UserCancelledError();
    const config = vscode.workspace.getConfiguration('mentor', target.folder.uri);
    const inspected = config.inspect<string[]>(SETTING);
    const current = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? [];
    const allowed = [...new Set([...current, ...target.paths])];
    await config.update(SETTING, allowed, vscode.ConfigurationTarget.WorkspaceFolder);
    ctx.log.info(`${ALLOWED_FILES_SETTING}: allowed ${target.paths.join(', ')} in the image of ${target.folder.name}`);
    void vscode.window.showInformationMessage(`${target.paths.join(', ')} may now go into the image (${ALLOWED_FILES_SETTING}).`);
    return allowed;
  },
};
