// What the test bed hands the extension host (npm test → scripts/vscode-host/run.cjs → code-server → extension
// host, which inherits code-server's environment): the real Pub/Sub emulator's address in the standard
// PUBSUB_EMULATOR_HOST, as a developer's shell would, so the extension's Pub/Sub client reaches it.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.on('error', () => resolve(0));
  });
}

describe('test bed environment of the extension host', () => {
  it('has PUBSUB_EMULATOR_HOST, and the real Pub/Sub emulator answers REST there', async () => {
    const host = process.env.PUBSUB_EMULATOR_HOST;
    assert.ok(host, 'PUBSUB_EMULATOR_HOST did not reach the extension host (scripts/test/testBed.mjs starts the emulator for this suite)');
    assert.match(host, /^127\.0\.0\.1:\d+$/);
    assert.equal(await status(`http://${host}/v1/projects/mentor-demo/topics`), 200);
  });
});
