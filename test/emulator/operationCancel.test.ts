// Cancel is honoured inside Cloud Run's long-running operations: the extension's CloudRunApi stops waiting
// at once when its signal aborts, and what Cloud Run accepted still completes (as on Google).
import * as assert from 'node:assert/strict';
import { UserCancelledError } from '../../src/core/errors';
import { connectCloudRun } from '../../src/gcp/cloudRun';
import { PARENT, PROJECT, LOCATION, serviceName } from './fixture';
import { startEmulator, type RunningEmulator } from '../../emulator/server';

describe('Cancel inside a Cloud Run operation wait', function () {
  this.timeout(30_000);
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ operationDelayMs: 3000, seed: 'demo' });
  });
  after(() => emulator.stop());

  it('stops waiting for a create as soon as the signal aborts; the service is still created', async () => {
    const api = await connectCloudRun({ project: PROJECT, region: LOCATION, apiEndpoint: emulator.address });
    try {
      const abort = new AbortController();
      const started = Date.now();
      const creating = api.deployService({ name: serviceName('cancel-me'),
        template: { containers: [{ image: 'us-central1-docker.pkg.dev/mentor-demo/mentor/cancel-me:1' }] } }, true, abort.signal);
      setTimeout(() => abort.abort(), 200);
      await assert.rejects(creating, (error) => error instanceof UserCancelledError);
      const waited = Date.now() - started;
      assert.ok(waited < 2500, `stopped waiting after ${waited} ms, before the 3 s operation ended`);
      const services = await new Promise<string[]>((resolve) => setTimeout(async () =>
        resolve((await api.listServices()).map((s) => s.name)), 3500));
      assert.ok(services.includes(`${PARENT}/services/cancel-me`), 'the operation Cloud Run accepted completed');
    } finally {
      await api.close();
    }
  });

  it('an already aborted signal sends nothing: the traffic stays as it was', async () => {
    const api = await connectCloudRun({ project: PROJECT, region: LOCATION, apiEndpoint: emulator.address });
    try {
      // a service whose split is not already "all to latest", so an update would show
      const service = (await api.listServices()).find((s) => !(s.traffic.length === 1 && s.traffic[0].kind === 'latest'));
      assert.ok(service, 'the demo seed has a service with a pinned split');
      const abort = new AbortController();
      abort.abort();
      const before = (await api.getService(service.name)).traffic;
      await assert.rejects(api.updateTraffic(service.name, [{ kind: 'latest', percent: 100 }], abort.signal),
        (error) => error instanceof UserCancelledError);
      assert.deepEqual((await api.getService(service.name)).traffic, before);
    } finally {
      await api.close();
    }
  });
});
