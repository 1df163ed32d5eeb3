// Cloud Run Admin v1 (Knative serving) as gcloud speaks it, called directly on the RestHandler (no HTTP server):
// one state, two views — what v1 creates/replaces shows in the v2 ServicesClient, what v2 changes shows in v1,
// and a read-modify-write through v1 changes nothing it did not mean to change.
import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import { ApiError } from '../../emulator/apiError';
import { createCloudRunV1Handler } from '../../emulator/cloudRunV1Handler';
import { projectNumber } from '../../emulator/cloudRunRules';
import { createResourceManagerV1Handler } from '../../emulator/resourceManagerV1Handler';
import type { RestHandler } from '../../emulator/restTypes';
import { PARENT, PROJECT, serviceName, startHarness, type Harness } from '../emulator/fixture';

const HOST = 'us-central1-run.mentor-emulator.localhost:8123';
const NS = `/apis/serving.knative.dev/v1/namespaces/${PROJECT}`;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('emulator: Cloud Run Admin v1 (Knative) handler over the v2 state', function () {
  this.timeout(20_000);
  let h: Harness;
  let v1: RestHandler;
  before(async () => {
    h = await startHarness({ operationDelayMs: 10, seed: 'demo' });
    v1 = createCloudRunV1Handler({ cloudRun: h.emulator.cloudRun, state: h.emulator.state, serviceUsage: h.emulator.serviceUsage });
  });
  after(async () => { await h.close(); });

  async function call(method: string, path: string, body?: unknown, host = HOST): Promise<Obj> {
    const [p, q] = path.split('?');
    const res = await v1({ method, path: p, query: new URLSearchParams(q ?? ''), headers: { host }, body });
    assert.ok(res, `${method} ${path} was not handled`);
    assert.equal(res.status, 200);
    return JSON.parse(JSON.stringify(res.json)) as Obj;
  }
  async function fails(method: string, path: string, code: grpc.status, message: RegExp, body?: unknown, host = HOST): Promise<void> {
    await assert.rejects(call(method, path, body, host), (e: unknown) => {
      assert.ok(e instanceof ApiError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
  async function ready(name: string): Promise<Obj> {
    for (let i = 0; i < 200; i++) {
      const s = await call('GET', `${NS}/services/${name}`);
      const c = (s.status.conditions as Obj[]).find((x) => x.type === 'Ready');
      if (s.status.observedGeneration === s.metadata.generation && c && c.status !== 'Unknown') return s;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${name} never settled`);
  }

  const knService = (name: string, image: string, extra: Obj = {}) => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: PROJECT, annotations: { 'run.googleapis.com/client-name': 'gcloud' }, labels: { team: 'web' } },
    spec: {
      template: {
        metadata: {
          labels: { 'client.knative.dev/nonce': 'abc' },
          annotations: { 'autoscaling.knative.dev/minScale': '1', 'autoscaling.knative.dev/maxScale': '3', 'run.googleapis.com/startup-cpu-boost': 'True' },
        },
        spec: {
          containerConcurrency: 40,
          timeoutSeconds: 120,
          containers: [{
            image,
            env: [{ name: 'MODE', value: 'prod' }, { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'gemini-api-key', key: 'latest' } } }],
            resources: { limits: { memory: '1Gi', cpu: '2' } },
            ports: [{ containerPort: 8080 }],
          }],
        },
      },
      ...extra,
    },
  });

  it('creates a service that v2 GetService shows, with the Knative shape the real API answers in', async () => {
    const created = await call('POST', `${NS}/services`, knService('web', 'us-docker.pkg.dev/cloudrun/container/hello'));
    assert.equal(created.apiVersion, 'serving.knative.dev/v1');
    assert.equal(created.kind, 'Service');
    assert.equal(created.metadata.namespace, projectNumber(PROJECT));
    assert.equal(created.metadata.labels['cloud.googleapis.com/location'], 'us-central1');
    assert.equal(created.metadata.labels.team, 'web');
    assert.equal(created.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'Unknown');

    const s = await ready('web');
    assert.deepEqual(s.status.conditions.map((c: Obj) => [c.type, c.status]), [['Ready', 'True'], ['ConfigurationsReady', 'True'], ['RoutesReady', 'True']]);
    assert.match(s.status.latestReadyRevisionName, /^web-00001-[a-z]{3}$/);
    assert.equal(s.status.latestCreatedRevisionName, s.status.latestReadyRevisionName);
    assert.match(s.status.url, /^https:\/\/web-[a-z0-9]+-uc\.a\.run\.app$/);
    assert.equal(s.status.address.url, s.status.url);
    assert.deepEqual(s.status.traffic, [{ revisionName: s.status.latestReadyRevisionName, percent: 100, latestRevision: true }]);
    assert.equal(s.metadata.annotations['run.googleapis.com/ingress'], 'all');
    assert.equal(s.metadata.annotations['serving.knative.dev/creator'], 'developer@example.com');
    assert.ok(s.metadata.resourceVersion && !s.metadata.resourceVersion.includes('"'));
    const tpl = s.spec.template;
    assert.equal(tpl.metadata.annotations['autoscaling.knative.dev/maxScale'], '3');
    assert.equal(tpl.spec.containerConcurrency, 40);
    assert.equal(tpl.spec.timeoutSeconds, 120);
    assert.equal(tpl.spec.serviceAccountName, `${projectNumber(PROJECT)}-compute@developer.gserviceaccount.com`);
    assert.deepEqual(tpl.spec.containers[0].env[1], { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'gemini-api-key', key: 'latest' } } });

    const [v2] = await h.services.getService({ name: serviceName('web') });
    assert.equal(v2.uid, s.metadata.uid);
    assert.equal(v2.template?.scaling?.minInstanceCount, 1);
    assert.equal(v2.template?.scaling?.maxInstanceCount, 3);
    assert.equal(v2.template?.maxInstanceRequestConcurrency, 40);
    assert.equal(String(v2.template?.timeout?.seconds), '120');
    assert.deepEqual(v2.template?.containers?.[0].resources?.limits, { memory: '1Gi', cpu: '2' });
    assert.equal(v2.template?.containers?.[0].resources?.startupCpuBoost, true);
    assert.deepEqual(v2.template?.containers?.[0].env?.[1].valueSource?.secretKeyRef, { secret: 'gemini-api-key', version: 'latest' });
    assert.equal(v2.client, 'gcloud');
    assert.deepEqual(v2.labels, { team: 'web' });
    assert.equal(v2.latestReadyRevision, `${PARENT}/services/web/revisions/${s.status.latestReadyRevisionName}`);
  });

  it('a read-modify-write PUT of an unchanged object makes no revision (also for the seeded services)', async () => {
    for (const name of ['web', 'mentor-ai-backend', 'payments-api']) {
      const before = await ready(name);
      const revisionsBefore = (await call('GET', `${NS}/revisions?labelSelector=${encodeURIComponent(`serving.knative.dev/service = ${name}`)}`)).items.length;
      await call('PUT', `${NS}/services/${name}`, before);
      const after = await ready(name);
      assert.equal(after.status.latestCreatedRevisionName, before.status.latestCreatedRevisionName, name);
      assert.deepEqual(after.spec, before.spec, name);
      const revisionsAfter = (await call('GET', `${NS}/revisions?labelSelector=${encodeURIComponent(`serving.knative.dev/service = ${name}`)}`)).items.length;
      assert.equal(revisionsAfter, revisionsBefore, name);
    }
  });

  it('a v2 update shows in v1: a new revision, listed by label selector with the Knative labels', async () => {
    const [v2] = await h.services.getService({ name: serviceName('web') });
    v2.template!.containers![0].env!.push({ name: 'NEW', value: '1' });
    const [op] = await h.services.updateService({ service: v2 });
    await op.promise();
    const s = await ready('web');
    assert.match(s.status.latestReadyRevisionName, /^web-00002-/);
    assert.deepEqual(s.spec.template.spec.containers[0].env.at(-1), { name: 'NEW', value: '1' });
    const list = await call('GET', `${NS}/revisions?labelSelector=serving.knative.dev%2Fservice+%3D+web`);
    assert.equal(list.kind, 'RevisionList');
    assert.equal(list.items.length, 2);
    const rev = list.items.find((r: Obj) => r.metadata.name === s.status.latestReadyRevisionName);
    assert.equal(rev.kind, 'Revision');
    assert.equal(rev.metadata.labels['serving.knative.dev/service'], 'web');
    assert.equal(rev.metadata.labels['serving.knative.dev/configuration'], 'web');
    assert.equal(rev.metadata.ownerReferences[0].kind, 'Configuration');
    assert.deepEqual(rev.status.conditions.find((c: Obj) => c.type === 'Active'), { type: 'Active', status: 'True', lastTransitionTime: rev.status.conditions[0].lastTransitionTime });
    const old = list.items.find((r: Obj) => r.metadata.name !== s.status.latestReadyRevisionName);
    assert.equal(old.status.conditions.find((c: Obj) => c.type === 'Active').status, 'False');
    assert.equal((await call('GET', `${NS}/revisions/${old.metadata.name}`)).metadata.uid, old.metadata.uid);
    const none = await call('GET', `${NS}/revisions?labelSelector=serving.knative.dev%2Fservice+%3D+nope`);
    assert.deepEqual(none.items, []);
  });

  it('splits traffic and tags through a PUT; status carries tag URLs; v2 sees the same split', async () => {
    const s = await ready('web');
    const list = await call('GET', `${NS}/revisions?labelSelector=serving.knative.dev%2Fservice%3Dweb`);
    const [newest, oldest] = [s.status.latestReadyRevisionName, list.items.find((r: Obj) => r.metadata.name !== s.status.latestReadyRevisionName).metadata.name];
    s.spec.traffic = [{ revisionName: oldest, percent: 90 }, { latestRevision: true, percent: 10 }, { revisionName: newest, tag: 'green' }];
    await call('PUT', `${NS}/services/web`, s);
    const after = await ready('web');
    assert.equal(after.status.latestCreatedRevisionName, newest, 'no new revision for a traffic change');
    const green = after.status.traffic.find((t: Obj) => t.tag === 'green');
    assert.match(green.url, /^https:\/\/green---web-/);
    assert.deepEqual(after.spec.traffic, s.spec.traffic);
    const [v2] = await h.services.getService({ name: serviceName('web') });
    assert.deepEqual(v2.traffic?.map((t) => [t.type, t.revision || '', t.percent, t.tag || '']), [
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', oldest, 90, ''],
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', '', 10, ''],
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', newest, 0, 'green'],
    ]);
    const route = await call('GET', `${NS}/routes/web`);
    assert.equal(route.kind, 'Route');
    assert.deepEqual(route.status.traffic, after.status.traffic);
    const config = await call('GET', `${NS}/configurations/web`);
    assert.equal(config.status.latestReadyRevisionName, newest);
  });

  it('a stale resourceVersion is refused; a PUT of another name in the body is refused', async () => {
    const s = await ready('web');
    await fails('PUT', `${NS}/services/web`, grpc.status.ABORTED, /etag/, { ...s, metadata: { ...s.metadata, resourceVersion: 'stale' } });
    await fails('PUT', `${NS}/services/web`, grpc.status.INVALID_ARGUMENT, /metadata\.name/, { ...s, metadata: { ...s.metadata, name: 'other' } });
  });

  it('IAM through the v1 One Platform paths (what --allow-unauthenticated calls) is the v2 policy', async () => {
    const base = `/v1/projects/${PROJECT}/locations/us-central1/services/web`;
    const before = await call('GET', `${base}:getIamPolicy`);
    const policy = { ...before, bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] };
    const set = await call('POST', `${base}:setIamPolicy`, { policy });
    assert.deepEqual(set.bindings, [{ role: 'roles/run.invoker', members: ['allUsers'] }]);
    const [v2] = await h.services.getIamPolicy({ resource: serviceName('web') });
    assert.deepEqual(v2.bindings?.map((b) => [b.role, b.members]), [['roles/run.invoker', ['allUsers']]]);
    await fails('POST', `${base}:setIamPolicy`, grpc.status.ABORTED, /concurrent policy changes/, { policy: { ...policy, etag: before.etag } });
    // gcloud sends the etag back as URL-safe base64 (a bytes field): the same bytes are the same etag.
    const urlSafe = Buffer.from(set.etag, 'base64').toString('base64url');
    const again = await call('POST', `${base}:setIamPolicy`, { policy: { ...set, etag: urlSafe, bindings: [] } });
    assert.deepEqual(again.bindings, []);
    // gcloud run deploy asks before the service exists.
    const tested = await call('POST', `/v1/projects/${PROJECT}/locations/us-central1/services/not-yet:testIamPermissions`, { permissions: ['run.services.setIamPolicy'] });
    assert.deepEqual(tested.permissions, ['run.services.setIamPolicy']);
  });

  it('lists services per region, and across regions on the global endpoint and /v1/projects/P/locations/-', async () => {
    const regional = await call('GET', `${NS}/services`);
    assert.equal(regional.kind, 'ServiceList');
    assert.ok(regional.items.some((s: Obj) => s.metadata.name === 'web'));
    const global = await call('GET', `${NS}/services`, undefined, 'run.mentor-emulator.localhost:8123');
    assert.equal(global.items.length, regional.items.length);
    const onePlatform = await call('GET', `/v1/projects/${PROJECT}/locations/-/services`, undefined, 'run.mentor-emulator.localhost:8123');
    assert.deepEqual(onePlatform.items.map((s: Obj) => s.metadata.name), global.items.map((s: Obj) => s.metadata.name));
    const byNumber = await call('GET', `/apis/serving.knative.dev/v1/namespaces/${projectNumber(PROJECT)}/services`);
    assert.equal(byNumber.items.length, regional.items.length);
    const paged = await call('GET', `${NS}/services?limit=1`);
    assert.equal(paged.items.length, 1);
    const next = await call('GET', `${NS}/services?limit=1&continue=${paged.metadata.continue}`);
    assert.notEqual(next.items[0].metadata.name, paged.items[0].metadata.name);
    const locations = await call('GET', `/v1/projects/${PROJECT}/locations`, undefined, 'run.mentor-emulator.localhost:8123');
    assert.ok(locations.locations.some((l: Obj) => l.locationId === 'us-central1'));
  });

  it('answers like Cloud Run for what does not exist or cannot be done', async () => {
    await fails('GET', `${NS}/services/nope`, grpc.status.NOT_FOUND, /Resource 'nope' of kind 'SERVICE' in region 'us-central1' in project 'mentor-demo' does not exist/);
    await fails('GET', `${NS}/revisions/nope-00001-abc`, grpc.status.NOT_FOUND, /kind 'REVISION'/);
    await fails('GET', `${NS}/services/web`, grpc.status.INVALID_ARGUMENT, /global endpoint/, undefined, 'run.mentor-emulator.localhost:8123');
    await fails('POST', `${NS}/services`, grpc.status.INVALID_ARGUMENT, /metadata\.name/, knService('Bad_Name', 'x'));
    await fails('POST', `${NS}/services`, grpc.status.ALREADY_EXISTS, /already exists/, knService('web', 'x'));
    const noImage = knService('noimage', '');
    await fails('POST', `${NS}/services`, grpc.status.INVALID_ARGUMENT, /containers\[0\]\.image/, noImage);
    const s = await ready('web');
    await fails('DELETE', `${NS}/revisions/${s.status.latestReadyRevisionName}`, grpc.status.FAILED_PRECONDITION, /serving traffic/);
    h.emulator.serviceUsage.setEnabled(PROJECT, 'run.googleapis.com', false);
    try {
      await fails('GET', `${NS}/services`, grpc.status.PERMISSION_DENIED, /Cloud Run Admin API has not been used/);
    } finally {
      h.emulator.serviceUsage.setEnabled(PROJECT, 'run.googleapis.com', true);
    }
  });

  it('deletes a service: a Knative Status, then NOT_FOUND in v1 and v2', async () => {
    const status = await call('DELETE', `${NS}/services/web`);
    assert.equal(status.kind, 'Status');
    assert.equal(status.details.name, 'web');
    for (let i = 0; i < 200 && h.emulator.state.data.services[serviceName('web')]; i++) await new Promise((r) => setTimeout(r, 10));
    await fails('GET', `${NS}/services/web`, grpc.status.NOT_FOUND, /does not exist/);
    await assert.rejects(h.services.getService({ name: serviceName('web') }), /does not exist/);
  });

  it('Resource Manager v1 GetProject (gcloud run services replace asks it for the project number)', async () => {
    const rm = createResourceManagerV1Handler(h.emulator.state);
    const res = await rm({ method: 'GET', path: `/v1/projects/${PROJECT}`, query: new URLSearchParams(), headers: {}, body: undefined });
    assert.equal((res?.json as Obj).projectId, PROJECT);
    assert.equal((res?.json as Obj).projectNumber, h.emulator.state.data.projects[PROJECT]?.project.name.split('/')[1] ?? projectNumber(PROJECT));
    assert.equal((res?.json as Obj).lifecycleState, 'ACTIVE');
    await assert.rejects(rm({ method: 'GET', path: '/v1/projects/no-such-project', query: new URLSearchParams(), headers: {}, body: undefined }),
      (e: unknown) => e instanceof ApiError && e.code === grpc.status.PERMISSION_DENIED);
    assert.equal(await rm({ method: 'GET', path: `/v1/projects/${PROJECT}/services`, query: new URLSearchParams(), headers: {}, body: undefined }), undefined);
  });

  it('leaves every other path to the next handler', async () => {
    for (const [method, path] of [['GET', '/v2/projects/p/locations/l/services'], ['GET', '/v1/projects/p/services/run.googleapis.com'],
      ['GET', '/v1/projects/p/locations/l/repositories'], ['GET', '/v1/projects/p/locations']]) {
      const res = await v1({ method, path, query: new URLSearchParams(), headers: { host: '127.0.0.1:1' }, body: undefined });
      assert.equal(res, undefined, `${method} ${path}`);
    }
  });
});
