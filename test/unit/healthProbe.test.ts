import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { waitForHealthy } from '../../src/docker/healthProbe';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('waitForHealthy', function () {
  this.timeout(20000);
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('keeps trying through 503s until a 2xx', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      res.statusCode = calls < 3 ? 503 : 204;
      res.end(req.url);
    });
    servers.push(server);
    const port = await listen(server);
    const result = await waitForHealthy({ url: `http://127.0.0.1:${port}/health`, timeoutMs: 5000, intervalMs: 20 });
    assert.deepEqual({ ...result, elapsedMs: 0 }, { ok: true, status: 204, attempts: 3, elapsedMs: 0 });
  });

  it('bounds every attempt when a connection is accepted but never answered (like docker-proxy)', async () => {
    const server = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    servers.push(server);
    const port = await listen(server);
    const t0 = Date.now();
    const result = await waitForHealthy({ url: `http://127.0.0.1:${port}/`, timeoutMs: 1500, attemptTimeoutMs: 400, intervalMs: 50 });
    const elapsed = Date.now() - t0;
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.reason === 'timeout');
    assert.ok(!result.ok && /no answer within \d+ ms/.test(result.lastError ?? ''), JSON.stringify(result));
    // Bounded attempts leave room for more than one before the deadline (one unbounded attempt would be all);
    // how many exactly depends on the machine's load, so no count or upper time is asserted beyond "not hung".
    assert.ok(result.attempts >= 2, `attempts ${result.attempts}`);
    assert.ok(elapsed >= 1500 && elapsed < 10_000, `elapsed ${elapsed}`);
  });

  it('reports the last status and connection error on timeout', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const refused = await waitForHealthy({ url: `http://127.0.0.1:${port}/`, timeoutMs: 300, intervalMs: 50 });
    assert.ok(!refused.ok && refused.reason === 'timeout' && refused.lastError === 'ECONNREFUSED', JSON.stringify(refused));
    assert.equal(!refused.ok && refused.lastStatus, undefined);

    const server = http.createServer((_req, res) => {
      res.statusCode = 500;
      res.end('broken');
    });
    servers.push(server);
    const port2 = await listen(server);
    const failing = await waitForHealthy({ url: `http://127.0.0.1:${port2}/`, timeoutMs: 300, intervalMs: 50 });
    assert.ok(!failing.ok && failing.lastStatus === 500 && failing.lastError === 'HTTP 500', JSON.stringify(failing));
  });

  it('stops early when the container is no longer running', async () => {
    let asked = 0;
    const result = await waitForHealthy({
      url: 'http://127.0.0.1:9/',
      timeoutMs: 10000,
      stillRunning: async () => ++asked < 2,
    });
    assert.ok(!result.ok && result.reason === 'exited');
    assert.equal(result.attempts, 2);
    assert.ok(result.elapsedMs < 9000, 'stopped before its 10 s deadline');
  });

  it('stops when aborted, also before the first attempt', async () => {
    const server = net.createServer((socket) => sockets.push(socket));
    servers.push(server);
    const port = await listen(server);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const t0 = Date.now();
    const result = await waitForHealthy({ url: `http://127.0.0.1:${port}/`, timeoutMs: 10000, attemptTimeoutMs: 5000, signal: controller.signal });
    assert.ok(!result.ok && result.reason === 'aborted');
    assert.ok(Date.now() - t0 < 4000, 'ended by the abort, not by its 5 s attempt');
    const early = await waitForHealthy({ url: `http://127.0.0.1:${port}/`, timeoutMs: 1000, signal: AbortSignal.abort() });
    assert.deepEqual({ ...early, elapsedMs: 0 }, { ok: false, reason: 'aborted', lastError: undefined, lastStatus: undefined, attempts: 0, elapsedMs: 0 });
  });
});
