// Cloud Build end to end on the test bed, all real parts: the emulator in runtime mode (its engine runs the
// steps), the @google-cloud/cloudbuild clients setting up a GitHub connection, repository and trigger, a
// `git push` to a bare repository firing it, the REAL Pub/Sub emulator receiving the status notices, the
// build's log lines read back through the Logging client, and the real gcloud listing, describing and
// printing the log of it.
// Needs DOCKER_HOST (busybox:latest on the engine), PUBSUB_EMULATOR_HOST and gcloud: npm test provides them.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LoggingServiceV2Client } from '@google-cloud/logging-api';
import { gcloudEnv } from '../../emulator/gcloudEnv';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { PARENT, PROJECT, clientOptions } from '../emulator/fixture';
import { TempRepo, eventually } from '../emulator/cloudBuildFixture';
import { v1, v2 } from '@google-cloud/cloudbuild';

const PUBSUB = process.env.PUBSUB_EMULATOR_HOST ?? '';
const RUN = randomBytes(3).toString('hex');
const SA = `projects/${PROJECT}/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com`;

async function pubsub(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://${PUBSUB}/v1/${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

function gcloud(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gcloud', args, { env: { ...process.env, ...env }, timeout: 90_000, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`gcloud ${args.join(' ')}: ${stderr}`)) : resolve(stdout));
  });
}

const CONFIG = `steps:
- id: hello
  name: busybox
  entrypoint: sh
  args: [-c, 'echo "hello $SHORT_SHA from $BRANCH_NAME"; cat app.txt; echo "{\\"service\\":\\"$_SERVICE\\"}" > $$BUILDER_OUTPUT/output']
substitutions:
  _SERVICE: shop
options:
  logging: CLOUD_LOGGING_ONLY
`;

