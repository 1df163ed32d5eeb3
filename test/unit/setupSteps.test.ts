// The setup wizard's steps against an in-memory SetupApi: check → create → verify from nothing, a re-run
// that changes nothing, and the ways Google Cloud makes setup hard (no billing, eventual consistency,
// transient PERMISSION_DENIED after an enable, concurrent IAM changes).
import * as assert from 'node:assert/strict';
import { SetupAnswers, SetupContext, suggestServiceAccountId } from '../../src/setup/setupContext';
import { runSteps, StepOutcome } from '../../src/setup/setupRunner';
import { pendingSecretVars, saveSecret } from '../../src/setup/secretsStep';
import { FakeSetupApi } from './fakeSetupApi';
import { findAppRoles } from '../../src/core/appRoles';

function context(api: FakeSetupApi, answers: Partial<SetupAnswers> = {}, extra: Partial<SetupContext> = {}): SetupContext & { notes: string[]; slept: number[] } {
  const notes: string[] = [];
  const slept: number[] = [];
  return {
    api,
    answers: { region: 'us-central1', service: 'shop', repository: 'mentor', serviceAccountId: 'shop-run', secrets: {}, notSecrets: [], ...answers },
    appEnvVars: [],
    sleep: async (ms) => { slept.push(ms); },
    progress: (note) => notes.push(note),
    apisJustEnabled: false,
    notes,
    slept,
    ...extra,
  };
}

const states = (outcomes: StepOutcome[]) => Object.fromEntries(outcomes.map((o) => [o.id, o.state]));
const fresh = () => context(new FakeSetupApi(), { project: 'shop-1', newProject: { projectId: 'shop-1', displayName: 'Shop' }, billingAccount: 'billingAccounts/AAA' });

