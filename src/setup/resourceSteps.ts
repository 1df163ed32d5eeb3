// What the project needs before a first deploy: the APIs, a Docker repository, a runtime service account
// with its roles, and a deployer who may do all of it.
import { afterEnabling, grantRoles, missingRoles, waitUntilReadable } from './retries';
import { CheckResult, REQUIRED_APIS, SetupContext, SetupStep, projectOf, runtimeRoles, runtimeRolesText, serviceAccountEmail } from './setupContext';

export const apisStep: SetupStep = {
  id: 'apis',
  title: 'APIs',
  async check(ctx): Promise<CheckResult> {
    const missing = await missingApis(ctx);
    if (!missing.length) return { status: 'done', summary: `Enabled: ${REQUIRED_APIS.map(short).join(', ')}.` };
    return { status: 'missing', summary: `Not enabled yet: ${missing.map(short).join(', ')}.`, willCreate: `enable ${missing.join(', ')}` };
  },
  async create(ctx) {
    const missing = await missingApis(ctx);
    if (!missing.length) return;
    ctx.progress(`Enabling ${missing.length} API${missing.length === 1 ? '' : 's'}: ${missing.map(short).join(', ')}…`);
    await ctx.api.enableServices(projectOf(ctx), missing);
    ctx.apisJustEnabled = true;
  },
  gcloud: (ctx) => `gcloud services enable ${REQUIRED_APIS.join(' ')} --project ${ctx.answers.project ?? 'PROJECT_ID'}`,
};

async function missingApis(ctx: SetupContext): Promise<string[]> {
  const enabled = await afterEnabling(ctx, () => ctx.api.enabledServices(projectOf(ctx), REQUIRED_APIS));
  return REQUIRED_APIS.filter((api) => !enabled.has(api));
}

const short = (api: string) => api.replace('.googleapis.com', '');

export const repositoryStep: SetupStep = {
  id: 'repository',
  title: 'Artifact Registry repository',
  async check(ctx): Promise<CheckResult> {
    const { repository, region } = ctx.answers;
    const format = await afterEnabling(ctx, () => ctx.api.repositoryFormat(projectOf(ctx), region, repository));
    if (format === 'DOCKER') return { status: 'done', summary: `Docker repository ${repository} in ${region}.` };
    if (format) {
      return { status: 'needsAction', summary: `Repository ${repository} in ${region} holds ${format} packages, not Docker images.`,
        fix: 'Choose another repository name (mentor.repository).' };
    }
    return { status: 'missing', summary: `No repository ${repository} in ${region}.`, willCreate: `Docker repository ${repository} in ${region}` };
  },
  async create(ctx) {
    const { repository, region } = ctx.answers;
    ctx.progress(`Creating Docker repository ${repository} in ${region}…`);
    await afterEnabling(ctx, () => ctx.api.createDockerRepository(projectOf(ctx), region, repository));
  },
  gcloud: (ctx) => `gcloud artifacts repositories create ${ctx.answers.repository} --repository-format=docker ` +
    `--location=${ctx.answers.region} --project ${ctx.answers.project ?? 'PROJECT_ID'}`,
};

export const serviceAccountStep: SetupStep = {
  id: 'serviceAccount',
  title: 'Runtime service account',
  async check(ctx): Promise<CheckResult> {
    const project = projectOf(ctx);
    const email = serviceAccountEmail(ctx.answers);
    const account = await afterEnabling(ctx, () => ctx.api.getServiceAccount(project, email));
    if (!account) return { status: 'missing', summary: `No service account ${email}.`, willCreate: `service account ${email} with ${runtimeRolesText(ctx)}` };
    const lacking = missingRoles(await ctx.api.getProjectIamPolicy(project), `serviceAccount:${email}`, runtimeRoles(ctx));
    if (lacking.length) return { status: 'missing', summary: `${email} lacks ${lacking.join(', ')}.`, willCreate: `grant ${lacking.join(', ')} to ${email}` };
    return { status: 'done', summary: `${email} with ${runtimeRolesText(ctx)}.` };
  },
  async create(ctx) {
    const project = projectOf(ctx);
    const email = serviceAccountEmail(ctx.answers);
    if (!(await afterEnabling(ctx, () => ctx.api.getServiceAccount(project, email)))) {
      ctx.progress(`Creating service account ${email}…`);
      await afterEnabling(ctx, () => ctx.api.createServiceAccount(project, ctx.answers.serviceAccountId, `Cloud Run: ${ctx.answers.service}`));
      // Creation is eventually consistent: a grant to an account IAM cannot see yet is refused.
      const visible = await waitUntilReadable(ctx, email, () => ctx.api.getServiceAccount(project, email));
      if (!visible) throw new Error(`${email} was created but is still not readable; check again in a minute.`);
    }
    const roles = runtimeRoles(ctx);
    ctx.progress(`Granting ${roles.join(', ')} to ${email}…`);
    await grantRoles(ctx, { get: () => ctx.api.getProjectIamPolicy(project), set: (p) => ctx.api.setProjectIamPolicy(project, p) },
      `serviceAccount:${email}`, roles);
  },
  gcloud(ctx) {
    const project = ctx.answers.project ?? 'PROJECT_ID';
    const email = serviceAccountEmail(ctx.answers);
    return [`gcloud iam service-accounts create ${ctx.answers.serviceAccountId} --display-name="Cloud Run: ${ctx.answers.service}" --project ${project}`,
      ...runtimeRoles(ctx).map((role) => `gcloud projects add-iam-policy-binding ${project} --member=serviceAccount:${email} --role=${role}`)].join('\n');
  },
};

/** What a deploy does, as the permissions it needs, and the predefined role that carries each. */
export const DEPLOYER_PERMISSIONS: Readonly<Record<string, string>> = {
  'run.services.create': 'roles/run.admin',
  'run.services.update': 'roles/run.admin',
  'run.services.setIamPolicy': 'roles/run.admin',
  'artifactregistry.repositories.uploadArtifacts': 'roles/artifactregistry.writer',
  'iam.serviceAccounts.actAs': 'roles/iam.serviceAccountUser',
  'secretmanager.versions.add': 'roles/secretmanager.admin',
  'secretmanager.secrets.setIamPolicy': 'roles/secretmanager.admin',
  'cloudbuild.builds.create': 'roles/cloudbuild.builds.editor',
};

export const permissionsStep: SetupStep = {
  id: 'permissions',
  title: 'Your permissions',
  async check(ctx): Promise<CheckResult> {
    const wanted = Object.keys(DEPLOYER_PERMISSIONS);
    const granted = new Set(await ctx.api.testProjectPermissions(projectOf(ctx), wanted));
    const lacking = wanted.filter((p) => !granted.has(p));
    if (!lacking.length) return { status: 'done', summary: 'You can deploy, push images, act as the runtime service account and manage secrets.' };
    const roles = [...new Set(lacking.map((p) => DEPLOYER_PERMISSIONS[p]))];
    return { status: 'needsAction', summary: `You lack ${lacking.join(', ')}.`,
      fix: `Ask a project owner to grant you ${roles.join(', ')} (the command is below), then check again.` };
  },
  gcloud(ctx) {
    const project = ctx.answers.project ?? 'PROJECT_ID';
    return [...new Set(Object.values(DEPLOYER_PERMISSIONS))]
      .map((role) => `gcloud projects add-iam-policy-binding ${project} --member=user:YOUR_EMAIL --role=${role}`).join('\n');
  },
};
