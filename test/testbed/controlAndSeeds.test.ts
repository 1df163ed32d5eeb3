import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import { PARENT, rejectsWith, serviceName, startHarness, type Harness } from '../emulator/fixture';
import { startEmulator } from '../../emulator/server';

const short = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);

describe('emulator: control service and seeds', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ seed: 'demo' }); });
  after(async () => { await h.close(); });
  beforeEach(async () => { await h.control.reset('demo'); });

  it('counts calls per method and can reset the counters', async () => {
    await h.services.getService({ name: serviceName('payments-api') });
    await h.services.getService({ name: serviceName('payments-api') });
    await h.services.listServices({ parent: PARENT });
    await h.revisions.listRevisions({ parent: serviceName('payments-api') });
    const stats = await h.control.getStats({ reset: true });
    assert.deepEqual(stats, {
      'google.cloud.run.v2.Revisions/ListRevisions': 1,
      'google.cloud.run.v2.Services/GetService': 2,
      'google.cloud.run.v2.Services/ListServices': 1,
    });
    assert.deepEqual(await h.control.getStats(), {});
  });

  it('injects a fault into the next N calls of one method', async () => {
    await h.control.injectFault({ method: 'google.cloud.run.v2.Services/UpdateService', code: grpc.status.PERMISSION_DENIED, message: "Permission 'iam.serviceAccounts.actAs' denied", count: 2 });
    const [svc] = await h.services.getService({ name: serviceName('payments-api') });
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.PERMISSION_DENIED, /iam\.serviceAccounts\.actAs/);
    await rejectsWith(h.services.updateService({ service: svc }), grpc.status.PERMISSION_DENIED, /actAs/);
    const [op] = await h.services.updateService({ service: svc });
    await op.promise();
    assert.equal((await h.control.getStats())['google.cloud.run.v2.Services/UpdateService'], 3);
  });

  it('lets the client retry an injected UNAVAILABLE on an idempotent call', async () => {
    await h.control.getStats({ reset: true });
    await h.control.injectFault({ method: 'google.cloud.run.v2.Services.GetService', code: grpc.status.UNAVAILABLE });
    const [svc] = await h.services.getService({ name: serviceName('payments-api') });
    assert.equal(svc.name, serviceName('payments-api'));
    assert.equal((await h.control.getStats())['google.cloud.run.v2.Services/GetService'], 2);
  });

  it('resets to a seed, to empty, and refuses unknown seeds without losing state', async () => {
    await h.control.reset('');
    assert.deepEqual((await h.services.listServices({ parent: PARENT }))[0], []);
    await rejectsWith(h.control.reset('nonsense'), grpc.status.INVALID_ARGUMENT, /Unknown seed 'nonsense'/);
    await h.control.reset('demo');
    // A joined seed with one unknown part is refused whole: the demo stays.
    await rejectsWith(h.control.reset('projects:10+nonsense'), grpc.status.INVALID_ARGUMENT, /Unknown seed 'nonsense'/);
    const [services] = await h.services.listServices({ parent: PARENT });
    assert.deepEqual(services.map((s) => short(s.name)), ['broken-worker', 'mentor-ai-backend', 'payments-api']);
  });

  it('seeds mentor-ai-backend with a 90/10 split, a canary tag, 2Gi/2 CPU, 1–10 instances and secret env', async () => {
    const [svc] = await h.services.getService({ name: serviceName('mentor-ai-backend') });
    assert.deepEqual(svc.trafficStatuses?.map((t) => [short(t.revision), t.percent, t.tag]), [
      ['mentor-ai-backend-00003-pel', 90, ''],
      ['mentor-ai-backend-00002-wuv', 10, 'canary'],
    ]);
    assert.match(svc.trafficStatuses?.[1].uri ?? '', /^https:\/\/canary---mentor-ai-backend-[a-z0-9]{10}-uc\.a\.run\.app$/);
    const container = svc.template?.containers?.[0];
    assert.deepEqual(container?.resources?.limits, { memory: '2Gi', cpu: '2' });
    assert.deepEqual([svc.template?.scaling?.minInstanceCount, svc.template?.scaling?.maxInstanceCount], [1, 10]);
    assert.ok(container?.env?.some((e) => e.name === 'GEMINI_API_KEY' && e.valueSource?.secretKeyRef?.secret === 'gemini-api-key'));
    const [policy] = await h.services.getIamPolicy({ resource: svc.name! });
    assert.deepEqual(policy.bindings?.map((b) => [b.role, b.members]), [['roles/run.invoker', ['allUsers']]]);
    const created = Number(svc.createTime?.seconds) * 1000;
    assert.ok(Date.now() - created > 5 * 86_400_000, 'createTime should be days ago');
  });

  it('seeds broken-worker with a failed latest revision while the previous one keeps serving', async () => {
    const [svc] = await h.services.getService({ name: serviceName('broken-worker') });
    assert.equal(svc.terminalCondition?.state, 'CONDITION_FAILED');
    assert.match(svc.terminalCondition?.message ?? '', /failed to start and listen on the port defined provided by the PORT=8080/);
    assert.equal(short(svc.latestCreatedRevision), 'broken-worker-00002-rut');
    assert.equal(short(svc.latestReadyRevision), 'broken-worker-00001-hox');
    assert.deepEqual(svc.trafficStatuses?.map((t) => [short(t.revision), t.percent]), [['broken-worker-00001-hox', 100]]);
    const [rev] = await h.revisions.getRevision({ name: svc.latestCreatedRevision! });
    assert.equal(rev.conditions?.find((c) => c.type === 'Ready')?.state, 'CONDITION_FAILED');
    const [entries] = await h.logging.getEntries({ filter: 'resource.labels.service_name="broken-worker" severity>=ERROR', autoPaginate: false });
    assert.ok(entries.some((e) => String(e.data).includes('STARTUP TCP probe failed')), 'startup probe failure log');
  });

  it('seeds scale:200x50 quickly and pages through it', async () => {
    const started = Date.now();
    const big = await startEmulator({ seed: 'scale:200x50' });
    try {
      const seedMs = Date.now() - started;
      assert.ok(seedMs < 8000, `seeding took ${seedMs} ms`);
      const services = Object.values(big.state.data.services);
      assert.equal(services.length, 200);
      assert.ok(services.every((s) => s.revisions.length === 50));
      const page = big.cloudRun.listRevisions({ parent: `${PARENT}/services/-`, pageSize: 1000 });
      assert.equal(page.revisions.length, 1000);
      assert.notEqual(page.nextPageToken, '');
    } finally {
      await big.stop();
    }
  });
});
