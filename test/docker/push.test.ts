// Tagging and pushing against a REAL engine and REAL registries (scripts/engine): DOCKER_HOST, REGISTRY_OPEN
// (an open registry, e.g. 127.0.0.1:5000), REGISTRY_AUTH + REGISTRY_USER/REGISTRY_PASS (one with htpasswd).
// Needs `busybox:latest` on the engine. Local images are tagged mentor-test-<run>-* or <registry>/mentor-test/<run>-*
// and removed in after(); the registries keep the (small, uniquely named) repositories.

import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { UserFacingError } from '../../src/core/errors';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import type { PushProgress, PushResult, RegistryAuth } from '../../src/docker/types';

const RUN = randomBytes(3).toString('hex');
const OPEN = process.env.REGISTRY_OPEN ?? '';
const AUTH = process.env.REGISTRY_AUTH ?? '';
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** The registry's digest for NAME:TAG (the Docker-Content-Digest header of the v2 manifest), or the status code. */
function manifestDigest(registry: string, name: string, tag: string, auth?: string): Promise<string | number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://${registry}/v2/${name}/manifests/${tag}`, { headers: { Accept: MANIFEST_V2 }, auth, timeout: 10000 }, (res) => {
      res.resume();
      const digest = res.headers['docker-content-digest'];
      resolve(res.statusCode === 200 && typeof digest === 'string' ? digest : res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('registry timeout')));
    req.on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

