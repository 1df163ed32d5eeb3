// The user-specified build service account the trigger runs as (Cloud Build's default account changed in 2024
// and new triggers must name one), with exactly the roles the generated cloudbuild.yaml needs: deploy to Cloud
// Run, act as the runtime account (on that account only), push to Artifact Registry, write build logs, read the
// candidate's request logs (the rollout's 5xx gate runs `gcloud logging read`; without it the gate would rest on
// health checks alone), and read the secrets the deploy references (on those secrets only). Grants go through the wizard's etag loop.
import { afterEnabling, grantRoles, missingRoles, waitUntilReadable } from '../setup/retries';
import { CheckResult, SECRET_ACCESSOR_ROLE, SetupStep } from '../setup/setupContext';
import { CicdContext, CicdStepId, buildAccountEmail } from './cicdContext';

export const SERVICE_ACCOUNT_USER = 'roles/iam.serviceAccountUser';
const ACT_AS = 'iam.serviceAccounts.actAs';

/** run.admin only when the deploy sets the service's IAM policy (public access): run.developer cannot. */
export function runRole(ctx: CicdContext): string {
  return ctx.cicdAnswers.managesInvokerAccess ? 'roles/run.admin' : 'roles/run.developer';
}

export function projectRoles(ctx: CicdContext): string[] {
  return [runRole(ctx), 'roles/artifactregistry.writer', 'roles/logging.logWriter', 'roles/logging.viewer'];
}

function runRoleWhy(ctx: CicdContext): string {
  return ctx.cicdAnswers.managesInvokerAccess
    ? 'roles/run.admin because mentor.allowUnauthenticated makes the deploy set who may invoke the service (run.developer cannot)'
    : 'roles/run.developer: it deploys revisions and moves traffic, and cannot change who may invoke the service';
}

interface Lacking {
  project: string[];
  actAsRuntime: boolean;
  secrets: string[];
  missingSecrets: string[];
}

async function lacking(ctx: CicdContext, email: string): Promise<Lacking> {
  const { project, runtimeAccount, secretIds } = ctx.cicdAnswers;
  const member = `serviceAccount:${email}`;
  const projectLacks = missingRoles(await ctx.api.getProjectIamPolicy(project), member, projectRoles(ctx));
  const actAsRuntime = missingRoles(await ctx.cicd.getServiceAccountIamPolicy(project, runtimeAccount), member, [SERVICE_ACCOUNT_USER]).length > 0;
  const secrets: string[] = [];
  const missingSecrets: string[] = [];
  for (const id of secretIds) {
    if (!(await afterEnabling(ctx, () => ctx.api.secretExists(project, id)))) missingSecrets.push(id);
    else if (missingRoles(await ctx.api.getSecretIamPolicy(project, id), member, [SECRET_ACCESSOR_ROLE]).length) secrets.push(id);
  }
  return { project: projectLacks, actAsRuntime, secrets, missingSecrets };
}

function describe(ctx: CicdContext, l: Lacking): string {
  return [
    ...l.project,
    ...(l.actAsRuntime ? [`${SERVICE_ACCOUNT_USER} on ${ctx.cicdAnswers.runtimeAccount}`] : []),
    ...(l.secrets.length ? [`${SECRET_ACCESSOR_ROLE} on ${l.secrets.join(', ')}`] : []),
  ].join(', ');
}

