// Cloud Build v1 builds through the real @google-cloud/cloudbuild client, the same table over gRPC and over
// REST (fallback: 'rest'): CreateBuild's operation and its promise(), GetBuild with substitutions applied,
// ListBuilds' filters and pages, CancelBuild, RetryBuild, and the requests Cloud Build refuses.
import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import { PARENT, PROJECT, startHarness, type Harness } from './fixture';
import { FakeExecutor, buildClients, settled, type BuildClients, type Transport } from './cloudBuildFixture';
import { projectNumber } from '../../emulator/cloudRunRules';
import { protos } from '@google-cloud/cloudbuild';

const STATUS = protos.google.devtools.cloudbuild.v1.Build.Status;
/** The client hands out LRO results decoded by protobufjs (enum numbers) and call results as names. */
const statusOf = (b: { status?: unknown } | undefined | null) => (typeof b?.status === 'number' ? STATUS[b.status] : b?.status);

type Build = Record<string, unknown> & { id?: string | null; status?: unknown; steps?: { args?: string[] | null; name?: string | null }[] | null };

async function rejects(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${String(err.code)}: ${err.message}`);
    assert.match(err.message ?? '', message);
    return true;
  });
}

const step = (args: string[], extra: Record<string, unknown> = {}) => ({ name: 'gcr.io/cloud-builders/docker', args, ...extra });

interface Case {
  name: string;
  run(c: BuildClients, h: Harness, executor: FakeExecutor): Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'CreateBuild: an operation carrying the QUEUED build; promise() gives the successful build; GetBuild shows the substituted steps',
    async run({ builds }, _h, executor) {
      const [op] = await builds.createBuild({
        projectId: PROJECT,
        build: {
          steps: [step(['build', '-t', 'img:$_TAG', '${PROJECT_ID}/$BUILD_ID', '$$HOME', 'x${_TAG}y']), { name: 'bash', args: ['echo', '$LOCATION $PROJECT_NUMBER'] }],
          substitutions: { _TAG: 'v1' }, tags: ['mentor', 'shop'],
        },
      });
      assert.equal(op.done, false);
      const queued = (op.metadata as { build?: Build }).build;
      assert.equal(statusOf(queued), 'QUEUED');
      const [done] = await op.promise();
      assert.equal(statusOf(done), 'SUCCESS');
      const [got] = await builds.getBuild({ projectId: PROJECT, id: queued?.id as string });
      assert.deepEqual(got.steps?.[0].args, ['build', '-t', 'img:v1', `${PROJECT}/${got.id}`, '$HOME', 'xv1y']);
      assert.deepEqual(got.steps?.[1].args, ['echo', `global ${projectNumber(PROJECT)}`]);
      assert.deepEqual(got.substitutions, { _TAG: 'v1' });
      assert.equal(got.name, `projects/${projectNumber(PROJECT)}/locations/global/builds/${got.id}`);
      assert.equal((await builds.getBuild({ name: got.name, projectId: PROJECT }))[0].id, got.id, 'the name with the project number finds it');
      assert.equal(got.logUrl, `https://console.cloud.google.com/cloud-build/builds/${got.id}?project=${projectNumber(PROJECT)}`);
      assert.equal(got.steps?.[0].status, 'SUCCESS');
      assert.equal(Buffer.from(got.results?.buildStepOutputs?.[1] as Uint8Array).toString(), `global ${projectNumber(PROJECT)}`);
      assert.ok(Number(got.createTime?.seconds) <= Number(got.startTime?.seconds));
      assert.ok(Number(got.startTime?.seconds) <= Number(got.finishTime?.seconds));
      assert.equal(got.timeout?.seconds, '600');
      assert.equal(got.serviceAccount, `projects/${PROJECT}/serviceAccounts/${projectNumber(PROJECT)}-compute@developer.gserviceaccount.com`);
      assert.equal(executor.runs.at(-1)?.build.steps[0].args?.[2], 'img:v1', 'the executor gets the substituted steps');
    },
  },
  {
    name: 'Regional builds: named by location, listed only under their region; a failing step fails the build',
    async run({ builds }) {
      const parent = PARENT;
      const [op] = await builds.createBuild({ parent, projectId: PROJECT, build: { steps: [step(['fail'])], options: { logging: 'CLOUD_LOGGING_ONLY' } } });
      const { build: done, error } = await settled<Build & { failureInfo?: { type?: unknown } }>(op, builds);
      assert.match(String(error?.message), /Build failed; check build logs for details/, 'a failed build\'s operation ends in an error');
      assert.equal(statusOf(done), 'FAILURE');
      assert.equal(done.failureInfo?.type, 'USER_BUILD_STEP');
      assert.match(op.name ?? '', new RegExp(`^${PARENT}/operations/`));
      const [got] = await builds.getBuild({ name: `${PARENT}/builds/${done.id}` });
      assert.equal(got.logUrl, `https://console.cloud.google.com/cloud-build/builds;region=us-central1/${done.id}?project=${projectNumber(PROJECT)}`);
      const [regional] = await builds.listBuilds({ parent, projectId: PROJECT }, { autoPaginate: false });
      assert.deepEqual(regional.map((b) => b.id), [done.id]);
      const [global] = await builds.listBuilds({ projectId: PROJECT }, { autoPaginate: false });
      assert.ok(!global.some((b) => b.id === done.id));
    },
  },
  {
    name: 'ListBuilds: newest first, filters (status, tags, trigger_id, create_time, AND/OR/NOT), pages',
    async run({ builds }) {
      const ids: string[] = [];
      for (const [i, args] of [['ok'], ['fail'], ['ok'], ['ok']].entries()) {
        const [op] = await builds.createBuild({ projectId: PROJECT, build: { steps: [step(args)], tags: i % 2 ? ['odd'] : ['even'], substitutions: { _N: String(i) }, options: { substitutionOption: 'ALLOW_LOOSE' } } });
        ids.push((await settled(op, builds)).build.id as string);
      }
      const list = async (filter: string) => (await builds.listBuilds({ projectId: PROJECT, filter }, { autoPaginate: false }))[0].map((b) => b.id);
      assert.deepEqual(await list(''), [...ids].reverse());
      assert.deepEqual(await list('status="FAILURE"'), [ids[1]]);
      assert.deepEqual(await list('status!="FAILURE" AND tags="even"'), [ids[2], ids[0]]);
      assert.deepEqual(await list('tags=odd OR substitutions._N="2"'), [ids[3], ids[2], ids[1]]);
      assert.deepEqual(await list('NOT (tags="odd")'), [ids[2], ids[0]]);
      assert.deepEqual(await list(`build_id="${ids[2]}"`), [ids[2]]);
      assert.deepEqual(await list('trigger_id="nope"'), []);
      assert.equal((await list(`create_time>"2000-01-01T00:00:00Z"`)).length, 4);
      assert.deepEqual(await list(`create_time<"2000-01-01T00:00:00Z"`), []);
      await rejects(list('colour="red"'), grpc.status.INVALID_ARGUMENT, /unknown field "colour"/);
      const [page1, next] = await builds.listBuilds({ projectId: PROJECT, pageSize: 3 }, { autoPaginate: false });
      assert.equal(page1.length, 3);
      const [page2] = await builds.listBuilds({ projectId: PROJECT, pageSize: 3, pageToken: next?.pageToken ?? '' }, { autoPaginate: false });
      assert.deepEqual(page2.map((b) => b.id), [ids[0]]);
    },
  },
  {
    name: 'Substitutions: unused and unknown keys fail the request unless ALLOW_LOOSE; keys must look like _UPPER',
    async run({ builds }) {
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['x'])], substitutions: { _UNUSED: 'a' } } }),
        grpc.status.INVALID_ARGUMENT, /key "_UNUSED" in the substitution data is not matched in the template/);
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['$_MISSING'])] } }),
        grpc.status.INVALID_ARGUMENT, /key in the template "_MISSING" is not matched in the substitution list/);
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['$HOME'])] } }),
        grpc.status.INVALID_ARGUMENT, /key in the template "HOME" is not a valid built-in substitution/);
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['x'])], substitutions: { lower: 'a' } } }),
        grpc.status.INVALID_ARGUMENT, /substitution key "lower" does not respect format/);
      const [op] = await builds.createBuild({ projectId: PROJECT, build: { steps: [step(['$_MISSING', '$HOME', '$COMMIT_SHA'])], substitutions: { _UNUSED: 'a' }, options: { substitutionOption: 'ALLOW_LOOSE' } } });
      const [done] = await op.promise();
      assert.deepEqual(done.steps?.[0].args, ['', '', '']);
    },
  },
  {
    name: 'Requests Cloud Build refuses: no steps, bad waitFor, a custom service account with logs in the default bucket',
    async run({ builds }) {
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [] } }), grpc.status.INVALID_ARGUMENT, /at least one step/);
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['a'], { waitFor: ['later'] })] } }), grpc.status.INVALID_ARGUMENT, /depends on step "later"/);
      await rejects(builds.createBuild({ projectId: PROJECT, build: { steps: [step(['a'])], serviceAccount: `projects/${PROJECT}/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com` } }),
        grpc.status.INVALID_ARGUMENT, /CLOUD_LOGGING_ONLY \/ NONE logging options/);
      await rejects(builds.getBuild({ projectId: PROJECT, id: 'no-such-build' }), grpc.status.NOT_FOUND, /not found/);
    },
  },
  {
    name: 'CancelBuild stops a working build (CANCELLED, the operation ends); a finished build cannot be cancelled; RetryBuild runs it again',
    async run({ builds }, h) {
      const [op] = await builds.createBuild({ projectId: PROJECT, build: { steps: [step(['hang'])] } });
      const id = (op.metadata as { build?: Build }).build?.id as string;
      for (let i = 0; i < 100 && h.emulator.cloudBuild.builds.getBuild({ projectId: PROJECT, id }).status !== 'WORKING'; i++) await new Promise((r) => setTimeout(r, 20));
      const [cancelled] = await builds.cancelBuild({ projectId: PROJECT, id });
      assert.equal(cancelled.status, 'CANCELLED');
      const { build: done, error } = await settled(op, builds);
      assert.ok(error, 'a cancelled build\'s operation ends in an error');
      assert.equal(statusOf(done), 'CANCELLED');
      await rejects(builds.cancelBuild({ projectId: PROJECT, id }), grpc.status.FAILED_PRECONDITION, /final state: CANCELLED/);
      const [retryOp] = await builds.retryBuild({ projectId: PROJECT, id });
      const retryId = (retryOp.metadata as { build?: Build }).build?.id;
      assert.notEqual(retryId, id);
      assert.equal((await builds.getBuild({ projectId: PROJECT, id: retryId as string }))[0].steps?.[0].args?.[0], 'hang');
      await builds.cancelBuild({ projectId: PROJECT, id: retryId as string });
    },
  },
  {
    name: 'Without an executor a build stays QUEUED until its queueTtl, then EXPIRED',
    async run({ builds }, h, executor) {
      h.emulator.cloudBuild.builds.executor = undefined;
      try {
        const [op] = await builds.createBuild({ projectId: PROJECT, build: { steps: [step(['x'])], queueTtl: { seconds: 1 } } });
        const id = (op.metadata as { build?: Build }).build?.id as string;
        await new Promise((r) => setTimeout(r, 300));
        assert.equal((await builds.getBuild({ projectId: PROJECT, id }))[0].status, 'QUEUED');
        const { build: done } = await settled<Build & { statusDetail?: string }>(op, builds);
        assert.equal(statusOf(done), 'EXPIRED');
        assert.match(String(done.statusDetail), /queue_ttl/);
      } finally {
        h.emulator.cloudBuild.builds.executor = executor;
      }
    },
  },
  {
    name: 'Cloud Build answers SERVICE_DISABLED while cloudbuild.googleapis.com is off',
    async run({ builds }, h) {
      await h.control.setServiceState('cloudbuild.googleapis.com', false, PROJECT);
      await rejects(builds.listBuilds({ projectId: PROJECT }, { autoPaginate: false }), grpc.status.PERMISSION_DENIED, /Cloud Build API has not been used|disabled/);
    },
  },
];

for (const transport of ['grpc', 'rest'] as Transport[]) {
  describe(`emulator: Cloud Build v1 builds over ${transport === 'grpc' ? 'gRPC' : 'REST (fallback: rest)'}`, () => {
    let h: Harness;
    let clients: BuildClients;
    const executor = new FakeExecutor();
    before(async () => {
      h = await startHarness({ seed: 'demo', buildExecutor: executor });
      clients = buildClients(transport, h);
    });
    after(async () => {
      await clients?.close();
      await h?.close();
    });
    beforeEach(async () => { await h.control.reset('demo'); });

    for (const c of CASES) it(c.name, () => c.run(clients, h, executor));
  });
}
