// The continuous-deployment steps in order, on the setup wizard's runner: each is check → create if missing →
// verify, so a re-run finds and reuses everything; a step that needs the user stops the run there.
import { runSteps, StepOutcome } from '../setup/setupRunner';
import { SetupStep } from '../setup/setupContext';
import { buildAccountStep } from './buildAccountStep';
import { CicdContext, CicdStepId } from './cicdContext';
import { cloudBuildFileStep } from './fileStep';
import { connectionStep, repositoryStep } from './githubSteps';
import { slackStep, topicStep } from './notificationSteps';
import { triggerStep } from './triggerStep';

export const CICD_STEPS: readonly SetupStep<CicdContext, CicdStepId>[] = [
  cloudBuildFileStep, connectionStep, repositoryStep, buildAccountStep, triggerStep, topicStep, slackStep,
];

export type CicdOutcome = StepOutcome<CicdStepId>;

/** Slack is optional: skipping it (or failing it) does not undo the rest. */
export function runCicdSteps(ctx: CicdContext, allowCreate: boolean, report: (outcome: CicdOutcome) => void): Promise<CicdOutcome[]> {
  return runSteps<CicdContext, CicdStepId>(ctx, allowCreate, report, CICD_STEPS, ['notifications']);
}