export const buildAccountStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'buildAccount',
  title: 'Build service account',
  async check(ctx): Promise<CheckResult> {
    const { project, runtimeAccount } = ctx.cicdAnswers;
    if (!runtimeAccount) {
      return { status: 'needsAction', summary: 'mentor.serviceAccount names no runtime service account: the build would deploy as the Compute default account.',
        fix: 'Run "Mentor: Set Up Google Cloud…" (it creates the runtime account and sets mentor.serviceAccount), then run this again.' };
    }
    const email = buildAccountEmail(ctx.cicdAnswers);
    const everything = `${projectRoles(ctx).join(', ')}, ${SERVICE_ACCOUNT_USER} on ${runtimeAccount}` +
      (ctx.cicdAnswers.secretIds.length ? `, ${SECRET_ACCESSOR_ROLE} on ${ctx.cicdAnswers.secretIds.join(', ')}` : '');
    if (!(await afterEnabling(ctx, () => ctx.api.getServiceAccount(project, email)))) {
      return { status: 'missing', summary: `No service account ${email}.`, willCreate: `service account ${email} with ${everything}` };
    }
    const l = await lacking(ctx, email);
    if (l.missingSecrets.length) {
      return { status: 'needsAction', summary: `mentor.secrets references ${l.missingSecrets.join(', ')}, which do${l.missingSecrets.length === 1 ? 'es' : ''} not exist in ${project}.`,
        fix: 'Create the secret (Mentor: Set Up Google Cloud… → Secrets) or fix mentor.secrets, then run this again.' };
    }
    const missing = describe(ctx, l);
    if (missing) return { status: 'missing', summary: `${email} lacks ${missing}.`, willCreate: `grant ${missing} to ${email}` };
    // The trigger runs as this account: Cloud Build refuses it unless the person creating the trigger may act as it.
    const granted = await ctx.cicd.testServiceAccountPermissions(project, email, [ACT_AS]);
    if (!granted.includes(ACT_AS)) {
      return { status: 'needsAction', summary: `You lack ${ACT_AS} on ${email}, so Cloud Build will not let you create a trigger that runs as it.`,
        fix: `Ask a project owner to grant you ${SERVICE_ACCOUNT_USER} on ${email} (the command is below), then run this again.` };
    }
    return { status: 'done', summary: `${email} with ${everything}; ${runRoleWhy(ctx)}.` };
  },
  async create(ctx) {
    const { project, runtimeAccount, service } = ctx.cicdAnswers;
    const email = buildAccountEmail(ctx.cicdAnswers);
    const member = `serviceAccount:${email}`;
    if (!(await afterEnabling(ctx, () => ctx.api.getServiceAccount(project, email)))) {
      ctx.progress(`Creating service account ${email}…`);
      await afterEnabling(ctx, () => ctx.api.createServiceAccount(project, ctx.cicdAnswers.buildAccountId, `Cloud Build: deploys ${service}`));
      // A grant naming an account IAM cannot see yet is refused: wait until it reads back.
      const visible = await waitUntilReadable(ctx, email, () => ctx.api.getServiceAccount(project, email));
      if (!visible) throw new Error(`${email} was created but is still not readable; run this again in a minute.`);
    }
    const l = await lacking(ctx, email);
    if (l.project.length) {
      ctx.progress(`Granting ${l.project.join(', ')} to ${email}…`);
      await grantRoles(ctx, { get: () => ctx.api.getProjectIamPolicy(project), set: (p) => ctx.api.setProjectIamPolicy(project, p) }, member, projectRoles(ctx));
    }
    if (l.actAsRuntime) {
      ctx.progress(`Letting ${email} act as ${runtimeAccount}…`);
      await grantRoles(ctx, { get: () => ctx.cicd.getServiceAccountIamPolicy(project, runtimeAccount),
        set: (p) => ctx.cicd.setServiceAccountIamPolicy(project, runtimeAccount, p) }, member, [SERVICE_ACCOUNT_USER]);
    }
    for (const id of l.secrets) {
      ctx.progress(`Letting ${email} read secret ${id}…`);
      await grantRoles(ctx, { get: () => ctx.api.getSecretIamPolicy(project, id), set: (p) => ctx.api.setSecretIamPolicy(project, id, p) }, member, [SECRET_ACCESSOR_ROLE]);
    }
  },
  gcloud(ctx) {
    const { project, buildAccountId, runtimeAccount, service, secretIds } = ctx.cicdAnswers;
    const email = buildAccountEmail(ctx.cicdAnswers);
    const member = `--member=serviceAccount:${email}`;
    return [
      `gcloud iam service-accounts create ${buildAccountId} --display-name="Cloud Build: deploys ${service}" --project ${project}`,
      ...projectRoles(ctx).map((role) => `gcloud projects add-iam-policy-binding ${project} ${member} --role=${role}`),
      `gcloud iam service-accounts add-iam-policy-binding ${runtimeAccount || 'RUNTIME_ACCOUNT_EMAIL'} ${member} --role=${SERVICE_ACCOUNT_USER} --project ${project}`,
      ...secretIds.map((id) => `gcloud secrets add-iam-policy-binding ${id} ${member} --role=${SECRET_ACCESSOR_ROLE} --project ${project}`),
      `# you (who create the trigger) need ${ACT_AS} on the build account:`,
      `gcloud iam service-accounts add-iam-policy-binding ${email} --member=user:YOUR_EMAIL --role=${SERVICE_ACCOUNT_USER} --project ${project}`,
    ].join('\n');
  },
};