describe('Image push (real engine and registries)', function () {
  this.timeout(180000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let tmp: string;
  const measured: Record<string, string> = {};
  let first: PushResult | undefined;

  const local = (name: string) => `mentor-test-${RUN}-${name}`;
  const remote = (registry: string, name: string, tag: string) => `${registry}/mentor-test/${RUN}-${name}:${tag}`;

  async function buildImage(name: string, files: Record<string, string | Buffer>): Promise<string> {
    const dir = path.join(tmp, name);
    await fs.mkdir(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) await fs.writeFile(path.join(dir, file), content);
    await engine.build({ contextDir: dir, tags: [local(name)] });
    return local(name);
  }

  before(async function () {
    assert.ok(OPEN && AUTH, 'REGISTRY_OPEN and REGISTRY_AUTH are not set: npm test starts the registries (scripts/engine/engine-up.sh) when the machine allows it');
    assert.ok(process.env.DOCKER_HOST, 'set DOCKER_HOST to a running engine (see scripts/engine)');
    engine = (await connectDocker()) as DockerodeEngine;
    docker = engine.docker;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-push-'));
    // 1 MiB of random bytes in its own layer makes the first push measurable; app.txt is the "one-line change"
    const dockerfile = 'FROM busybox:latest\nCOPY big.bin /big.bin\nCOPY app.txt /app.txt\n';
    await buildImage('v1', { Dockerfile: dockerfile, 'big.bin': randomBytes(1024 * 1024), 'app.txt': `run ${RUN}\nversion 1\n` });
  });

  after(async () => {
    if (docker) {
      for (const img of await docker.listImages()) {
        for (const tag of img.RepoTags ?? []) {
          if (tag.startsWith(`mentor-test-${RUN}-`) || tag.includes(`/mentor-test/${RUN}-`)) {
            await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
          }
        }
      }
    }
    await engine?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    if (Object.keys(measured).length) console.log(`      measured: ${JSON.stringify(measured)}`);
  });

  it('pushes a new image: the digest is the one the registry serves', async () => {
    const target = remote(OPEN, 'app', 'v1');
    await engine.tag(local('v1'), target);
    const progress: PushProgress[] = [];
    first = await engine.push(target, { onProgress: (p) => progress.push(p) });
    assert.match(first.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.reference, `${OPEN}/mentor-test/${RUN}-app@${first.digest}`);
    assert.equal(await manifestDigest(OPEN, `mentor-test/${RUN}-app`, 'v1'), first.digest);
    // big.bin and app.txt are new everywhere; busybox's layer may be mounted from another repository
    assert.ok(first.layersPushed >= 2, `layersPushed ${first.layersPushed}`);
    assert.equal(first.layersPushed + first.layersReused, 3);
    assert.ok(first.pushedBytes >= 1024 * 1024, `pushedBytes ${first.pushedBytes}`);
    assert.ok(progress.some((p) => p.status === 'Pushed' && p.layer));
    assert.ok(progress.some((p) => p.status === 'Pushing' && typeof p.current === 'number' && typeof p.total === 'number'));
    measured.first = `${kib(first.pushedBytes)}, ${first.layersPushed} pushed / ${first.layersReused} reused, ${first.durationMs} ms`;
  });

  it('pushing the unchanged image again uploads nothing', async () => {
    assert.ok(first, 'needs the first push');
    const again = await engine.push(remote(OPEN, 'app', 'v1'), {});
    assert.equal(again.pushedBytes, 0);
    assert.equal(again.layersPushed, 0);
    assert.equal(again.layersReused, 3);
    assert.equal(again.digest, first.digest);
    measured.unchanged = `${kib(again.pushedBytes)}, ${again.layersPushed} pushed / ${again.layersReused} reused, ${again.durationMs} ms`;
  });

  it('a one-file change uploads only the new layer', async () => {
    assert.ok(first, 'needs the first push');
    const v1Big = await fs.readFile(path.join(tmp, 'v1', 'big.bin'));
    const dockerfile = await fs.readFile(path.join(tmp, 'v1', 'Dockerfile'), 'utf8');
    await buildImage('v2', { Dockerfile: dockerfile, 'big.bin': v1Big, 'app.txt': `run ${RUN}\nversion 2\n` });
    const target = remote(OPEN, 'app', 'v2');
    await engine.tag(local('v2'), target);
    const changed = await engine.push(target, {});
    assert.equal(changed.layersPushed, 1);
    assert.equal(changed.layersReused, 2);
    assert.ok(changed.pushedBytes > 0 && changed.pushedBytes < 16 * 1024, `pushedBytes ${changed.pushedBytes}`);
    assert.ok(changed.pushedBytes * 50 < first.pushedBytes);
    assert.notEqual(changed.digest, first.digest);
    assert.equal(await manifestDigest(OPEN, `mentor-test/${RUN}-app`, 'v2'), changed.digest);
    measured.oneFileChange = `${kib(changed.pushedBytes)}, ${changed.layersPushed} pushed / ${changed.layersReused} reused, ${changed.durationMs} ms`;
  });

  it('wrong or missing credentials on the auth registry are registryAuth errors', async () => {
    const target = remote(AUTH, 'app', 'v1');
    await engine.tag(local('v1'), target);
    const wrong: RegistryAuth = { username: process.env.REGISTRY_USER ?? 'mentor', password: 'not-the-password', serveraddress: AUTH };
    await assert.rejects(engine.push(target, { auth: wrong }), (error: unknown) => {
      assert.ok(error instanceof UserFacingError, String(error));
      assert.equal(error.kind, 'registryAuth');
      assert.match(error.message, new RegExp(`${AUTH.replace(/\./g, '\\.')} rejected the credentials`));
      assert.equal(error.detail, 'unauthorized: authentication required');
      return true;
    });
    await assert.rejects(engine.push(target, {}), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'registryAuth' && /none were sent/.test(error.message));
  });

  it('the right credentials push to the auth registry', async function () {
    assert.ok(process.env.REGISTRY_USER && process.env.REGISTRY_PASS, 'REGISTRY_USER / REGISTRY_PASS are not set: the auth registry test needs its credentials');
    const auth: RegistryAuth = { username: process.env.REGISTRY_USER, password: process.env.REGISTRY_PASS, serveraddress: AUTH };
    const result = await engine.push(remote(AUTH, 'app', 'v1'), { auth });
    assert.ok(first, 'needs the first push');
    assert.equal(result.digest, first.digest, 'same image, same manifest digest on another registry');
    const basic = `${process.env.REGISTRY_USER}:${process.env.REGISTRY_PASS}`;
    assert.equal(await manifestDigest(AUTH, `mentor-test/${RUN}-app`, 'v1', basic), result.digest);
    assert.equal(await manifestDigest(AUTH, `mentor-test/${RUN}-app`, 'v1'), 401);
  });

  it('an unreachable registry and a missing local image are clear errors', async () => {
    const port = await freePort();
    const target = remote(`127.0.0.1:${port}`, 'app', 'v1');
    await engine.tag(local('v1'), target);
    await assert.rejects(engine.push(target, {}), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'unreachable' && error.message.includes(`registry 127.0.0.1:${port}`));
    await assert.rejects(engine.push(remote(OPEN, 'never-built', 'v1'), {}), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'notFound' && /does not exist locally/.test(error.message));
    await assert.rejects(engine.tag(local('never-built'), remote(OPEN, 'x', 'v1')), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'notFound');
  });

  it('aborting stops the push with an AbortError', async () => {
    // 24 MiB of fresh random bytes: the upload takes long enough to be cut off mid-layer
    await buildImage('big', { Dockerfile: 'FROM busybox:latest\nCOPY big.bin /big.bin\n', 'big.bin': randomBytes(24 * 1024 * 1024) });
    const target = remote(OPEN, 'big', 'v1');
    await engine.tag(local('big'), target);
    const controller = new AbortController();
    let pushing = 0;
    const started = Date.now();
    await assert.rejects(
      engine.push(target, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.status === 'Pushing' && ++pushing === 1) controller.abort();
        },
      }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    const ms = Date.now() - started;
    assert.ok(pushing >= 1);
    assert.ok(ms < 10000, `abort took ${ms} ms`);
    // the engine cancels the push when the client goes away: no manifest for the tag
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await manifestDigest(OPEN, `mentor-test/${RUN}-big`, 'v1'), 404);
    measured.abortMs = String(ms);

    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(engine.push(target, { signal: aborted.signal }), { name: 'AbortError' });
  });
});
