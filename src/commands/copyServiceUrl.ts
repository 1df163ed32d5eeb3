import * as vscode from 'vscode';
import { ServiceNode } from '../tree/nodes';
import { MentorCommand } from './context';
import { serviceUrl } from './serviceUrl';

export const copyServiceUrl: MentorCommand<[ServiceNode?]> = {
  id: 'mentor.copyServiceUrl',
  async run(ctx, node) {
    const url = await serviceUrl(ctx, node);
    await vscode.env.clipboard.writeText(url);
    void vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
    return url;
  },
};
