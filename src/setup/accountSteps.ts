// Who you are, which project, who pays: the steps before anything can be created in a project.
import { Code } from '../gcp/errorMapping';
import { CheckResult, SetupContext, SetupStep, projectOf } from './setupContext';

const BILLING_QUOTA_INCREASE_URL = 'https://support.google.com/code/contact/billing_quota_increase';

const LOGIN = 'gcloud auth application-default login';

export const signInStep: SetupStep = {
  id: 'signIn',
  title: 'Sign in',
  async check(ctx) {
    const status = await ctx.api.signIn();
    if (status.emulator) return { status: 'done', summary: `Using the emulator at ${status.emulator}: no credentials needed.` };
    if (!status.signedIn) {
      return { status: 'needsAction', summary: `Not signed in to Google Cloud${status.problem ? `: ${status.problem}` : '.'}`,
        fix: `Run "${LOGIN}" in a terminal, then check again.` };
    }
    const who = status.account ? ` as ${status.account}` : '';
    if (!status.quotaProject) {
      return { status: 'done', summary: `Signed in${who}. No quota project is set: the project you choose next is billed for API quota.` };
    }
    return { status: 'done', summary: `Signed in${who}; quota project ${status.quotaProject}.` };
  },
  gcloud: (ctx) => `${LOGIN}${ctx.answers.project ? `\ngcloud auth application-default set-quota-project ${ctx.answers.project}` : ''}`,
};

export const projectStep: SetupStep = {
  id: 'project',
  title: 'Project',
  async check(ctx): Promise<CheckResult> {
    const { project, newProject } = ctx.answers;
    if (!project) return { status: 'needsAction', summary: 'No project chosen yet.', fix: 'Search for a project below, or create a new one.' };
    const found = await ctx.api.getProject(project);
    if (found) {
      if (found.state !== 'ACTIVE') {
        return { status: 'needsAction', summary: `Project ${project} is ${found.state.toLowerCase().replace(/_/g, ' ')}.`,
          fix: 'Choose another project, or restore this one in the Cloud Console.' };
      }
      return { status: 'done', summary: `${found.displayName || found.projectId} (${found.projectId}).` };
    }
    if (newProject?.projectId === project) return { status: 'missing', summary: `Project ${project} does not exist yet.`, willCreate: `project ${project} ("${newProject.displayName}")` };
    return { status: 'needsAction', summary: `Project ${project} does not exist or you cannot see it.`, fix: 'Choose a project from the list, or create one.' };
  },
  async create(ctx) {
    const request = ctx.answers.newProject;
    if (!request) return;
    ctx.progress(`Creating project ${request.projectId}…`);
    await ctx.api.createProject(request.projectId, request.displayName);
  },
  gcloud(ctx) {
    const { project, newProject } = ctx.answers;
    if (newProject) return `gcloud projects create ${newProject.projectId} --name="${newProject.displayName}"`;
    return `gcloud projects describe ${project ?? 'PROJECT_ID'}`;
  },
};

export const billingStep: SetupStep = {
  id: 'billing',
  title: 'Billing',
  async check(ctx): Promise<CheckResult> {
    const project = projectOf(ctx);
    const billing = await ctx.api.getProjectBilling(project);
    if (billing.billingEnabled && billing.billingAccountName) {
      return { status: 'done', summary: `Billed to ${await accountLabel(ctx, billing.billingAccountName)}.` };
    }
    const chosen = ctx.answers.billingAccount;
    const closedNote = billing.billingAccountName ? `The linked billing account ${billing.billingAccountName.split('/').pop()} is closed. ` : '';
    if (chosen && chosen !== billing.billingAccountName) {
      return { status: 'missing', summary: `${closedNote}No open billing account is linked to ${project}.`, willCreate: `a link to ${await accountLabel(ctx, chosen)}` };
    }
    const open = (await ctx.api.listBillingAccounts()).filter((a) => a.open);
    if (!open.length) {
      return { status: 'needsAction', summary: `${closedNote}Cloud Run needs billing, and you have no open billing account.`,
        fix: 'Create one at https://console.cloud.google.com/billing (or ask a billing administrator to link the project), then check again.' };
    }
    return { status: 'needsAction', summary: `${closedNote}Cloud Run needs billing: no open billing account is linked to ${project}.`,
      fix: 'Pick one of your billing accounts below to link.' };
  },
  async create(ctx) {
    const account = ctx.answers.billingAccount;
    if (!account) return;
    ctx.progress(`Linking ${account}…`);
    try {
      await ctx.api.linkBilling(projectOf(ctx), account);
    } catch (error) {
      throw linkRefusal(error, await accountLabel(ctx, account)) ?? error;
    }
  },
  gcloud: (ctx) => `gcloud billing projects link ${ctx.answers.project ?? 'PROJECT_ID'} --billing-account=${ctx.answers.billingAccount?.split('/').pop() ?? 'ACCOUNT_ID'}`,
};

/**
 * Google answers a link it refuses with FAILED_PRECONDITION "Precondition check failed." and nothing else to
 * read, except a QuotaFailure in the details when the account pays for as many projects as it may: say which.
 */
function linkRefusal(error: unknown, label: string): { code: number; details: string } | undefined {
  const e = error as { code?: unknown; statusDetails?: unknown };
  if (e?.code !== Code.FAILED_PRECONDITION) return undefined;
  if (/billing quota exceeded/i.test(JSON.stringify(e.statusDetails ?? ''))) {
    return { code: Code.FAILED_PRECONDITION, details: `${label} already pays for as many projects as it may (Cloud billing quota exceeded). ` +
      `Pick another account, unlink a project from this one, or ask Google for more: ${BILLING_QUOTA_INCREASE_URL}` };
  }
  return { code: Code.FAILED_PRECONDITION, details: `${label} cannot be linked: it is closed, or you may not link projects to it ` +
    '(billing.resourceAssociations.create, held by its Billing Account Administrators and Users). Pick another account or ask its administrator.' };
}

async function accountLabel(ctx: SetupContext, name: string): Promise<string> {
  const id = name.split('/').pop() ?? name;
  try {
    const account = (await ctx.api.listBillingAccounts()).find((a) => a.name === name);
    return account?.displayName ? `${account.displayName} (${id})` : id;
  } catch {
    return id; // listing accounts needs billing.accounts.list, which a project owner may lack; the ID is enough
  }
}
