import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { UserFacingError } from '../../src/core/errors';
import { CLIENT_MAX_API_VERSION, connectDocker, engineUnavailable, modemOptionsFor, negotiateApiVersion, resolveHostCandidates } from '../../src/docker/connect';

describe('Docker connection (pure parts)', () => {
  it('pins min(engine API version, client maximum)', () => {
    assert.equal(negotiateApiVersion('1.41'), '1.41');
    assert.equal(negotiateApiVersion('1.51'), CLIENT_MAX_API_VERSION);
    assert.equal(negotiateApiVersion('1.9'), '1.9'); // numeric, not string, comparison
    assert.equal(negotiateApiVersion('2.0'), CLIENT_MAX_API_VERSION);
    assert.equal(negotiateApiVersion(undefined), CLIENT_MAX_API_VERSION);
  });

  it('looks at the option, then DOCKER_HOST, then the docker context, then the sockets that exist', async () => {
    const none = () => false;
    assert.deepEqual(resolveHostCandidates('tcp://h:1', { DOCKER_HOST: 'unix:///x' }, '/home/u', none), [{ host: 'tcp://h:1', source: 'option' }]);
    assert.deepEqual(resolveHostCandidates(undefined, { DOCKER_HOST: 'unix:///x' }, '/home/u', none), [{ host: 'unix:///x', source: 'DOCKER_HOST' }]);
    if (process.platform !== 'win32') {
      const existing = new Set(['/home/u/.docker/run/docker.sock', '/run/user/1000/docker.sock']);
      assert.deepEqual(
        resolveHostCandidates(undefined, { XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/u', (f) => existing.has(f)).map((c) => c.host),
        ['unix:///home/u/.docker/run/docker.sock', 'unix:///run/user/1000/docker.sock'],
      );
      assert.deepEqual(resolveHostCandidates(undefined, {}, '/home/u', none), [{ host: 'unix:///var/run/docker.sock', source: 'default' }]);
    }
    // the docker CLI's current context (what Docker Desktop on Linux and colima set up)
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-home-'));
    try {
      const meta = path.join(home, '.docker', 'contexts', 'meta', createHash('sha256').update('desktop-linux').digest('hex'));
      await fs.mkdir(meta, { recursive: true });
      await fs.writeFile(path.join(meta, 'meta.json'), JSON.stringify({ Name: 'desktop-linux', Endpoints: { docker: { Host: 'unix:///home/u/.docker/desktop/docker.sock' } } }));
      await fs.writeFile(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'desktop-linux' }));
      assert.deepEqual(resolveHostCandidates(undefined, {}, home, none), [
        { host: 'unix:///home/u/.docker/desktop/docker.sock', source: 'docker context "desktop-linux"' },
      ]);
      assert.equal(resolveHostCandidates(undefined, { DOCKER_CONTEXT: 'default' }, home, none)[0].source, 'default');
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('turns DOCKER_HOST forms into dockerode options', () => {
    assert.deepEqual(modemOptionsFor('unix:///tmp/d.sock'), { socketPath: '/tmp/d.sock' });
    assert.deepEqual(modemOptionsFor('tcp://10.0.0.5:2375'), { protocol: 'http', host: '10.0.0.5', port: '2375' });
    assert.deepEqual(modemOptionsFor('http://localhost:1234'), { protocol: 'http', host: 'localhost', port: '1234' });
    assert.deepEqual(modemOptionsFor('127.0.0.1:2375'), { protocol: 'http', host: '127.0.0.1', port: '2375' });
    assert.deepEqual(modemOptionsFor('tcp://[::1]:2375'), { protocol: 'http', host: '::1', port: '2375' });
    assert.equal(modemOptionsFor('tcp://h:2376').protocol, 'https');
    assert.throws(() => modemOptionsFor('tcp://bad host:x'), (e: Error & { kind?: string }) => e.kind === 'engineUnavailable');
  });

  it('explains permission denied, nothing listening, and timeouts differently', () => {
    const denied = engineUnavailable({ host: 'unix:///var/run/docker.sock', source: 'default' }, Object.assign(new Error('connect EACCES'), { code: 'EACCES' }));
    assert.match(denied.message, /permission denied.*usermod -aG docker \$USER/);
    assert.deepEqual(denied.actions.map((a) => a.label), ['Docker post-install steps', 'Install Docker', 'Retry']);
    const missing = engineUnavailable({ host: 'unix:///var/run/docker.sock', source: 'default' }, Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }));
    assert.match(missing.message, /could not reach a Docker engine at unix:\/\/\/var\/run\/docker\.sock: nothing answers there\./);
    assert.match(missing.message, /set DOCKER_HOST/);
    assert.equal(missing.kind, 'engineUnavailable');
    const slow = engineUnavailable({ host: 'tcp://h:2375', source: 'DOCKER_HOST' }, Object.assign(new Error('No answer'), { code: 'ETIMEDOUT' }));
    assert.match(slow.message, /tcp:\/\/h:2375 \(from DOCKER_HOST\) did not answer within a few seconds/);
  });

  it('gives up on an engine address that accepts connections but never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const t0 = Date.now();
    try {
      await assert.rejects(connectDocker({ host: `tcp://127.0.0.1:${port}`, timeoutMs: 500 }), (e: unknown) =>
        e instanceof UserFacingError && e.kind === 'engineUnavailable' && /did not answer within a few seconds/.test(e.message));
      assert.ok(Date.now() - t0 < 10_000, 'gave up instead of waiting for the connection');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
