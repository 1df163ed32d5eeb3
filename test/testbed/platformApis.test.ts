// Service Usage, Secret Manager and Artifact Registry through their real Node clients, and the
// SERVICE_DISABLED error Google sends when an API is off (ErrorInfo in the status details).
import * as assert from 'node:assert/strict';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { grpc } from 'google-gax';
import { PARENT, PROJECT, clientOptions, rejectsWith, startHarness, type Harness } from '../emulator/fixture';
import { projectNumber } from '../../emulator/cloudRunRules';
import { crc32c } from '../../emulator/secretManagerBackend';
import { toUserFacingError } from '../../src/gcp/errorMapping';

const NUMBER = projectNumber(PROJECT);
/** operation.promise() decodes enums to numbers; plain calls return their names. */
const ENABLED = (state: unknown) => state === 'ENABLED' || state === 2;

describe('emulator: Service Usage, Secret Manager and Artifact Registry', () => {
  let h: Harness;
  let usage: ServiceUsageClient;
  let secrets: SecretManagerServiceClient;
  let registry: ArtifactRegistryClient;
  before(async () => {
    h = await startHarness({ seed: 'demo' });
    usage = new ServiceUsageClient(clientOptions(h.emulator.port));
    secrets = new SecretManagerServiceClient(clientOptions(h.emulator.port));
    registry = new ArtifactRegistryClient(clientOptions(h.emulator.port));
  });
  after(async () => {
    await Promise.all([usage.close(), secrets.close(), registry.close()]);
    await h.close();
  });
  beforeEach(async () => { await h.control.reset('demo'); });

  describe('Service Usage', () => {
    it('lists the enabled APIs of the demo project, with project numbers in names and paging', async () => {
      const [enabled] = await usage.listServices({ parent: `projects/${PROJECT}`, filter: 'state:ENABLED', pageSize: 200 }, { autoPaginate: false });
      assert.deepEqual(enabled.map((s) => s.config?.name).sort(), [
        'artifactregistry.googleapis.com', 'cloudbuild.googleapis.com', 'iam.googleapis.com', 'logging.googleapis.com',
        'monitoring.googleapis.com', 'run.googleapis.com', 'secretmanager.googleapis.com', 'serviceusage.googleapis.com',
      ]);
      const run = enabled.find((s) => s.config?.name === 'run.googleapis.com');
      assert.equal(run?.name, `projects/${NUMBER}/services/run.googleapis.com`);
      assert.equal(run?.parent, `projects/${NUMBER}`);
      assert.equal(run?.config?.title, 'Cloud Run Admin API');
      assert.equal(run?.state, 'ENABLED');

      const [page1, next] = await usage.listServices({ parent: `projects/${NUMBER}`, pageSize: 5 }, { autoPaginate: false });
      assert.equal(page1.length, 5);
      assert.ok(next?.pageToken);
      const all = [];
      for await (const s of usage.listServicesAsync({ parent: `projects/${NUMBER}`, filter: 'state:DISABLED', pageSize: 3 }, { autoPaginate: false })) all.push(s);
      assert.ok(all.some((s) => s.config?.name === 'iamcredentials.googleapis.com'));
      assert.ok(all.every((s) => s.state === 'DISABLED'));
      await rejectsWith(usage.listServices({ parent: `projects/${PROJECT}`, filter: 'state:ON' }), grpc.status.INVALID_ARGUMENT, /state:ENABLED/);
    });

    it('enables one API and a batch through long-running operations', async () => {
      const [before] = await usage.getService({ name: `projects/${NUMBER}/services/iamcredentials.googleapis.com` });
      assert.equal(before.state, 'DISABLED');
      const [op] = await usage.enableService({ name: `projects/${PROJECT}/services/iamcredentials.googleapis.com` });
      assert.equal(op.done, false);
      const [result] = await op.promise();
      assert.ok(ENABLED(result.service?.state));
      const [batch] = await usage.batchEnableServices({ parent: `projects/${NUMBER}`, serviceIds: ['cloudresourcemanager.googleapis.com', 'compute.googleapis.com'] });
      const [batchResult] = await batch.promise();
      assert.deepEqual(batchResult.services?.map((s) => [s.config?.name, ENABLED(s.state)]), [
        ['cloudresourcemanager.googleapis.com', true], ['compute.googleapis.com', true],
      ]);
      const [{ services }] = await usage.batchGetServices({ parent: `projects/${NUMBER}`, names: [`projects/${NUMBER}/services/compute.googleapis.com`] });
      assert.equal(services?.[0]?.state, 'ENABLED');
      await rejectsWith(usage.batchEnableServices({ parent: `projects/${NUMBER}`, serviceIds: ['run.googleapis.com', 'nope.googleapis.com'] }),
        grpc.status.PERMISSION_DENIED, /nope\.googleapis\.com/);
      await rejectsWith(usage.batchEnableServices({ parent: `projects/${NUMBER}`, serviceIds: Array(21).fill('run.googleapis.com') }),
        grpc.status.INVALID_ARGUMENT, /at most 20/);
    });
  });

  describe('SERVICE_DISABLED', () => {
    it('answers Cloud Run calls with PERMISSION_DENIED and ErrorInfo while run.googleapis.com is disabled', async () => {
      await h.control.setServiceState('run.googleapis.com', false);
      const err = await h.services.listServices({ parent: PARENT }).then(() => undefined, (e: unknown) => e) as
        { code?: number; reason?: string; domain?: string; errorInfoMetadata?: Record<string, string>; details?: string };
      assert.ok(err, 'listServices should fail');
      assert.equal(err.code, grpc.status.PERMISSION_DENIED);
      assert.equal(err.reason, 'SERVICE_DISABLED');
      assert.equal(err.domain, 'googleapis.com');
      assert.equal(err.errorInfoMetadata?.service, 'run.googleapis.com');
      assert.equal(err.errorInfoMetadata?.activationUrl, `https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=${NUMBER}`);
      assert.match(err.details ?? '', /^Cloud Run Admin API has not been used in project \d+ before or it is disabled/);
      const mapped = toUserFacingError(err, { action: 'list services', project: PROJECT });
      assert.equal(mapped.kind, 'apiDisabled');

      // Enabling it through Service Usage brings Cloud Run back.
      const [op] = await usage.enableService({ name: `projects/${NUMBER}/services/run.googleapis.com` });
      await op.promise();
      const [list] = await h.services.listServices({ parent: PARENT });
      assert.equal(list.length, 3);
    });

    it('gates Secret Manager and Artifact Registry on their own APIs', async () => {
      await h.control.setServiceState('secretmanager.googleapis.com', false);
      await rejectsWith(secrets.getSecret({ name: `projects/${PROJECT}/secrets/gemini-api-key` }), grpc.status.PERMISSION_DENIED, /Secret Manager API has not been used/);
      const [repo] = await registry.getRepository({ name: `${PARENT}/repositories/mentor` });
      assert.equal(repo.format, 'DOCKER');
    });
  });

  describe('Secret Manager', () => {
    it('reads the seeded secrets: names with the project number, latest, payload with CRC32C', async () => {
      const [secret] = await secrets.getSecret({ name: `projects/${PROJECT}/secrets/gemini-api-key` });
      assert.equal(secret.name, `projects/${NUMBER}/secrets/gemini-api-key`);
      const [latest] = await secrets.getSecretVersion({ name: `projects/${PROJECT}/secrets/razorpay-key-secret/versions/latest` });
      assert.equal(latest.name, `projects/${NUMBER}/secrets/razorpay-key-secret/versions/3`);
      assert.equal(latest.state, 'ENABLED');
      const [access] = await secrets.accessSecretVersion({ name: `projects/${NUMBER}/secrets/razorpay-key-id/versions/1` });
      const data = Buffer.from(access.payload?.data as Uint8Array);
      assert.equal(data.toString(), 'rzp_test_fakeKeyId123');
      assert.equal(String(access.payload?.dataCrc32c), String(crc32c(data)));
      const [list] = await secrets.listSecrets({ parent: `projects/${PROJECT}` });
      assert.deepEqual(list.map((s) => s.name?.split('/').pop()), ['firebase-credentials', 'gemini-api-key', 'razorpay-key-id', 'razorpay-key-secret']);
    });

    it('creates a secret, adds versions, disables one and deletes the secret', async () => {
      assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
      await rejectsWith(secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'no-replication', secret: {} }),
        grpc.status.INVALID_ARGUMENT, /replication/);
      const [created] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'db-password', secret: { replication: { automatic: {} } } });
      assert.equal(created.name, `projects/${NUMBER}/secrets/db-password`);
      await rejectsWith(secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'db-password', secret: { replication: { automatic: {} } } }),
        grpc.status.ALREADY_EXISTS, /already exists/);
      await rejectsWith(secrets.getSecretVersion({ name: `${created.name}/versions/latest` }), grpc.status.NOT_FOUND, /not found or has no versions/);
      const [v1] = await secrets.addSecretVersion({ parent: created.name, payload: { data: Buffer.from('hunter2'), dataCrc32c: crc32c(Buffer.from('hunter2')) } });
      const [v2] = await secrets.addSecretVersion({ parent: created.name, payload: { data: Buffer.from('hunter3') } });
      assert.equal(v1.name, `${created.name}/versions/1`);
      assert.equal(v2.name, `${created.name}/versions/2`);
      await rejectsWith(secrets.addSecretVersion({ parent: created.name, payload: { data: Buffer.from('x'), dataCrc32c: 1 } }), grpc.status.INVALID_ARGUMENT, /Checksum/);
      const [latest] = await secrets.accessSecretVersion({ name: `projects/${PROJECT}/secrets/db-password/versions/latest` });
      assert.equal(Buffer.from(latest.payload?.data as Uint8Array).toString(), 'hunter3');
      await secrets.disableSecretVersion({ name: v2.name });
      await rejectsWith(secrets.accessSecretVersion({ name: v2.name }), grpc.status.FAILED_PRECONDITION, /DISABLED state/);
      await rejectsWith(secrets.getSecretVersion({ name: `${created.name}/versions/9` }), grpc.status.NOT_FOUND, /Secret Version .* not found/);
      await secrets.deleteSecret({ name: `projects/${PROJECT}/secrets/db-password` });
      await rejectsWith(secrets.getSecret({ name: created.name }), grpc.status.NOT_FOUND, /not found/);
    });
  });

  describe('Artifact Registry', () => {
    it('gets and lists the demo repository and creates another through an LRO', async () => {
      const [repo] = await registry.getRepository({ name: `${PARENT}/repositories/mentor` });
      assert.equal(repo.name, `${PARENT}/repositories/mentor`);
      assert.equal(repo.format, 'DOCKER');
      assert.equal(repo.registryUri, `us-central1-docker.pkg.dev/${PROJECT}/mentor`);
      await rejectsWith(registry.getRepository({ name: `${PARENT}/repositories/missing` }), grpc.status.NOT_FOUND, /not found/);
      const [op] = await registry.createRepository({ parent: PARENT, repositoryId: 'images', repository: { format: 'DOCKER' } });
      const [created] = await op.promise();
      assert.equal(created.name, `${PARENT}/repositories/images`);
      assert.ok(created.mode === 'STANDARD_REPOSITORY' || created.mode === 1, String(created.mode));
      const [list] = await registry.listRepositories({ parent: PARENT });
      assert.deepEqual(list.map((r) => r.name?.split('/').pop()), ['images', 'mentor']);
      await rejectsWith(registry.createRepository({ parent: PARENT, repositoryId: 'mentor', repository: { format: 'DOCKER' } }), grpc.status.ALREADY_EXISTS, /already exists/);
      await rejectsWith(registry.createRepository({ parent: PARENT, repositoryId: 'Bad_Name', repository: { format: 'DOCKER' } }), grpc.status.INVALID_ARGUMENT, /repository_id/);
    });
  });
});