describe('Cloud Build on the engine: a push fires the trigger, the steps run, Pub/Sub and Logging hear of it, gcloud reads it', function () {
  this.timeout(240_000);
  let emulator: RunningEmulator;
  let builds: v1.CloudBuildClient;
  let repos: v2.RepositoryManagerClient;
  let logging: LoggingServiceV2Client;
  let repo: TempRepo;
  const subscription = `projects/${PROJECT}/subscriptions/cb-push-${RUN}`;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test (the test bed engine)');
    assert.ok(PUBSUB, 'PUBSUB_EMULATOR_HOST is not set: the test bed starts the Pub/Sub emulator (scripts/engine/pubsub-up.sh)');
    emulator = await startEmulator({ seed: 'demo', dockerHost: process.env.DOCKER_HOST, pubsubHost: PUBSUB, gitPollMs: 200, operationDelayMs: 30 });
    builds = new v1.CloudBuildClient(clientOptions(emulator.port));
    repos = new v2.RepositoryManagerClient(clientOptions(emulator.port));
    logging = new LoggingServiceV2Client(clientOptions(emulator.port));
    const topic = await pubsub('PUT', `projects/${PROJECT}/topics/cloud-builds`, {});
    assert.ok(topic.status === 200 || topic.status === 409, `creating the topic: ${topic.status}`);
    assert.equal((await pubsub('PUT', subscription, { topic: `projects/${PROJECT}/topics/cloud-builds` })).status, 200);
    repo = new TempRepo();
  });
  after(async () => {
    await pubsub('DELETE', subscription).catch(() => undefined);
    await Promise.all([builds?.close(), repos?.close(), logging?.close()]);
    await emulator?.stop();
    repo?.remove();
  });

  it('runs the pushed commit\'s cloudbuild.yaml on the engine with the commit\'s substitutions', async () => {
    const [connOp] = await repos.createConnection({ parent: PARENT, connectionId: 'github', connection: { githubConfig: {} } });
    const [connection] = await connOp.promise();
    await fetch(connection.installationState?.actionUri as string);
    const [authorized] = await repos.getConnection({ name: connection.name });
    await fetch(authorized.installationState?.actionUri as string);
    const [repoOp] = await repos.createRepository({ parent: connection.name, repositoryId: 'shop', repository: { remoteUri: `file://${repo.bare}` } });
    const [repository] = await repoOp.promise();
    const [trigger] = await builds.createBuildTrigger({ parent: PARENT, projectId: PROJECT, trigger: {
      name: 'shop-push', serviceAccount: SA, filename: 'cloudbuild.yaml', repositoryEventConfig: { repository: repository.name, push: { branch: '^main$' } },
    } });

    const sha = repo.commitAndPush({ 'cloudbuild.yaml': CONFIG, 'app.txt': `app ${RUN}\n` });
    const listed = await eventually(async () => (await builds.listBuilds({ parent: PARENT, projectId: PROJECT, filter: `trigger_id="${trigger.id}"` }, { autoPaginate: false }))[0][0], 'the triggered build', 20_000);
    const id = listed.id as string;
    const done = await eventually(async () => {
      const [b] = await builds.getBuild({ name: `${PARENT}/builds/${id}` });
      return ['SUCCESS', 'FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED'].includes(String(b.status)) ? b : undefined;
    }, 'the build to finish', 180_000);
    assert.equal(done.status, 'SUCCESS', `${String(done.statusDetail)}`);
    assert.equal(done.substitutions?.COMMIT_SHA, sha);
    assert.equal(Buffer.from(done.results?.buildStepOutputs?.[0] as Uint8Array).toString().trim(), '{"service":"shop"}');

    const [entries] = await logging.listLogEntries({ resourceNames: [`projects/${PROJECT}`], filter: `logName="projects/${PROJECT}/logs/cloudbuild" AND resource.labels.build_id="${id}" AND labels.build_step="Step #0 - \\"hello\\""` }, { autoPaginate: false });
    const text = entries.map((e) => e.textPayload);
    assert.ok(text.includes(`hello ${sha.slice(0, 7)} from main`), JSON.stringify(text));
    assert.ok(text.includes(`app ${RUN}`), JSON.stringify(text));

    // Every status change reached the real Pub/Sub emulator, in order.
    const statuses: string[] = [];
    await eventually(async () => {
      const pulled = await pubsub('POST', `${subscription}:pull`, { maxMessages: 20 });
      const received = (pulled.json.receivedMessages ?? []) as { ackId: string; message: { data: string; attributes: Record<string, string> } }[];
      for (const r of received) {
        if (r.message.attributes.buildId !== id) continue;
        const build = JSON.parse(Buffer.from(r.message.data, 'base64').toString('utf8')) as { id: string; status: string };
        assert.equal(build.status, r.message.attributes.status);
        statuses.push(build.status);
      }
      if (received.length) await pubsub('POST', `${subscription}:acknowledge`, { ackIds: received.map((r) => r.ackId) });
      return statuses.includes('SUCCESS');
    }, 'the SUCCESS notice', 20_000);
    assert.deepEqual(statuses, ['QUEUED', 'WORKING', 'SUCCESS']);

    // The real gcloud reads the same build through the REST port.
    const env = gcloudEnv({ restAddress: emulator.restAddress, project: PROJECT });
    const list = JSON.parse(await gcloud(['builds', 'list', '--region=us-central1', '--format=json'], env)) as { id: string; status: string }[];
    assert.deepEqual(list.filter((b) => b.id === id).map((b) => b.status), ['SUCCESS']);
    const described = JSON.parse(await gcloud(['builds', 'describe', id, '--region=us-central1', '--format=json'], env)) as { substitutions: Record<string, string>; buildTriggerId: string };
    assert.equal(described.buildTriggerId, trigger.id);
    assert.equal(described.substitutions.SHORT_SHA, sha.slice(0, 7));
    const log = await gcloud(['builds', 'log', id, '--region=us-central1'], env);
    assert.match(log, new RegExp(`hello ${sha.slice(0, 7)} from main\napp ${RUN}\n`), 'gcloud builds log reads the lines from Cloud Logging');
    const triggers = JSON.parse(await gcloud(['builds', 'triggers', 'list', '--region=us-central1', '--format=json'], env)) as { name: string }[];
    assert.deepEqual(triggers.map((t) => t.name), ['shop-push']);
  });
});
