// One table of calls through the real Google Node clients, run twice against the same emulator state: over
// gRPC and in the clients' REST mode (google-gax `fallback: 'rest'`, plaintext HTTP to the emulator's REST
// port). Whatever a user of either transport sees must be the same.
import * as assert from 'node:assert/strict';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { LoggingServiceV2Client } from '@google-cloud/logging-api';
import { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { LOCATION, PARENT, PROJECT, clientOptions, serviceBody, serviceName, startHarness, type Harness } from './fixture';

type Transport = 'grpc' | 'rest';

/** How the clients reach the emulator's REST port: gax builds `${protocol}://${apiEndpoint}:${port}/…`. */
function restOptions(port: number) {
  return { apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: 'rest' as const, authClient: new PassThroughClient(), projectId: PROJECT };
}

interface Clients {
  services: ServicesClient;
  revisions: RevisionsClient;
  secrets: SecretManagerServiceClient;
  serviceUsage: ServiceUsageClient;
  logging: LoggingServiceV2Client;
  registry: ArtifactRegistryClient;
}

function makeClients(transport: Transport, h: Harness): Clients {
  const opts = transport === 'grpc' ? clientOptions(h.emulator.port) : restOptions(h.emulator.restPort);
  return {
    services: new ServicesClient(opts),
    revisions: new RevisionsClient(opts),
    secrets: new SecretManagerServiceClient(opts),
    serviceUsage: new ServiceUsageClient(opts),
    logging: new LoggingServiceV2Client(opts),
    registry: new ArtifactRegistryClient(opts),
  };
}

/** A client error: the gRPC code and the message Google's (here: the emulator's) status carried. */
async function rejectsWithCode(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<Record<string, unknown>> {
  let caught: Record<string, unknown> | undefined;
  await assert.rejects(promise, (err: Record<string, unknown>) => {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${String(err.code)}: ${String(err.message)}`);
    assert.match(String(err.message), message);
    caught = err;
    return true;
  });
  return caught as Record<string, unknown>;
}

const SECRET_BYTES = Buffer.from([0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0x00, 0xff, 0xfe, 0x0a, 0xc3, 0xa9]);

interface Case {
  name: string;
  run(c: Clients, h: Harness, transport: Transport): Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'Cloud Run: creates a service (operation polled to done), then gets it',
    async run({ services }) {
      const [op] = await services.createService({ parent: PARENT, serviceId: 'shop', service: serviceBody('nginx:1', { labels: { team: 'web' }, ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY' }) });
      assert.equal(op.done, false);
      assert.match(op.name ?? '', new RegExp(`^${PARENT}/operations/`));
      const [created] = await op.promise();
      assert.equal(created.name, serviceName('shop'));
      const [got] = await services.getService({ name: serviceName('shop') });
      assert.equal(got.generation, '1');
      assert.equal(got.labels?.team, 'web');
      assert.equal(got.ingress, 'INGRESS_TRAFFIC_INTERNAL_ONLY');
      assert.equal(got.template?.containers?.[0]?.image, 'nginx:1');
      assert.equal(got.latestReadyRevision, `${serviceName('shop')}/revisions/shop-00001-${got.latestReadyRevision?.slice(-3)}`);
      assert.ok(Number(got.createTime?.seconds) > 1_700_000_000);
      assert.ok(got.uri?.startsWith('https://shop-'));
    },
  },
  {
    name: 'Cloud Run: lists services page by page (pageSize, pageToken)',
    async run({ services }) {
      const [first, next, raw] = await services.listServices({ parent: PARENT, pageSize: 2 }, { autoPaginate: false });
      assert.equal(first.length, 2);
      assert.ok(raw?.nextPageToken, 'a second page');
      assert.equal(next?.pageToken, raw.nextPageToken);
      const [second, after] = await services.listServices({ parent: PARENT, pageSize: 2, pageToken: raw.nextPageToken ?? '' }, { autoPaginate: false });
      assert.equal(second.length, 1);
      assert.equal(after, null);
      const [all] = await services.listServices({ parent: PARENT });
      assert.deepEqual([...first, ...second].map((s) => s.name), all.map((s) => s.name));
    },
  },
  {
    name: 'Cloud Run: updates only what the update mask names',
    async run({ services }) {
      const [op] = await services.createService({ parent: PARENT, serviceId: 'masked', service: serviceBody('nginx:1', { labels: { team: 'a' }, description: 'kept' }) });
      await op.promise();
      const [update] = await services.updateService({
        service: { name: serviceName('masked'), labels: { team: 'b' }, description: 'ignored', template: { containers: [{ image: 'nginx:2' }] } },
        updateMask: { paths: ['labels', 'template.containers'] },
      });
      await update.promise();
      const [got] = await services.getService({ name: serviceName('masked') });
      assert.equal(got.labels?.team, 'b');
      assert.equal(got.description, 'kept');
      assert.equal(got.template?.containers?.[0]?.image, 'nginx:2');
      assert.equal(got.generation, '2');
    },
  },
  {
    name: 'Cloud Run: a missing service is NOT_FOUND with Google\'s message',
    async run({ services }) {
      await rejectsWithCode(services.getService({ name: serviceName('nope') }), grpc.status.NOT_FOUND,
        /Resource 'nope' of kind 'SERVICE' in region 'us-central1' in project 'mentor-demo' does not exist\./);
    },
  },
  {
    name: 'Cloud Run: sets and gets the IAM policy; tests permissions',
    async run({ services }) {
      const resource = serviceName('payments-api');
      const [set] = await services.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
      assert.ok(set.etag && Buffer.from(set.etag).length > 0, 'an etag');
      const [got] = await services.getIamPolicy({ resource });
      assert.deepEqual(got.bindings?.map((b) => [b.role, b.members]), [['roles/run.invoker', ['allUsers']]]);
      assert.deepEqual(Buffer.from(got.etag ?? ''), Buffer.from(set.etag));
      const [tested] = await services.testIamPermissions({ resource, permissions: ['run.services.get', 'run.routes.invoke'] });
      assert.ok(tested.permissions?.includes('run.services.get'));
    },
  },
  {
    name: 'Cloud Run: lists a service\'s revisions, newest first, and gets one',
    async run({ services, revisions }) {
      const [service] = await services.getService({ name: serviceName('payments-api') });
      const [list] = await revisions.listRevisions({ parent: serviceName('payments-api') });
      assert.ok(list.length >= 2, `revisions: ${list.length}`);
      assert.equal(list[0].name, service.latestCreatedRevision);
      const [one] = await revisions.getRevision({ name: list[1].name ?? '' });
      assert.equal(one.name, list[1].name);
    },
  },
  {
    name: 'Secret Manager: creates a secret, adds a version, accesses the same bytes',
    async run({ secrets }) {
      const [secret] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'transport-key', secret: { replication: { automatic: {} } } });
      assert.match(secret.name ?? '', /^projects\/\d+\/secrets\/transport-key$/);
      const [version] = await secrets.addSecretVersion({ parent: secret.name, payload: { data: SECRET_BYTES } });
      assert.equal(version.state, 'ENABLED');
      const [accessed] = await secrets.accessSecretVersion({ name: `${secret.name}/versions/latest` });
      assert.equal(accessed.name, version.name);
      assert.deepEqual(Buffer.from(accessed.payload?.data ?? ''), SECRET_BYTES);
    },
  },
  {
    name: 'Secret Manager: a disabled API is PERMISSION_DENIED with the SERVICE_DISABLED ErrorInfo',
    async run({ secrets }, h) {
      await h.control.setServiceState('secretmanager.googleapis.com', false);
      const err = await rejectsWithCode(secrets.getSecret({ name: `projects/${PROJECT}/secrets/gemini-api-key` }), grpc.status.PERMISSION_DENIED,
        /Secret Manager API has not been used in project \d+ before or it is disabled/);
      assert.equal(err.reason, 'SERVICE_DISABLED');
      assert.equal(err.domain, 'googleapis.com');
      assert.equal((err.errorInfoMetadata as Record<string, string>).service, 'secretmanager.googleapis.com');
    },
  },
  {
    name: 'Service Usage: gets an API\'s state and enables it (operation polled to done)',
    async run({ serviceUsage }, h) {
      const name = `projects/${PROJECT}/services/pubsub.googleapis.com`;
      await h.control.setServiceState('pubsub.googleapis.com', false);
      const [before] = await serviceUsage.getService({ name });
      assert.equal(before.state, 'DISABLED');
      assert.equal(before.config?.title, 'Cloud Pub/Sub API');
      const [op] = await serviceUsage.enableService({ name });
      assert.match(op.name ?? '', /^operations\//);
      await op.promise();
      const [after] = await serviceUsage.getService({ name });
      assert.equal(after.state, 'ENABLED');
    },
  },
  {
    name: 'Logging: writes entries and lists them back with a filter',
    async run({ logging }, _h, transport) {
      const logName = `projects/${PROJECT}/logs/transport-${transport}`;
      const resource = { type: 'cloud_run_revision', labels: { service_name: 'api', location: LOCATION } };
      await logging.writeLogEntries({
        logName, resource,
        entries: [
          { severity: 'INFO', textPayload: 'all good' },
          { severity: 'ERROR', jsonPayload: { fields: { message: { stringValue: 'boom' }, attempt: { numberValue: 3 } } }, labels: { instanceId: 'i-1' } },
          { severity: 'WARNING', textPayload: 'slow', timestamp: { seconds: 1_900_000_000, nanos: 5000 } },
        ],
      });
      const [entries] = await logging.listLogEntries({ resourceNames: [`projects/${PROJECT}`], filter: `logName="${logName}" AND severity>=WARNING`, orderBy: 'timestamp asc' });
      assert.deepEqual(entries.map((e) => e.severity), ['ERROR', 'WARNING']);
      assert.equal(entries[0].jsonPayload?.fields?.message?.stringValue, 'boom');
      assert.equal(entries[0].jsonPayload?.fields?.attempt?.numberValue, 3);
      assert.equal(entries[0].labels?.instanceId, 'i-1');
      assert.equal(entries[1].textPayload, 'slow');
      assert.equal(String(entries[1].timestamp?.seconds), '1900000000');
      assert.equal(entries[1].timestamp?.nanos, 5000);
      assert.ok(entries.every((e) => e.insertId), 'insert ids');
    },
  },
  {
    name: 'Artifact Registry: lists repositories and gets one',
    async run({ registry }) {
      const [repos] = await registry.listRepositories({ parent: PARENT });
      const mentor = repos.find((r) => r.name === `${PARENT}/repositories/mentor`);
      assert.ok(mentor, `repositories: ${repos.map((r) => r.name).join(', ')}`);
      const [got] = await registry.getRepository({ name: `${PARENT}/repositories/mentor` });
      assert.equal(got.format, 'DOCKER');
      await rejectsWithCode(registry.getRepository({ name: `${PARENT}/repositories/none` }), grpc.status.NOT_FOUND, /Requested entity was not found\./);
    },
  },
  {
    name: 'Both transports share the call counts and the injected faults',
    async run({ services }, h) {
      await h.control.getStats({ reset: true });
      const method = 'google.cloud.run.v2.Services/GetService';
      await h.control.injectFault({ method, code: grpc.status.FAILED_PRECONDITION, message: 'Injected for the transport test.' });
      await rejectsWithCode(services.getService({ name: serviceName('payments-api') }), grpc.status.FAILED_PRECONDITION, /Injected for the transport test\./);
      await services.getService({ name: serviceName('payments-api') });
      assert.equal((await h.control.getStats())[method], 2);
    },
  },
];

for (const transport of ['grpc', 'rest'] as const) {
  describe(`emulator: the Google clients over ${transport === 'grpc' ? 'gRPC' : 'REST (fallback: rest)'}`, () => {
    let h: Harness;
    let clients: Clients;
    before(async () => {
      h = await startHarness({ seed: 'demo' });
      clients = makeClients(transport, h);
    });
    after(async () => {
      if (clients) await Promise.all(Object.values(clients).map((c: { close(): Promise<void> }) => c.close()));
      await h?.close();
    });
    beforeEach(async () => { await h.control.reset('demo'); });

    for (const c of CASES) it(c.name, () => c.run(clients, h, transport));
  });
}
