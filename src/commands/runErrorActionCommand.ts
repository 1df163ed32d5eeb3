import { ErrorAction } from '../core/errors';
import { MentorCommand } from './context';
import { runErrorAction } from './registerCommand';

/** Internal: the explorer's error rows ("Retry", "Open Settings") run their action through this. */
export const runErrorActionCommand: MentorCommand<[ErrorAction]> = {
  id: 'mentor.runErrorAction',
  run: (ctx, action) => runErrorAction(ctx, action),
};
