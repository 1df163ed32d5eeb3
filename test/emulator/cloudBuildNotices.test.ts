// What Cloud Build tells others about a build: a Pub/Sub message per status change to the cloud-builds topic
// (here a small HTTP server answering Pub/Sub's REST publish stands in; the real Pub/Sub emulator is in the
// testbed suite), nothing when the topic is missing, nothing that breaks the build when Pub/Sub fails; and
// each log line in Cloud Logging under log `cloudbuild`, resource `build`, the step in label build_step,
// read back through the real Logging client.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { LoggingServiceV2Client } from '@google-cloud/logging-api';
import { PARENT, PROJECT, clientOptions, startHarness, type Harness } from './fixture';
import { FakeExecutor, buildClients, type BuildClients } from './cloudBuildFixture';

interface Published {
  path: string;
  messages: { data: string; attributes: Record<string, string> }[];
}

/** Answers publishes to projects/mentor-demo/topics/cloud-builds; any other topic is 404 (not found). */
async function fakePubsub(): Promise<{ host: string; published: Published[]; mode: { fail: boolean }; close(): Promise<void> }> {
  const published: Published[] = [];
  const mode = { fail: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      if (mode.fail) {
        res.writeHead(500).end('{"error":{"code":500}}');
        return;
      }
      if (req.url !== `/v1/projects/${PROJECT}/topics/cloud-builds:publish` || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":404,"message":"Topic not found","status":"NOT_FOUND"}}');
        return;
      }
      published.push({ path: req.url, ...(JSON.parse(body) as { messages: Published['messages'] }) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageIds: [String(published.length)] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`, published, mode,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('emulator: Cloud Build notices on Pub/Sub and build logs in Cloud Logging', () => {
  let h: Harness;
  let clients: BuildClients;
  let pubsub: Awaited<ReturnType<typeof fakePubsub>>;
  let logging: LoggingServiceV2Client;
  before(async () => {
    pubsub = await fakePubsub();
    h = await startHarness({ seed: 'demo', buildExecutor: new FakeExecutor(), pubsubHost: pubsub.host });
    clients = buildClients('grpc', h);
    logging = new LoggingServiceV2Client(clientOptions(h.emulator.port));
  });
  after(async () => {
    await clients?.close();
    await logging?.close();
    await h?.close();
    await pubsub?.close();
  });
  beforeEach(async () => {
    await h.control.reset('demo');
    pubsub.published.length = 0;
    pubsub.mode.fail = false;
  });

  const steps = [{ id: 'build', name: 'gcr.io/cloud-builders/docker', args: ['build', '.'] }, { name: 'bash', args: ['echo', 'hi'] }];

  it('publishes every status change in order, data = the Build as REST JSON, attributes buildId and status', async () => {
    const [op] = await clients.builds.createBuild({ projectId: PROJECT, build: { steps, tags: ['mentor'] } });
    const [build] = await op.promise();
    await h.emulator.cloudBuild.notices.idle();
    const statuses = pubsub.published.map((p) => p.messages[0].attributes.status);
    assert.deepEqual(statuses, ['QUEUED', 'WORKING', 'SUCCESS']);
    for (const p of pubsub.published) {
      assert.equal(p.messages.length, 1);
      const { data, attributes } = p.messages[0];
      const json = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>;
      assert.equal(attributes.buildId, build.id);
      assert.equal(json.id, build.id);
      assert.equal(json.status, attributes.status);
      assert.equal(json.projectId, PROJECT);
      assert.deepEqual(json.tags, ['mentor']);
      assert.ok(typeof json.createTime === 'string' && json.createTime.endsWith('Z'), 'timestamps in RFC 3339, as REST JSON has them');
    }
    const last = JSON.parse(Buffer.from(pubsub.published[2].messages[0].data, 'base64').toString('utf8')) as { steps: { status: string }[]; finishTime?: string };
    assert.deepEqual(last.steps.map((s) => s.status), ['SUCCESS', 'SUCCESS']);
    assert.ok(last.finishTime);
  });

  it('publishes nothing for a project without the topic (404), and a failing Pub/Sub does not touch the build', async () => {
    await h.control.reset('projects:2');
    const [opNoTopic] = await clients.builds.createBuild({ projectId: 'mentor-demo-2', build: { steps } });
    await opNoTopic.promise();
    await h.emulator.cloudBuild.notices.idle();
    assert.equal(pubsub.published.length, 0);
    assert.ok(h.emulator.cloudBuild.notices.counts.noTopic >= 3);
    pubsub.mode.fail = true;
    const failedBefore = h.emulator.cloudBuild.notices.counts.failed;
    const [op] = await clients.builds.createBuild({ projectId: PROJECT, build: { steps } });
    const [build] = await op.promise();
    await h.emulator.cloudBuild.notices.idle();
    assert.equal(h.emulator.cloudBuild.notices.counts.failed - failedBefore, 3);
    assert.equal((await clients.builds.getBuild({ projectId: PROJECT, id: build.id as string }))[0].status, 'SUCCESS');
  });

  it('writes each log line to log cloudbuild of resource type build, with the step in build_step', async () => {
    const [op] = await clients.builds.createBuild({ projectId: PROJECT, build: { steps, tags: ['mentor', 'shop'], options: { logging: 'CLOUD_LOGGING_ONLY' } } });
    const [build] = await op.promise();
    const [entries] = await logging.listLogEntries({
      resourceNames: [`projects/${PROJECT}`], filter: `logName="projects/${PROJECT}/logs/cloudbuild" AND resource.type="build" AND resource.labels.build_id="${build.id}"`, orderBy: 'timestamp asc',
    }, { autoPaginate: false });
    assert.deepEqual(entries.map((e) => [e.labels?.build_step, e.textPayload]), [
      ['MAIN', `starting build "${build.id}"`],
      ['Step #0 - "build"', 'gcr.io/cloud-builders/docker build .'],
      ['Step #1', 'bash echo hi'],
      ['MAIN', 'DONE'],
    ]);
    assert.deepEqual(entries[0].resource?.labels, { build_id: build.id, build_trigger_id: '', project_id: PROJECT });
    assert.equal(entries[0].labels?.build_tags, 'mentor,shop');
    const [none] = await clients.builds.createBuild({ projectId: PROJECT, build: { steps, options: { logging: 'NONE' } } });
    const [quiet] = await none.promise();
    const [quietEntries] = await logging.listLogEntries({ resourceNames: [`projects/${PROJECT}`], filter: `resource.labels.build_id="${quiet.id}"` }, { autoPaginate: false });
    assert.equal(quietEntries.length, 0, 'logging: NONE keeps the lines out of Cloud Logging');
  });

  it('the CLI sends notices to --pubsub-host, by default to PUBSUB_EMULATOR_HOST, and refuses a malformed one', async () => {
    const cli = path.join(__dirname, '..', '..', 'emulator', 'cli.js');
    const bad = spawn(process.execPath, [cli, '--no-runtime', '--pubsub-host', 'http://x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    assert.equal(await new Promise((resolve) => bad.once('exit', resolve)), 2);
    assert.match(err, /--pubsub-host takes HOST:PORT, not "http:\/\/x"/);
    // The default comes from the environment, as with Google's own Pub/Sub clients.
    const child = spawn(process.execPath, [cli, '--port', '0', '--rest-port', '0', '--seed', 'demo', '--no-runtime', '--op-delay-ms', '10'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PUBSUB_EMULATOR_HOST: pubsub.host } });
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (/Cloud Build notices: .*\n/.test(out)) resolve(out.split('\n'));
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
      assert.ok(lines.includes(`Cloud Build notices: Pub/Sub at http://${pubsub.host} (topic cloud-builds)`), lines.join('\n'));
      const rest = /^REST\/JSON on http:\/\/(127\.0\.0\.1:\d+) /.exec(lines[1])?.[1];
      const res = await fetch(`http://${rest}/v1/${PARENT}/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ steps: [{ name: 'bash', args: ['true'] }] }) });
      assert.equal(res.status, 200);
      // No engine, so no executor: the build stays QUEUED, and that status is announced.
      const queued = await new Promise<Published>((resolve) => {
        const poll = setInterval(() => {
          if (pubsub.published.length) {
            clearInterval(poll);
            resolve(pubsub.published[0]);
          }
        }, 20);
      });
      assert.equal(queued.messages[0].attributes.status, 'QUEUED');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      }
    }
  });
});
