// Emulator v2 (runtime mode) against a REAL engine and registry: revisions run as containers pulled from
// REGISTRY_OPEN, services answer through the local proxy (traffic split, tag URLs), container output and
// request logs land in Cloud Logging, failures look like Cloud Run's. Real Google clients throughout.
// Env: DOCKER_HOST (engine), REGISTRY_OPEN (host:port of an open registry) — npm test provides both.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServicesClient, RevisionsClient, protos } from '@google-cloud/run';
import { Logging } from '@google-cloud/logging';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type Dockerode from 'dockerode';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { pushImage } from '../../src/docker/imagePush';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { defaultStartFailureMessage } from '../../emulator/cloudRunRules';
import { clientOptions, PARENT, PROJECT, serviceName } from '../emulator/fixture';
import { buildAndPushBusyboxApp, get } from './busyboxApp';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-emu-${RUN}/app`;
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const STARTUP_TIMEOUT_MS = 3000;
const AUTH_REGISTRY = process.env.REGISTRY_AUTH ?? '';
const AUTH = { username: process.env.REGISTRY_USER ?? '', password: process.env.REGISTRY_PASS ?? '' };
const AUTH_APP = `${AUTH_REGISTRY}/mentor-emu-${RUN}/app:v1`;

// busybox httpd serving what the revision knows about itself; LISTEN_PORT / LISTEN_ADDR / CRASH make it misbehave.
const START_SH = `#!/bin/sh
mkdir -p /www
echo "$K_REVISION" > /www/revision
echo "$APP_VERSION $K_SERVICE $K_CONFIGURATION $PORT" > /www/env
echo ok > /www/health
if [ -n "$SECRET_VALUE" ]; then echo "set:$SECRET_VALUE" > /www/secret; else echo unset > /www/secret; fi
echo "starting $K_REVISION on port $PORT"
echo '{"severity":"warning","message":"structured hello","component":"runtime-test"}'
echo "a line on stderr" >&2
if [ -n "$CRASH" ]; then exit "$CRASH"; fi
exec httpd -f -p "\${LISTEN_ADDR:+$LISTEN_ADDR:}\${LISTEN_PORT:-$PORT}" -h /www
`;

const short = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);


describe('emulator runtime mode (real engine, registry, proxy)', function () {
  this.timeout(120_000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let revisions: RevisionsClient;
  let logging: Logging;
  let secrets: SecretManagerServiceClient;
  let rev1 = '';
  let rev2 = '';

  before(async function () {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    docker = engine.docker;
    await buildAndPushBusyboxApp(engine, APP, START_SH);
    emulator = await startEmulator({
      dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: STARTUP_TIMEOUT_MS, operationDelayMs: 10,
      registryAuth: AUTH_REGISTRY ? { [AUTH_REGISTRY]: AUTH } : {},
    });
    services = new ServicesClient(clientOptions(emulator.port));
    revisions = new RevisionsClient(clientOptions(emulator.port));
    logging = new Logging(clientOptions(emulator.port));
    secrets = new SecretManagerServiceClient(clientOptions(emulator.port));
  });

  after(async () => {
    await Promise.allSettled([services?.close(), revisions?.close(), secrets?.close()]);
    await emulator?.stop();
    for (const image of [`${APP}:v1`, `${APP}:v2`, AUTH_APP]) await docker?.getImage(image).remove({ force: true }).catch(() => undefined);
    await engine?.close();
  });

  type Service = protos.google.cloud.run.v2.IService;
  async function deploy(id: string, service: Service, create = false): Promise<Service> {
    const [op] = create
      ? await services.createService({ parent: PARENT, serviceId: id, service })
      : await services.updateService({ service: { ...service, name: serviceName(id) } });
    const [done] = await op.promise();
    return done;
  }
  async function deployFails(id: string, service: Service): Promise<Error & { code?: number }> {
    const [op] = await services.updateService({ service: { ...service, name: serviceName(id) } });
    return op.promise().then(() => assert.fail('the operation should fail'), (e: Error) => e);
  }
  const containersOf = async (label: string) =>
    docker.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) } as Dockerode.ContainerListOptions);
  async function entries(filter: string) {
    const [list] = await logging.getEntries({ filter: `resource.type="cloud_run_revision" AND ${filter}`, orderBy: 'timestamp asc', pageSize: 1000 });
    return list;
  }

  it('creates a service: the LRO ends once the container serves, the URL answers through the proxy', async () => {
    const svc = await deploy('rt-hello', { template: { containers: [{ image: `${APP}:v1` }] }, invokerIamDisabled: true }, true);
    assert.match(svc.uri ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(svc.urls, [svc.uri]);
    rev1 = short(svc.latestReadyRevision);
    assert.match(rev1, /^rt-hello-00001-[a-z]{3}$/);
    assert.deepEqual(await get(`${svc.uri}/health`), { status: 200, body: 'ok\n' });
    assert.equal((await get(`${svc.uri}/revision`)).body.trim(), rev1);
    assert.equal((await get(`${svc.uri}/env`)).body.trim(), 'v1 rt-hello rt-hello 8080');
    const [revision] = await revisions.getRevision({ name: svc.latestReadyRevision! });
    assert.match(revision.containers?.[0]?.image ?? '', new RegExp(`^${APP.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
    assert.equal((await containersOf(`mentor.emulator.revision=${rev1}`)).length, 1);
  });

  it('splits traffic 50/50 exactly over 100 requests and serves each tag on its own URL', async () => {
    const svc = await deploy('rt-hello', {
      template: { containers: [{ image: `${APP}:v2` }] }, invokerIamDisabled: true,
      traffic: [{ type: REVISION, revision: rev1, percent: 50, tag: 'blue' }, { type: LATEST, percent: 50, tag: 'green' }],
    });
    rev2 = short(svc.latestReadyRevision);
    assert.notEqual(rev2, rev1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const { body } = await get(`${svc.uri}/revision`);
      counts[body.trim()] = (counts[body.trim()] ?? 0) + 1;
    }
    assert.deepEqual(counts, { [rev1]: 50, [rev2]: 50 });
    const blue = svc.trafficStatuses?.find((t) => t.tag === 'blue');
    const green = svc.trafficStatuses?.find((t) => t.tag === 'green');
    assert.match(blue?.uri ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(blue?.uri, svc.uri);
    assert.equal((await get(`${blue?.uri}/revision`)).body.trim(), rev1);
    assert.equal((await get(`${green?.uri}/env`)).body.trim(), 'v2 rt-hello rt-hello 8080');
  });

  it('writes request logs, container stdout/stderr (JSON lines as jsonPayload) and probe messages to Cloud Logging', async () => {
    const service = 'resource.labels.service_name="rt-hello"';
    const requests = await entries(`${service} AND logName="projects/${PROJECT}/logs/run.googleapis.com%2Frequests"`);
    assert.ok(requests.length >= 100, `${requests.length} request entries`);
    const first = requests[0].metadata;
    assert.equal(first.httpRequest?.status, 200);
    assert.equal(first.httpRequest?.requestMethod, 'GET');
    assert.match(String(first.httpRequest?.requestUrl), /^http:\/\/127\.0\.0\.1:\d+\/health$/);
    assert.match(first.trace ?? '', new RegExp(`^projects/${PROJECT}/traces/[0-9a-f]{32}$`));
    assert.equal(first.severity, 'INFO');
    assert.deepEqual(Object.keys(first.resource?.labels ?? {}).sort(), ['configuration_name', 'location', 'project_id', 'revision_name', 'service_name']);
    const stdout = await entries(`${service} AND resource.labels.revision_name="${rev1}" AND logName:"run.googleapis.com%2Fstdout"`);
    assert.ok(stdout.some((e) => e.data === `starting ${rev1} on port 8080`), JSON.stringify(stdout.map((e) => e.data)));
    const structured = stdout.find((e) => typeof e.data === 'object');
    assert.equal(structured?.metadata.severity, 'WARNING');
    assert.deepEqual(structured?.data, { message: 'structured hello', component: 'runtime-test' });
    const stderr = await entries(`${service} AND logName:"run.googleapis.com%2Fstderr" AND textPayload="a line on stderr"`);
    assert.ok(stderr.length >= 2);
    const system = await entries(`${service} AND logName:"varlog%2Fsystem" AND textPayload:"STARTUP TCP probe succeeded"`);
    assert.ok(system.length >= 2);
  });

  it('fails a revision that does not listen on $PORT like Cloud Run, keeping traffic where it was', async () => {
    const [before] = await services.getService({ name: serviceName('rt-hello') });
    const err = await deployFails('rt-hello', { ...before, template: { containers: [{ image: `${APP}:v2`, env: [{ name: 'LISTEN_PORT', value: '9999' }] }] } });
    const [after] = await services.getService({ name: serviceName('rt-hello') });
    const failed = short(after.latestCreatedRevision);
    assert.equal(err.code, 13);
    assert.equal(err.message.replace(/^13 INTERNAL: /, ''), defaultStartFailureMessage(failed));
    assert.equal(after.terminalCondition?.state, 'CONDITION_FAILED');
    assert.equal(short(after.latestReadyRevision), rev2);
    assert.deepEqual(after.trafficStatuses?.map((t) => [t.revision, t.percent]), [[rev1, 50], [rev2, 50]]);
    const [revision] = await revisions.getRevision({ name: after.latestCreatedRevision! });
    assert.equal(revision.conditions?.find((c) => c.type === 'Ready')?.state, 'CONDITION_FAILED');
    const system = await entries(`resource.labels.revision_name="${failed}" AND logName:"varlog%2Fsystem"`);
    assert.ok(system.some((e) => /^Default STARTUP TCP probe failed 1 time consecutively for container "rt-hello-1" on port 8080\. The instance was not started\.$/.test(String(e.data))),
      JSON.stringify(system.map((e) => e.data)));
    assert.equal((await containersOf(`mentor.emulator.revision=${failed}`)).length, 0);
    assert.equal((await get(`${after.uri}/health`)).status, 200);
  });

  it('fails a revision that listens on 127.0.0.1 instead of 0.0.0.0, as on Cloud Run', async () => {
    const [current] = await services.getService({ name: serviceName('rt-hello') });
    const err = await deployFails('rt-hello', { ...current, template: { containers: [{ image: `${APP}:v2`, env: [{ name: 'LISTEN_ADDR', value: '127.0.0.1' }] }] } });
    assert.match(err.message, /failed to start and listen on the port defined provided by the PORT=8080 environment variable/);
  });

  it('reports a container that exits, and an image that does not exist', async () => {
    const [current] = await services.getService({ name: serviceName('rt-hello') });
    await deployFails('rt-hello', { ...current, template: { containers: [{ image: `${APP}:v2`, env: [{ name: 'CRASH', value: '3' }] }] } });
    const [crashed] = await services.getService({ name: serviceName('rt-hello') });
    const system = await entries(`resource.labels.revision_name="${short(crashed.latestCreatedRevision)}" AND logName:"varlog%2Fsystem"`);
    assert.ok(system.some((e) => e.data === 'Container called exit(3).'), JSON.stringify(system.map((e) => e.data)));
    const missing = await deployFails('rt-hello', { ...crashed, template: { containers: [{ image: `${APP}-missing:v1` }] } });
    assert.match(missing.message, /is not ready and cannot serve traffic\. Image '.*-missing:v1' not found\./);
    const [after] = await services.getService({ name: serviceName('rt-hello') });
    const [revision] = await revisions.getRevision({ name: after.latestCreatedRevision! });
    assert.equal(revision.conditions?.find((c) => c.type === 'Ready')?.reason, 'CONTAINER_MISSING');
  });

  it('scales revisions without traffic or tag to zero and starts them again when traffic returns', async () => {
    const [current] = await services.getService({ name: serviceName('rt-hello') });
    await deploy('rt-hello', { ...current, traffic: [{ type: REVISION, revision: rev2, percent: 100 }] });
    assert.equal((await containersOf(`mentor.emulator.revision=${rev1}`)).length, 0);
    assert.equal((await containersOf(`mentor.emulator.revision=${rev2}`)).length, 1);
    const [scaled] = await services.getService({ name: serviceName('rt-hello') });
    const back = await deploy('rt-hello', { ...scaled, traffic: [{ type: REVISION, revision: rev1, percent: 100 }] });
    assert.equal((await containersOf(`mentor.emulator.revision=${rev1}`)).length, 1);
    assert.equal((await get(`${back.uri}/revision`)).body.trim(), rev1);
  });

  it('resolves secret env refs from Secret Manager, keeps private services private, fails on a missing secret', async () => {
    const [secret] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: `rt-key-${RUN}`, secret: { replication: { automatic: {} } } });
    await secrets.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from('s3cr3t') } });
    const env = (name: string) => [{ name: 'SECRET_VALUE', valueSource: { secretKeyRef: { secret: name, version: 'latest' } } }];
    const svc = await deploy('rt-private', { template: { containers: [{ image: `${APP}:v1`, env: env(`rt-key-${RUN}`) }] } }, true);
    assert.equal((await get(`${svc.uri}/secret`)).status, 403);
    assert.deepEqual(await get(`${svc.uri}/secret`, { authorization: 'Bearer any-token' }), { status: 200, body: 'set:s3cr3t\n' });
    const denied = await entries(`resource.labels.service_name="rt-private" AND httpRequest.status=403`);
    assert.equal(denied[0]?.metadata.severity, 'WARNING');
    const err = await deployFails('rt-private', { template: { containers: [{ image: `${APP}:v1`, env: env('no-such-secret') }] } });
    assert.match(err.message, /is not ready and cannot serve traffic\. spec\.template\.spec\.containers\[0\]\.env\[0\]\.value_from\.secret_key_ref\.name: Secret projects\/\d+\/secrets\/no-such-secret\/versions\/latest was not found/);
    const [after] = await services.getService({ name: serviceName('rt-private') });
    const [revision] = await revisions.getRevision({ name: after.latestCreatedRevision! });
    assert.equal(revision.conditions?.find((c) => c.type === 'Ready')?.reason, 'SECRETS_ACCESS_CHECK_FAILED');
  });

  it('pulls from a registry that needs credentials only with them (CONTAINER_PERMISSION_DENIED otherwise)', async function () {
    assert.ok(AUTH_REGISTRY && AUTH.username, 'REGISTRY_AUTH / REGISTRY_USER are not set: npm test starts the auth registry (scripts/engine/engine-up.sh) when the machine allows it');
    await docker.getImage(`${APP}:v1`).tag({ repo: AUTH_APP.slice(0, AUTH_APP.lastIndexOf(':')), tag: 'v1' });
    await pushImage(docker, AUTH_APP, { auth: { ...AUTH, serveraddress: AUTH_REGISTRY } });
    await docker.getImage(AUTH_APP).remove({ force: true });
    const anonymous = await startEmulator({ dockerHost: process.env.DOCKER_HOST, operationDelayMs: 10 });
    const client = new ServicesClient(clientOptions(anonymous.port));
    try {
      const [op] = await client.createService({ parent: PARENT, serviceId: 'rt-auth', service: { template: { containers: [{ image: AUTH_APP }] } } });
      const err = await op.promise().then(() => assert.fail('the pull should be refused'), (e: Error) => e);
      assert.match(err.message, /Google Cloud Run Service Agent service-\d+@serverless-robot-prod\.iam\.gserviceaccount\.com must have permission to read the image/);
    } finally {
      await client.close();
      await anonymous.stop();
    }
    const svc = await deploy('rt-auth', { template: { containers: [{ image: AUTH_APP }] }, invokerIamDisabled: true }, true);
    assert.equal((await get(`${svc.uri}/health`)).status, 200);
  });

  it('removes a deleted service\'s containers, and every container on stop', async () => {
    const [svc] = await services.getService({ name: serviceName('rt-private') });
    const [op] = await services.deleteService({ name: serviceName('rt-private') });
    await op.promise();
    assert.equal((await containersOf(`mentor.emulator.service=${serviceName('rt-private')}`)).length, 0);
    await assert.rejects(get(`${svc.uri}/health`));
    const owner = `mentor.emulator=${emulator.runtime!.engineInstanceId}`;
    assert.ok((await containersOf(owner)).length >= 1);
    await emulator.stop();
    assert.equal((await containersOf(owner)).length, 0);
  });
});
