// The Cloud Build builder images of the offline test bed (scripts/engine/builder-images.sh, run by npm test before
// this suite), used the way a build step uses them: the engine socket mounted at /var/run/docker.sock, host
// networking, /workspace mounted. The docker builder builds and pushes a tiny image to the test-bed registry;
// the cloud-sdk builder's gcloud (the host's version) talks to the emulator with emulator/gcloudEnv.ts's env.
// Needs: DOCKER_HOST (a unix socket: it is mounted into the step), REGISTRY_OPEN; npm test provides both.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient } from '@google-cloud/run';
import { GCLOUD_RUN_HOST, gcloudEnv } from '../../emulator/gcloudEnv';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, LOCATION, PARENT, PROJECT, serviceBody } from '../emulator/fixture';
import { get } from './busyboxApp';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const HOST = process.env.DOCKER_HOST ?? '';
const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
const SDK_BUILDER = 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim';

interface Run { code: number; stdout: string; stderr: string }
/** The host's docker CLI against the test-bed engine; never rejects (tests assert on the exit code). */
function docker(args: string[], timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile('docker', args, { env: { ...process.env, DOCKER_HOST: HOST }, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
async function ok(args: string[], timeout?: number): Promise<string> {
  const r = await docker(args, timeout);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
/** `docker run` options of a Cloud Build step in the emulator (shared contract 5). */
function stepOptions(workspace: string): string[] {
  const socket = HOST.slice('unix://'.length);
  return ['--rm', '--network', 'host', '-v', `${socket}:/var/run/docker.sock`, '-v', `${workspace}:/workspace`, '-w', '/workspace'];
}

describe('builder images (scripts/engine/builder-images.sh)', function () {
  this.timeout(180_000);
  let workspace = '';

  before(async function () {
    assert.match(HOST, /^unix:\/\//, `DOCKER_HOST must be a unix socket (it is mounted into the steps), got "${HOST}": run through npm test, or \`source /tmp/mentor-engine/env\``);
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-builder-ws-'));
  });
  after(async () => {
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it('both images are on the engine under every tag a cloudbuild.yaml may name, labelled with their recipe', async () => {
    for (const image of [DOCKER_BUILDER, `${DOCKER_BUILDER}:latest`, SDK_BUILDER, 'gcr.io/google.com/cloudsdktool/cloud-sdk:latest']) {
      const label = (await ok(['image', 'inspect', '-f', '{{ index .Config.Labels "mentor.recipe" }}', image])).trim();
      assert.match(label, /^[0-9a-f]{12}-\d+-(docker|gcloud)-/, `${image}: ${label}`);
    }
    assert.equal((await ok(['image', 'inspect', '-f', '{{json .Config.Entrypoint}}', DOCKER_BUILDER])).trim(), '["/usr/bin/docker"]');
  });

  it('the docker builder builds and pushes an image through the mounted socket, and it runs from the registry', async () => {
    const tag = `${REGISTRY}/mentor-builders-${RUN}/tiny:${RUN}`;
    await fs.writeFile(path.join(workspace, 'Dockerfile'), `FROM busybox:latest\nRUN echo built-by-step-${RUN} > /made\nCMD ["cat", "/made"]\n`);
    const build = await ok(['run', ...stepOptions(workspace), DOCKER_BUILDER, 'build', '-t', tag, '.']);
    assert.match(build, /Successfully tagged/);
    await ok(['run', ...stepOptions(workspace), DOCKER_BUILDER, 'push', tag]);
    const tags = JSON.parse((await get(`http://${REGISTRY}/v2/mentor-builders-${RUN}/tiny/tags/list`)).body) as { tags?: string[] };
    assert.deepEqual(tags.tags, [RUN]);
    // from the registry, not the local copy
    await ok(['rmi', tag]);
    await ok(['pull', tag]);
    assert.equal((await ok(['run', '--rm', '--network', 'none', tag])).trim(), `built-by-step-${RUN}`);
    await docker(['rmi', tag]);
  });

  describe('the cloud-sdk builder against the emulator', function () {
    let emulator: RunningEmulator;
    let services: ServicesClient;
    before(async function () {
      emulator = await startEmulator({ operationDelayMs: 10, restPort: 0 });
      services = new ServicesClient(clientOptions(emulator.port));
      const [op] = await services.createService({ parent: PARENT, serviceId: `sdk-${RUN}`, service: serviceBody('us-docker.pkg.dev/cloudrun/container/hello') });
      await op.promise();
    });
    after(async () => {
      await services?.close();
      await emulator?.stop();
    });

    it('has the host\'s gcloud version and runs it with Debian\'s python3', async () => {
      const host = readFileSync('/usr/lib/google-cloud-sdk/VERSION', 'utf8').trim();
      const out = await ok(['run', '--rm', '--network', 'none', SDK_BUILDER, 'bash', '-c',
        'gcloud version --format="value(\\"Google Cloud SDK\\")"; gcloud info --format="value(basic.python_location)"; command -v curl']);
      assert.deepEqual(out.trim().split('\n'), [host, '/usr/bin/python3', '/usr/bin/curl']);
    });

    it('gcloud in the image lists the emulator\'s services (gcloudEnv, CLOUDSDK_CONFIG inside, regional names as extra hosts)', async () => {
      const env = gcloudEnv({ restAddress: emulator.restAddress, project: PROJECT, configDir: '/tmp/gcloud-config' });
      const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const hosts = [GCLOUD_RUN_HOST, `${LOCATION}-${GCLOUD_RUN_HOST}`].flatMap((h) => ['--add-host', `${h}:127.0.0.1`]);
      const out = await ok(['run', ...stepOptions(workspace), ...envArgs, ...hosts, SDK_BUILDER,
        'gcloud', 'run', 'services', 'list', `--region=${LOCATION}`, '--format=value(metadata.name)']);
      assert.deepEqual(out.trim().split('\n'), [`sdk-${RUN}`]);
    });
  });
});
