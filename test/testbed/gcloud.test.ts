// The REAL gcloud (google-cloud-cli on PATH) drives the emulator in runtime mode, through its REST port:
// `gcloud run deploy` (new service and updates, --no-traffic --tag), describe/list compared with what the v2
// Node client reads over gRPC, revisions, update-traffic, logs, delete. A gcloud-deployed revision really runs
// on the engine and answers on its URL.
// Needs: gcloud, DOCKER_HOST + REGISTRY_OPEN (npm test provides them) and the regional Cloud Run host names in
// /etc/hosts (scripts/engine/gcloud-hosts.sh, which npm test runs as root).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServicesClient, RevisionsClient } from '@google-cloud/run';
import type Dockerode from 'dockerode';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, PARENT, PROJECT, serviceName } from '../emulator/fixture';
import { buildAndPushBusyboxApp, get } from './busyboxApp';
import { assertGcloudTestBed, gcloudRunner, type GcloudRunner } from './gcloudTestBed';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-gcloud-${RUN}/app`;
const REGION = 'us-central1';
const SERVICE = `gc-${RUN}`;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// busybox httpd that says which revision answers and what it was given.
const START_SH = `#!/bin/sh
mkdir -p /www
echo "$K_REVISION" > /www/revision
echo "$APP_VERSION mode=$MODE secret=$API_KEY" > /www/env
echo "gcloud-test $K_REVISION listening on $PORT"
exec httpd -f -p "$PORT" -h /www
`;


describe('the real gcloud against the emulator (runtime mode, REST port)', function () {
  this.timeout(180_000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let revisions: RevisionsClient;
  let runner: GcloudRunner;

  const gcloud = (...args: string[]) => runner.run(...args);
  /** stdout and stderr: gcloud prints what it deployed on stderr. */
  async function ok(...args: string[]): Promise<string> {
    const r = await gcloud(...args);
    assert.equal(r.code, 0, `gcloud ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout + r.stderr;
  }
  const json = async (...args: string[]) => JSON.parse(await gcloudStdout(...args)) as Obj;
  async function gcloudStdout(...args: string[]): Promise<string> {
    const r = await gcloud(...args, '--format=json');
    assert.equal(r.code, 0, `gcloud ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  }
  const describe_ = () => json('run', 'services', 'describe', SERVICE, `--region=${REGION}`);
  async function body(url: string, file: string): Promise<string> {
    const r = await get(`${url}/${file}`);
    assert.equal(r.status, 200, `${url}/${file}: ${r.status} ${r.body}`);
    return r.body.trim();
  }

  before(async function () {
    await assertGcloudTestBed(REGION);
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    docker = engine.docker;
    await buildAndPushBusyboxApp(engine, APP, START_SH);
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10, restPort: 0 });
    const secret = emulator.secretManager.createSecret({ parent: `projects/${PROJECT}`, secretId: 'gemini-api-key', secret: { replication: { automatic: {} } } });
    emulator.secretManager.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from('k3y').toString('base64') } });
    runner = await gcloudRunner(emulator.restAddress, PROJECT);
    services = new ServicesClient(clientOptions(emulator.port));
    revisions = new RevisionsClient(clientOptions(emulator.port));
  });

  after(async () => {
    await Promise.allSettled([services?.close(), revisions?.close()]);
    await emulator?.stop();
    for (const image of [`${APP}:v1`, `${APP}:v2`]) await docker?.getImage(image).remove({ force: true }).catch(() => undefined);
    await engine?.close();
    await runner?.close();
  });

  let rev1 = '';
  let rev2 = '';
  let rev3 = '';

  it('gcloud run deploy creates a public service that really runs, with every flag in the v2 state', async () => {
    const out = await ok('run', 'deploy', SERVICE, `--image=${APP}:v1`, `--region=${REGION}`, '--memory=1Gi', '--cpu=2',
      '--min-instances=1', '--max-instances=3', '--set-env-vars=MODE=prod', '--set-secrets=API_KEY=gemini-api-key:latest',
      '--allow-unauthenticated');
    assert.match(out, new RegExp(`Service \\[${SERVICE}\\] revision \\[(${SERVICE}-00001-[a-z]{3})\\] has been deployed and is serving 100 percent of traffic`));
    const [v2] = await services.getService({ name: serviceName(SERVICE) });
    rev1 = (v2.latestReadyRevision ?? '').split('/').pop()!;
    assert.match(out, new RegExp(`Service URL: ${v2.uri}`));
    const t = v2.template!;
    assert.deepEqual(t.containers?.[0].resources?.limits, { cpu: '2', memory: '1Gi' });
    assert.deepEqual([t.scaling?.minInstanceCount, t.scaling?.maxInstanceCount], [1, 3]);
    assert.deepEqual(t.containers?.[0].env?.map((e) => [e.name, e.value || e.valueSource?.secretKeyRef?.secret]), [['MODE', 'prod'], ['API_KEY', 'gemini-api-key']]);
    const [policy] = await services.getIamPolicy({ resource: serviceName(SERVICE) });
    assert.deepEqual(policy.bindings?.map((b) => [b.role, b.members]), [['roles/run.invoker', ['allUsers']]]);
    assert.equal(await body(v2.uri!, 'revision'), rev1);
    assert.equal(await body(v2.uri!, 'env'), 'v1 mode=prod secret=k3y');
  });

  it('describe and list (--format=json) show what the v2 client reads', async () => {
    const s = await describe_();
    const [v2] = await services.getService({ name: serviceName(SERVICE) });
    assert.equal(s.kind, 'Service');
    assert.equal(s.metadata.uid, v2.uid);
    assert.equal(String(s.metadata.generation), String(v2.generation));
    assert.equal(s.metadata.labels['cloud.googleapis.com/location'], REGION);
    assert.equal(s.status.url, v2.uri);
    assert.equal(s.status.latestReadyRevisionName, rev1);
    assert.deepEqual(s.status.conditions.map((c: Obj) => [c.type, c.status]), [['Ready', 'True'], ['ConfigurationsReady', 'True'], ['RoutesReady', 'True']]);
    const c = s.spec.template.spec.containers[0];
    assert.equal(c.image, v2.template?.containers?.[0].image);
    assert.deepEqual(c.resources.limits, v2.template?.containers?.[0].resources?.limits);
    assert.deepEqual(c.env[1], { name: 'API_KEY', valueFrom: { secretKeyRef: { key: 'latest', name: 'gemini-api-key' } } });
    assert.equal(s.spec.template.metadata.annotations['autoscaling.knative.dev/minScale'], '1');
    assert.equal(s.spec.template.spec.serviceAccountName, v2.template?.serviceAccount);
    const listed = (await json('run', 'services', 'list', `--region=${REGION}`) as unknown as Obj[]).map((x) => x.metadata.name);
    const [v2list] = await services.listServices({ parent: PARENT });
    assert.deepEqual(listed.sort(), v2list.map((x) => x.name!.split('/').pop()).sort());
    const global = (await json('run', 'services', 'list') as unknown as Obj[]).map((x) => x.metadata.name);
    assert.deepEqual(global.sort(), listed.sort());
  });

  it('an update deploys a new revision that takes the traffic; revisions list matches the v2 list', async () => {
    const out = await ok('run', 'deploy', SERVICE, `--image=${APP}:v2`, `--region=${REGION}`, '--update-env-vars=MODE=next');
    rev2 = /revision \[([^\]]+)\] has been deployed and is serving 100 percent/.exec(out)?.[1] ?? '';
    assert.match(rev2, new RegExp(`^${SERVICE}-00002-`));
    const s = await describe_();
    assert.equal(await body(s.status.url, 'revision'), rev2);
    assert.equal(await body(s.status.url, 'env'), 'v2 mode=next secret=k3y');
    const listed = (await json('run', 'revisions', 'list', `--service=${SERVICE}`, `--region=${REGION}`) as unknown as Obj[]);
    const [v2revs] = await revisions.listRevisions({ parent: serviceName(SERVICE) });
    assert.deepEqual(listed.map((r) => r.metadata.name).sort(), v2revs.map((r) => r.name!.split('/').pop()).sort());
    const active = Object.fromEntries(listed.map((r) => [r.metadata.name, r.status.conditions.find((c: Obj) => c.type === 'Active')?.status]));
    assert.deepEqual(active, { [rev1]: 'False', [rev2]: 'True' });
  });

  it('--no-traffic --tag deploys a revision reachable only on its tag URL', async () => {
    const out = await ok('run', 'deploy', SERVICE, `--image=${APP}:v1`, `--region=${REGION}`, '--no-traffic', '--tag=green');
    rev3 = /revision \[([^\]]+)\] has been deployed and is serving 0 percent/.exec(out)?.[1] ?? '';
    assert.ok(rev3, out);
    const s = await describe_();
    const green = s.status.traffic.find((t: Obj) => t.tag === 'green');
    assert.equal(green.revisionName, rev3);
    assert.match(out, new RegExp(`The revision can be reached directly at ${green.url}`));
    assert.equal(await body(green.url, 'revision'), rev3);
    assert.equal(await body(s.status.url, 'revision'), rev2);
  });

  it('update-traffic --to-tags / --to-revisions / --to-latest move the traffic the URLs serve', async () => {
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, '--to-tags=green=50');
    const [v2] = await services.getService({ name: serviceName(SERVICE) });
    assert.deepEqual(v2.trafficStatuses?.filter((t) => t.percent).map((t) => [t.revision, t.percent]).sort(), [[rev2, 50], [rev3, 50]].sort());
    const url = v2.uri!;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await body(url, 'revision'));
    assert.deepEqual([...seen].sort(), [rev2, rev3].sort());

    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev1}=100`);
    assert.equal(await body(url, 'revision'), rev1);
    const pinned = await describe_();
    assert.deepEqual(pinned.status.traffic.filter((t: Obj) => t.percent).map((t: Obj) => [t.revisionName, t.percent]), [[rev1, 100]]);

    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, '--to-latest');
    const latest = await describe_();
    assert.deepEqual(latest.spec.traffic.filter((t: Obj) => t.percent), [{ latestRevision: true, percent: 100 }]);
    assert.equal(await body(url, 'revision'), rev3);
  });

  it('gcloud logging read and gcloud run services logs read show the container output', async () => {
    const filter = `resource.type="cloud_run_revision" AND resource.labels.service_name="${SERVICE}" AND textPayload:"gcloud-test"`;
    const entries = await json('logging', 'read', filter, '--limit=50') as unknown as Obj[];
    const lines = entries.map((e) => String(e.textPayload));
    assert.ok(lines.some((l) => l.includes(`gcloud-test ${rev1} listening on 8080`)), lines.join('\n'));
    assert.ok(entries.every((e) => e.resource.labels.service_name === SERVICE));
    const text = await ok('run', 'services', 'logs', 'read', SERVICE, `--region=${REGION}`, '--limit=200');
    assert.match(text, new RegExp(`gcloud-test ${rev2} listening on 8080`));
  });

  it('a missing service gets gcloud\'s own message; delete removes the service in v2 and stops its containers', async () => {
    const missing = await gcloud('run', 'services', 'describe', 'no-such-service', `--region=${REGION}`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot find service \[no-such-service\]/);
    const url = (await describe_()).status.url as string;
    await ok('run', 'services', 'delete', SERVICE, `--region=${REGION}`);
    await assert.rejects(services.getService({ name: serviceName(SERVICE) }), /does not exist/);
    await assert.rejects(get(`${url}/revision`));
    // gcloud returns once the service is gone (404); its containers stop right after.
    const ours = { all: true, filters: JSON.stringify({ label: [`mentor.emulator=${emulator.runtime!.engineInstanceId}`] }) } as Dockerode.ContainerListOptions;
    let left = await docker.listContainers(ours);
    for (let i = 0; i < 60 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 250));
      left = await docker.listContainers(ours);
    }
    assert.equal(left.length, 0, `containers left: ${left.map((c) => c.Names.join()).join(', ')}`);
  });
});
