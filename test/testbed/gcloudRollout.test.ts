// The gcloud commands a Cloud Build deploy step runs for a gradual rollout, with the REAL gcloud against the
// emulator in runtime mode (real containers): deploy a candidate with --no-traffic --tag, read revision names,
// tag URLs and the traffic split back with --format=json / value(...) projections, move traffic with
// update-traffic --to-revisions / --to-tags / --to-latest, find the candidate's 5xx answers with
// `gcloud logging read`, and restore an earlier split. gcloud computes the new spec.traffic itself and PUTs the
// service (Knative v1 replaceService); the emulator must serve what that spec says, as Cloud Run does.
// Needs: gcloud, DOCKER_HOST + REGISTRY_OPEN (npm test), the regional host names (scripts/engine/gcloud-hosts.sh).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { PROJECT } from '../emulator/fixture';
import { buildAndPushBusyboxApp, get } from './busyboxApp';
import { assertGcloudTestBed, gcloudRunner, type GcloudRunner } from './gcloudTestBed';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-rollout-${RUN}/app`;
const REGION = 'us-central1';
const SERVICE = `ro-${RUN}`;
const TAG = `mentor-${RUN}`;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// busybox httpd: /revision says who answers; /cgi-bin/health answers 200 in v1 and 500 in v2 (a broken candidate).
// v3 exits at once (a candidate that never listens). The status is decided when the container starts (the CGI gets httpd's environment, not necessarily ours).
const START_SH = `#!/bin/sh
[ "$APP_VERSION" = v3 ] && { echo "rollout-test $K_REVISION: crashing on purpose"; exit 3; }
mkdir -p /www/cgi-bin
echo "$K_REVISION" > /www/revision
if [ "$APP_VERSION" = v2 ]; then line='HTTP/1.1 500 Internal Server Error'; else line='HTTP/1.1 200 OK'; fi
printf '#!/bin/sh\\nprintf "%s\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\n%s\\\\n"\\n' "$line" "$APP_VERSION" > /www/cgi-bin/health
chmod 755 /www/cgi-bin/health
echo "rollout-test $K_REVISION listening on $PORT"
exec httpd -f -p "$PORT" -h /www
`;

describe('the gcloud commands of a rollout (deploy step) against the emulator', function () {
  this.timeout(180_000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let emulator: RunningEmulator;
  let runner: GcloudRunner;
  let rev1 = '';
  let rev2 = '';
  let tagUrl = '';

  const gcloud = (...args: string[]) => runner.run(...args);
  const ok = (...args: string[]) => runner.ok(...args);
  const describeJson = async (): Promise<Obj> => JSON.parse(await ok('run', 'services', 'describe', SERVICE, `--region=${REGION}`, '--format=json'));
  const value = async (projection: string) => (await ok('run', 'services', 'describe', SERVICE, `--region=${REGION}`, `--format=value(${projection})`)).trim();
  const revisionNames = async () => (await ok('run', 'revisions', 'list', `--service=${SERVICE}`, `--region=${REGION}`, '--format=value(metadata.name)'))
    .trim().split('\n').sort();
  const split = (s: Obj) => (s.status.traffic as Obj[]).filter((t) => t.percent).map((t) => `${t.revisionName}=${t.percent}`).sort();
  async function revisionOf(url: string): Promise<string> {
    const r = await get(`${url}/revision`);
    assert.equal(r.status, 200, `${url}/revision: ${r.status} ${r.body}`);
    return r.body.trim();
  }
  async function servedBy(url: string, n = 12): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await revisionOf(url));
    return seen;
  }

  before(async function () {
    await assertGcloudTestBed(REGION);
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    docker = engine.docker;
    await buildAndPushBusyboxApp(engine, APP, START_SH, ['v1', 'v2', 'v3']);
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10, restPort: 0 });
    runner = await gcloudRunner(emulator.restAddress, PROJECT);
  });

  after(async () => {
    await emulator?.stop();
    for (const image of [`${APP}:v1`, `${APP}:v2`, `${APP}:v3`]) await docker?.getImage(image).remove({ force: true }).catch(() => undefined);
    await engine?.close();
    await runner?.close();
  });

  it('--no-traffic on a service that does not exist yet is refused, as gcloud does, and nothing is created', async () => {
    const r = await gcloud('run', 'deploy', SERVICE, `--image=${APP}:v1`, `--region=${REGION}`, '--no-traffic', '--tag=candidate');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /--no-traffic not supported when creating a new service/);
    const missing = await gcloud('run', 'services', 'describe', SERVICE, `--region=${REGION}`, '--format=value(metadata.name)');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`Cannot find service \\[${SERVICE}\\]`));
  });

  it('the first deploy serves 100 percent; value(...) projections read the revision names and URL', async () => {
    await ok('run', 'deploy', SERVICE, `--image=${APP}:v1`, `--region=${REGION}`, '--allow-unauthenticated');
    rev1 = await value('status.latestReadyRevisionName');
    assert.match(rev1, new RegExp(`^${SERVICE}-00001-[a-z0-9]{3}$`));
    assert.equal(await value('metadata.name'), SERVICE);
    assert.equal(await value('status.latestCreatedRevisionName'), rev1);
    assert.equal(await value('status.traffic[0].revisionName'), rev1);
    assert.equal(await value('status.traffic[0].percent'), '100');
    const url = await value('status.url');
    assert.equal(await revisionOf(url), rev1);
    // the split a rollout pins before it starts, one "revision percent" line per traffic target
    assert.equal((await ok('run', 'services', 'describe', SERVICE, `--region=${REGION}`, '--flatten=status.traffic',
      '--format=value(status.traffic.revisionName,status.traffic.percent)')).trim(), `${rev1}\t100`);
  });

  it('deploy --image=IMAGE@sha256:… --no-traffic --tag on the existing service: a candidate on its tag URL only', async () => {
    const digest = (await docker.getImage(`${APP}:v2`).inspect()).RepoDigests.find((d) => d.startsWith(`${APP}@sha256:`));
    assert.ok(digest, `no registry digest for ${APP}:v2`);
    const r = await gcloud('run', 'deploy', SERVICE, `--image=${digest}`, `--region=${REGION}`, '--no-traffic', `--tag=${TAG}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /has been deployed and is serving 0 percent of traffic/);
    const s = await describeJson();
    rev2 = s.status.latestCreatedRevisionName;
    assert.match(rev2, new RegExp(`^${SERVICE}-00002-`));
    assert.equal(s.spec.template.spec.containers[0].image, digest);
    assert.equal(s.status.latestReadyRevisionName, rev2, 'latestReady follows readiness, not traffic');
    assert.deepEqual(split(s), [`${rev1}=100`]);
    const tagged = (s.status.traffic as Obj[]).find((t) => t.tag === TAG);
    assert.equal(tagged?.revisionName, rev2);
    // a URL of its own (in the emulator a port of its own, where Google has https://TAG---HOST)
    assert.match(tagged?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(tagged?.url, s.status.url);
    assert.match(r.stderr, new RegExp(`The revision can be reached directly at ${tagged?.url}`));
    // the candidate and its tag URL from one flattened describe (describe has no --filter: pick the tag's line)
    const refused = await gcloud('run', 'services', 'describe', SERVICE, `--region=${REGION}`, `--filter=status.traffic.tag=${TAG}`);
    assert.match(refused.stderr, /unrecognized arguments: --filter/);
    const lines = (await ok('run', 'services', 'describe', SERVICE, `--region=${REGION}`, '--flatten=status.traffic',
      '--format=value(status.traffic.tag,status.traffic.revisionName,status.traffic.url)')).split('\n').filter(Boolean);
    assert.deepEqual(lines.map((l) => l.split('\t')).filter(([tag]) => tag === TAG), [[TAG, rev2, tagged?.url]]);
    tagUrl = tagged?.url;
    assert.equal(await revisionOf(tagUrl), rev2);
    assert.deepEqual([...await servedBy(s.status.url, 4)], [rev1]);
    assert.equal((await get(`${tagUrl}/cgi-bin/health`)).status, 500);
    assert.equal((await get(`${s.status.url}/cgi-bin/health`)).status, 200);
  });

  it('update-traffic --to-tags TAG=50, and --to-revisions CANDIDATE=20 (the rest scaled to 80): both revisions answer', async () => {
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-tags=${TAG}=50`);
    let s = await describeJson();
    assert.deepEqual(split(s), [`${rev1}=50`, `${rev2}=50`].sort());
    assert.deepEqual([...await servedBy(s.status.url)].sort(), [rev1, rev2].sort());
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev2}=20`);
    s = await describeJson();
    assert.deepEqual(split(s), [`${rev1}=80`, `${rev2}=20`].sort());
    assert.equal((s.status.traffic as Obj[]).find((t) => t.tag === TAG)?.revisionName, rev2, 'the tag stays');
    assert.deepEqual(await revisionNames(), [rev1, rev2].sort(), 'traffic changes make no revisions');
  });

  it('gcloud logging read finds the candidate\'s 5xx answers by revision_name, logName, timestamp and httpRequest.status', async () => {
    const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const s = await describeJson();
    for (let i = 0; i < 3; i++) assert.equal((await get(`${tagUrl}/cgi-bin/health`)).status, 500);
    for (let i = 0; i < 2; i++) await get(`${s.status.url}/revision`);
    const base = (rev: string) => `resource.type="cloud_run_revision" AND resource.labels.service_name="${SERVICE}" AND ` +
      `resource.labels.revision_name="${rev}" AND logName="projects/${PROJECT}/logs/run.googleapis.com%2Frequests"`;
    const bad = JSON.parse(await ok('logging', 'read', `${base(rev2)} AND httpRequest.status>=500`, '--limit=50', '--format=json')) as Obj[];
    assert.ok(bad.length >= 3, JSON.stringify(bad));
    assert.ok(bad.every((e) => e.httpRequest.status === 500 && e.resource.labels.revision_name === rev2 && e.severity === 'ERROR'));
    assert.deepEqual(JSON.parse(await ok('logging', 'read', `${base(rev1)} AND httpRequest.status>=500`, '--limit=50', '--format=json')), [], 'v1 never answered 5xx');
    // the deploy step's gate: every status of the candidate since the step began, one per line
    const statuses = (await ok('logging', 'read', '--limit=10000', '--format=value(httpRequest.status)', `${base(rev2)} AND timestamp>="${since}"`)).trim().split('\n');
    assert.deepEqual(statuses, ['500', '500', '500']);
    const later = (await ok('logging', 'read', '--format=value(httpRequest.status)', `${base(rev2)} AND timestamp>="${new Date(Date.now() + 60_000).toISOString()}"`)).trim();
    assert.equal(later, '');
  });

  it('roll back: --to-revisions=PREVIOUS --remove-tags=TAG restores the split and drops the tag URL', async () => {
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev1}=100`, `--remove-tags=${TAG}`);
    const s = await describeJson();
    assert.deepEqual(split(s), [`${rev1}=100`]);
    assert.equal((s.status.traffic as Obj[]).find((t) => t.tag), undefined);
    assert.deepEqual([...await servedBy(s.status.url, 6)], [rev1]);
    await assert.rejects(get(`${tagUrl}/revision`), 'the tag URL stops answering');
  });

  it('a candidate that never listens: deploy --no-traffic fails with Cloud Run\'s message, traffic stays, --remove-tags cleans up', async () => {
    const before = await describeJson();
    const r = await gcloud('run', 'deploy', SERVICE, `--image=${APP}:v3`, `--region=${REGION}`, '--no-traffic', `--tag=${TAG}`);
    assert.equal(r.code, 1, r.stderr);
    // the 3rd revision; its number is the service's generation, which the traffic changes moved on (as Cloud Run's skips)
    const names = await revisionNames();
    assert.equal(names.length, 3, names.join());
    const rev3 = names.find((n) => n !== rev1 && n !== rev2)!;
    assert.ok(Number(/-(\d{5})-/.exec(rev3)?.[1]) > 3, rev3);
    assert.match(r.stderr, new RegExp(`Revision '${rev3}' is not ready and cannot serve traffic\\. The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable`));
    const s = await describeJson();
    assert.equal(s.status.latestReadyRevisionName, before.status.latestReadyRevisionName, 'latestReady stays on the last good revision');
    assert.equal(s.status.latestCreatedRevisionName, rev3);
    assert.deepEqual(split(s), split(before), 'the serving split is untouched');
    assert.deepEqual([...await servedBy(s.status.url, 4)], [rev1]);
    // what the deploy step's roll_back runs
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev1}=100`, `--remove-tags=${TAG}`);
    const after = await describeJson();
    assert.deepEqual(split(after), [`${rev1}=100`]);
    assert.equal((after.spec.traffic as Obj[]).find((t) => t.tag), undefined);
    assert.equal(after.status.conditions.find((c: Obj) => c.type === 'Ready')?.status, 'True', JSON.stringify(after.status.conditions));
  });

  it('a two-way split restored with --to-revisions A=30,B=70, --to-latest, then CANDIDATE=100 with --remove-tags', async () => {
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev1}=30,${rev2}=70`);
    assert.deepEqual(split(await describeJson()), [`${rev1}=30`, `${rev2}=70`].sort());
    assert.equal((await ok('run', 'services', 'describe', SERVICE, `--region=${REGION}`, '--flatten=status.traffic',
      '--format=value(status.traffic.revisionName,status.traffic.percent)')).trim().split('\n').sort().join(' '), [`${rev1}\t30`, `${rev2}\t70`].sort().join(' '));
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, '--to-latest');
    let s = await describeJson();
    assert.deepEqual((s.spec.traffic as Obj[]).filter((t) => t.percent), [{ latestRevision: true, percent: 100 }]);
    assert.deepEqual(split(s), [`${rev2}=100`]);
    assert.equal(await value('status.traffic[0].latestRevision'), 'True');
    assert.deepEqual([...await servedBy(s.status.url, 4)], [rev2]);
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--update-tags=${TAG}=${rev1}`);
    await ok('run', 'services', 'update-traffic', SERVICE, `--region=${REGION}`, `--to-revisions=${rev2}=100`, `--remove-tags=${TAG}`);
    s = await describeJson();
    assert.deepEqual(split(s), [`${rev2}=100`]);
    assert.deepEqual((s.spec.traffic as Obj[]).map((t) => [t.revisionName, t.percent, t.tag ?? '']), [[rev2, 100, '']]);
  });
});
