import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import type { protos } from '@google-cloud/run';
import { PARENT, rejectsWith, serviceBody, serviceName, startHarness, type Harness } from '../emulator/fixture';

const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const short = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);

describe('emulator: Cloud Run services through the real ServicesClient', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h.close(); });

  async function create(id: string, body: Record<string, unknown> = serviceBody('us-docker.pkg.dev/cloudrun/container/hello')) {
    const [op] = await h.services.createService({ parent: PARENT, serviceId: id, service: body });
    const [service] = await op.promise();
    return service;
  }

  type Service = protos.google.cloud.run.v2.IService;
  async function update(service: Service) {
    const [op] = await h.services.updateService({ service });
    const [result] = await op.promise();
    return result;
  }

  async function get(id: string) {
    const [service] = await h.services.getService({ name: serviceName(id) });
    return service;
  }

  it('creates a service through an LRO whose Any payloads the client decodes', async () => {
    const [op] = await h.services.createService({
      parent: PARENT, serviceId: 'hello', service: serviceBody('us-docker.pkg.dev/cloudrun/container/hello'),
    });
    assert.equal(op.done, false);
    assert.match(op.name ?? '', /^projects\/mentor-demo\/locations\/us-central1\/operations\/[0-9a-f-]{36}$/);
    assert.equal(op.metadata?.name, serviceName('hello'));
    const [done] = await op.promise();
    assert.equal(done.name, serviceName('hello'));
    assert.equal(String(done.generation), '1');
    const [raw] = await h.services.operationsClient.getOperation({ name: op.name! } as protos.google.longrunning.GetOperationRequest);
    assert.equal(raw.done, true);
    assert.equal(raw.response?.type_url, 'type.googleapis.com/google.cloud.run.v2.Service');
    assert.equal(raw.metadata?.type_url, 'type.googleapis.com/google.cloud.run.v2.Service');
  });

  it('reports the deployed service with Cloud Run output fields', async () => {
    const svc = await get('hello');
    assert.equal(svc.generation, '1');
    assert.equal(svc.observedGeneration, '1');
    assert.match(svc.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(svc.reconciling, false);
    assert.equal(svc.terminalCondition?.type, 'Ready');
    assert.equal(svc.terminalCondition?.state, 'CONDITION_SUCCEEDED');
    assert.match(svc.latestReadyRevision ?? '', /\/services\/hello\/revisions\/hello-00001-[a-z]{3}$/);
    assert.equal(svc.latestCreatedRevision, svc.latestReadyRevision);
    assert.match(svc.uri ?? '', /^https:\/\/hello-[a-z0-9]{10}-uc\.a\.run\.app$/);
    assert.equal(svc.urls?.length, 2);
    assert.match(svc.urls?.[0] ?? '', /^https:\/\/hello-\d{12}\.us-central1\.run\.app$/);
    const created = Number(svc.createTime?.seconds);
    assert.ok(Math.abs(created - Date.now() / 1000) < 60, `createTime ${created} is not now`);
    assert.deepEqual(svc.traffic?.map((t) => [t.type, t.percent]), [[LATEST, 100]]);
    assert.deepEqual(svc.trafficStatuses?.map((t) => [t.type, t.percent, t.revision]), [[LATEST, 100, short(svc.latestReadyRevision)]]);
    const container = svc.template?.containers?.[0];
    assert.equal(container?.image, 'us-docker.pkg.dev/cloudrun/container/hello');
    assert.deepEqual(container?.resources?.limits, { cpu: '1000m', memory: '512Mi' });
    assert.equal(container?.ports?.[0]?.containerPort, 8080);
    assert.equal(svc.template?.maxInstanceRequestConcurrency, 80);
    assert.equal(svc.template?.timeout?.seconds, '300');
  });

  it('is reconciling while its operation runs', async () => {
    await h.control.setOperationDelay(400);
    try {
      const [op] = await h.services.createService({ parent: PARENT, serviceId: 'slow', service: serviceBody('nginx') });
      const during = await get('slow');
      assert.equal(during.reconciling, true);
      assert.equal(during.terminalCondition?.state, 'CONDITION_RECONCILING');
      assert.equal(during.latestReadyRevision, '');
      await op.promise();
      assert.equal((await get('slow')).reconciling, false);
    } finally {
      await h.control.setOperationDelay(30);
    }
  });

  it('makes a new revision per template change, listed newest first', async () => {
    const svc = await get('hello');
    svc.template!.containers![0].image = 'us-docker.pkg.dev/cloudrun/container/hello:v2';
    const updated = await update(svc);
    assert.equal(String(updated.generation), '2');
    const [revisions] = await h.revisions.listRevisions({ parent: serviceName('hello') });
    assert.deepEqual(revisions.map((r) => short(r.name).slice(0, 11)), ['hello-00002', 'hello-00001']);
    assert.equal(revisions[0].containers?.[0]?.image, 'us-docker.pkg.dev/cloudrun/container/hello:v2');
    assert.equal((await get('hello')).latestReadyRevision, revisions[0].name);
  });

  it('splits traffic 50/50 with a tag without making a revision', async () => {
    const svc = await get('hello');
    const [newest, older] = (await h.revisions.listRevisions({ parent: serviceName('hello') }))[0];
    svc.traffic = [
      { type: LATEST, percent: 50 },
      { type: REVISION, revision: short(older.name), percent: 50, tag: 'old' },
    ];
    await update(svc);
    const after = await get('hello');
    assert.equal(after.generation, '3');
    assert.equal((await h.revisions.listRevisions({ parent: serviceName('hello') }))[0].length, 2);
    assert.deepEqual(after.trafficStatuses?.map((t) => [t.type, t.revision, t.percent, t.tag]), [
      [LATEST, short(newest.name), 50, ''],
      [REVISION, short(older.name), 50, 'old'],
    ]);
    const base = after.uri!.replace('https://', '');
    assert.equal(after.trafficStatuses?.[1].uri, `https://old---${base}`);
  });

  it('keeps explicit revision targets when a later deploy adds a revision (sticky split)', async () => {
    const svc = await get('hello');
    const pinned = svc.traffic!.find((t) => t.type === REVISION)!.revision;
    svc.template!.containers![0].image = 'us-docker.pkg.dev/cloudrun/container/hello:v3';
    await update(svc);
    const after = await get('hello');
    assert.match(short(after.latestReadyRevision), /^hello-00003-/);
    assert.deepEqual(after.trafficStatuses?.map((t) => [t.revision, t.percent]), [
      [short(after.latestReadyRevision), 50],
      [pinned, 50],
    ]);
  });

  it('does not bump generation or make a revision for an unchanged read-modify-write', async () => {
    const before = await get('hello');
    await update(before);
    const after = await get('hello');
    assert.equal(after.generation, before.generation);
    assert.equal(after.latestCreatedRevision, before.latestCreatedRevision);
  });

  it('fails an operation on request: the promise rejects and the last good traffic keeps serving', async () => {
    const before = await get('hello');
    await h.control.failNextOperation({ message: 'Container crashed on start: exit(3)' });
    const svc = await get('hello');
    svc.template!.containers![0].image = 'us-docker.pkg.dev/cloudrun/container/hello:broken';
    const [op] = await h.services.updateService({ service: svc });
    await assert.rejects(op.promise(), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, grpc.status.INTERNAL);
      assert.match(err.message ?? '', /Container crashed on start: exit\(3\)/);
      return true;
    });
    const after = await get('hello');
    assert.deepEqual(after.trafficStatuses, before.trafficStatuses);
    assert.equal(after.latestReadyRevision, before.latestReadyRevision);
    assert.notEqual(after.latestCreatedRevision, before.latestCreatedRevision);
    assert.equal(after.terminalCondition?.state, 'CONDITION_FAILED');
    assert.match(after.terminalCondition?.message ?? '', /exit\(3\)/);
    const [failed] = await h.revisions.getRevision({ name: after.latestCreatedRevision! });
    const ready = failed.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.state, 'CONDITION_FAILED');
    assert.match(ready?.message ?? '', /exit\(3\)/);
  });

  it('rejects traffic that does not add up to 100, duplicate tags and over-long tags', async () => {
    const svc = await get('hello');
    svc.traffic = [{ type: LATEST, percent: 90 }];
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.INVALID_ARGUMENT, /add up to 90/);
    svc.traffic = [
      { type: LATEST, percent: 50, tag: 'blue' },
      { type: REVISION, revision: short(svc.latestReadyRevision), percent: 50, tag: 'blue' },
    ];
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.INVALID_ARGUMENT, /tag 'blue'.*more than one/);
    svc.traffic = [{ type: LATEST, percent: 100, tag: 'a-very-long-tag-name-that-goes-on-and-on-and-on' }];
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.INVALID_ARGUMENT, /cannot exceed 46 characters/);
  });

  it('fails the operation with code 13 when traffic names a missing revision', async () => {
    const svc = await get('hello');
    svc.traffic = [{ type: REVISION, revision: 'hello-09999-zzz', percent: 100 }];
    const [op] = await h.services.updateService({ service: svc });
    await assert.rejects(op.promise(), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, 13);
      assert.match(err.message ?? '', /Revision 'hello-09999-zzz' does not exist or is deleted\. Update all traffic to route to currently available revisions\./);
      return true;
    });
  });

  it('answers NOT_FOUND, ALREADY_EXISTS and INVALID_ARGUMENT like Cloud Run', async () => {
    await rejectsWith(h.services.getService({ name: serviceName('nope') }), grpc.status.NOT_FOUND, /'nope' of kind 'SERVICE'/);
    await rejectsWith(h.services.deleteService({ name: serviceName('nope') }), grpc.status.NOT_FOUND, /nope/);
    await rejectsWith(h.services.updateService({ service: { name: serviceName('nope'), ...serviceBody('x') } }),
      grpc.status.NOT_FOUND, /nope/);
    await rejectsWith(h.services.createService({ parent: PARENT, serviceId: 'hello', service: serviceBody('x') }),
      grpc.status.ALREADY_EXISTS, /^Resource already exists\.$/);
    await rejectsWith(h.services.createService({ parent: PARENT, serviceId: 'Bad_Name', service: serviceBody('x') }),
      grpc.status.INVALID_ARGUMENT, /Bad_Name/);
    await rejectsWith(h.services.createService({ parent: PARENT, serviceId: 'no-template', service: {} }),
      grpc.status.INVALID_ARGUMENT, /^Violation in CreateServiceRequest\.service\.template: required field not present\.$/);
    await rejectsWith(h.services.createService({
      parent: PARENT, serviceId: 'labelled', service: serviceBody('x', { labels: { 'run.googleapis.com/x': 'y' } }),
    }), grpc.status.INVALID_ARGUMENT, /run\.googleapis\.com\/x/);
  });

  it('enforces custom revision names', async () => {
    await create('custom', { template: { revision: 'custom-v1', containers: [{ image: 'nginx:1' }] } });
    const svc = await get('custom');
    assert.equal(short(svc.latestReadyRevision), 'custom-v1');
    svc.template!.containers![0].image = 'nginx:2';
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.ALREADY_EXISTS,
      /^Revision named 'custom-v1' with different configuration already exists\.$/);
    svc.template!.revision = 'other-v2';
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.INVALID_ARGUMENT, /must start with "custom-"/);
  });

  it('honours allow_missing (upsert) and validate_only', async () => {
    const [dry] = await h.services.updateService({ service: { name: serviceName('upsert'), ...serviceBody('nginx') }, allowMissing: true, validateOnly: true });
    assert.equal(dry.done, true);
    await rejectsWith(h.services.getService({ name: serviceName('upsert') }), grpc.status.NOT_FOUND, /upsert/);
    const [op] = await h.services.updateService({ service: { name: serviceName('upsert'), ...serviceBody('nginx') }, allowMissing: true });
    await op.promise();
    assert.equal((await get('upsert')).generation, '1');
  });

  it('applies only the masked fields when update_mask is set', async () => {
    await create('masked');
    const before = await get('masked');
    const request = { ...before, labels: { team: 'payments' } };
    request.template = { ...before.template, containers: [{ image: 'ignored:because-not-masked' }] };
    const [op] = await h.services.updateService({ service: request, updateMask: { paths: ['labels'] } });
    await op.promise();
    const after = await get('masked');
    assert.deepEqual(after.labels, { team: 'payments' });
    assert.equal(after.template?.containers?.[0]?.image, before.template?.containers?.[0]?.image);
    assert.equal(after.latestCreatedRevision, before.latestCreatedRevision);
    assert.equal(Number(after.generation), Number(before.generation) + 1);
  });

  it('refuses an update carrying a stale etag', async () => {
    const stale = await get('masked');
    const fresh = await get('masked');
    fresh.labels = { team: 'growth' };
    await update(fresh);
    stale.labels = { team: 'other' };
    await rejectsWith(h.services.updateService({ service: stale }), grpc.status.ABORTED, /etag/);
  });

  it('lists, waits for and deletes operations', async () => {
    const [op] = await h.services.createService({ parent: PARENT, serviceId: 'ops', service: serviceBody('nginx') });
    const waited = await h.emulator.operations.wait(op.name!, 5000);
    assert.equal(waited.done, true);
    const listed: string[] = [];
    const request = { name: PARENT, filter: '' } as protos.google.longrunning.ListOperationsRequest;
    for await (const o of h.services.operationsClient.listOperationsAsync(request)) listed.push(o.name ?? '');
    assert.ok(listed.includes(op.name!), 'the operation is listed');
    await h.services.operationsClient.deleteOperation({ name: op.name! } as protos.google.longrunning.DeleteOperationRequest);
    await rejectsWith(h.services.operationsClient.getOperation({ name: op.name! } as protos.google.longrunning.GetOperationRequest),
      grpc.status.NOT_FOUND, /not found/);
  });

  it('deletes a service through an LRO', async () => {
    await create('doomed');
    const [op] = await h.services.deleteService({ name: serviceName('doomed') });
    const [deleted] = await op.promise();
    assert.equal(deleted.name, serviceName('doomed'));
    await rejectsWith(h.services.getService({ name: serviceName('doomed') }), grpc.status.NOT_FOUND, /doomed/);
  });
});
