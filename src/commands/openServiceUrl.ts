import * as vscode from 'vscode';
import { ServiceNode } from '../tree/nodes';
import { MentorCommand } from './context';
import { serviceUrl } from './serviceUrl';

export const openServiceUrl: MentorCommand<[ServiceNode?]> = {
  id: 'mentor.openServiceUrl',
  async run(ctx, node) {
    await vscode.env.openExternal(vscode.Uri.parse(await serviceUrl(ctx, node)));
  },
};
