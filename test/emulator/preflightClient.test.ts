// The deploy preflight's own client (src/gcp/preflightClient.ts, through connectPreflight and
// buildClientOptions) against the emulator's Service Usage, Artifact Registry and Secret Manager.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { UserFacingError } from '../../src/core/errors';
import { connectPreflight, type PreflightApi } from '../../src/gcp/preflightApi';
import { LOCATION, PARENT, PROJECT, clientOptions, startHarness, type Harness } from './fixture';

describe('emulator: deploy preflight client', () => {
  let h: Harness;
  let preflight: PreflightApi;
  let secrets: SecretManagerServiceClient;
  let registry: ArtifactRegistryClient;
  before(async () => {
    h = await startHarness({ seed: 'demo' });
    preflight = await connectPreflight({ project: PROJECT, region: LOCATION, apiEndpoint: `127.0.0.1:${h.emulator.port}` });
    secrets = new SecretManagerServiceClient(clientOptions(h.emulator.port));
    registry = new ArtifactRegistryClient(clientOptions(h.emulator.port));
  });
  after(async () => {
    await Promise.all([preflight?.close(), secrets?.close(), registry?.close()]);
    await h?.close();
  });
  beforeEach(async () => { await h.control.reset('demo'); });

  it('lists the enabled APIs by bare name', async () => {
    const enabled = await preflight.enabledServices();
    assert.deepEqual([...enabled].sort(), [
      'artifactregistry.googleapis.com', 'cloudbuild.googleapis.com', 'iam.googleapis.com', 'logging.googleapis.com',
      'monitoring.googleapis.com', 'run.googleapis.com', 'secretmanager.googleapis.com', 'serviceusage.googleapis.com',
    ]);
    await h.control.setServiceState('secretmanager.googleapis.com', false);
    assert.ok(!(await preflight.enabledServices()).has('secretmanager.googleapis.com'));
  });

  it('finds a repository and its format, and says when there is none', async () => {
    assert.deepEqual(await preflight.repository(LOCATION, 'mentor'), { exists: true, format: 'DOCKER' });
    assert.deepEqual(await preflight.repository(LOCATION, 'missing'), { exists: false });
    assert.deepEqual(await preflight.repository('europe-west1', 'mentor'), { exists: false });
    const [op] = await registry.createRepository({ parent: PARENT, repositoryId: 'jars', repository: { format: 'MAVEN' } });
    await op.promise();
    assert.deepEqual(await preflight.repository(LOCATION, 'jars'), { exists: true, format: 'MAVEN' });
  });

  it('checks secrets and versions without reading values', async () => {
    assert.deepEqual(await preflight.secret('gemini-api-key', 'latest'), { exists: true, versionState: 'ENABLED' });
    assert.deepEqual(await preflight.secret('razorpay-key-secret', '3'), { exists: true, versionState: 'ENABLED' });
    assert.deepEqual(await preflight.secret(`projects/${PROJECT}/secrets/razorpay-key-secret`, '1'), { exists: true, versionState: 'ENABLED' });
    assert.deepEqual(await preflight.secret('razorpay-key-secret', '9'), { exists: true, versionState: 'NOT_FOUND' });
    assert.deepEqual(await preflight.secret('no-such-secret', 'latest'), { exists: false });
    await secrets.disableSecretVersion({ name: `projects/${PROJECT}/secrets/razorpay-key-secret/versions/2` });
    assert.deepEqual(await preflight.secret('razorpay-key-secret', '2'), { exists: true, versionState: 'DISABLED' });
    await secrets.destroySecretVersion({ name: `projects/${PROJECT}/secrets/razorpay-key-secret/versions/1` });
    assert.deepEqual(await preflight.secret('razorpay-key-secret', '1'), { exists: true, versionState: 'DESTROYED' });
    const [created] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'empty', secret: { replication: { automatic: {} } } });
    assert.ok(created.name);
    assert.deepEqual(await preflight.secret('empty', 'latest'), { exists: true, versionState: 'NOT_FOUND' });
  });

  it('a disabled API is an apiDisabled error naming that API', async () => {
    await h.control.setServiceState('secretmanager.googleapis.com', false);
    await assert.rejects(preflight.secret('gemini-api-key', 'latest'), (error: unknown) => {
      assert.ok(error instanceof UserFacingError, String(error));
      assert.equal(error.kind, 'apiDisabled');
      assert.match(error.message, /secretmanager\.googleapis\.com is not enabled in project mentor-demo/);
      return true;
    });
    await h.control.setServiceState('artifactregistry.googleapis.com', false);
    await assert.rejects(preflight.repository(LOCATION, 'mentor'), (error: unknown) =>
      error instanceof UserFacingError && error.kind === 'apiDisabled' && /artifactregistry\.googleapis\.com/.test(error.message));
  });

  it('an emulator that is not running is a quick unreachable error', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const offline = await connectPreflight({ project: PROJECT, region: LOCATION, apiEndpoint: `127.0.0.1:${port}` });
    const started = Date.now();
    try {
      await assert.rejects(offline.enabledServices(), (error: unknown) =>
        error instanceof UserFacingError && error.kind === 'unreachable' && error.message.includes(`emulator at 127.0.0.1:${port}`));
      assert.ok(Date.now() - started < 10000, `took ${Date.now() - started} ms`);
    } finally {
      await offline.close();
    }
  });
});
