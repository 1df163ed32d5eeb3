// The push trigger (Cloud Build v1, in the region of the connection): a push to the deploy branch of the linked
// repository builds cloudbuild.yaml as the build service account. Found by name on a re-run; when its
// settings differ from what Mentor would set, the check says what changes and the run updates it.
import { TriggerInfo, TriggerSpec } from '../gcp/cicdSetupApi';
import { CheckResult, SetupStep } from '../setup/setupContext';
import { CLOUDBUILD_FILE, CicdContext, CicdStepId, branchRegex, buildAccountEmail } from './cicdContext';

export function triggerSpec(ctx: CicdContext): TriggerSpec {
  const a = ctx.cicdAnswers;
  return {
    name: a.triggerName,
    description: `Mentor: deploy ${a.service} to Cloud Run on every push to ${a.branch}`,
    repository: ctx.found.repository ?? '',
    branch: branchRegex(a.branch),
    filename: CLOUDBUILD_FILE,
    serviceAccount: `projects/${a.project}/serviceAccounts/${buildAccountEmail(a)}`,
    // cloudbuild.yaml carries its own defaults for _SERVICE, _REGION, _IMAGE…: nothing to override here.
    substitutions: {},
    tags: ['mentor', a.service],
  };
}

/** What an update would change, in words; the description and tags are the user's to edit. */
export function triggerChanges(current: TriggerInfo, wanted: TriggerSpec): string[] {
  const changes: string[] = [];
  const field = (label: string, from: string, to: string) => { if (from !== to) changes.push(`${label} ${from || '(none)'} → ${to}`); };
  field('repository', current.repository, wanted.repository);
  field('branch', current.branch, wanted.branch);
  field('file', current.filename, wanted.filename);
  field('service account', current.serviceAccount.split('/').pop() ?? '', wanted.serviceAccount.split('/').pop() ?? '');
  const keys = new Set([...Object.keys(current.substitutions), ...Object.keys(wanted.substitutions)]);
  for (const key of [...keys].sort()) {
    if (key in wanted.substitutions) field(key, current.substitutions[key] ?? '', wanted.substitutions[key]);
  }
  return changes;
}

async function existing(ctx: CicdContext): Promise<TriggerInfo | undefined> {
  const { project, region, triggerName } = ctx.cicdAnswers;
  return (await ctx.cicd.listTriggers(project, region)).find((t) => t.name === triggerName);
}

export const triggerStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'trigger',
  title: 'Trigger on push',
  async check(ctx): Promise<CheckResult> {
    const wanted = triggerSpec(ctx);
    if (!wanted.repository) return { status: 'needsAction', summary: 'No linked repository yet.', fix: 'Finish the repository link above first.' };
    const found = await existing(ctx);
    const does = `a push to ${wanted.branch} builds ${CLOUDBUILD_FILE} as ${buildAccountEmail(ctx.cicdAnswers)}`;
    if (!found) return { status: 'missing', summary: `No trigger ${wanted.name} in ${ctx.cicdAnswers.region}.`, willCreate: `trigger ${wanted.name}: ${does}` };
    const changes = triggerChanges(found, wanted);
    if (changes.length) return { status: 'missing', summary: `Trigger ${wanted.name} differs: ${changes.join('; ')}.`, willCreate: `update trigger ${wanted.name}: ${changes.join('; ')}` };
    const disabled = found.disabled ? ' It is disabled: enable it in the Cloud Console to deploy on push.' : '';
    const updated = ctx.found.triggerUpdated ? ` Updated: ${ctx.found.triggerUpdated}.` : '';
    return { status: 'done', summary: `Trigger ${wanted.name}: ${does}.${updated}${disabled}` };
  },
  async create(ctx) {
    const wanted = triggerSpec(ctx);
    const found = await existing(ctx);
    if (!found) {
      ctx.progress(`Creating trigger ${wanted.name}…`);
      await ctx.cicd.createTrigger(ctx.cicdAnswers.project, ctx.cicdAnswers.region, wanted);
    } else if (triggerChanges(found, wanted).length) {
      const changes = triggerChanges(found, wanted).join('; ');
      ctx.progress(`Updating trigger ${wanted.name}: ${changes}…`);
      await ctx.cicd.updateTrigger(found.resourceName, wanted);
      ctx.found.triggerUpdated = changes;
    } else {
      return false;
    }
  },
  gcloud(ctx) {
    const a = ctx.cicdAnswers;
    const repository = ctx.found.repository ?? `projects/${a.project}/locations/${a.region}/connections/${a.connectionId}/repositories/REPOSITORY`;
    return `gcloud builds triggers create github --name=${a.triggerName} --region=${a.region} --repository=${repository} ` +
      `--branch-pattern='${branchRegex(a.branch)}' --build-config=${CLOUDBUILD_FILE} ` +
      `--service-account=projects/${a.project}/serviceAccounts/${buildAccountEmail(a)} --project ${a.project}`;
  },
};
