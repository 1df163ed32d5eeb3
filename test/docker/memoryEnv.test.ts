// Values passed in memory (RunOptions.memoryEnv) against a REAL engine: the app's process gets them exactly
// (quotes, newlines, $), under the image's own ENTRYPOINT and CMD, while Docker's container config — what it
// keeps on disk and `docker inspect` shows — holds none of them. Needs the offline busybox:latest image.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { UserFacingError } from '../../src/core/errors';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import type { LogLine, RunningContainer } from '../../src/docker/types';

const RUN = randomBytes(3).toString('hex');
const TEST_LABEL = 'mentor.test';
const image = (name: string) => `mentor-test-${RUN}-${name}`;
// A credentials JSON and a key with every character a shell could mangle.
const CREDENTIALS = `{\n  "type": "service_account",\n  "private_key": "-----BEGIN KEY-----\\nab'c\\"d$HOME\`x\`\\n"\n}\n`;
const KEY = `k'ey "$(whoami)" \\ ${randomBytes(6).toString('hex')}`;
const sha = (value: string) => createHash('sha256').update(value).digest('hex');

describe('memory env (real engine)', function () {
  this.timeout(120_000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let dir: string;
  const started: RunningContainer[] = [];

  before(async () => {
    engine = (await connectDocker()) as DockerodeEngine;
    docker = engine.docker;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-memenv-'));
    // The app prints digests, never the values: test output is an artifact too.
    await fs.writeFile(path.join(dir, 'Dockerfile'), [
      'FROM busybox:latest',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'CMD ["printf %s \\"$FIREBASE_CREDENTIALS\\" | sha256sum; printf %s \\"$API_KEY\\" | sha256sum; echo \\"plain=$PLAIN pid=$$\\"; sleep 60"]',
      '',
    ].join('\n'));
    await engine.build({ contextDir: dir, tags: [image('memenv')] });
    await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /Dockerfile\nCMD ["/app"]\n');
    await engine.build({ contextDir: dir, tags: [image('noshell')] });
  });

  after(async () => {
    for (const c of started) await c.stop(0).catch(() => undefined);
    for (const name of ['memenv', 'noshell']) await docker.getImage(image(name)).remove({ force: true }).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('the app reads the exact values; Docker\'s container config has none of them', async () => {
    const container = await engine.run({
      image: image('memenv'), env: { PLAIN: 'visible' }, memoryEnv: { FIREBASE_CREDENTIALS: CREDENTIALS, API_KEY: KEY },
      containerPort: 8080, memoryBytes: 0, nanoCpus: 0, labels: { [TEST_LABEL]: RUN },
    });
    started.push(container);
    const logs: LogLine[] = [];
    const abort = new AbortController();
    const following = container.followLogs((line) => logs.push(line), abort.signal);
    const deadline = Date.now() + 20_000;
    while (!logs.some((l) => l.text.startsWith('plain=')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await following;
    const text = logs.map((l) => l.text);
    assert.deepEqual(text.slice(0, 3), [`${sha(CREDENTIALS)}  -`, `${sha(KEY)}  -`, 'plain=visible pid=1'], 'digests of the exact values, the image\'s own command as PID 1');

    const inspect = await docker.getContainer(container.id).inspect();
    const config = JSON.stringify(inspect);
    assert.ok(!inspect.Config.Env.some((e) => /^(FIREBASE_CREDENTIALS|API_KEY)=/.test(e)), 'no Env entry for a secret');
    for (const part of [KEY, 'service_account', 'BEGIN KEY']) assert.ok(!config.includes(part), `"${part}" is in docker inspect`);
    assert.ok(inspect.Config.Env.includes('PLAIN=visible'));
    assert.deepEqual(inspect.Config.Entrypoint?.slice(0, 2), ['/bin/sh', '-c']);
  });

  it('an image without /bin/sh gets a clear error, and no container is left', async () => {
    await assert.rejects(engine.run({
      image: image('noshell'), env: {}, memoryEnv: { API_KEY: KEY }, containerPort: 8080, memoryBytes: 0, nanoCpus: 0, labels: { [TEST_LABEL]: RUN },
    }), (error: unknown) => error instanceof UserFacingError && /has no \/bin\/sh/.test(error.message) && !error.message.includes(KEY));
    const left = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${RUN}`] } });
    assert.equal(left.filter((c) => c.Image === image('noshell')).length, 0);
  });
});
