// The GitHub side of the trigger: a Cloud Build 2nd-gen connection (the user authorizes Cloud Build and installs
// its GitHub app in the browser; we open each page and poll until the connection is COMPLETE) and the
// workspace's `origin` linked as a repository of it. Both are found and reused on a re-run.
import { UserCancelledError, UserFacingError } from '../core/errors';
import { CicdConnection } from '../gcp/cicdSetupApi';
import { CheckResult, SetupStep } from '../setup/setupContext';
import { CicdContext, CicdStepId } from './cicdContext';

/** Polls of a pending connection: quick at first (the user may be fast), then every 5 s; 15 minutes in all. */
const POLL_MS = [1000, 2000, 3000, 5000];
const POLL_LIMIT_MS = 15 * 60_000;
const PENDING = new Set(['PENDING_USER_OAUTH', 'PENDING_INSTALL_APP']);

const connectionLabel = (name: string) => name.split('/').pop() ?? name;

function pick(connections: CicdConnection[], connectionId: string): { complete?: CicdConnection; pending?: CicdConnection } {
  const github = connections.filter((c) => c.github && !c.disabled);
  const ours = (c: CicdConnection) => connectionLabel(c.name) === connectionId;
  const complete = github.filter((c) => c.stage === 'COMPLETE');
  return {
    // Any complete GitHub connection in the region will do; Mentor's own first when there are several.
    complete: complete.find(ours) ?? complete[0],
    pending: github.find((c) => ours(c) && c.stage !== 'COMPLETE'),
  };
}

/** Waits `ms`, or less when the user cancels. */
async function pause(ctx: CicdContext, ms: number): Promise<void> {
  if (ctx.signal.aborted) throw new UserCancelledError();
  await Promise.race([ctx.sleep(ms), new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
  if (ctx.signal.aborted) throw new UserCancelledError();
}

export const connectionStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'connection',
  title: 'GitHub connection',
  async check(ctx): Promise<CheckResult> {
    const { project, region, connectionId } = ctx.cicdAnswers;
    const { complete, pending } = pick(await ctx.cicd.listConnections(project, region), connectionId);
    if (complete) {
      ctx.found.connection = complete.name;
      return { status: 'done', summary: `Connection ${connectionLabel(complete.name)} in ${region}: GitHub, authorized and installed.` };
    }
    if (pending) {
      return { status: 'missing', summary: `Connection ${connectionId} waits for you in the browser: ${pending.message || pending.stage}.`,
        willCreate: 'finish authorizing Cloud Build on GitHub (the page opens in your browser)' };
    }
    return { status: 'missing', summary: `No GitHub connection in ${region}.`,
      willCreate: `connection ${connectionId}; you authorize Cloud Build and install its GitHub app in your browser` };
  },
  async create(ctx) {
    const { project, region, connectionId } = ctx.cicdAnswers;
    const { complete, pending } = pick(await ctx.cicd.listConnections(project, region), connectionId);
    if (complete) return false;
    let connection = pending;
    if (!connection) {
      ctx.progress(`Creating the GitHub connection ${connectionId} in ${region}…`);
      connection = await ctx.cicd.createConnection(project, region, connectionId);
    }
    let opened = '';
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      if (connection.disabled) throw new UserFacingError(`Connection ${connectionId} is disabled; enable it in the Cloud Console (Cloud Build → Repositories) and run this again.`, 'configuration');
      if (connection.stage === 'COMPLETE') break;
      if (!PENDING.has(connection.stage)) {
        throw new UserFacingError(`Connection ${connectionId} stopped at ${connection.stage}${connection.message ? `: ${connection.message}` : ''}. ` +
          'Delete it in the Cloud Console (Cloud Build → Repositories) and run this again.', 'operationFailed');
      }
      if (connection.actionUri && connection.actionUri !== opened) {
        opened = connection.actionUri;
        const what = connection.stage === 'PENDING_USER_OAUTH' ? 'Authorize Cloud Build on GitHub' : 'Install the Cloud Build GitHub app';
        ctx.ui.waiting(`${what} in your browser (opened ${opened}). ${connection.message}`.trim());
        await ctx.ui.openBrowser(opened);
      }
      if (waited >= POLL_LIMIT_MS) {
        throw new UserFacingError(`Connection ${connectionId} is still waiting for you (${connection.stage}). Finish in the browser, then run this again: it resumes.`, 'operationFailed');
      }
      const ms = POLL_MS[Math.min(attempt, POLL_MS.length - 1)];
      await pause(ctx, ms);
      waited += ms;
      connection = await ctx.cicd.getConnection(connection.name)
        ?? (() => { throw new UserFacingError(`Connection ${connectionId} was deleted while waiting; run this again.`, 'notFound'); })();
    }
    ctx.found.connection = connection.name;
  },
  gcloud: (ctx) => [
    '# Cloud Build keeps the GitHub token in Secret Manager: its service agent needs roles/secretmanager.admin (once per project):',
    `gcloud projects add-iam-policy-binding ${ctx.cicdAnswers.project} --member=serviceAccount:service-PROJECT_NUMBER@gcp-sa-cloudbuild.iam.gserviceaccount.com --role=roles/secretmanager.admin`,
    `gcloud builds connections create github ${ctx.cicdAnswers.connectionId} --region=${ctx.cicdAnswers.region} --project ${ctx.cicdAnswers.project}`,
    '# then open the link it prints, authorize Cloud Build and install its GitHub app',
  ].join('\n'),
};

