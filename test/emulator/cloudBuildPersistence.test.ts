// Cloud Build state across an emulator restart (--data DIR): connections, repositories, triggers and builds
// come back; a build that was running when the emulator stopped ends INTERNAL_ERROR saying why (its executor
// is gone); a push made while the emulator was down fires once after the restart, and old commits never again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PARENT, PROJECT, startHarness, type Harness } from './fixture';
import { FakeExecutor, TempRepo, buildClients, eventually, type BuildClients } from './cloudBuildFixture';

const SA = `projects/${PROJECT}/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com`;

describe('emulator: Cloud Build state survives a restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-cb-state-'));
  let repo: TempRepo;
  let h: Harness | undefined;
  let clients: BuildClients | undefined;
  const start = async (executor: FakeExecutor) => {
    h = await startHarness({ seed: 'demo', dataDir, buildExecutor: executor, gitPollMs: 100 });
    clients = buildClients('grpc', h);
    return { h, clients };
  };
  const stop = async () => {
    await clients?.close();
    await h?.close();
    h = undefined;
  };
  before(() => { repo = new TempRepo(); });
  after(async () => {
    await stop();
    repo.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps connections, triggers and builds; ends interrupted builds; fires a push made while it was down', async () => {
    const first = new FakeExecutor();
    let { clients: c } = await start(first);
    const [connOp] = await c.repos.createConnection({ parent: PARENT, connectionId: 'gh', connection: { githubConfig: {} } });
    const [connection] = await connOp.promise();
    await fetch(connection.installationState?.actionUri as string);
    await fetch((await c.repos.getConnection({ name: connection.name }))[0].installationState?.actionUri as string);
    const [repoOp] = await c.repos.createRepository({ parent: connection.name, repositoryId: 'shop', repository: { remoteUri: repo.bare } });
    const [repository] = await repoOp.promise();
    const [trigger] = await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { name: 'shop', serviceAccount: SA, filename: 'cloudbuild.yaml', repositoryEventConfig: { repository: repository.name, push: { branch: '^main$' } } } });
    const hanging = repo.commitAndPush({ 'cloudbuild.yaml': 'steps:\n- name: bash\n  args: [hang]\n' });
    await eventually(() => first.runs.find((r) => r.source?.commitSha === hanging), 'the hanging build to run');
    await stop();

    // Pushed while the emulator is down.
    const later = repo.commitAndPush({ 'cloudbuild.yaml': 'steps:\n- name: bash\n  args: [echo, $SHORT_SHA]\n' });
    const second = new FakeExecutor();
    ({ clients: c } = await start(second));
    const [conn] = await c.repos.getConnection({ name: connection.name });
    assert.equal(conn.installationState?.stage, 'COMPLETE');
    assert.equal((await c.builds.getBuildTrigger({ projectId: PROJECT, name: trigger.resourceName }))[0].id, trigger.id);
    const [old] = await c.builds.listBuilds({ parent: PARENT, projectId: PROJECT, filter: `substitutions.COMMIT_SHA="${hanging}"` }, { autoPaginate: false });
    assert.deepEqual(old.map((b) => [b.status, b.statusDetail]), [['INTERNAL_ERROR', 'the emulator stopped while the build was WORKING']]);
    const run = await eventually(() => second.runs.find((r) => r.source?.commitSha === later), 'the push made while down to fire');
    assert.deepEqual(run.build.steps[0].args, ['echo', later.slice(0, 7)]);
    await new Promise((r) => setTimeout(r, 400)); // a few more polls: nothing fires twice, nothing old fires again
    assert.deepEqual(second.runs.map((r) => r.source?.commitSha), [later]);
  });
});
