// A user deploys with the real gcloud (Cloud Run Admin v1 on the emulator's REST port) and the Mentor explorer,
// which reads Cloud Run v2 over gRPC, shows that service: one state behind both APIs, as on Google.
// Needs the emulator's REST address (MENTOR_TEST_EMULATOR_REST, from npm test), gcloud on PATH, the regional run
// host names in /etc/hosts (npm test maps them as root) and the engine + open registry (runtime mode).
import * as assert from 'assert';
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import { promises as dns } from 'dns';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MentorApi } from '../../src/extension';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { pushImage } from '../../src/docker/imagePush';
import { GCLOUD_RUN_HOST, gcloudEnv } from '../../emulator/gcloudEnv';
import { ui } from './uiBridge';
import { PROJECT, REGION, emulatorAddress, eventually, findService, httpGet, mentor, refreshAndWait, revisionsOf, setMentorSetting } from './support';

const RUN = randomBytes(3).toString('hex');
const SERVICE = `gcloud-${RUN}`;
const IMAGE = `${process.env.REGISTRY_OPEN ?? ''}/mentor-gcloud-it-${RUN}/app:v1`;
const START_SH = '#!/bin/sh\nmkdir -p /www\necho "$K_REVISION" > /www/revision\nexec httpd -f -p "$PORT" -h /www\n';

describe('gcloud deploy shows in the explorer', function () {
  this.timeout(180_000);
  let api: MentorApi;
  let engine: DockerodeEngine | undefined;
  let env: NodeJS.ProcessEnv;
  let configDir = '';

  function gcloud(...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile('gcloud', args, { env, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
    });
  }

  before(async () => {
    const rest = process.env.MENTOR_TEST_EMULATOR_REST;
    assert.ok(rest, 'MENTOR_TEST_EMULATOR_REST is not set: run the integration tests through npm test');
    assert.ok(process.env.DOCKER_HOST && process.env.REGISTRY_OPEN, 'DOCKER_HOST / REGISTRY_OPEN are not set: run through npm test');
    const host = `${REGION}-${GCLOUD_RUN_HOST}`;
    const resolved = await dns.lookup(host).then((a) => a.address, () => '');
    assert.strictEqual(resolved, '127.0.0.1', `${host} does not resolve to 127.0.0.1: gcloud calls Cloud Run on REGION-<override host>; ` +
      'as root, run `bash scripts/engine/gcloud-hosts.sh` (npm test does it when it runs as root)');
    api = await mentor();
    await setMentorSetting('apiEndpoint', emulatorAddress());
    await vscode.commands.executeCommand('workbench.view.extension.mentor');

    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-gcloud-it-'));
    try {
      await fs.writeFile(path.join(dir, 'start.sh'), START_SH);
      await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:latest\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n');
      await engine.build({ contextDir: dir, tags: [IMAGE] });
      await pushImage(engine.docker, IMAGE);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-gcloud-config-'));
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLOUDSDK_')));
    env = { ...inherited, ...gcloudEnv({ restAddress: rest, project: PROJECT, region: REGION, configDir }), TERM: 'dumb' };
  });

  after(async () => {
    if (env) await gcloud('run', 'services', 'delete', SERVICE);
    await engine?.docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);
    await engine?.close();
    if (configDir) await fs.rm(configDir, { recursive: true, force: true });
  });

  it('lists the gcloud-deployed service with its URL and serving revision, and the URL answers', async () => {
    const deployed = await gcloud('run', 'deploy', SERVICE, `--image=${IMAGE}`, '--allow-unauthenticated');
    assert.strictEqual(deployed.code, 0, deployed.out);
    const revision = /revision \[([^\]]+)\] has been deployed and is serving 100 percent of traffic/.exec(deployed.out)?.[1];
    assert.ok(revision, deployed.out);

    const node = await eventually('the explorer lists the gcloud service', async () =>
      findService(await refreshAndWait(api, 'ready'), SERVICE));
    assert.strictEqual(node.service.state, 'ready');
    assert.match(node.service.uri ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual((await httpGet(`${node.service.uri}/revision`)).body.trim(), revision);
    const row = await ui.waitForTreeRow(SERVICE, { view: 'Services' });
    assert.match(row.description, /^100% latest · /);

    assert.deepStrictEqual((await revisionsOf(api, node)).map((r) => r.revision.id), [revision]);
    await ui.clickTreeRow(SERVICE, { view: 'Services' });
    const revisionRow = await ui.waitForTreeRow(revision, { view: 'Services' });
    assert.match(revisionRow.description, /^100% · latest/);
    const shot = await ui.screenshot('gcloud-deploy-explorer');
    assert.ok(shot.text.includes(SERVICE), `the screenshot shows ${SERVICE}`);
  });
});
