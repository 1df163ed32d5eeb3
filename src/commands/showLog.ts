import { MentorCommand } from './context';

export const showLog: MentorCommand = {
  id: 'mentor.showLog',
  run(ctx) {
    ctx.log.show(true);
  },
};
