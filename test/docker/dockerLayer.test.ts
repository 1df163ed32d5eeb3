// The Docker layer against a REAL engine (DOCKER_HOST, e.g. unix:///tmp/mentor-engine/docker.sock from
// scripts/engine). Needs the offline `python:3.11-slim` (with fastapi + uvicorn) and `busybox:latest` images.
// Every image is tagged mentor-test-<run>-*, every container labelled mentor.test=<run>; after() removes them.

import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { UserFacingError } from '../../src/core/errors';
import { contextFiles } from '../../src/docker/buildContext';
import { CLIENT_MAX_API_VERSION, compareApiVersions, connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { waitForHealthy } from '../../src/docker/healthProbe';
import type { BuildProgress, LogLine, RunningContainer } from '../../src/docker/types';

const RUN = randomBytes(3).toString('hex');
const TEST_LABEL = 'mentor.test';
const image = (name: string) => `mentor-test-${RUN}-${name}`;

const MAIN_PY = `from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}
`;
const APP_DOCKERFILE = `FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
ENV PORT=8080
CMD ["sh", "-c", "uvicorn main:app --host 0.0.0.0 --port \${PORT:-8080}"]
`;

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  return fn().then((value) => ({ value, ms: Date.now() - started }));
}

/**
 * Every container except those Mentor runs (mentor.managed): a build's intermediate containers are among
 * these. (They inherit the base image's labels, so "no labels" would not find them.)
 */
async function nonManagedContainers(docker: Dockerode): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return all.filter((c) => c.Labels?.['mentor.managed'] !== 'true').map((c) => c.Id).sort();
}