/**
 * The clone URI a v2 repository is linked with: GitHub's HTTPS form for github.com remotes (SSH remotes
 * converted), never with credentials in it; any other remote (a local bare repository in the emulator) as is.
 */
export function cloneUri(origin: string): string {
  const url = origin.trim();
  const scp = /^[\w.-]+@github\.com:(.+?)(?:\.git)?\/?$/i.exec(url);
  if (scp) return `https://github.com/${scp[1]}.git`;
  const m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?github\.com(?::\d+)?\/(.+?)(?:\.git)?\/?$/i.exec(url);
  if (m) return `https://github.com/${m[1]}.git`;
  return url.replace(/^(https?:\/\/)[^@/]+@/, '$1'); // a token in the URL stays on this machine
}

const sameRemote = (a: string, b: string) => {
  const norm = (u: string) => u.trim().replace(/^file:\/\//, '').replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
  return norm(a) === norm(b);
};

/** "owner-repo" from a clone URI: allowed are letters, digits and -._~%!$&'()*+,;=@. */
export function repositoryIdFor(uri: string): string {
  const parts = uri.replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).filter(Boolean);
  // IDs are 1–63 characters; "-N" may be appended for a clash, so leave room for it.
  const id = parts.slice(-2).join('-').replace(/[^A-Za-z0-9\-._~%!$&'()*+,;=@]/g, '-').replace(/^[-.]+/, '').slice(0, 59);
  return id || 'repository';
}

export const repositoryStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'repository',
  title: 'Repository link',
  async check(ctx): Promise<CheckResult> {
    const origin = ctx.cicdAnswers.originUrl;
    if (!origin) {
      return { status: 'needsAction', summary: 'This workspace has no git remote named origin: there is nothing for a trigger to watch.',
        fix: 'Push the app to a GitHub repository and add it as origin (git remote add origin https://github.com/OWNER/REPO.git), then run this again.' };
    }
    const connection = ctx.found.connection;
    if (!connection) return { status: 'needsAction', summary: 'No GitHub connection yet.', fix: 'Finish the GitHub connection above first.' };
    const uri = cloneUri(origin);
    const linked = (await ctx.cicd.listRepositories(connection)).find((r) => sameRemote(r.remoteUri, uri));
    if (linked) {
      ctx.found.repository = linked.name;
      return { status: 'done', summary: `${uri} is linked as ${linked.name.split('/').pop()} (connection ${connectionLabel(connection)}).` };
    }
    return { status: 'missing', summary: `${uri} (origin) is not linked to Cloud Build yet.`, willCreate: `link ${uri} in connection ${connectionLabel(connection)}` };
  },
  async create(ctx) {
    const connection = ctx.found.connection!;
    const uri = cloneUri(ctx.cicdAnswers.originUrl!);
    const existing = await ctx.cicd.listRepositories(connection);
    if (existing.some((r) => sameRemote(r.remoteUri, uri))) return false;
    // Another remote may hold the ID already (a fork of the same name): number ours rather than collide.
    const base = repositoryIdFor(uri);
    const taken = new Set(existing.map((r) => r.name.split('/').pop()));
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    ctx.progress(`Linking ${uri}…`);
    const created = await ctx.cicd.createRepository(connection, id, uri);
    ctx.found.repository = created.name;
  },
  gcloud(ctx) {
    const uri = ctx.cicdAnswers.originUrl ? cloneUri(ctx.cicdAnswers.originUrl) : 'https://github.com/OWNER/REPO.git';
    return `gcloud builds repositories create ${repositoryIdFor(uri)} --remote-uri=${uri} --connection=${ctx.cicdAnswers.connectionId} ` +
      `--region=${ctx.cicdAnswers.region} --project ${ctx.cicdAnswers.project}`;
  },
};
