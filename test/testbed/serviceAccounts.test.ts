// IAM Admin v1 service accounts on the emulator's REST port through `@googleapis/iam` (the client the
// extension uses: there is no gRPC one), including Google's eventual consistency: a new account is NOT_FOUND
// to reads, and cannot be named in a policy, for a moment after its create returned.
import * as assert from 'node:assert/strict';
import { iam, type iam_v1 } from '@googleapis/iam';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { grpc } from 'google-gax';
import { PROJECT, clientOptions, rejectsWith, startHarness, type Harness } from '../emulator/fixture';
import { SANDBOX_PROJECT } from '../../emulator/platformSeeds';

const WINDOW_MS = 500;

interface HttpFailure {
  status?: number;
  response?: { status?: number; data?: { error?: { code?: number; status?: string; message?: string } } };
}

async function failsWith(promise: Promise<unknown>, httpStatus: number, status: string, message: RegExp): Promise<void> {
  const err = await promise.then(() => assert.fail(`expected HTTP ${httpStatus}`), (e: HttpFailure) => e);
  const error = err.response?.data?.error;
  assert.equal(err.response?.status, httpStatus, JSON.stringify(error));
  assert.equal(error?.status, status);
  assert.match(error?.message ?? '', message);
}

describe('emulator: IAM service accounts over REST (@googleapis/iam)', () => {
  let h: Harness;
  let client: iam_v1.Iam;
  let projects: ProjectsClient;
  before(async () => {
    h = await startHarness({ seed: 'demo', serviceAccountConsistencyMs: WINDOW_MS });
    client = iam({ version: 'v1', rootUrl: `http://${h.emulator.restAddress}/` });
    projects = new ProjectsClient(clientOptions(h.emulator.port));
  });
  after(async () => {
    await projects?.close();
    await h?.close();
  });
  beforeEach(async () => { await h.control.reset('demo'); });

  it('creates an account that reads as NOT_FOUND and cannot be granted during the window, then can', async () => {
    const started = Date.now();
    const { data: created } = await client.projects.serviceAccounts.create({
      name: `projects/${PROJECT}`, requestBody: { accountId: 'wizard-deployer', serviceAccount: { displayName: 'Wizard deployer' } },
    });
    const email = `wizard-deployer@${PROJECT}.iam.gserviceaccount.com`;
    assert.equal(created.email, email);
    assert.equal(created.name, `projects/${PROJECT}/serviceAccounts/${email}`);
    assert.equal(created.displayName, 'Wizard deployer');
    assert.match(created.uniqueId ?? '', /^\d{21}$/);
    const name = `projects/${PROJECT}/serviceAccounts/${email}`;
    await failsWith(client.projects.serviceAccounts.get({ name }), 404, 'NOT_FOUND', /^Unknown service account$/);
    const [policy] = await projects.getIamPolicy({ resource: `projects/${PROJECT}` });
    const grant = { ...policy, bindings: [...policy.bindings!, { role: 'roles/run.developer', members: [`serviceAccount:${email}`] }] };
    await rejectsWith(projects.setIamPolicy({ resource: `projects/${PROJECT}`, policy: grant }), grpc.status.INVALID_ARGUMENT,
      new RegExp(`^Service account ${email.replace(/\./g, '\\.')} does not exist\\.$`));

    // Retrying, as Google asks callers to, finds it once the window has passed.
    let found;
    while (!found) {
      found = await client.projects.serviceAccounts.get({ name }).then((r) => r.data, () => undefined);
      if (!found) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(Date.now() - started < 5000, 'the account never became visible');
    }
    assert.ok(Date.now() - started >= WINDOW_MS - 50, 'visible before the window ended');
    assert.equal(found.uniqueId, created.uniqueId);
    const [written] = await projects.setIamPolicy({ resource: `projects/${PROJECT}`, policy: grant });
    assert.ok(written.bindings?.some((b) => b.role === 'roles/run.developer'));

    const { data: byId } = await client.projects.serviceAccounts.get({ name: `projects/-/serviceAccounts/${created.uniqueId}` });
    assert.equal(byId.email, email);
    const { data: list } = await client.projects.serviceAccounts.list({ name: `projects/${PROJECT}` });
    assert.deepEqual(list.accounts?.map((a) => a.email), [`mentor-runtime@${PROJECT}.iam.gserviceaccount.com`, email]);
    const { data: page } = await client.projects.serviceAccounts.list({ name: `projects/${PROJECT}`, pageSize: 1 });
    assert.equal(page.accounts?.length, 1);
    assert.ok(page.nextPageToken);

    await client.projects.serviceAccounts.delete({ name });
    await failsWith(client.projects.serviceAccounts.get({ name }), 404, 'NOT_FOUND', /Unknown service account/);
  });

  it('checks account ids and refuses a second account with the same id', async () => {
    const create = (accountId: string) => client.projects.serviceAccounts.create({ name: `projects/${PROJECT}`, requestBody: { accountId } });
    for (const bad of ['short', 'UpperCase-account', 'ends-with-hyphen-', 'a'.repeat(31), '9starts-with-digit']) {
      await failsWith(create(bad), 400, 'INVALID_ARGUMENT', /^Invalid form of account ID .* with 6-30 characters\]\.$/);
    }
    await create('mentor-ci-bot');
    await failsWith(create('mentor-ci-bot'), 409, 'ALREADY_EXISTS', new RegExp(`^Service account mentor-ci-bot already exists within project projects/${PROJECT}\\.$`));
  });

  it('answers SERVICE_DISABLED in a project without the IAM API', async () => {
    await failsWith(client.projects.serviceAccounts.list({ name: `projects/${SANDBOX_PROJECT}` }), 403, 'PERMISSION_DENIED',
      /Identity and Access Management \(IAM\) API has not been used in project \d+/);
  });
});