async function exists(docker: Dockerode, containerId: string): Promise<boolean> {
  try {
    await docker.getContainer(containerId).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

function runningInIds(lines: string[]): string[] {
  return lines.map((l) => / ---> Running in ([0-9a-f]+)/.exec(l)?.[1]).filter((id): id is string => !!id);
}

describe('Docker layer (real engine)', function () {
  this.timeout(180000);
  let engine: DockerodeEngine;
  let docker: Dockerode;
  let tmp: string;
  const started: RunningContainer[] = [];
  const timings: Record<string, number> = {};

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'set DOCKER_HOST to a running engine (see scripts/engine)');
    engine = (await connectDocker()) as DockerodeEngine;
    docker = engine.docker;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-docker-'));
    await writeTree(path.join(tmp, 'app'), {
      'main.py': MAIN_PY,
      // a line unique to this run makes the first build a cold one (pip runs), the second one cached
      'requirements.txt': `# test run ${RUN}\nfastapi\nuvicorn\n`,
      Dockerfile: APP_DOCKERFILE,
    });
  });

  after(async () => {
    for (const c of started) await c.stop(0).catch(() => undefined);
    if (docker) {
      const leftovers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${TEST_LABEL}=${RUN}`] }) });
      for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      const images = await docker.listImages();
      for (const img of images) {
        for (const tag of img.RepoTags ?? []) {
          if (tag.startsWith(`mentor-test-${RUN}-`)) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
        }
      }
    }
    await engine?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    if (Object.keys(timings).length) console.log(`      timings (ms): ${JSON.stringify(timings)}`);
  });

  it('negotiates an API version no newer than the engine and the client maximum', async () => {
    const server = await docker.version();
    assert.ok(compareApiVersions(engine.info.apiVersion, server.ApiVersion) <= 0, `${engine.info.apiVersion} > ${server.ApiVersion}`);
    assert.ok(compareApiVersions(engine.info.apiVersion, CLIENT_MAX_API_VERSION) <= 0);
    assert.equal(engine.info.apiVersion, compareApiVersions(server.ApiVersion, CLIENT_MAX_API_VERSION) < 0 ? server.ApiVersion : CLIENT_MAX_API_VERSION);
    assert.equal(engine.info.host, process.env.DOCKER_HOST);
    assert.equal(engine.info.serverVersion, server.Version);
    // a versioned request goes through (a too-new pinned version would be a 400)
    assert.ok(Array.isArray(await docker.listContainers({ all: true })));
  });

  it('turns an engine that is not there into engineUnavailable with next steps', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent.sock';
    try {
      await assert.rejects(connectDocker(), (error: unknown) => {
        assert.ok(error instanceof UserFacingError);
        assert.equal(error.kind, 'engineUnavailable');
        assert.match(error.message, /unix:\/\/\/nonexistent\.sock \(from DOCKER_HOST\)/);
        assert.match(error.message, /nothing answers there/);
        assert.match(error.message, /sudo systemctl start docker|Docker Desktop/);
        assert.match(error.message, /set DOCKER_HOST/);
        assert.deepEqual(error.actions.map((a) => a.kind), ['openUrl', 'retry']);
        return true;
      });
    } finally {
      process.env.DOCKER_HOST = saved;
    }
    // an explicit host wins over DOCKER_HOST
    await assert.rejects(connectDocker({ host: 'tcp://127.0.0.1:1' }), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'engineUnavailable' && /tcp:\/\/127\.0\.0\.1:1 \(from option\)/.test(error.message));
  });

  it('builds the FastAPI app, reporting steps N/M, and tags it with every tag (cold, then cached)', async () => {
    const progress: BuildProgress[] = [];
    const tags = [image('app:1'), image('app:latest')];
    const cold = await timed(() => engine.build({ contextDir: path.join(tmp, 'app'), tags, onProgress: (p) => progress.push(p) }));
    timings.buildCold = cold.ms;
    const result = cold.value;
    assert.match(result.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(result.tags, tags);
    assert.equal(result.contextFiles, 3);
    assert.ok(result.contextBytes >= 3 * 1024 && result.contextBytes % 512 === 0, `tar bytes ${result.contextBytes}`);
    const steps = progress.filter((p) => /^Step \d+\/\d+ : /.test(p.line));
    assert.deepEqual(steps.map((p) => p.step), [1, 2, 3, 4, 5, 6, 7]);
    assert.ok(steps.every((p) => p.totalSteps === 7));
    assert.equal(steps[3].line, 'Step 4/7 : RUN pip install -r requirements.txt');
    // pip's output arrives as lines of step 4
    assert.ok(progress.some((p) => p.step === 4 && /Requirement already satisfied: fastapi/.test(p.line)));
    for (const tag of tags) assert.equal((await docker.getImage(tag).inspect()).Id, result.imageId);

    const cachedProgress: string[] = [];
    const cached = await timed(() => engine.build({ contextDir: path.join(tmp, 'app'), tags, onProgress: (p) => cachedProgress.push(p.line) }));
    timings.buildCached = cached.ms;
    assert.equal(cached.value.imageId, result.imageId);
    assert.ok(cachedProgress.filter((l) => l === ' ---> Using cache').length >= 5);
  });

  it('honours .dockerignore (exceptions too) and always sends the Dockerfile and .dockerignore', async () => {
    const dir = path.join(tmp, 'ignored');
    await writeTree(dir, {
      '.dockerignore': ['# secrets stay home', '.env', 'secrets/', '!secrets/keep.txt', '**/__pycache__', '/notes.md', 'Dockerfile', '.dockerignore'].join('\n'),
      '.env': 'API_KEY=do-not-ship\n',
      'secrets/key.pem': 'private\n',
      'secrets/keep.txt': 'public\n',
      'secrets/deeper/x.txt': 'private\n',
      'pkg/__pycache__/m.cpython-311.pyc': 'x',
      'pkg/m.py': 'x = 1\n',
      'notes.md': 'top-level, ignored\n',
      'docs/notes.md': 'not top-level, kept\n',
      'run-id.txt': RUN, // makes COPY . . (and the RUN that lists it) new in every run
      Dockerfile: 'FROM busybox:latest\nWORKDIR /ctx\nCOPY . .\nRUN find . | sort && echo "LINK -> $(readlink outside-link)"\n',
    });
    await fs.symlink('pkg/m.py', path.join(dir, 'link-to-m.py'));
    await fs.symlink('/etc/passwd', path.join(dir, 'outside-link'));
    const expected = ['.dockerignore', 'Dockerfile', 'docs/notes.md', 'link-to-m.py', 'outside-link', 'pkg/m.py', 'run-id.txt', 'secrets/keep.txt'];
    assert.deepEqual(await contextFiles(dir), expected);

    const lines: string[] = [];
    const result = await engine.build({ contextDir: dir, tags: [image('ignored')], onProgress: (p) => lines.push(p.line) });
    assert.equal(result.contextFiles, expected.length);
    const listing = lines.filter((l) => l.startsWith('./')).sort();
    // The engine got the ignored Dockerfile (the build ran) and .dockerignore, and, as Docker does, removed
    // both from what COPY sees because they are listed in .dockerignore.
    const inImage = expected.filter((f) => f !== 'Dockerfile' && f !== '.dockerignore');
    for (const file of inImage) assert.ok(listing.includes(`./${file}`), `${file} missing in the image: ${listing.join(' ')}`);
    for (const file of ['./.env', './secrets/key.pem', './secrets/deeper', './pkg/__pycache__', './notes.md', './Dockerfile', './.dockerignore']) {
      assert.ok(!listing.includes(file), `${file} should not be in the image`);
    }
    // the symlink pointing outside the context arrived as a link, not as a copy of the host's /etc/passwd
    assert.ok(lines.includes('LINK -> /etc/passwd'), lines.join('\n'));
  });

  it('names the failing step of a broken Dockerfile and leaves no container behind', async () => {
    const dir = path.join(tmp, 'broken');
    // unique per run, so step 2 is not taken from the cache of an earlier run
    await writeTree(dir, { Dockerfile: `FROM busybox:latest\nRUN echo first step ran ${RUN}\nRUN echo about to fail && exit 3\nRUN echo never\n` });
    const before = await nonManagedContainers(docker);
    const lines: string[] = [];
    await assert.rejects(engine.build({ contextDir: dir, tags: [image('broken')], onProgress: (p) => lines.push(p.line) }), (error: unknown) => {
      assert.ok(error instanceof UserFacingError);
      assert.equal(error.kind, 'buildFailed');
      assert.match(error.message, /^Step 3\/4 `RUN echo about to fail && exit 3` failed with exit code 3\./);
      assert.match(error.detail ?? '', /about to fail/);
      assert.match(error.detail ?? '', /returned a non-zero code: 3/);
      return true;
    });
    assert.ok(!lines.includes('never'));
    const intermediate = runningInIds(lines);
    assert.equal(intermediate.length, 2);
    for (const id of intermediate) assert.equal(await exists(docker, id), false, `container ${id} left behind`);
    assert.deepEqual(await nonManagedContainers(docker), before);
    await assert.rejects(docker.getImage(image('broken')).inspect(), /no such image|404/i);
  });

  it('aborts a running build: AbortError, and its container is gone', async () => {
    const dir = path.join(tmp, 'slow');
    await writeTree(dir, { Dockerfile: `FROM busybox:latest\nRUN echo started-${RUN} && sleep 60 && echo finished\n` });
    const before = await nonManagedContainers(docker);
    const controller = new AbortController();
    const lines: string[] = [];
    const t0 = Date.now();
    await assert.rejects(
      engine.build({
        contextDir: dir,
        tags: [image('slow')],
        signal: controller.signal,
        onProgress: (p) => {
          lines.push(p.line);
          if (p.line === `started-${RUN}`) setTimeout(() => controller.abort(), 300);
        },
      }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    timings.abortBuild = Date.now() - t0;
    assert.ok(Date.now() - t0 < 30000, 'the abort did not stop the 60 s step');
    assert.ok(!lines.includes('finished'));
    const intermediate = runningInIds(lines);
    assert.equal(intermediate.length, 1);
    assert.equal(await exists(docker, intermediate[0]), false);
    assert.deepEqual(await nonManagedContainers(docker), before);
    await assert.rejects(docker.getImage(image('slow')).inspect(), /no such image|404/i);
    // aborting before the start never touches the engine
    await assert.rejects(engine.build({ contextDir: dir, tags: [image('slow')], signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('runs the app: healthy over HTTP, uvicorn in the logs, listening on 0.0.0.0:8080, stop removes it', async () => {
    const t0 = Date.now();
    const container = await engine.run({
      image: image('app:1'),
      env: { PORT: '8080', K_SERVICE: 'mentor-test' },
      containerPort: 8080,
      memoryBytes: 512 * 1024 * 1024,
      nanoCpus: 1e9,
      labels: { [TEST_LABEL]: RUN },
    });
    started.push(container);
    assert.match(container.name, /^mentor-[0-9a-f]+$/);
    assert.ok(container.hostPort > 0);
    const inspect = await docker.getContainer(container.id).inspect();
    assert.equal(inspect.HostConfig.Memory, 512 * 1024 * 1024);
    assert.equal(inspect.HostConfig.NanoCpus, 1e9);
    assert.equal(inspect.Config.Labels['mentor.managed'], 'true');
    assert.ok(inspect.Config.Env.includes('K_SERVICE=mentor-test'));
    assert.equal(inspect.NetworkSettings.Ports['8080/tcp']?.[0].HostIp, '127.0.0.1');

    const logs: LogLine[] = [];
    const logAbort = new AbortController();
    const following = container.followLogs((line) => logs.push(line), logAbort.signal);

    const health = await waitForHealthy({
      url: `http://127.0.0.1:${container.hostPort}/health`,
      timeoutMs: 60000,
      stillRunning: async () => (await container.state()).running,
    });
    timings.runToHealthy = Date.now() - t0;
    assert.equal(health.ok, true, JSON.stringify(health));
    assert.equal(health.ok && health.status, 200);

    const deadline = Date.now() + 10000;
    while (!logs.some((l) => /Uvicorn running on http:\/\/0\.0\.0\.0:8080/.test(l.text)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const startup = logs.find((l) => /Uvicorn running on http:\/\/0\.0\.0\.0:8080/.test(l.text));
    assert.ok(startup, `no uvicorn startup line in ${JSON.stringify(logs)}`);
    assert.equal(startup.stream, 'stderr'); // uvicorn logs to stderr
    assert.ok(logs.every((l) => !l.text.includes('\n')));

    assert.deepEqual(await container.state(), { running: true, exitCode: undefined, oomKilled: false, error: undefined });
    const sockets = await container.listeningSockets();
    assert.deepEqual(sockets, [{ address: '0.0.0.0', port: 8080 }]);

    logAbort.abort();
    await following; // resolves on abort
    await container.stop(2);
    assert.equal(await exists(docker, container.id), false);
    assert.deepEqual(await container.state(), { running: false, error: 'The container no longer exists.' });
    await container.stop(); // stopping again is fine
  });

  it('an app listening on 127.0.0.1:8000 never becomes healthy, and listeningSockets shows why', async () => {
    const dir = path.join(tmp, 'loopback');
    await writeTree(dir, {
      'main.py': MAIN_PY,
      Dockerfile: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY main.py .\nCMD ["uvicorn", "main:app", "--host", "127.0.0.1", "--port", "8000"]\n',
    });
    await engine.build({ contextDir: dir, tags: [image('loopback')] });
    const container = await engine.run({
      image: image('loopback'),
      env: { PORT: '8080' },
      containerPort: 8080,
      memoryBytes: 0,
      nanoCpus: 0,
      labels: { [TEST_LABEL]: RUN },
    });
    started.push(container);
    const health = await waitForHealthy({ url: `http://127.0.0.1:${container.hostPort}/health`, timeoutMs: 4000, attemptTimeoutMs: 1000 });
    assert.equal(health.ok, false);
    assert.equal(!health.ok && health.reason, 'timeout');
    assert.ok(health.attempts >= 2);
    assert.ok(health.elapsedMs >= 4000 && health.elapsedMs < 7000, `elapsed ${health.elapsedMs}`);
    let sockets: { address: string; port: number }[] = [];
    for (let i = 0; i < 40 && !sockets.length; i++) {
      sockets = await container.listeningSockets();
      if (!sockets.length) await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(sockets, [{ address: '127.0.0.1', port: 8000 }]);
    await container.stop(0);
  });

  it('sees an app that exits: stderr in the logs, exit code in state(), waitForHealthy stops early', async () => {
    const dir = path.join(tmp, 'crash');
    await writeTree(dir, { Dockerfile: 'FROM busybox:latest\nCMD ["sh", "-c", "echo out-line; sleep 1; echo boom >&2; exit 4"]\n' });
    await engine.build({ contextDir: dir, tags: [image('crash')] });
    const container = await engine.run({ image: image('crash'), env: {}, containerPort: 8080, memoryBytes: 0, nanoCpus: 0, labels: { [TEST_LABEL]: RUN } });
    started.push(container);
    const logs: LogLine[] = [];
    const following = container.followLogs((line) => logs.push(line), new AbortController().signal);
    const health = await waitForHealthy({
      url: `http://127.0.0.1:${container.hostPort}/`,
      timeoutMs: 30000,
      stillRunning: async () => (await container.state()).running,
    });
    assert.equal(!health.ok && health.reason, 'exited');
    await following; // ends by itself when the container exits
    assert.deepEqual(logs, [
      { stream: 'stdout', text: 'out-line' },
      { stream: 'stderr', text: 'boom' },
    ]);
    const state = await container.state();
    assert.equal(state.running, false);
    assert.equal(state.exitCode, 4);
    await assert.rejects(container.listeningSockets(), /not running/);
    await container.stop(0);
  });

  it('finds its containers again by label', async () => {
    const label = { [TEST_LABEL]: RUN, 'mentor.finder': randomBytes(3).toString('hex') };
    const container = await engine.run({ image: image('app:1'), env: {}, containerPort: 8080, memoryBytes: 0, nanoCpus: 0, labels: label, name: `mentor-test-${RUN}-found` });
    started.push(container);
    const found = await engine.findContainers(label);
    assert.equal(found.length, 1);
    assert.equal(found[0].id, container.id);
    assert.equal(found[0].name, `mentor-test-${RUN}-found`);
    assert.equal(found[0].hostPort, container.hostPort);
    assert.deepEqual(await engine.findContainers({ ...label, 'mentor.finder': 'nobody' }), []);
    const health = await waitForHealthy({ url: `http://127.0.0.1:${found[0].hostPort}/health`, timeoutMs: 60000 });
    assert.equal(health.ok, true);
    await found[0].stop(1);
    assert.deepEqual(await engine.findContainers(label), []);
  });
});
