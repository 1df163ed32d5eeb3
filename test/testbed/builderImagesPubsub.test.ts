// The real Pub/Sub emulator of the test bed: scripts/engine/pubsub-up.sh / pubsub-down.sh (here on a port and
// a root of their own, beside the one npm test started) and the harness wiring (this suite gets
// PUBSUB_EMULATOR_HOST, and it answers). Through Pub/Sub REST, as our emulator publishes to `cloud-builds`.
// Needs: gcloud with the pubsub-emulator component and Java (TESTING.md §4).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROJECT = 'bed-project';

function script(name: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('bash', [path.join(ROOT, 'scripts', 'engine', name)], { env: { ...process.env, ...env }, timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
/** One REST call; resolves status and parsed JSON body (0 when nothing answers). */
function rest(host: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`http://${host}${urlPath}`, { method, timeout: 10_000, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => { let json = {}; try { json = JSON.parse(text); } catch { /* not JSON */ } resolve({ status: res.statusCode ?? 0, json }); });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, json: {} }));
    req.end(data);
  });
}
/** Pids of the process group `pgid` (empty when it is gone). */
function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(e));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

describe('the real Pub/Sub emulator (scripts/engine/pubsub-up.sh, pubsub-down.sh)', function () {
  this.timeout(180_000);
  let root = '';
  let env: NodeJS.ProcessEnv = {};
  let host = '';
  let pid = 0;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-pubsub-test-'));
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    env = { PUBSUB_ROOT: root, PUBSUB_PORT: String(port), PUBSUB_PROJECT: PROJECT };
  });
  after(async () => {
    if (root) await script('pubsub-down.sh', { ...env, PURGE: '1' });
  });

  it('npm test gives this suite PUBSUB_EMULATOR_HOST, and an emulator answers there', async () => {
    const given = process.env.PUBSUB_EMULATOR_HOST;
    assert.ok(given, 'PUBSUB_EMULATOR_HOST is not set: npm test (scripts/test/testBed.mjs) starts the Pub/Sub emulator for this suite');
    assert.equal((await rest(given, 'GET', '/v1/projects/mentor-demo/topics')).status, 200);
  });

  it('starts detached, answers REST, writes its env file; a second start reuses it', async () => {
    const up = await script('pubsub-up.sh', env);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, new RegExp(`^PUBSUB_EMULATOR_HOST=${host}$`, 'm'));
    pid = Number(readFileSync(path.join(root, 'pubsub.pid'), 'utf8'));
    assert.ok(groupPids(pid).length >= 2, 'gcloud and its java child run in the recorded process group');
    assert.match(readFileSync(path.join(root, 'env'), 'utf8'), new RegExp(`export PUBSUB_EMULATOR_HOST=${host}\n`));
    const again = await script('pubsub-up.sh', env);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, new RegExp(`reusing the Pub/Sub emulator \\(pid ${pid}\\)`));
  });

  it('topic create, publish and pull through REST, attributes and data intact', async () => {
    const topic = `projects/${PROJECT}/topics/cloud-builds`;
    const sub = `projects/${PROJECT}/subscriptions/bed-watch`;
    assert.equal((await rest(host, 'PUT', `/v1/${topic}`, {})).status, 200);
    assert.equal((await rest(host, 'PUT', `/v1/${topic}`, {})).status, 409, 'a second create is ALREADY_EXISTS, as in Google');
    assert.equal((await rest(host, 'PUT', `/v1/${sub}`, { topic, ackDeadlineSeconds: 10 })).status, 200);
    const build = { id: 'b-1', status: 'WORKING' };
    const pub = await rest(host, 'POST', `/v1/${topic}:publish`, { messages: [{ data: Buffer.from(JSON.stringify(build)).toString('base64'), attributes: { buildId: 'b-1', status: 'WORKING' } }] });
    assert.equal(pub.status, 200);
    assert.equal(pub.json.messageIds?.length, 1);
    const pulled = await rest(host, 'POST', `/v1/${sub}:pull`, { maxMessages: 10 });
    assert.equal(pulled.status, 200);
    const [m] = pulled.json.receivedMessages as { ackId: string; message: { data: string; attributes: Record<string, string> } }[];
    assert.deepEqual(m.message.attributes, { buildId: 'b-1', status: 'WORKING' });
    assert.deepEqual(JSON.parse(Buffer.from(m.message.data, 'base64').toString()), build);
    assert.equal((await rest(host, 'POST', `/v1/${sub}:acknowledge`, { ackIds: [m.ackId] })).status, 200);
  });

  it('stop leaves no process of the group, frees the port and removes the env file', async () => {
    const down = await script('pubsub-down.sh', env);
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, new RegExp(`stopped the Pub/Sub emulator \\(process group ${pid}\\)`));
    assert.deepEqual(groupPids(pid), []);
    assert.equal((await rest(host, 'GET', `/v1/projects/${PROJECT}/topics`)).status, 0);
    await assert.rejects(fs.access(path.join(root, 'env')));
    const twice = await script('pubsub-down.sh', env);
    assert.match(twice.out, /no Pub\/Sub emulator of .* is running/);
  });
});
