// Smoke test of the Docker test bed (scripts/engine/engine-up.sh, started by scripts/test-all.mjs): a real
// engine answers, the offline python:3.11-slim base image runs FastAPI + uvicorn, and the two local registries
// answer. Uses dockerode directly, so it proves the bed, not the extension's Docker layer.
// Env: DOCKER_HOST (unix:///path or tcp://host:port; default unix:///var/run/docker.sock),
//      REGISTRY_OPEN / REGISTRY_AUTH (host:port; the registry tests fail when unset: npm test's engine-up.sh provides them),
//      REGISTRY_USER / REGISTRY_PASS (the auth registry's credentials).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import Docker from 'dockerode';

/** Newest Engine API version these tests pin (dockerode does not negotiate; Debian's docker.io speaks 1.41). */
const CLIENT_MAX_API = '1.41';
const IMAGE = 'python:3.11-slim';
const HOST = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';

function modemOptions(): Docker.DockerOptions {
  if (HOST.startsWith('unix://')) return { socketPath: HOST.slice('unix://'.length) };
  const url = new URL(HOST.replace(/^tcp:/, 'http:'));
  return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
}

/** -1, 0, 1 for dotted numeric versions ("1.41" < "1.47"). */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Status code of GET url (0 when unreachable); a plain timeout, no fetch (it can hang on half-open ports). */
function httpStatus(url: string, auth?: string): Promise<number> {
  return new Promise(resolve => {
    const req = http.get(url, { timeout: 5000, auth }, res => { res.resume(); resolve(res.statusCode || 0); });
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.on('error', () => resolve(0));
  });
}

/** Non-TTY container logs come in frames: 8-byte header (stream, 0, 0, 0, uint32 BE length), then the payload. */
function demux(buf: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= buf.length;) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}

describe('Docker test bed (scripts/engine)', function () {
  let docker: Docker;
  let serverApi = '';

  before(async function () {
    const probe = new Docker({ ...modemOptions(), timeout: 10000 });
    try {
      await probe.ping();
    } catch (e) {
      throw new Error(`no Docker engine answers at ${HOST} (${(e as Error).message}). ` +
        'As root on Debian, start one with `bash scripts/engine/engine-up.sh` and `source /tmp/mentor-engine/env` ' +
        '(npm test does this by itself).');
    }
    serverApi = (await probe.version()).ApiVersion;
    const pinned = compareVersions(serverApi, CLIENT_MAX_API) < 0 ? serverApi : CLIENT_MAX_API;
    docker = new Docker({ ...modemOptions(), version: `v${pinned}` });
  });

  it('answers ping and reports its API version', async function () {
    assert.equal(String(await docker.ping()), 'OK');
    assert.match(serverApi, /^\d+\.\d+$/);
    const version = await docker.version(); // through the pinned client: the engine accepts the pinned version
    assert.equal(version.ApiVersion, serverApi);
    assert.equal(version.Os, 'linux');
  });

  it(`has the offline ${IMAGE} base image`, async function () {
    const image = await docker.getImage(IMAGE).inspect().catch((e: Error) => {
      throw new Error(`${IMAGE} is missing (${e.message}); scripts/engine/engine-up.sh imports it`);
    });
    assert.equal(image.Os, 'linux');
    assert.ok(image.RepoTags?.includes(IMAGE), `RepoTags: ${image.RepoTags}`);
  });

  it(`runs python3 -c 'import fastapi, uvicorn' in a ${IMAGE} container`, async function () {
    const container = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['python3', '-c', 'import fastapi, uvicorn; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__)'],
      HostConfig: { NetworkMode: 'none' },
      Labels: { 'mentor.test': 'engine-smoke' },
    });
    try {
      await container.start();
      const exit = await container.wait();
      const logs = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
      assert.equal(exit.StatusCode, 0, `exit ${exit.StatusCode}; output:\n${logs}`);
      assert.match(logs, /^fastapi \d+\.\d+\S* uvicorn \d+\.\d+/m);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });

  it('open registry answers /v2/ with 200 (REGISTRY_OPEN)', async () => {
    const registry = process.env.REGISTRY_OPEN;
    assert.ok(registry, 'REGISTRY_OPEN is not set: run through npm test, which starts the registries');
    assert.equal(await httpStatus(`http://${registry}/v2/`), 200, `http://${registry}/v2/`);
  });

  it('auth registry answers /v2/ with 401 without credentials, 200 with them (REGISTRY_AUTH)', async () => {
    const registry = process.env.REGISTRY_AUTH;
    assert.ok(registry, 'REGISTRY_AUTH is not set: run through npm test, which starts the registries');
    assert.equal(await httpStatus(`http://${registry}/v2/`), 401, `http://${registry}/v2/ without credentials`);
    const { REGISTRY_USER: user, REGISTRY_PASS: pass } = process.env;
    assert.ok(user && pass, 'REGISTRY_USER / REGISTRY_PASS are not set');
    assert.equal(await httpStatus(`http://${registry}/v2/`, `${user}:${pass}`), 200, 'with REGISTRY_USER / REGISTRY_PASS');
  });
});
