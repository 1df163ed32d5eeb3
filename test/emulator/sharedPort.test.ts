// The emulator's one port answers both transports, as googleapis.com hosts do: gRPC (HTTP/2) for the Node
// clients and REST/JSON (HTTP/1.1) for REST clients given only host:port (mentor.apiEndpoint).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { PARENT, startHarness, type Harness } from './fixture';

function getJson(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body) }));
    }).on('error', reject);
  });
}

describe('One emulator port for gRPC and REST', function () {
  this.timeout(20_000);
  let harness: Harness;
  before(async () => { harness = await startHarness({ seed: 'demo' }); });
  after(() => harness.close());

  it('serves the same services over both, on emulator.address', async () => {
    const [overGrpc] = await harness.services.listServices({ parent: PARENT });
    const overRest = await getJson(`http://${harness.emulator.address}/v2/${PARENT}/services`);
    assert.equal(overRest.status, 200);
    const restNames = (overRest.json.services as { name: string }[]).map((s) => s.name).sort();
    assert.deepEqual(restNames, overGrpc.map((s) => String(s.name)).sort());
    assert.ok(restNames.length > 0);
  });

  it('keeps HTTP/1.1 keep-alive and several gRPC calls on their connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const status = await new Promise<number>((resolve, reject) => http.get(`http://${harness.emulator.address}/v2/${PARENT}/services/nope`,
          { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); }).on('error', reject));
        assert.equal(status, 404);
      }
    } finally {
      agent.destroy();
    }
    for (let i = 0; i < 3; i++) assert.ok((await harness.services.listServices({ parent: PARENT }))[0].length > 0);
  });
});
