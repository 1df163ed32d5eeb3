// A service account's own IAM policy in the emulator, through Mentor's real clients (IAM v1 REST via
// @googleapis/iam): read-modify-write with etags (a stale one is ABORTED), members that must exist, who may
// set it, and testIamPermissions answering whether the caller may act as the account.
import * as assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { GoogleCicdSetupApi } from '../../src/gcp/cicdSetupClient';
import { GoogleSetupApi } from '../../src/gcp/setupClient';

process.env.METADATA_SERVER_DETECTION = 'none';
const PROJECT = 'mentor-demo';
const RUNTIME = `shop-run@${PROJECT}.iam.gserviceaccount.com`;
const BUILD = `shop-deployer@${PROJECT}.iam.gserviceaccount.com`;
const ACT_AS = 'iam.serviceAccounts.actAs';

describe('emulator: a service account\'s own IAM policy', function () {
  this.timeout(30_000);
  let emulator: RunningEmulator;
  let setup: GoogleSetupApi;
  let cicd: GoogleCicdSetupApi;

  before(async () => {
    emulator = await startEmulator({ seed: 'demo', serviceAccountConsistencyMs: 0 });
    const target = { project: PROJECT, region: 'us-central1', apiEndpoint: emulator.address };
    setup = await GoogleSetupApi.connect(target);
    cicd = await GoogleCicdSetupApi.connect(target);
    await setup.createServiceAccount(PROJECT, 'shop-run', 'runtime');
    await setup.createServiceAccount(PROJECT, 'shop-deployer', 'build');
  });

  after(async () => {
    await Promise.allSettled([setup?.close(), cicd?.close()]);
    await emulator?.stop();
  });

  it('starts empty with an etag; a binding written with that etag reads back; the stale etag is then refused', async () => {
    const empty = await cicd.getServiceAccountIamPolicy(PROJECT, RUNTIME);
    assert.deepEqual(empty.bindings, []);
    assert.ok(empty.etag, 'an etag to write back');
    const written = await cicd.setServiceAccountIamPolicy(PROJECT, RUNTIME,
      { ...empty, bindings: [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${BUILD}`] }] });
    assert.notEqual(written.etag, empty.etag);
    assert.deepEqual((await cicd.getServiceAccountIamPolicy(PROJECT, RUNTIME)).bindings, [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${BUILD}`] }]);
    await assert.rejects(cicd.setServiceAccountIamPolicy(PROJECT, RUNTIME, { ...empty, bindings: [] }),
      (e: { code?: number; message?: string }) => e.code === 10 && /concurrent policy changes/.test(e.message ?? ''));
  });

  it('a member that does not exist cannot be named; an account that does not exist has no policy', async () => {
    const policy = await cicd.getServiceAccountIamPolicy(PROJECT, RUNTIME);
    await assert.rejects(cicd.setServiceAccountIamPolicy(PROJECT, RUNTIME,
      { ...policy, bindings: [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:ghost@${PROJECT}.iam.gserviceaccount.com`] }] }),
    (e: { code?: number; message?: string }) => e.code === 3 && /ghost@mentor-demo\.iam\.gserviceaccount\.com does not exist/.test(e.message ?? ''));
    await assert.rejects(cicd.getServiceAccountIamPolicy(PROJECT, `nobody@${PROJECT}.iam.gserviceaccount.com`), (e: { code?: number }) => e.code === 5);
  });

  it('testIamPermissions: the project owner may act as any account; another user only where the account\'s policy says so', async () => {
    assert.deepEqual(await cicd.testServiceAccountPermissions(PROJECT, BUILD, [ACT_AS, 'iam.serviceAccounts.setIamPolicy']), [ACT_AS, 'iam.serviceAccounts.setIamPolicy']);
    const owner = emulator.caller.member;
    try {
      emulator.caller.member = 'user:dev2@example.com';
      assert.deepEqual(await cicd.testServiceAccountPermissions(PROJECT, BUILD, [ACT_AS]), []);
      await assert.rejects(cicd.getServiceAccountIamPolicy(PROJECT, BUILD), (e: { code?: number; message?: string }) =>
        e.code === 7 && /iam\.serviceAccounts\.getIamPolicy/.test(e.message ?? ''));
      emulator.caller.member = owner;
      const policy = await cicd.getServiceAccountIamPolicy(PROJECT, BUILD);
      await cicd.setServiceAccountIamPolicy(PROJECT, BUILD, { ...policy, bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:dev2@example.com'] }] });
      emulator.caller.member = 'user:dev2@example.com';
      assert.deepEqual(await cicd.testServiceAccountPermissions(PROJECT, BUILD, [ACT_AS, 'iam.serviceAccounts.setIamPolicy']), [ACT_AS]);
      assert.deepEqual(await cicd.testServiceAccountPermissions(PROJECT, RUNTIME, [ACT_AS]), [], 'granted on one account, not the other');
    } finally {
      emulator.caller.member = owner;
    }
  });
});
