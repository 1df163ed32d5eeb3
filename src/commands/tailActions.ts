// What clicking the tail status bar item offers.
import * as vscode from 'vscode';
import { UserCancelledError } from '../core/errors';
import { MentorCommand } from './context';
import { setTailFilter } from './setTailFilter';
import { stopTail } from './stopTail';
import { chooseTail } from './tailTarget';

export const tailActions: MentorCommand = {
  id: 'mentor.tailActions',
  async run(ctx) {
    const tail = await chooseTail(ctx, undefined, 'Which tail?', false);
    const running = tail.session.running;
    const picked = await vscode.window.showQuickPick([
      { label: '$(output) Show Output', id: 'show' },
      { label: '$(filter) Change Filter…', id: 'filter' },
      running ? { label: '$(debug-stop) Stop Tail', id: 'stop' } : { label: '$(play) Restart Tail', id: 'restart' },
    ], { title: `${tail.target.service}: ${tail.session.status.state}` });
    switch (picked?.id) {
      case 'show': tail.channel.show(); return;
      case 'filter': await setTailFilter.run(ctx, tail.key); return;
      case 'stop': await stopTail.run(ctx, tail.key); return;
      case 'restart': ctx.tails.start(tail.target); return;
      default: throw new UserCancelledError();
    }
  },
};
