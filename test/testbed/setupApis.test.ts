// What the setup wizard talks to, through the real Node clients: Resource Manager v3 projects (search with
// paging and queries, create as an operation, IAM read-modify-write with etags, testIamPermissions for the
// configured caller), Cloud Billing (link, unlink, closed and over-quota accounts), Secret Manager IAM, and
// Service Usage's propagation delay after an enable.
import * as assert from 'node:assert/strict';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { CloudBillingClient } from '@google-cloud/billing';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { grpc } from 'google-gax';
import { PROJECT, clientOptions, rejectsWith, startHarness, type Harness } from '../emulator/fixture';
import { projectNumber } from '../../emulator/cloudRunRules';
import { DEMO_BILLING, LEGACY_PROJECT, SANDBOX_PROJECT } from '../../emulator/platformSeeds';

const OWNER = 'user:developer@example.com';

describe('emulator: Resource Manager, Cloud Billing, Secret Manager IAM', () => {
  let h: Harness;
  let projects: ProjectsClient;
  let billing: CloudBillingClient;
  let secrets: SecretManagerServiceClient;
  before(async () => {
    h = await startHarness({ seed: 'demo' });
    projects = new ProjectsClient(clientOptions(h.emulator.port));
    billing = new CloudBillingClient(clientOptions(h.emulator.port));
    secrets = new SecretManagerServiceClient(clientOptions(h.emulator.port));
  });
  after(async () => {
    await Promise.all([projects?.close(), billing?.close(), secrets?.close()]);
    await h?.close();
  });
  beforeEach(async () => {
    h.emulator.caller.member = OWNER;
    await h.control.reset('demo');
  });

  describe('Resource Manager', () => {
    it('pages through thousands of projects and filters them with Google\'s query syntax', async () => {
      await h.control.reset('projects:2500');
      const seen = new Set<string>();
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const [page, next] = await projects.searchProjects({ pageSize: 500, pageToken }, { autoPaginate: false });
        for (const p of page) seen.add(p.projectId!);
        pageToken = next?.pageToken || undefined;
        pages += 1;
      } while (pageToken);
      assert.equal(pages, 5);
      assert.equal(seen.size, 2500);
      const all = [];
      for await (const p of projects.searchProjectsAsync({ query: 'id:scale-project-0001*', pageSize: 4 }, { autoPaginate: false })) all.push(p.projectId);
      assert.deepEqual(all, Array.from({ length: 10 }, (_, i) => `scale-project-0001${i}`));
      const [byName] = await projects.searchProjects({ query: 'name:"SCALE PROJECT 02500"' }, { autoPaginate: false });
      assert.deepEqual(byName.map((p) => p.projectId), ['scale-project-02500']);
      // Terms are ORed, as Google documents.
      const [either] = await projects.searchProjects({ query: 'labels.batch:3 id:scale-project-00001', pageSize: 500 }, { autoPaginate: false });
      assert.equal(either.length, 101);
      await rejectsWith(projects.searchProjects({ query: 'colour:red' }), grpc.status.INVALID_ARGUMENT, /unknown field 'colour'/);
      // Only projects the caller may get are found.
      h.emulator.caller.member = 'user:someone-else@example.com';
      const [none] = await projects.searchProjects({}, { autoPaginate: false });
      assert.equal(none.length, 0);
    });

    it('answers every query field Google documents (field names case-insensitive); seeds add up', async () => {
      await h.control.reset('demo+projects:3000');
      const ids = async (query: string) => (await projects.searchProjects({ query, pageSize: 500 }, { autoPaginate: false }))[0].map((p) => p.projectId);
      assert.deepEqual(await ids('id:scale-project-02874*'), ['scale-project-02874']);
      assert.deepEqual(await ids('PROJECTID:mentor-demo'), [PROJECT]);
      assert.deepEqual(await ids('NAME:mentor*'), [PROJECT, LEGACY_PROJECT, SANDBOX_PROJECT]);
      assert.deepEqual(await ids('displayName:"Mentor Demo"'), [PROJECT]);
      assert.equal((await ids('lifecycleState:ACTIVE')).length, 500, 'one full page of the 3003 active projects');
      assert.equal((await ids('labels.batch:29 id:mentor-demo')).length, 101);
      // These projects have no organization or folder: the parent fields are understood and match nothing.
      assert.deepEqual(await ids('parent.type:organization'), []);
      assert.deepEqual(await ids('parent.id:123'), []);
      assert.deepEqual(await ids('parent:organizations/*'), []);
      assert.deepEqual(await ids('id:nothing-like-this*'), []);
    });

    it('gets a project by id or number; a missing one is PERMISSION_DENIED like on Google', async () => {
      const [byId] = await projects.getProject({ name: `projects/${PROJECT}` });
      assert.equal(byId.name, `projects/${projectNumber(PROJECT)}`);
      assert.equal(byId.projectId, PROJECT);
      assert.equal(byId.displayName, 'Mentor Demo');
      assert.equal(byId.state, 'ACTIVE');
      const [byNumber] = await projects.getProject({ name: byId.name });
      assert.equal(byNumber.projectId, PROJECT);
      await rejectsWith(projects.getProject({ name: 'projects/no-such-project' }), grpc.status.PERMISSION_DENIED, /caller does not have permission/);
      const [mine] = await projects.searchProjects({ query: 'name:mentor*' }, { autoPaginate: false });
      assert.deepEqual(mine.map((p) => p.projectId), [PROJECT, LEGACY_PROJECT, SANDBOX_PROJECT]);
    });

    it('creates a project through an operation; its id is checked and taken for good', async () => {
      const [op] = await projects.createProject({ project: { projectId: 'wizard-app-1', displayName: 'Wizard App' } });
      assert.equal(op.done, false);
      await rejectsWith(projects.getProject({ name: 'projects/wizard-app-1' }), grpc.status.PERMISSION_DENIED, /permission/);
      await rejectsWith(projects.createProject({ project: { projectId: 'wizard-app-1' } }), grpc.status.ALREADY_EXISTS, /already exists/);
      const [created] = await op.promise();
      assert.equal(created.projectId, 'wizard-app-1');
      assert.equal(created.name, `projects/${projectNumber('wizard-app-1')}`);
      const [got] = await projects.getProject({ name: 'projects/wizard-app-1' });
      assert.equal(got.displayName, 'Wizard App');
      const [policy] = await projects.getIamPolicy({ resource: 'projects/wizard-app-1' });
      assert.deepEqual(policy.bindings?.map((b) => [b.role, b.members]), [['roles/owner', [OWNER]]]);
      for (const bad of ['short', 'Upper-Case-1', 'ends-with-hyphen-', '1starts-with-digit', 'my-google-app']) {
        await rejectsWith(projects.createProject({ project: { projectId: bad } }), grpc.status.INVALID_ARGUMENT, /Project id .* is invalid/);
      }
    });

    it('refuses a policy written over a concurrent change (stale etag → ABORTED); a fresh read-modify-write succeeds', async () => {
      const resource = `projects/${PROJECT}`;
      const [mine] = await projects.getIamPolicy({ resource });
      const [theirs] = await projects.getIamPolicy({ resource });
      assert.ok(mine.etag && mine.etag.length > 0);
      const grant = (p: typeof mine, role: string, member: string) => ({ ...p, bindings: [...(p.bindings ?? []), { role, members: [member] }] });
      await projects.setIamPolicy({ resource, policy: grant(theirs, 'roles/viewer', 'user:auditor@example.com') });
      await rejectsWith(projects.setIamPolicy({ resource, policy: grant(mine, 'roles/run.admin', 'user:dev2@example.com') }),
        grpc.status.ABORTED, /concurrent policy changes/);
      const [fresh] = await projects.getIamPolicy({ resource });
      const [written] = await projects.setIamPolicy({ resource, policy: grant(fresh, 'roles/run.admin', 'user:dev2@example.com') });
      assert.notDeepEqual(written.etag, fresh.etag);
      const roles = written.bindings?.map((b) => b.role);
      assert.ok(roles?.includes('roles/viewer') && roles.includes('roles/run.admin'), 'both changes are kept');
      await rejectsWith(projects.setIamPolicy({ resource, policy: grant(fresh, 'roles/owner', 'not-a-member') }), grpc.status.INVALID_ARGUMENT, /Invalid member/);
    });

    it('answers testIamPermissions from the caller\'s own bindings', async () => {
      const resource = `projects/${PROJECT}`;
      const wanted = ['resourcemanager.projects.get', 'resourcemanager.projects.setIamPolicy', 'run.services.create', 'secretmanager.versions.access'];
      const [owner] = await projects.testIamPermissions({ resource, permissions: wanted });
      assert.deepEqual(owner.permissions, wanted);
      const [policy] = await projects.getIamPolicy({ resource });
      await projects.setIamPolicy({ resource, policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/viewer', members: ['user:auditor@example.com'] }] } });
      h.emulator.caller.member = 'user:auditor@example.com';
      const [viewer] = await projects.testIamPermissions({ resource, permissions: wanted });
      assert.deepEqual(viewer.permissions, ['resourcemanager.projects.get']);
      await rejectsWith(projects.setIamPolicy({ resource, policy }), grpc.status.PERMISSION_DENIED, /permission/);
    });
  });

  describe('Cloud Billing', () => {
    it('lists the billing accounts, links a project and unlinks it', async () => {
      const [accounts] = await billing.listBillingAccounts({}, { autoPaginate: false });
      assert.deepEqual(accounts.map((a) => [a.name, a.displayName, a.open]).sort(), [
        [DEMO_BILLING.full, 'Startup credits', true], [DEMO_BILLING.closed, 'Old card (closed)', false], [DEMO_BILLING.main, 'My Billing Account', true],
      ].sort());
      const [open] = await billing.listBillingAccounts({ filter: 'open=true' }, { autoPaginate: false });
      assert.equal(open.length, 2);
      const [demo] = await billing.getProjectBillingInfo({ name: `projects/${PROJECT}` });
      assert.deepEqual([demo.name, demo.billingAccountName, demo.billingEnabled, demo.projectId], [`projects/${PROJECT}/billingInfo`, DEMO_BILLING.main, true, PROJECT]);
      // The request names the project; only the answer's name ends in /billingInfo.
      await rejectsWith(billing.getProjectBillingInfo({ name: `projects/${PROJECT}/billingInfo` }), grpc.status.INVALID_ARGUMENT, /expected projects\/PROJECT_ID/);
      const name = `projects/${SANDBOX_PROJECT}`;
      const [before] = await billing.getProjectBillingInfo({ name });
      assert.deepEqual([before.billingAccountName, before.billingEnabled], ['', false]);
      const [linked] = await billing.updateProjectBillingInfo({ name, projectBillingInfo: { billingAccountName: DEMO_BILLING.main } });
      assert.equal(linked.billingEnabled, true);
      assert.equal((await billing.getProjectBillingInfo({ name }))[0].billingAccountName, DEMO_BILLING.main);
      const [unlinked] = await billing.updateProjectBillingInfo({ name, projectBillingInfo: { billingAccountName: '' } });
      assert.deepEqual([unlinked.billingAccountName, unlinked.billingEnabled], ['', false]);
      await rejectsWith(billing.getProjectBillingInfo({ name: 'projects/not-mine-at-all' }), grpc.status.PERMISSION_DENIED, /permission/);
    });

    it('refuses a closed account and one whose project quota is used up (QuotaFailure in the details)', async () => {
      const name = `projects/${SANDBOX_PROJECT}`;
      await rejectsWith(billing.updateProjectBillingInfo({ name, projectBillingInfo: { billingAccountName: DEMO_BILLING.closed } }),
        grpc.status.FAILED_PRECONDITION, /^Precondition check failed\.$/);
      const err = await billing.updateProjectBillingInfo({ name, projectBillingInfo: { billingAccountName: DEMO_BILLING.full } })
        .then(() => assert.fail('the link should be refused'), (e: { code?: number; statusDetails?: unknown[] }) => e);
      assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
      assert.match(JSON.stringify(err.statusDetails), /Cloud billing quota exceeded: https:\/\/support\.google\.com\/code\/contact\/billing_quota_increase/);
      assert.equal((await billing.getProjectBillingInfo({ name }))[0].billingEnabled, false);
      // Unlinking the project that holds the quota frees it.
      await billing.updateProjectBillingInfo({ name: `projects/${LEGACY_PROJECT}`, projectBillingInfo: { billingAccountName: '' } });
      const [linked] = await billing.updateProjectBillingInfo({ name, projectBillingInfo: { billingAccountName: DEMO_BILLING.full } });
      assert.equal(linked.billingEnabled, true);
    });
  });

  describe('Secret Manager IAM', () => {
    it('reads the seeded grants, adds one, refuses a stale etag and answers testIamPermissions', async () => {
      const resource = `projects/${PROJECT}/secrets/gemini-api-key`;
      const [policy] = await secrets.getIamPolicy({ resource });
      assert.deepEqual(policy.bindings?.map((b) => [b.role, b.members]), [
        ['roles/secretmanager.secretAccessor', [`serviceAccount:mentor-runtime@${PROJECT}.iam.gserviceaccount.com`]],
      ]);
      const member = `serviceAccount:${projectNumber(PROJECT)}-compute@developer.gserviceaccount.com`;
      const [written] = await secrets.setIamPolicy({
        resource, policy: { ...policy, bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [...policy.bindings![0].members!, member] }] },
      });
      assert.equal(written.bindings?.[0].members?.length, 2);
      await rejectsWith(secrets.setIamPolicy({ resource, policy }), grpc.status.ABORTED, /concurrent policy changes/);
      await rejectsWith(secrets.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:ghost@${PROJECT}.iam.gserviceaccount.com`] }] } }),
        grpc.status.INVALID_ARGUMENT, /Service account ghost@mentor-demo\.iam\.gserviceaccount\.com does not exist/);
      const [owner] = await secrets.testIamPermissions({ resource, permissions: ['secretmanager.versions.access', 'secretmanager.secrets.setIamPolicy'] });
      assert.deepEqual(owner.permissions, ['secretmanager.versions.access', 'secretmanager.secrets.setIamPolicy']);
      h.emulator.caller.member = 'user:stranger@example.com';
      const [stranger] = await secrets.testIamPermissions({ resource, permissions: ['secretmanager.versions.access'] });
      assert.deepEqual(stranger.permissions, []);
    });
  });
});

describe('emulator: Service Usage propagation after an enable', () => {
  it('answers SERVICE_DISABLED for a moment after BatchEnableServices finished, then serves', async () => {
    const h = await startHarness({ seed: 'demo', apiPropagationMs: 600 });
    const usage = new ServiceUsageClient(clientOptions(h.emulator.port));
    const secrets = new SecretManagerServiceClient(clientOptions(h.emulator.port));
    try {
      const parent = `projects/${SANDBOX_PROJECT}`;
      await rejectsWith(secrets.listSecrets({ parent }), grpc.status.PERMISSION_DENIED, /Secret Manager API has not been used/);
      const [op] = await usage.batchEnableServices({ parent, serviceIds: ['secretmanager.googleapis.com', 'run.googleapis.com'] });
      await op.promise();
      const [state] = await usage.getService({ name: `${parent}/services/secretmanager.googleapis.com` });
      assert.equal(state.state, 'ENABLED');
      await rejectsWith(secrets.listSecrets({ parent }), grpc.status.PERMISSION_DENIED, /If you enabled this API recently, wait a few minutes/);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const [list] = await secrets.listSecrets({ parent });
      assert.deepEqual(list, []);
    } finally {
      await Promise.all([usage.close(), secrets.close()]);
      await h.close();
    }
  });
});