describe('setup steps', () => {
  it('checks first: what each step will create, and later steps wait', async () => {
    const ctx = fresh();
    const outcomes = await runSteps(ctx, false, () => {});
    assert.equal(outcomes[0].state, 'done');
    assert.deepEqual({ state: outcomes[1].state, willCreate: outcomes[1].willCreate }, { state: 'missing', willCreate: 'project shop-1 ("Shop")' });
    assert.ok(outcomes.slice(2).every((o) => o.state === 'pending'));
    assert.deepEqual((ctx.api as FakeSetupApi).writes, []);
  });

  it('takes a fresh project from nothing to ready, then a re-run finds everything done and writes nothing', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    const outcomes = await runSteps(ctx, true, () => {});
    assert.deepEqual(states(outcomes), { signIn: 'done', project: 'done', billing: 'done', apis: 'done', repository: 'done', serviceAccount: 'done', permissions: 'done', secrets: 'done' });
    assert.deepEqual(api.writes, [
      'createProject shop-1', 'linkBilling shop-1 billingAccounts/AAA',
      'enableServices run.googleapis.com,artifactregistry.googleapis.com,cloudbuild.googleapis.com,secretmanager.googleapis.com,iam.googleapis.com',
      'createRepository mentor', 'createServiceAccount shop-run@shop-1.iam.gserviceaccount.com', 'setIamPolicy projects/shop-1',
    ]);
    const binding = api.policies.get('projects/shop-1')!.bindings;
    assert.deepEqual(binding.map((b) => b.role), ['roles/logging.logWriter', 'roles/monitoring.metricWriter']);
    assert.ok(outcomes.find((o) => o.id === 'billing')!.summary.includes('Main (AAA)'));

    api.writes.length = 0;
    const again = await runSteps(context(api, { project: 'shop-1' }), true, () => {});
    assert.ok(again.every((o) => o.state === 'done' && !o.changed), JSON.stringify(again));
    assert.deepEqual(api.writes, []);
  });

  it('not signed in: the exact command, and nothing else is tried', async () => {
    const api = new FakeSetupApi();
    api.signInStatus = { signedIn: false, problem: 'Could not load the default credentials' };
    const outcomes = await runSteps(context(api, { project: 'p' }), true, () => {});
    assert.equal(outcomes[0].state, 'needsAction');
    assert.match(outcomes[0].fix!, /gcloud auth application-default login/);
    assert.ok(outcomes.slice(1).every((o) => o.state === 'pending'));
  });

  it('with an emulator endpoint, sign-in needs no credentials', async () => {
    const api = new FakeSetupApi();
    api.signInStatus = { signedIn: true, emulator: '127.0.0.1:8090' };
    const [signIn] = await runSteps(context(api), false, () => {});
    assert.equal(signIn.state, 'done');
    assert.match(signIn.summary, /emulator at 127\.0\.0\.1:8090: no credentials needed/);
  });

  it('billing: names a closed account, asks for a pick, and says so when there is no open account at all', async () => {
    const api = new FakeSetupApi();
    api.projects.set('p', { projectId: 'p', displayName: 'P', state: 'ACTIVE' });
    api.accounts = [{ name: 'billingAccounts/OLD', displayName: 'Old', open: false }];
    api.billing.set('p', 'billingAccounts/OLD');
    let outcomes = await runSteps(context(api, { project: 'p' }), true, () => {});
    const billing = outcomes.find((o) => o.id === 'billing')!;
    assert.equal(billing.state, 'needsAction');
    assert.match(billing.summary, /billing account OLD is closed/);
    assert.match(billing.fix!, /console\.cloud\.google\.com\/billing/);
    assert.equal(outcomes.find((o) => o.id === 'apis')!.state, 'pending');

    api.accounts.push({ name: 'billingAccounts/NEW', displayName: 'New', open: true });
    outcomes = await runSteps(context(api, { project: 'p' }), true, () => {});
    assert.match(outcomes.find((o) => o.id === 'billing')!.fix!, /Pick one of your billing accounts/);
    outcomes = await runSteps(context(api, { project: 'p', billingAccount: 'billingAccounts/NEW' }), true, () => {});
    assert.equal(outcomes.find((o) => o.id === 'billing')!.state, 'done');
    assert.ok(api.writes.includes('linkBilling p billingAccounts/NEW'));
  });

  it('billing: a link Google refuses says why — the account pays for its quota of projects, or is closed / not yours', async () => {
    const api = new FakeSetupApi();
    api.projects.set('p', { projectId: 'p', displayName: 'P', state: 'ACTIVE' });
    api.accounts = [{ name: 'billingAccounts/FULL', displayName: 'Credits', open: true }, { name: 'billingAccounts/GONE', displayName: 'Gone', open: true }];
    // As Google answers (gax decodes the details): FAILED_PRECONDITION, and a QuotaFailure only for the quota.
    const refused = (statusDetails: unknown[]) => Object.assign(new Error('9 FAILED_PRECONDITION: Precondition check failed.'),
      { code: 9, details: 'Precondition check failed.', statusDetails });
    api.linkRefusals.set('billingAccounts/FULL', refused([{ violations: [{ subject: 'billingAccounts/FULL', description: 'Cloud billing quota exceeded: https://support.google.com/code/contact/billing_quota_increase' }] }]));
    api.linkRefusals.set('billingAccounts/GONE', refused([]));
    let billing = (await runSteps(context(api, { project: 'p', billingAccount: 'billingAccounts/FULL' }), true, () => {})).find((o) => o.id === 'billing')!;
    assert.equal(billing.state, 'failed');
    assert.match(billing.summary, /Credits \(FULL\) already pays for as many projects as it may \(Cloud billing quota exceeded\)\. Pick another account.*billing_quota_increase/);
    billing = (await runSteps(context(api, { project: 'p', billingAccount: 'billingAccounts/GONE' }), true, () => {})).find((o) => o.id === 'billing')!;
    assert.match(billing.summary, /Gone \(GONE\) cannot be linked: it is closed, or you may not link projects to it/);
    assert.deepEqual(api.writes, []);
  });

  it('retries the transient PERMISSION_DENIED right after enabling the APIs', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    api.deniedAfterEnable = 3;
    const outcomes = await runSteps(ctx, true, () => {});
    assert.equal(states(outcomes).repository, 'done', JSON.stringify(outcomes));
    assert.ok(ctx.notes.some((n) => /APIs just enabled/.test(n)));
  });

  it('does not retry PERMISSION_DENIED when nothing was just enabled: it is a real answer', async () => {
    const api = new FakeSetupApi();
    api.projects.set('p', { projectId: 'p', displayName: 'P', state: 'ACTIVE' });
    api.billing.set('p', 'billingAccounts/AAA');
    api.enabled.set('p', new Set(['run.googleapis.com', 'artifactregistry.googleapis.com', 'cloudbuild.googleapis.com', 'secretmanager.googleapis.com', 'iam.googleapis.com']));
    api.enableServices('p', []); // arms the fake's denials without the context knowing of an enable
    api.deniedAfterEnable = 0;
    const ctx = context(api, { project: 'p' });
    (api as unknown as { deniedLeft: number }).deniedLeft = 1;
    const outcomes = await runSteps(ctx, true, () => {});
    assert.equal(states(outcomes).apis, 'failed');
    assert.match(outcomes.find((o) => o.id === 'apis')!.summary, /Permission denied/);
  });

  it('waits until a new service account is readable before granting it roles', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    api.serviceAccountLag = 3;
    const outcomes = await runSteps(ctx, true, () => {});
    assert.equal(states(outcomes).serviceAccount, 'done');
    assert.ok(ctx.notes.some((n) => /Waiting for shop-run@shop-1\.iam\.gserviceaccount\.com to become visible/.test(n)));
    assert.equal(api.writes.filter((w) => w.startsWith('createServiceAccount')).length, 1);
  });

  it('IAM: a concurrent change is read again and kept, never overwritten', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    api.policyConflicts = 2;
    const outcomes = await runSteps(ctx, true, () => {});
    assert.equal(states(outcomes).serviceAccount, 'done');
    const roles = api.policies.get('projects/shop-1')!.bindings.map((b) => b.role);
    assert.ok(roles.includes('roles/viewer') && roles.includes('roles/logging.logWriter'), roles.join());
  });

  it("grants the runtime account the roles its own Google calls need, says why, and a re-run finds them", async () => {
    const appRoles = findAppRoles([{ path: 'app/db.py', text: 'from firebase_admin import firestore\n' }, { path: 'requirements.txt', text: 'google-cloud-aiplatform>=1.50\n' }]);
    const ctx = context(new FakeSetupApi(), { project: 'shop-1', newProject: { projectId: 'shop-1', displayName: 'Shop' }, billingAccount: 'billingAccounts/AAA' }, { appRoles });
    const planned = (await runSteps(ctx, false, () => {})).find((o) => o.id === 'serviceAccount');
    const outcomes = await runSteps(ctx, true, () => {});
    const account = outcomes.find((o) => o.id === 'serviceAccount')!;
    assert.equal(account.state, 'done');
    assert.match(account.summary, /roles\/aiplatform\.user \(Vertex AI: requirements\.txt\), roles\/datastore\.user \(Firestore: app\/db\.py:1\)/);
    const member = 'serviceAccount:shop-run@shop-1.iam.gserviceaccount.com';
    const roles = (ctx.api as FakeSetupApi).policies.get('projects/shop-1')!.bindings.filter((b) => b.members.includes(member)).map((b) => b.role).sort();
    assert.deepEqual(roles, ['roles/aiplatform.user', 'roles/datastore.user', 'roles/logging.logWriter', 'roles/monitoring.metricWriter']);
    assert.equal(planned?.state, 'pending', 'nothing about the account is decided before the project exists');
    const again = await runSteps(ctx, false, () => {});
    assert.equal(again.find((o) => o.id === 'serviceAccount')!.state, 'done');
  });

  it('names the roles the deployer lacks, with the grant commands', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    api.granted.delete('iam.serviceAccounts.actAs');
    api.granted.delete('run.services.create');
    const outcomes = await runSteps(ctx, true, () => {});
    const permissions = outcomes.find((o) => o.id === 'permissions')!;
    assert.equal(permissions.state, 'needsAction');
    assert.match(permissions.summary, /run\.services\.create, iam\.serviceAccounts\.actAs/);
    assert.match(permissions.fix!, /roles\/run\.admin, roles\/iam\.serviceAccountUser/);
  });

  it('secrets: create, add a version, let the runtime account read it, pin the reference; never keep the value', async () => {
    const ctx = fresh();
    const api = ctx.api as FakeSetupApi;
    await runSteps(ctx, true, () => {});
    const withVars = context(api, { project: 'shop-1' }, { appEnvVars: ['GEMINI_API_KEY', 'DEBUG'] });
    assert.deepEqual(pendingSecretVars(withVars), ['GEMINI_API_KEY', 'DEBUG']);
    const value = new TextEncoder().encode('s3cr3t-value-123');
    assert.equal(await saveSecret(withVars, 'GEMINI_API_KEY', 'GEMINI_API_KEY', value), 'GEMINI_API_KEY:1');
    assert.equal(await saveSecret(withVars, 'GEMINI_API_KEY', 'GEMINI_API_KEY', value), 'GEMINI_API_KEY:2');
    assert.equal(api.writes.filter((w) => w === 'createSecret GEMINI_API_KEY').length, 1);
    const policy = api.policies.get('projects/shop-1/secrets/GEMINI_API_KEY')!;
    assert.deepEqual(policy.bindings, [{ role: 'roles/secretmanager.secretAccessor', members: ['serviceAccount:shop-run@shop-1.iam.gserviceaccount.com'] }]);
    assert.equal(api.writes.filter((w) => w === 'setIamPolicy projects/shop-1/secrets/GEMINI_API_KEY').length, 1, 'the second save grants nothing new');
    withVars.answers.notSecrets.push('DEBUG');
    const outcomes = await runSteps(withVars, false, () => {});
    assert.equal(states(outcomes).secrets, 'done');
    assert.ok(!JSON.stringify(withVars.answers).includes('s3cr3t') && !withVars.notes.join().includes('s3cr3t'));
  });

  it('refuses an empty value and an invalid secret name before calling anything', async () => {
    const ctx = fresh();
    await assert.rejects(saveSecret(ctx, 'A', 'A', new Uint8Array()), /Type a value for A/);
    await assert.rejects(saveSecret(ctx, 'A', 'bad name', new Uint8Array([1])), /not a valid secret name/);
    assert.deepEqual((ctx.api as FakeSetupApi).writes, []);
  });

  it('suggests a valid service account ID from the service name', () => {
    assert.equal(suggestServiceAccountId('mentor-ai-backend'), 'mentor-ai-backend-run');
    assert.equal(suggestServiceAccountId('9_Weird Name_that-is-far-too-long-for-iam'), 'weird-name-that-is-far-too-run');
    assert.equal(suggestServiceAccountId('---'), 'app-run');
  });
});
