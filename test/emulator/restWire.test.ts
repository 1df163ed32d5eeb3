// The REST port's wire format with no client library in between (node:http): proto3 JSON as Google's front
// ends write it, Google's error shape, query/body binding, operations over REST, and the server's own
// behaviour (unknown routes, handler order, body cap, nothing logged).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { grpc } from 'google-gax';
import { ApiMethods } from '../../emulator/apiMethods';
import { loadProtos } from '../../emulator/protos';
import { decodePath, startRestServer } from '../../emulator/restServer';
import { transcodedRoutes } from '../../emulator/transcoder';
import { PARENT, PROJECT, startHarness, type Harness } from './fixture';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function call(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;
const SERVICE = `/v2/${PARENT}/services/mentor-ai-backend`;

/** Every key of a JSON value, outside the given map fields (whose keys are user data). */
function keysOf(value: unknown, maps: Set<string>, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, maps, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      if (!maps.has(k)) keysOf(v, maps, out);
    }
  }
  return out;
}

describe('emulator: the REST/JSON wire format', () => {
  let h: Harness;
  let port: number;
  const get = (path: string, headers?: Record<string, string>) => call(port, 'GET', path, undefined, headers);
  before(async () => {
    h = await startHarness({ seed: 'demo' });
    port = h.emulator.restPort;
  });
  after(async () => { await h?.close(); });
  beforeEach(async () => { await h.control.reset('demo'); });

  it('writes a service as proto3 JSON: camelCase names, enum names, int64 strings, RFC 3339 times, no defaults', async () => {
    const r = await get(SERVICE);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json; charset=UTF-8$/);
    const s = r.json;
    const keys = keysOf(s, new Set(['labels', 'annotations', 'limits']));
    assert.deepEqual(keys.filter((k) => k.includes('_')), [], 'no snake_case names');
    for (const k of ['createTime', 'updateTime', 'latestReadyRevision', 'latestCreatedRevision', 'trafficStatuses', 'observedGeneration']) assert.ok(k in s, k);
    assert.equal(s.traffic[0].type, 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST');
    assert.equal(s.conditions[0].state, 'CONDITION_SUCCEEDED');
    assert.match(s.generation, /^\d+$/);
    assert.equal(typeof s.observedGeneration, 'string');
    assert.match(s.createTime, RFC3339);
    assert.match(s.conditions[0].lastTransitionTime, RFC3339);
    assert.match(s.template.timeout, /^\d+(\.\d+)?s$/);
    assert.equal(s.template.containers[0].resources.limits.memory, '2Gi');
    assert.ok(!('reconciling' in s), 'false booleans are omitted, as Google omits them');
    assert.ok(!('deleteTime' in s));
    // Pretty-printed unless asked not to, like Google.
    assert.match(r.text, /^\{\n {2}"/);
    assert.doesNotMatch((await get(`${SERVICE}?$prettyPrint=0`)).text, /\n/);
  });

  it('writes enums as numbers for $alt=json;enum-encoding=int (what google-gax asks for)', async () => {
    const s = (await get(`${SERVICE}?%24alt=json%3Benum-encoding%3Dint`)).json;
    assert.equal(s.traffic[0].type, 1);
    assert.equal(s.conditions[0].state, 4);
  });

  it('answers errors in Google\'s JSON shape with the HTTP status of the gRPC code', async () => {
    const r = await get(`/v2/${PARENT}/services/missing`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: {
      code: 404, status: 'NOT_FOUND',
      message: "Resource 'missing' of kind 'SERVICE' in region 'us-central1' in project 'mentor-demo' does not exist.",
    } });
    await h.control.injectFault({ method: 'google.cloud.run.v2.Services/ListServices', code: grpc.status.UNAVAILABLE, message: 'Try again.' });
    const unavailable = await get(`/v2/${PARENT}/services`);
    assert.equal(unavailable.status, 503);
    assert.deepEqual(unavailable.json.error, { code: 503, message: 'Try again.', status: 'UNAVAILABLE' });
  });

  it('sends SERVICE_DISABLED with its ErrorInfo and Help details, as JSON Any', async () => {
    await h.control.setServiceState('run.googleapis.com', false);
    const r = await get(`/v2/${PARENT}/services`);
    assert.equal(r.status, 403);
    assert.equal(r.json.error.status, 'PERMISSION_DENIED');
    const [info, help] = r.json.error.details;
    assert.equal(info['@type'], 'type.googleapis.com/google.rpc.ErrorInfo');
    assert.equal(info.reason, 'SERVICE_DISABLED');
    assert.equal(info.domain, 'googleapis.com');
    assert.equal(info.metadata.service, 'run.googleapis.com');
    assert.equal(help['@type'], 'type.googleapis.com/google.rpc.Help');
    assert.match(help.links[0].url, /^https:\/\/console\.developers\.google\.com\/apis\/api\/run\.googleapis\.com/);
  });

  it('answers unknown routes, unknown methods on known paths and non-JSON bodies with Google\'s error shape', async () => {
    const unknown = await get('/v9/nothing/here');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { error: { code: 404, message: 'The requested URL /v9/nothing/here was not found on this server.', status: 'NOT_FOUND' } });
    assert.equal((await call(port, 'PUT', SERVICE, {})).status, 404);
    const bad = await call(port, 'POST', '/v2/entries:list', '{"resourceNames": [');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.status, 'INVALID_ARGUMENT');
    assert.match(bad.json.error.message, /^Invalid JSON payload received\./);
    // Streaming and unimplemented methods: the same UNIMPLEMENTED a gRPC client gets, not a 404.
    assert.equal((await call(port, 'POST', '/v2/entries:tail', {})).json.error.status, 'UNIMPLEMENTED');
    const update = await call(port, 'PATCH', `/v1/projects/${PROJECT}/secrets/gemini-api-key`, {});
    assert.equal(update.status, 501);
    assert.equal(update.json.error.message, 'The server does not implement the method /google.cloud.secretmanager.v1.SecretManagerService/UpdateSecret');
  });

  it('binds query parameters by JSON or proto name, checks their types and refuses unknown ones', async () => {
    const camel = await get(`/v2/${PARENT}/services?pageSize=1`);
    const snake = await get(`/v2/${PARENT}/services?page_size=1&alt=json&key=ignored`);
    assert.equal(camel.json.services.length, 1);
    assert.deepEqual(snake.json, camel.json);
    const next = await get(`/v2/${PARENT}/services?pageSize=1&pageToken=${encodeURIComponent(camel.json.nextPageToken)}`);
    assert.notEqual(next.json.services[0].name, camel.json.services[0].name);
    const unknown = await get(`/v2/${PARENT}/services?bogus=1`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.message,
      'Invalid JSON payload received. Unknown name "bogus": Cannot bind query parameter. Field \'bogus\' could not be found in request message.');
    assert.equal((await get(`/v2/${PARENT}/services?pageSize=abc`)).json.error.message, 'Invalid value at \'page_size\' (TYPE_INT32), "abc"');
  });

  it('creates a service from a JSON body; the operation is JSON, pollable and waitable over REST', async () => {
    const unknownField = await call(port, 'POST', `/v2/${PARENT}/services?serviceId=raw`, { template: { containers: [{ image: 'nginx' }] }, colour: 'red' });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.json.error.message, 'Invalid JSON payload received. Unknown name "colour" at \'service\': Cannot find field.');
    const badEnum = await call(port, 'POST', `/v2/${PARENT}/services?serviceId=raw`, { ingress: 'BOGUS', template: { containers: [{ image: 'nginx' }] } });
    assert.equal(badEnum.json.error.message, 'Invalid value at \'service.ingress\' (type.googleapis.com/google.cloud.run.v2.IngressTraffic), "BOGUS"');
    const badInt = await call(port, 'POST', `/v2/${PARENT}/services?serviceId=raw`, { template: { containers: [{ image: 'nginx', ports: [{ containerPort: 'http' }] }] } });
    assert.equal(badInt.json.error.message, 'Invalid value at \'service.template.containers[0].ports[0].container_port\' (TYPE_INT32), "http"');
    const created = await call(port, 'POST', `/v2/${PARENT}/services?serviceId=raw`, { template: { containers: [{ image: 'nginx' }], max_instance_request_concurrency: 5 } });
    assert.equal(created.status, 200);
    const op = created.json;
    assert.match(op.name, new RegExp(`^${PARENT}/operations/[0-9a-f-]{36}$`));
    assert.ok(!('done' in op), 'a running operation omits done: false');
    assert.deepEqual(Object.keys(op.metadata).slice(0, 2), ['@type', 'name'], '"@type" first, then the fields by number');
    assert.equal(op.metadata['@type'], 'type.googleapis.com/google.cloud.run.v2.Service');
    assert.ok(!('labels' in op.metadata) && !('reconciling' in op.metadata && op.metadata.reconciling === false), 'the packed message omits defaults too');
    assert.equal(op.metadata.name, `${PARENT}/services/raw`);
    const waited = await call(port, 'POST', `/v2/${op.name}:wait`, { timeout: '10s' });
    assert.equal(waited.json.done, true);
    assert.equal(waited.json.response['@type'], 'type.googleapis.com/google.cloud.run.v2.Service');
    assert.equal(waited.json.response.template.maxInstanceRequestConcurrency, 5);
    const polled = await get(`/v2/${op.name}`);
    assert.deepEqual(polled.json, waited.json);
    const listed = await get(`/v2/${PARENT}/operations`);
    assert.ok(listed.json.operations.some((o: { name: string }) => o.name === op.name));
  });

  it('updates with an updateMask query parameter in JSON (camelCase) paths', async () => {
    const body = { labels: { team: 'x' }, description: 'not in the mask', template: { containers: [{ image: 'nginx:2' }] } };
    const op = await call(port, 'PATCH', `${SERVICE}?updateMask=labels,template.containers`, body);
    assert.equal(op.status, 200, op.text);
    const done = await call(port, 'POST', `/v2/${op.json.name}:wait`, {});
    assert.equal(done.json.response.labels.team, 'x');
    assert.notEqual(done.json.response.description, 'not in the mask');
    assert.equal(done.json.response.template.containers[0].image, 'nginx:2');
  });

  it('carries Secret Manager payloads as base64 and int64 checksums as strings, and logs none of it', async () => {
    const value = Buffer.from('top-secret-\u00e9\u0000\u00ff');
    const written: string[] = [];
    const [out, err] = [process.stdout.write, process.stderr.write];
    const capture = (chunk: unknown) => { written.push(String(chunk)); return true; };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    let accessed: Reply;
    try {
      const secret = await call(port, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=raw-secret`, { replication: { automatic: {} } });
      assert.equal(secret.status, 200, secret.text);
      const version = await call(port, 'POST', `/v1/${secret.json.name}:addVersion`, { payload: { data: value.toString('base64') } }, { Authorization: 'Bearer not-checked' });
      assert.equal(version.json.state, 'ENABLED');
      accessed = await get(`/v1/${secret.json.name}/versions/latest:access`);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    assert.equal(accessed.json.payload.data, value.toString('base64'));
    assert.match(accessed.json.payload.dataCrc32c, /^\d+$/);
    assert.deepEqual(written, [], 'the REST server writes nothing');
  });

  it('writes and lists log entries with JSON payloads, enums and timestamps', async () => {
    const logName = `projects/${PROJECT}/logs/wire`;
    const write = await call(port, 'POST', '/v2/entries:write', {
      logName, resource: { type: 'global', labels: {} },
      entries: [
        { severity: 'ERROR', jsonPayload: { message: 'boom', nested: { n: 1, ok: true, list: [null, 'x'] } }, timestamp: '2030-01-02T03:04:05.123456789Z' },
        { severity: 'DEBUG', textPayload: 'quiet' },
      ],
    });
    assert.equal(write.status, 200, write.text);
    assert.deepEqual(write.json, {});
    const list = await call(port, 'POST', '/v2/entries:list', { resourceNames: [`projects/${PROJECT}`], filter: `logName="${logName}" severity>=ERROR` });
    assert.equal(list.json.entries.length, 1);
    const [entry] = list.json.entries;
    assert.equal(entry.severity, 'ERROR');
    assert.deepEqual(entry.jsonPayload, { message: 'boom', nested: { n: 1, ok: true, list: [null, 'x'] } });
    assert.equal(entry.timestamp, '2030-01-02T03:04:05.123456789Z');
    assert.match(entry.receiveTimestamp, RFC3339);
  });

  it('generates a route for every method the gRPC server implements, from the protos\' http rules', () => {
    const e = h.emulator;
    const methods = new ApiMethods({
      protos: loadProtos(), cloudRun: e.cloudRun, logging: e.logging, operations: e.operations, faults: e.faults,
      platform: { serviceUsage: e.serviceUsage, secretManager: e.secretManager, artifactRegistry: e.artifactRegistry },
    });
    const routes = transcodedRoutes(methods);
    const implemented = methods.registrations.flatMap((r) => Object.keys(r.impls).map((m) => r.definition[m].path.slice(1)));
    assert.ok(implemented.length >= 38, `implemented: ${implemented.length}`);
    for (const name of implemented) assert.ok(routes.some((r) => r.method === name), `no route for ${name}`);
    const has = (verb: string, template: string, method: string) =>
      assert.ok(routes.some((r) => r.verb === verb && r.template === template && r.method === method), `${verb} ${template}`);
    has('PATCH', '/v2/{service.name=projects/*/locations/*/services/*}', 'google.cloud.run.v2.Services/UpdateService');
    has('GET', '/v2/{name=projects/*/locations/*/workerPools/*/revisions/*}', 'google.cloud.run.v2.Revisions/GetRevision');
    has('POST', '/v2/{name=projects/*/locations/*/operations/*}:wait', 'google.longrunning.Operations/WaitOperation');
    has('GET', '/v1/{name=projects/*/locations/*/secrets/*/versions/*}:access', 'google.cloud.secretmanager.v1.SecretManagerService/AccessSecretVersion');
  });
});

describe('emulator: the REST server', () => {
  it('asks its handlers in order, caps bodies and keeps an encoded "/" in a path segment', async () => {
    const seen: string[] = [];
    const server = await startRestServer({
      host: '127.0.0.1', port: 0, maxBodyBytes: 1000,
      handlers: [
        async (req) => { seen.push(`first ${req.path}`); return req.path === '/first' ? { status: 200, json: { by: 'first' } } : undefined; },
        async (req) => { seen.push(`second ${req.path}`); return { status: 201, json: { by: 'second', body: req.body ?? null, q: req.query.get('q') } }; },
      ],
    });
    try {
      assert.deepEqual((await call(server.port, 'GET', '/first')).json, { by: 'first' });
      const second = await call(server.port, 'POST', '/a%20b/c%2Fd?q=1', { x: 1 });
      assert.equal(second.status, 201);
      assert.deepEqual(second.json, { by: 'second', body: { x: 1 }, q: '1' });
      assert.deepEqual(seen, ['first /first', 'first /a b/c%2Fd', 'second /a b/c%2Fd']);
      const big = await call(server.port, 'POST', '/second', { data: 'x'.repeat(2000) });
      assert.equal(big.status, 413);
      assert.equal(big.json.error.code, 413);
    } finally {
      await server.close();
    }
    assert.equal(decodePath('/v1/projects/p/logs/run.googleapis.com%2Fstdout'), '/v1/projects/p/logs/run.googleapis.com%2Fstdout');
    assert.equal(decodePath('/v1/x%3Ay'), '/v1/x:y');
  });

  it('the CLI takes --rest-port and prints the REST URL after the gRPC listening line', async () => {
    const cli = path.join(__dirname, '..', '..', 'emulator', 'cli.js');
    const child = spawn(process.execPath, [cli, '--port', '0', '--rest-port', '0', '--seed', 'demo', '--no-runtime'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.split('\n').length > 2) resolve(out.split('\n'));
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
      assert.match(lines[0], /^Mentor emulator listening on 127\.0\.0\.1:\d+$/);
      const m = /^REST\/JSON on http:\/\/127\.0\.0\.1:(\d+) /.exec(lines[1]);
      assert.ok(m, `second line: ${lines[1]}`);
      const services = await call(Number(m[1]), 'GET', `/v2/${PARENT}/services`);
      assert.equal(services.json.services.length, 3);
    } finally {
      // An emulator that already exited (a failed start) has no exit event left to wait for.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      }
    }
  });
});
