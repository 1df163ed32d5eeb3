// The continuous-deployment path through the real @google-cloud/cloudbuild clients, over gRPC and REST: a
// v2 GitHub connection walked through its installation stages by GETting each actionUri (as the user's
// browser would), a bare git repository linked as its Repository, a v1 trigger on it, and a `git push`
// that fires the trigger: the build runs the cloudbuild.yaml of that commit with the commit's substitutions.
import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import { PARENT, PROJECT, startHarness, type Harness } from './fixture';
import { CLOUDBUILD_YAML, FakeExecutor, TempRepo, buildClients, eventually, type BuildClients, type Transport } from './cloudBuildFixture';

const SA = `projects/${PROJECT}/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com`;

async function rejects(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${String(err.code)}: ${err.message}`);
    assert.match(err.message ?? '', message);
    return true;
  });
}

const stageOf = (c: { installationState?: { stage?: unknown } | null }) => {
  const stage = c.installationState?.stage;
  return typeof stage === 'number' ? ['STAGE_UNSPECIFIED', 'PENDING_INSTALL_APP', 'PENDING_USER_OAUTH', 'COMPLETE'][stage] : stage;
};

/** A COMPLETE connection `github` and the repository `shop` linked to the bare repository. */
async function linkRepository({ repos }: BuildClients, repo: TempRepo, h: Harness): Promise<string> {
  const [op] = await repos.createConnection({ parent: PARENT, connectionId: 'github', connection: { githubConfig: {} } });
  const [connection] = await op.promise();
  assert.equal(stageOf(connection), 'PENDING_USER_OAUTH');
  await rejects(repos.createRepository({ parent: connection.name, repositoryId: 'shop', repository: { remoteUri: repo.bare } }),
    grpc.status.FAILED_PRECONDITION, /not ready: its installation state is PENDING_USER_OAUTH/);
  const oauth = await fetch(connection.installationState?.actionUri as string);
  assert.equal(oauth.status, 200);
  assert.match(await oauth.text(), /Authorized/);
  const [authorized] = await repos.getConnection({ name: connection.name });
  assert.equal(stageOf(authorized), 'PENDING_INSTALL_APP');
  const tokenVersion = authorized.githubConfig?.authorizerCredential?.oauthTokenSecretVersion ?? '';
  assert.match(tokenVersion, new RegExp(`^projects/${PROJECT}/secrets/github-github-oauthtoken-[0-9a-f]{6}/versions/latest$`));
  assert.ok(h.emulator.secretManager.accessSecretVersion({ name: tokenVersion }).payload.data, 'the token is kept in Secret Manager');
  const install = await fetch(authorized.installationState?.actionUri as string);
  assert.match(await install.text(), /Connected/);
  const [complete] = await repos.getConnection({ name: connection.name });
  assert.equal(stageOf(complete), 'COMPLETE');
  assert.match(String(complete.githubConfig?.appInstallationId), /^\d+$/);
  const [repoOp] = await repos.createRepository({ parent: connection.name, repositoryId: 'shop', repository: { remoteUri: repo.bare } });
  const [linked] = await repoOp.promise();
  assert.equal(linked.name, `${connection.name}/repositories/shop`);
  return linked.name as string;
}

interface Case {
  name: string;
  run(c: BuildClients, h: Harness, executor: FakeExecutor, repo: TempRepo): Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'v2 connections and repositories: stages by actionUri, list, linkable, read token, delete',
    async run(c, h, _executor, repo) {
      const repository = await linkRepository(c, repo, h);
      const [connections] = await c.repos.listConnections({ parent: PARENT }, { autoPaginate: false });
      assert.deepEqual(connections.map((x) => x.name), [`${PARENT}/connections/github`]);
      const [listed] = await c.repos.listRepositories({ parent: `${PARENT}/connections/github` }, { autoPaginate: false });
      assert.deepEqual(listed.map((r) => r.remoteUri), [repo.bare]);
      const [linkable] = await c.repos.fetchLinkableRepositories({ connection: `${PARENT}/connections/github` }, { autoPaginate: false });
      assert.ok(linkable.some((r) => r.remoteUri === repo.bare));
      const [token] = await c.repos.fetchReadToken({ repository });
      assert.ok(token.token);
      assert.ok(Number(token.expirationTime?.seconds) > Date.now() / 1000);
      const [deleteOp] = await c.repos.deleteConnection({ name: `${PARENT}/connections/github` });
      await deleteOp.promise();
      await rejects(c.repos.getRepository({ name: repository }), grpc.status.NOT_FOUND, /not found/);
    },
  },
  {
    name: 'triggers: create (service account, name and region rules), get by id or name, list, update, delete',
    async run(c, h, _executor, repo) {
      const repository = await linkRepository(c, repo, h);
      const body = { name: 'shop-deploy', serviceAccount: SA, filename: 'cloudbuild.yaml', repositoryEventConfig: { repository, push: { branch: '^main$' } }, substitutions: { _SERVICE: 'shop' } };
      await rejects(c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { ...body, serviceAccount: '' } }), grpc.status.INVALID_ARGUMENT, /service_account is required/);
      await rejects(c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { ...body, name: '-bad-' } }), grpc.status.INVALID_ARGUMENT, /invalid trigger name "-bad-"/);
      await rejects(c.builds.createBuildTrigger({ projectId: PROJECT, trigger: body }), grpc.status.INVALID_ARGUMENT, /not in global/);
      await rejects(c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { ...body, substitutions: { SERVICE: 'x' } } }), grpc.status.INVALID_ARGUMENT, /substitution key "SERVICE"/);
      const [trigger] = await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: body });
      assert.equal(trigger.resourceName, `${PARENT}/triggers/${trigger.id}`);
      assert.equal(trigger.repositoryEventConfig?.repository, repository);
      await rejects(c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: body }), grpc.status.ALREADY_EXISTS, /already exists/);
      const [byName] = await c.builds.getBuildTrigger({ name: `${PARENT}/triggers/shop-deploy`, projectId: PROJECT });
      assert.equal(byName.id, trigger.id);
      const [updated] = await c.builds.updateBuildTrigger({ projectId: PROJECT, triggerId: trigger.id, trigger: { ...trigger, description: 'deploys shop', disabled: true } });
      assert.equal(updated.description, 'deploys shop');
      assert.equal(updated.createTime?.seconds, trigger.createTime?.seconds);
      const [masked] = await c.builds.updateBuildTrigger({
        projectId: PROJECT, triggerId: trigger.id, updateMask: { paths: ['filename', 'repository_event_config.push.branch'] },
        trigger: { resourceName: trigger.resourceName, filename: 'ci/cloudbuild.yaml', description: 'ignored', repositoryEventConfig: { push: { branch: '^release$' } } },
      });
      assert.deepEqual([masked.filename, masked.description, masked.repositoryEventConfig?.push?.branch, masked.repositoryEventConfig?.repository],
        ['ci/cloudbuild.yaml', 'deploys shop', '^release$', repository], 'only the masked fields change');
      const [list] = await c.builds.listBuildTriggers({ parent: PARENT, projectId: PROJECT }, { autoPaginate: false });
      assert.deepEqual(list.map((t) => [t.name, t.disabled]), [['shop-deploy', true]]);
      await c.builds.deleteBuildTrigger({ name: trigger.resourceName, projectId: PROJECT });
      await rejects(c.builds.getBuildTrigger({ name: trigger.resourceName, projectId: PROJECT }), grpc.status.NOT_FOUND, /not found/);
    },
  },
  {
    name: 'a git push to the branch fires the trigger: the commit\'s cloudbuild.yaml with its substitutions, into the executor',
    async run(c, h, executor, repo) {
      repo.commitAndPush({ 'README.md': 'before the trigger' });
      const repository = await linkRepository(c, repo, h);
      const [trigger] = await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { name: 'shop-deploy', serviceAccount: SA, filename: 'cloudbuild.yaml', repositoryEventConfig: { repository, push: { branch: '^main$' } }, substitutions: { _SERVICE: 'shop-prod' } } });
      const before = executor.runs.length;
      repo.commitAndPush({ 'feature.txt': 'x' }, 'feature'); // not ^main$
      const sha = repo.commitAndPush({ 'cloudbuild.yaml': CLOUDBUILD_YAML });
      const run = await eventually(() => executor.runs.slice(before).find((r) => r.source?.commitSha === sha), 'the triggered build');
      assert.equal(executor.runs.length - before, 1, 'only the push to main fired');
      assert.deepEqual(run.source, { repository: repo.bare, commitSha: sha, branch: 'main' });
      const { build } = run;
      assert.equal(build.buildTriggerId, trigger.id);
      assert.deepEqual(build.steps[0].args, ['build', '-t', `127.0.0.1:5000/mentor-demo/apps/shop:${sha.slice(0, 7)}`, '.']);
      assert.deepEqual(build.steps[1].args, ['-c', `echo deploying shop-prod from main@${sha} in $HOME`]);
      assert.equal(build.serviceAccount, SA);
      assert.ok(build.tags?.includes(`trigger-${trigger.id}`) && build.tags.includes('mentor'));
      const subs = build.substitutions ?? {};
      assert.deepEqual([subs.COMMIT_SHA, subs.SHORT_SHA, subs.BRANCH_NAME, subs.REF_NAME, subs.REPO_NAME, subs.REPO_FULL_NAME, subs.TRIGGER_NAME, subs._SERVICE, subs.TRIGGER_BUILD_CONFIG_PATH],
        [sha, sha.slice(0, 7), 'main', 'main', 'shop', 'owner/shop', 'shop-deploy', 'shop-prod', 'cloudbuild.yaml']);
      const [builds] = await c.builds.listBuilds({ parent: PARENT, projectId: PROJECT, filter: `trigger_id="${trigger.id}" AND substitutions.COMMIT_SHA="${sha}"` }, { autoPaginate: false });
      assert.equal(builds.length, 1);
      await eventually(async () => (await c.builds.getBuild({ name: `${PARENT}/builds/${build.id}` }))[0].status === 'SUCCESS', 'SUCCESS');
    },
  },
  {
    name: 'a push of a commit without the config file makes a FAILURE build that says why; RunBuildTrigger builds a branch',
    async run(c, h, executor, repo) {
      const repository = await linkRepository(c, repo, h);
      const [trigger] = await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { name: 'shop', serviceAccount: SA, filename: 'deploy/cloudbuild.yaml', repositoryEventConfig: { repository, push: { branch: '^main$' } } } });
      const sha = repo.commitAndPush({ 'app.py': 'print(1)' });
      const failed = await eventually(async () => (await c.builds.listBuilds({ parent: PARENT, projectId: PROJECT, filter: `trigger_id="${trigger.id}"` }, { autoPaginate: false }))[0][0], 'the failed build');
      assert.equal(failed.status, 'FAILURE');
      assert.match(failed.statusDetail ?? '', new RegExp(`"deploy/cloudbuild.yaml" at commit ${sha}`));
      assert.equal(failed.failureInfo?.type, 'FETCH_SOURCE_FAILED');
      assert.ok(!executor.runs.some((r) => r.source?.commitSha === sha), 'nothing ran');
      const next = repo.commitAndPush({ 'deploy/cloudbuild.yaml': 'steps:\n- name: bash\n  args: [echo, $BRANCH_NAME, $SHORT_SHA]\n' }, 'release');
      const [op] = await c.builds.runBuildTrigger({ name: trigger.resourceName, projectId: PROJECT, source: { branchName: 'release' } });
      const [done] = await op.promise();
      assert.deepEqual(done.steps?.[0].args, ['echo', 'release', next.slice(0, 7)]);
      await rejects(c.builds.runBuildTrigger({ name: trigger.resourceName, projectId: PROJECT, source: { branchName: 'nope' } }), grpc.status.NOT_FOUND, /refs\/heads\/nope was not found/);
    },
  },
  {
    name: 'a push that changes only ignoredFiles builds nothing; one that changes other files does',
    async run(c, h, executor, repo) {
      repo.commitAndPush({ 'cloudbuild.yaml': 'steps:\n- name: bash\n  args: [echo, $SHORT_SHA]\n' });
      const repository = await linkRepository(c, repo, h);
      await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { name: 'shop', serviceAccount: SA, filename: 'cloudbuild.yaml', ignoredFiles: ['docs/**', '*.md'], repositoryEventConfig: { repository, push: { branch: '^main$' } } } });
      const docs = repo.commitAndPush({ 'docs/guide.md': 'x', 'README.md': 'y' });
      // The watcher must see the docs push on its own before the next one (else one poll sees both).
      await eventually(() => h.emulator.state.data.cloudBuild.seenRefs[repo.bare]?.['refs/heads/main'] === docs, 'the docs push to be seen');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!executor.runs.some((r) => r.source?.commitSha === docs), 'the docs-only push built nothing');
      const code = repo.commitAndPush({ 'main.py': 'print(2)', 'docs/more.md': 'z' });
      await eventually(() => executor.runs.find((r) => r.source?.commitSha === code), 'the build of the code change');
    },
  },
  {
    name: 'an unknown field in cloudbuild.yaml fails the triggered build, naming the field',
    async run(c, h, _executor, repo) {
      const repository = await linkRepository(c, repo, h);
      const [trigger] = await c.builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: { name: 'shop', serviceAccount: SA, filename: 'cloudbuild.yaml', repositoryEventConfig: { repository, push: { branch: '.*' } } } });
      repo.commitAndPush({ 'cloudbuild.yaml': 'steps:\n- name: bash\n  argz: [echo]\n' });
      const failed = await eventually(async () => (await c.builds.listBuilds({ parent: PARENT, projectId: PROJECT, filter: `trigger_id="${trigger.id}"` }, { autoPaginate: false }))[0][0], 'the failed build');
      assert.equal(failed.status, 'FAILURE');
      assert.match(failed.statusDetail ?? '', /unknown field "argz" in google_devtools_cloudbuild_v1\.BuildStep/);
    },
  },
];

for (const transport of ['grpc', 'rest'] as Transport[]) {
  describe(`emulator: Cloud Build connections, triggers and pushes over ${transport === 'grpc' ? 'gRPC' : 'REST (fallback: rest)'}`, () => {
    let h: Harness;
    let clients: BuildClients;
    let repo: TempRepo;
    const executor = new FakeExecutor();
    before(async () => {
      h = await startHarness({ seed: 'demo', buildExecutor: executor, gitPollMs: 100 });
      clients = buildClients(transport, h);
    });
    after(async () => {
      await clients?.close();
      await h?.close();
    });
    beforeEach(async () => {
      await h.control.reset('demo');
      repo = new TempRepo();
    });
    afterEach(() => repo.remove());

    for (const c of CASES) it(c.name, () => c.run(clients, h, executor, repo));
  });
}
