import * as assert from 'node:assert/strict';
import { grpc } from 'google-gax';
import { rejectsWith, serviceBody, serviceName, startHarness, type Harness, PROJECT } from '../emulator/fixture';

const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
const short = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);

describe('emulator: revisions, IAM and pagination', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ seed: 'demo' }); });
  after(async () => { await h.close(); });

  it('lists revisions of every service with parent service "-", newest first', async () => {
    const [revisions] = await h.revisions.listRevisions({ parent: serviceName('-') });
    const services = new Set(revisions.map((r) => short(r.service)));
    assert.deepEqual([...services].sort(), ['broken-worker', 'mentor-ai-backend', 'payments-api']);
    assert.equal(revisions.length, 7);
    const times = revisions.map((r) => Number(r.createTime?.seconds));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.equal(short(revisions[0].name), 'broken-worker-00002-rut');
  });

  it('returns revision details: containers as deployed, scaling, defaults, log URI', async () => {
    const [rev] = await h.revisions.getRevision({ name: `${serviceName('mentor-ai-backend')}/revisions/mentor-ai-backend-00003-pel` });
    assert.equal(rev.service, serviceName('mentor-ai-backend'));
    assert.equal(rev.containers?.[0]?.image, 'us-central1-docker.pkg.dev/mentor-demo/mentor/mentor-ai-backend:c7e9f52');
    assert.deepEqual(rev.containers?.[0]?.resources?.limits, { memory: '2Gi', cpu: '2' });
    assert.deepEqual([rev.scaling?.minInstanceCount, rev.scaling?.maxInstanceCount], [1, 10]);
    const secret = rev.containers?.[0]?.env?.find((e) => e.name === 'GEMINI_API_KEY');
    assert.deepEqual(secret?.valueSource?.secretKeyRef, { secret: 'gemini-api-key', version: 'latest' });
    assert.equal(rev.timeout?.seconds, '300');
    assert.equal(rev.maxInstanceRequestConcurrency, 80);
    assert.equal(rev.conditions?.find((c) => c.type === 'Ready')?.state, 'CONDITION_SUCCEEDED');
    assert.match(rev.logUri ?? '', /resource\.labels\.revision_name%3D%22mentor-ai-backend-00003-pel%22/);
    await rejectsWith(h.revisions.getRevision({ name: `${serviceName('mentor-ai-backend')}/revisions/mentor-ai-backend-00009-xyz` }),
      grpc.status.NOT_FOUND, /mentor-ai-backend-00009-xyz/);
  });

  it('refuses to delete a revision that serves traffic', async () => {
    const name = `${serviceName('mentor-ai-backend')}/revisions/mentor-ai-backend-00002-wuv`;
    await rejectsWith(h.revisions.deleteRevision({ name }), grpc.status.FAILED_PRECONDITION, /'mentor-ai-backend-00002-wuv' is serving traffic/);
    const [latest] = await h.revisions.listRevisions({ parent: serviceName('mentor-ai-backend'), pageSize: 1 }, { autoPaginate: false });
    await rejectsWith(h.revisions.deleteRevision({ name: latest[0].name! }), grpc.status.FAILED_PRECONDITION, /serving traffic/);
  });

  it('deletes a 0 % revision through an LRO and drops its tag', async () => {
    const [svc] = await h.services.getService({ name: serviceName('mentor-ai-backend') });
    svc.traffic = [
      { type: LATEST, percent: 100 },
      { type: REVISION, revision: 'mentor-ai-backend-00001-kaj', percent: 0, tag: 'old' },
    ];
    const [update] = await h.services.updateService({ service: svc });
    await update.promise();
    const [op] = await h.revisions.deleteRevision({ name: `${serviceName('mentor-ai-backend')}/revisions/mentor-ai-backend-00001-kaj` });
    const [deleted] = await op.promise();
    assert.equal(short(deleted.name), 'mentor-ai-backend-00001-kaj');
    const [after] = await h.services.getService({ name: serviceName('mentor-ai-backend') });
    assert.deepEqual(after.traffic?.map((t) => t.type), [LATEST]);
    const [revisions] = await h.revisions.listRevisions({ parent: serviceName('mentor-ai-backend') });
    assert.deepEqual(revisions.map((r) => short(r.name)), ['mentor-ai-backend-00003-pel', 'mentor-ai-backend-00002-wuv']);
  });

  it('round-trips an IAM policy that makes a service public', async () => {
    const resource = serviceName('payments-api');
    const [empty] = await h.services.getIamPolicy({ resource });
    assert.deepEqual(empty.bindings, []);
    const [set] = await h.services.setIamPolicy({
      resource, policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }], etag: empty.etag },
    });
    const [got] = await h.services.getIamPolicy({ resource });
    assert.deepEqual(got.bindings?.map((b) => [b.role, b.members]), [['roles/run.invoker', ['allUsers']]]);
    assert.deepEqual(Buffer.from(got.etag as Uint8Array), Buffer.from(set.etag as Uint8Array));
    assert.notDeepEqual(Buffer.from(got.etag as Uint8Array), Buffer.from(empty.etag as Uint8Array));
    await rejectsWith(h.services.setIamPolicy({ resource, policy: { bindings: [], etag: empty.etag } }),
      grpc.status.ABORTED, /concurrent policy changes/);
    await rejectsWith(h.services.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/run.invoker', members: ['everyone'] }] } }),
      grpc.status.INVALID_ARGUMENT, /everyone/);
    const [perms] = await h.services.testIamPermissions({ resource, permissions: ['run.services.get', 'run.services.setIamPolicy'] });
    assert.deepEqual(perms.permissions, ['run.services.get', 'run.services.setIamPolicy']);
    await rejectsWith(h.services.getIamPolicy({ resource: serviceName('missing') }), grpc.status.NOT_FOUND, /missing/);
  });

  describe('pagination over 5 services', () => {
    const parent = `projects/${PROJECT}/locations/europe-west1`;
    before(async () => {
      const ops = await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5'].map((id) =>
        h.services.createService({ parent, serviceId: id, service: serviceBody('nginx') })));
      await Promise.all(ops.map(([op]) => op.promise()));
    });

    it('autopaginates page_size 2 in three calls', async () => {
      await h.control.getStats({ reset: true });
      const [all] = await h.services.listServices({ parent, pageSize: 2 });
      assert.deepEqual(all.map((s) => short(s.name)), ['a1', 'a2', 'a3', 'a4', 'a5']);
      const stats = await h.control.getStats();
      assert.equal(stats['google.cloud.run.v2.Services/ListServices'], 3);
    });

    it('pages manually with next_page_token and the async iterator', async () => {
      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const [items, , raw] = await h.services.listServices({ parent, pageSize: 2, pageToken }, { autoPaginate: false });
        assert.ok(items.length <= 2);
        seen.push(...items.map((s) => short(s.name)));
        pageToken = raw?.nextPageToken || undefined;
        pages++;
      } while (pageToken);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['a1', 'a2', 'a3', 'a4', 'a5']);
      const iterated: string[] = [];
      for await (const s of h.services.listServicesAsync({ parent, pageSize: 2 })) iterated.push(short(s.name));
      assert.deepEqual(iterated, seen);
    });

    it('rejects a page token that is garbage or belongs to another query', async () => {
      await rejectsWith(h.services.listServices({ parent, pageToken: 'not-a-token' }, { autoPaginate: false }),
        grpc.status.INVALID_ARGUMENT, /page token/);
      const [, , raw] = await h.services.listServices({ parent, pageSize: 2 }, { autoPaginate: false });
      await rejectsWith(h.services.listServices({ parent: `projects/${PROJECT}/locations/us-central1`, pageToken: raw!.nextPageToken! }, { autoPaginate: false }),
        grpc.status.INVALID_ARGUMENT, /page token/);
    });
  });
});
