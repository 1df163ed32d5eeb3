import * as vscode from 'vscode';
import { MentorCommand } from './context';
import { TailArgument, chooseTail } from './tailTarget';

export const stopTail: MentorCommand<[TailArgument?]> = {
  id: 'mentor.stopTail',
  async run(ctx, arg) {
    const tail = await chooseTail(ctx, arg, 'Stop which tail?', true);
    await ctx.tails.stop(tail);
    void vscode.window.setStatusBarMessage(`Stopped tailing ${tail.target.service}`, 4000);
    return tail.key;
  },
};
