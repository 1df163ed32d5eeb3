import * as assert from 'node:assert/strict';
import { UserFacingError } from '../../src/core/errors';
import { MentorTarget } from '../../src/core/settings';
import { CloudRunApi } from '../../src/gcp/cloudRun';
import { CloudRunConnection } from '../../src/gcp/cloudRunConnection';

// A fake at our own interface: counts connects and closes.
function fakeConnect(log: string[], fail = false) {
  return async (target: MentorTarget): Promise<CloudRunApi> => {
    log.push(`connect ${target.project}`);
    if (fail) throw new UserFacingError('no credentials', 'noCredentials');
    return { target, endpoint: undefined, close: async () => void log.push('close') } as unknown as CloudRunApi;
  };
}

describe('CloudRunConnection', () => {
  it('refuses invalid settings before connecting, naming the setting', async () => {
    const log: string[] = [];
    const connection = new CloudRunConnection(() => ({ project: '', region: 'us-central1', apiEndpoint: '' }), fakeConnect(log));
    await assert.rejects(connection.api(), (e: UserFacingError) => e.kind === 'configuration' &&
      e.actions[0].kind === 'openSettings' && e.actions[0].setting === 'mentor.project');
    assert.deepEqual(log, []);
  });

  it('connects once, reconnects after reset with the new settings', async () => {
    const log: string[] = [];
    let project = 'mentor-demo';
    const connection = new CloudRunConnection(() => ({ project, region: 'us-central1', apiEndpoint: '' }), fakeConnect(log), 20);
    await connection.api();
    await connection.api();
    project = 'other-project';
    connection.reset();
    assert.equal((await connection.api()).target.project, 'other-project');
    assert.deepEqual(log, ['connect mentor-demo', 'connect other-project'], 'the replaced connection stays open for calls in flight');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log, ['connect mentor-demo', 'connect other-project', 'close']);
    await connection.dispose();
    assert.deepEqual(log, ['connect mentor-demo', 'connect other-project', 'close', 'close']);
  });

  it('a changed target reconnects even before anyone calls reset(); the same target keeps its connection', async () => {
    const log: string[] = [];
    let region = 'us-central1';
    const connection = new CloudRunConnection(() => ({ project: 'mentor-demo', region, apiEndpoint: '' }), fakeConnect(log), 20);
    const first = await connection.api();
    assert.equal(await connection.api(), first);
    region = 'europe-west1';
    assert.notEqual(await connection.api(), first);
    assert.deepEqual(log, ['connect mentor-demo', 'connect mentor-demo']);
    await connection.dispose();
  });

  it('does not keep a failed connection', async () => {
    const log: string[] = [];
    const connection = new CloudRunConnection(() => ({ project: 'mentor-demo', region: 'us-central1', apiEndpoint: '' }), fakeConnect(log, true));
    await assert.rejects(connection.api(), /no credentials/);
    await assert.rejects(connection.api(), /no credentials/);
    assert.equal(log.length, 2);
  });
});
