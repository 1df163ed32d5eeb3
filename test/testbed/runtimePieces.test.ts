// The runtime mode's engine-free parts: log entries as Cloud Run writes them, the proxy's weighted split,
// tag routing, IAM and timeouts (against a plain local HTTP server standing in for a container), and
// image-reference / resource-limit parsing.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogEntry } from '../../emulator/apiTypes';
import type { Instance } from '../../emulator/revisionInstance';
import { registryOf, repositoryOf } from '../../emulator/runtimeEngine';
import { containerLineEntry, requestEntry, severityOf } from '../../emulator/runtimeLogs';
import { bytesOf, cpusOf } from '../../emulator/runtimeManager';
import { ServiceProxy, WeightedRoundRobin } from '../../emulator/trafficProxy';
import { nowTimestamp } from '../../emulator/timestamps';

const REF = { project: 'p', location: 'us-central1', service: 'svc', revision: 'svc-00001-abc' };

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('emulator runtime pieces (no engine)', () => {
  it('turns container lines into entries: text as DEFAULT, JSON lines with severity and special fields lifted', () => {
    const text = containerLineEntry(REF, 'stderr', 'Traceback (most recent call last):', 'i1', 'svc-1');
    assert.equal(text.logName, 'projects/p/logs/run.googleapis.com%2Fstderr');
    assert.equal(text.severity, 'DEFAULT');
    assert.equal(text.textPayload, 'Traceback (most recent call last):');
    assert.deepEqual(text.labels, { instanceId: 'i1', container_name: 'svc-1' });
    const json = containerLineEntry(REF, 'stdout', JSON.stringify({
      severity: 'warn', message: 'slow', latency_ms: 12, 'logging.googleapis.com/trace': 'projects/p/traces/abc',
      'logging.googleapis.com/labels': { user: 'u1' }, timestamp: '2026-01-02T03:04:05.500Z',
    }), 'i1', 'svc-1');
    assert.equal(json.severity, 'WARNING');
    assert.equal(json.trace, 'projects/p/traces/abc');
    assert.equal(json.labels?.user, 'u1');
    assert.deepEqual(json.timestamp, { seconds: String(Date.parse('2026-01-02T03:04:05Z') / 1000), nanos: 500_000_000 });
    assert.deepEqual(json.jsonPayload, { fields: { message: { stringValue: 'slow' }, latency_ms: { numberValue: 12 } } });
    assert.equal(containerLineEntry(REF, 'stdout', '{not json', 'i', 'c').textPayload, '{not json');
    assert.deepEqual(['debug', 'NOTICE', 'fatal', 'nonsense', 550].map(severityOf), ['DEBUG', 'NOTICE', 'CRITICAL', 'DEFAULT', 'ERROR']);
  });

  it('gives request entries httpRequest, trace and a severity from the status', () => {
    const base = { method: 'GET', url: 'http://127.0.0.1:1/x', requestSize: 0, responseSize: 2, protocol: 'HTTP/1.1', startedAt: nowTimestamp(), latencyMs: 12, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    const ok = requestEntry(REF, { ...base, status: 200 });
    assert.equal(ok.logName, 'projects/p/logs/run.googleapis.com%2Frequests');
    assert.equal(ok.severity, 'INFO');
    assert.deepEqual(ok.httpRequest?.latency, { seconds: '0', nanos: 12_000_000 });
    assert.equal(ok.trace, `projects/p/traces/${'a'.repeat(32)}`);
    assert.deepEqual(ok.resource?.labels, { project_id: 'p', service_name: 'svc', revision_name: 'svc-00001-abc', location: 'us-central1', configuration_name: 'svc' });
    assert.equal(requestEntry(REF, { ...base, status: 404 }).severity, 'WARNING');
    assert.equal(requestEntry(REF, { ...base, status: 503 }).severity, 'ERROR');
  });

  it('splits exactly by percentages with a smooth weighted round-robin', () => {
    const wrr = new WeightedRoundRobin([{ revision: 'a', percent: 50 }, { revision: 'b', percent: 50 }]);
    assert.deepEqual(Array.from({ length: 4 }, () => wrr.next()), ['a', 'b', 'a', 'b']);
    const tally: Record<string, number> = {};
    const ninety = new WeightedRoundRobin([{ revision: 'old', percent: 90 }, { revision: 'new', percent: 10 }]);
    for (let i = 0; i < 100; i++) {
      const r = ninety.next()!;
      tally[r] = (tally[r] ?? 0) + 1;
    }
    assert.deepEqual(tally, { old: 90, new: 10 });
    assert.equal(new WeightedRoundRobin([]).next(), undefined);
  });

  describe('ServiceProxy against a stand-in container', () => {
    let upstream: http.Server;
    let proxy: ServiceProxy;
    const logs: LogEntry[] = [];
    let isPublic = true;
    before(async () => {
      upstream = http.createServer((req, res) => {
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
        res.end(`${req.headers['x-forwarded-proto']} ${String(req.headers['x-cloud-trace-context']).replace(/\/.*/, '')} ${req.url}`);
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const port = (upstream.address() as AddressInfo).port;
      const instance = (revision: string) => ({ alive: true, hostPort: revision === 'down' ? 0 : port, id: `id-${revision}` }) as unknown as Instance;
      proxy = new ServiceProxy({
        instanceFor: async (_service, revision) => instance(revision),
        writeLogs: (entries) => logs.push(...entries),
        isPublic: () => isPublic,
        requestTimeoutMs: () => 200,
      }, 'projects/p/locations/us-central1/services/svc', { project: 'p', location: 'us-central1', service: 'svc' });
    });
    after(async () => {
      await proxy.close();
      await new Promise((resolve) => upstream.close(resolve));
    });

    it('forwards a request body that arrives while the instance is still being started', async () => {
      const port = (upstream.address() as AddressInfo).port;
      const echo = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => { body += c.toString(); });
        req.on('end', () => res.end(`${req.method} ${body}`));
      });
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
      const slow = new ServiceProxy({
        instanceFor: async () => { await new Promise((r) => setTimeout(r, 150)); return { alive: true, hostPort: (echo.address() as AddressInfo).port, id: 'i' } as unknown as Instance; },
        writeLogs: () => undefined, isPublic: () => true, requestTimeoutMs: () => 5000,
      }, 'projects/p/locations/us-central1/services/slow', { project: 'p', location: 'us-central1', service: 'slow' });
      try {
        assert.ok(port > 0);
        const urls = await slow.apply({ split: [{ revision: 'r1', percent: 100 }], tags: {} }, {});
        const answer = await new Promise<string>((resolve, reject) => {
          const req = http.request(`${urls.uri}/items/x`, { method: 'PUT', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => { body += c.toString(); });
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
          req.end('{"name":"Plumbus"}');
        });
        assert.equal(answer, 'PUT {"name":"Plumbus"}');
      } finally {
        await slow.close();
        await new Promise((resolve) => echo.close(resolve));
      }
    });

    it('serves the service URL and tag URLs, forwards trace headers and logs every request', async () => {
      const urls = await proxy.apply({ split: [{ revision: 'r1', percent: 100 }], tags: { green: 'r2' } }, {});
      assert.match(urls.uri, /^http:\/\/127\.0\.0\.1:\d+$/);
      const traced = await get(`${urls.uri}/hello?x=1`, { 'x-cloud-trace-context': `${'c'.repeat(32)}/1;o=1` });
      assert.deepEqual(traced, { status: 200, body: `http ${'c'.repeat(32)} /hello?x=1` });
      await get(`${urls.tagUris.green}/tagged`);
      const [first, second] = logs.splice(0);
      assert.equal(first.resource?.labels?.revision_name, 'r1');
      assert.equal(first.trace, `projects/p/traces/${'c'.repeat(32)}`);
      assert.equal(first.httpRequest?.requestUrl, `${urls.uri}/hello?x=1`);
      assert.equal(first.httpRequest?.status, 200);
      assert.equal(first.labels?.instanceId, 'id-r1');
      assert.equal(second.resource?.labels?.revision_name, 'r2');
      // Ports are kept when the route changes; removed tags stop answering.
      const again = await proxy.apply({ split: [{ revision: 'r1', percent: 100 }], tags: {} }, urls.ports);
      assert.equal(again.uri, urls.uri);
      await assert.rejects(get(`${urls.tagUris.green}/`));
    });

    it('answers 403 to unauthenticated calls of a private service, 504 past the timeout, 503 with nothing to serve', async () => {
      const urls = await proxy.apply({ split: [{ revision: 'r1', percent: 100 }], tags: { broken: 'down' } }, {});
      isPublic = false;
      const denied = await get(`${urls.uri}/`);
      assert.equal(denied.status, 403);
      assert.match(denied.body, /Your client does not have permission to get URL <code>\/<\/code> from this server/);
      assert.equal((await get(`${urls.uri}/`, { authorization: 'Bearer t' })).status, 200);
      isPublic = true;
      assert.equal((await get(`${urls.uri}/slow`)).status, 504);
      assert.equal((await get(`${urls.tagUris.broken}/`)).status, 503);
      const statuses = logs.splice(0).map((e) => [e.httpRequest?.status, e.severity]);
      assert.deepEqual(statuses, [[403, 'WARNING'], [200, 'INFO'], [504, 'ERROR'], [503, 'ERROR']]);
      await proxy.apply({ split: [], tags: {} }, {});
      assert.equal((await get(`${urls.uri}/`)).status, 503);
    });
  });

  it('parses image references and resource limits', () => {
    assert.equal(registryOf('127.0.0.1:5000/app/api:v1'), '127.0.0.1:5000');
    assert.equal(registryOf('us-central1-docker.pkg.dev/p/r/i@sha256:ab'), 'us-central1-docker.pkg.dev');
    assert.equal(registryOf('busybox:latest'), '');
    assert.equal(registryOf('library/busybox'), '');
    assert.equal(repositoryOf('127.0.0.1:5000/app/api:v1'), '127.0.0.1:5000/app/api');
    assert.equal(repositoryOf('127.0.0.1:5000/app/api@sha256:ab'), '127.0.0.1:5000/app/api');
    assert.equal(repositoryOf('localhost:5000/api'), 'localhost:5000/api');
    assert.equal(bytesOf('512Mi'), 512 * 1024 * 1024);
    assert.equal(bytesOf('1G'), 1e9);
    assert.equal(bytesOf('lots'), undefined);
    assert.equal(cpusOf('1000m'), 1);
    assert.equal(cpusOf('2'), 2);
  });
});
