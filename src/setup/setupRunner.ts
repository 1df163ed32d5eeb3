// Runs the wizard's steps: each is check → create if missing → verify (check again), so a re-run finds what
// exists and resumes; a step that needs the user stops the run there, with the reason and the fix.
import { isCancellation } from '../core/errors';
import { Code, toUserFacingError } from '../gcp/errorMapping';
import { billingStep, projectStep, signInStep } from './accountSteps';
import { apisStep, permissionsStep, repositoryStep, serviceAccountStep } from './resourceSteps';
import { secretsStep } from './secretsStep';
import { SetupContext, SetupStep, StepId } from './setupContext';

export const SETUP_STEPS: readonly SetupStep[] = [
  signInStep, projectStep, billingStep, apisStep, repositoryStep, serviceAccountStep, permissionsStep, secretsStep,
];

export type StepState = 'pending' | 'checking' | 'working' | 'done' | 'missing' | 'needsAction' | 'failed';

export interface StepOutcome<Id extends string = StepId> {
  id: Id;
  state: StepState;
  summary: string;
  willCreate?: string;
  fix?: string;
  /** True when this run created or changed something. */
  changed?: boolean;
}

export async function runStep<C extends SetupContext, Id extends string>(step: SetupStep<C, Id>, ctx: C, allowCreate: boolean): Promise<StepOutcome<Id>> {
  try {
    const found = await step.check(ctx);
    if (found.status === 'done') return { id: step.id, state: 'done', summary: found.summary };
    if (found.status === 'needsAction') return { id: step.id, state: 'needsAction', summary: found.summary, fix: found.fix };
    if (!allowCreate || !step.create) return { id: step.id, state: 'missing', summary: found.summary, willCreate: found.willCreate };
    const changed = (await step.create(ctx)) !== false;
    const verified = await step.check(ctx);
    if (verified.status === 'done') return { id: step.id, state: 'done', summary: verified.summary, changed };
    return { id: step.id, state: 'failed', summary: `Created, but the check still finds: ${verified.summary}`,
      fix: verified.status === 'needsAction' ? verified.fix : 'Google Cloud may still be propagating the change: check again in a minute.' };
  } catch (error) {
    if (isCancellation(error)) throw error; // the user stopped the run: not a step's failure
    return failed(step, ctx, error);
  }
}

function failed<Id extends string>(step: SetupStep<never, Id>, ctx: SetupContext, error: unknown): StepOutcome<Id> {
  const project = ctx.answers.project ?? '';
  const e = error as { code?: unknown; details?: string; message?: string };
  if (e?.code === Code.PERMISSION_DENIED) {
    // The shared mapping names Cloud Run's role; here the step knows better what was refused.
    const detail = String(e.details || e.message || '').replace(/^\d+ [A-Z_]+: /, '');
    return { id: step.id, state: 'failed', summary: `Permission denied (${step.title}) in project ${project}: ${detail}`,
      fix: 'Ask a project owner for the role the message names, or choose a project you own; then run the step again.' };
  }
  if ([Code.INVALID_ARGUMENT, Code.FAILED_PRECONDITION, Code.ALREADY_EXISTS, Code.NOT_FOUND, Code.RESOURCE_EXHAUSTED].includes(e?.code as never)) {
    // Google's own sentence says what is wrong with the request (a taken project ID, a name rule, a quota).
    const detail = String(e.details || e.message || '').replace(/^\d+ [A-Z_]+: /, '');
    return { id: step.id, state: 'failed', summary: `Google Cloud refused (${step.title}): ${detail}`, fix: 'Change what the message names, then run the step again.' };
  }
  const mapped = toUserFacingError(error, { action: `set up ${step.title.toLowerCase()}`, project, endpoint: ctx.emulator });
  const fix = mapped.actions.map((a) => (a.kind === 'copyText' ? `run "${a.text}"` : a.kind === 'openUrl' && !a.url.startsWith('command:') ? `see ${a.url}` : ''))
    .filter(Boolean).join('; ');
  return { id: step.id, state: 'failed', summary: mapped.message, fix: fix || 'Fix the cause above, then run the step again.' };
}

/**
 * Runs the steps in order, checking only or creating too. A step that is not done stops the run there: the
 * ones after it build on it, so they show as waiting rather than failing for its reason.
 */
export async function runSteps<C extends SetupContext = SetupContext, Id extends string = StepId>(ctx: C, allowCreate: boolean,
  report: (outcome: StepOutcome<Id>) => void, steps: readonly SetupStep<C, Id>[] = SETUP_STEPS as unknown as readonly SetupStep<C, Id>[],
  optional: readonly string[] = ['secrets']): Promise<StepOutcome<Id>[]> {
  const outcomes: StepOutcome<Id>[] = [];
  let blocked = false;
  for (const step of steps) {
    if (blocked) {
      const outcome: StepOutcome<Id> = { id: step.id, state: 'pending', summary: 'Waiting for the steps above.' };
      outcomes.push(outcome);
      report(outcome);
      continue;
    }
    report({ id: step.id, state: allowCreate ? 'working' : 'checking', summary: allowCreate ? 'Working…' : 'Checking…' });
    const outcome = await runStep(step, ctx, allowCreate);
    outcomes.push(outcome);
    report(outcome);
    // Optional steps (the wizard's secrets) do not hold up the ones after them.
    if (outcome.state !== 'done' && !optional.includes(step.id)) blocked = true;
  }
  return outcomes;
}
