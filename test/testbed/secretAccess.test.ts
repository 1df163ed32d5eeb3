// Cloud Run's secret access check in runtime mode (real engine and registry): a revision whose service
// account may not read a referenced secret fails with Cloud Run's condition and message, and the same deploy
// succeeds once the account is granted the Secret Accessor role on the secret. Real Google clients throughout;
// the account itself is made through IAM Admin over REST.
// Env: DOCKER_HOST (engine), REGISTRY_OPEN (an open registry) — npm test provides both.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient, RevisionsClient, protos } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { iam } from '@googleapis/iam';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { pushImage } from '../../src/docker/imagePush';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { PARENT, PROJECT, clientOptions } from '../emulator/fixture';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-secret-${RUN}/app:v1`;
const START_SH = 'mkdir -p /www && echo "$API_KEY" > /www/key && exec httpd -f -p "$PORT" -h /www\n';
const ACCOUNT = `secret-reader-${RUN}`;
const EMAIL = `${ACCOUNT}@${PROJECT}.iam.gserviceaccount.com`;

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

describe('emulator runtime mode: Cloud Run checks the revision identity\'s access to its secrets', function () {
  this.timeout(120_000);
  let engine: DockerodeEngine;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let revisions: RevisionsClient;
  let secrets: SecretManagerServiceClient;

  before(async function () {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-secret-image-'));
    try {
      await fs.writeFile(path.join(dir, 'start.sh'), START_SH);
      await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:latest\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n');
      await engine.build({ contextDir: dir, tags: [APP] });
      await pushImage(engine.docker, APP);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    emulator = await startEmulator({
      seed: 'demo', dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10, serviceAccountConsistencyMs: 0,
    });
    services = new ServicesClient(clientOptions(emulator.port));
    revisions = new RevisionsClient(clientOptions(emulator.port));
    secrets = new SecretManagerServiceClient(clientOptions(emulator.port));
  });

  after(async () => {
    await Promise.allSettled([services?.close(), revisions?.close(), secrets?.close()]);
    await emulator?.stop();
    await engine?.docker.getImage(APP).remove({ force: true }).catch(() => undefined);
    await engine?.close();
  });

  it('fails the revision while the account lacks roles/secretmanager.secretAccessor, and serves after the grant', async () => {
    await iam({ version: 'v1', rootUrl: `http://${emulator.restAddress}/` }).projects.serviceAccounts.create({
      name: `projects/${PROJECT}`, requestBody: { accountId: ACCOUNT },
    });
    const [secret] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'wizard-api-key', secret: { replication: { automatic: {} } } });
    await secrets.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from('k-123') } });
    const service = (attempt: string): protos.google.cloud.run.v2.IService => ({
      invokerIamDisabled: true,
      template: {
        serviceAccount: EMAIL, labels: { attempt },
        containers: [{ image: APP, env: [{ name: 'API_KEY', valueSource: { secretKeyRef: { secret: 'wizard-api-key', version: 'latest' } } }] }],
      },
    });

    const [op] = await services.createService({ parent: PARENT, serviceId: 'wizard-app', service: service('1') });
    const err = await op.promise().then(() => assert.fail('the deploy should fail'), (e: Error) => e);
    assert.match(err.message, new RegExp(
      "Revision 'wizard-app-00001-[a-z]{3}' is not ready and cannot serve traffic\\. spec\\.template\\.spec\\.containers\\[0\\]\\.env\\[0\\]\\.value_from\\.secret_key_ref\\.name: " +
      `Permission denied on secret: projects/\\d+/secrets/wizard-api-key/versions/latest for Revision service account ${EMAIL.replace(/\./g, '\\.')}\\. ` +
      "The service account used must be granted the 'Secret Manager Secret Accessor' role \\(roles/secretmanager\\.secretAccessor\\) at the secret, project or higher level\\."));
    const [failed] = await services.getService({ name: `${PARENT}/services/wizard-app` });
    const [revision] = await revisions.getRevision({ name: failed.latestCreatedRevision! });
    assert.equal(revision.conditions?.find((c) => c.type === 'Ready')?.reason, 'SECRETS_ACCESS_CHECK_FAILED');

    const [policy] = await secrets.getIamPolicy({ resource: secret.name });
    await secrets.setIamPolicy({ resource: secret.name, policy: { ...policy, bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${EMAIL}`] }] } });
    const [retry] = await services.updateService({ service: { ...service('2'), name: `${PARENT}/services/wizard-app` } });
    const [served] = await retry.promise();
    assert.match(served.latestReadyRevision ?? '', /wizard-app-00002-[a-z]{3}$/);
    assert.equal((await get(`${served.uri}/key`)).trim(), 'k-123');
  });

  it('lets the compute default account read the demo project\'s secrets through its Editor role', async () => {
    const [op] = await services.createService({
      parent: PARENT, serviceId: 'default-identity',
      service: { invokerIamDisabled: true, template: { containers: [{ image: APP, env: [{ name: 'API_KEY', valueSource: { secretKeyRef: { secret: 'gemini-api-key' } } }] }] } },
    });
    const [served] = await op.promise();
    assert.equal((await get(`${served.uri}/key`)).trim(), 'AIzaSy-fake-gemini-key-for-the-emulator');
  });
});
