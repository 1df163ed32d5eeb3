import { SetupWizardPanel } from '../webview/setupPanel';
import { MentorCommand } from './context';

/** Mentor: Set Up Google Cloud… — the first-time setup wizard (also the walkthrough's step and the first-open offer). */
export const setup: MentorCommand<[]> = {
  id: 'mentor.setup',
  run(ctx) {
    SetupWizardPanel.show(ctx);
  },
};
