// Loads the Google APIs from the .proto files the real client packages ship, so the emulator speaks
// exactly the wire format the clients expect, plus the emulator's own control service. Cloud Run Admin v2,
// Operations and Logging come first; Service Usage, Secret Manager and Artifact Registry serve the
// deploy preflight; Resource Manager and Cloud Billing the setup wizard;
// Cloud Build v1/v2 continuous deployment; Cloud Monitoring v3 the metrics panel and alerts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { grpc } from 'google-gax';

/**
 * How decoded requests look inside the emulator, and what the emulator hands back for encoding:
 * camelCase fields, enum names, int64 as decimal strings, bytes as base64, always-present arrays/maps,
 * no oneof virtual fields. Timestamps/Durations stay plain `{seconds, nanos}` messages (protobufjs has no
 * wrapper for them), which is also what the clients decode on their side.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  arrays: true,
  objects: true,
  oneofs: false,
};

function packageRoot(pkg: string, from?: string): string {
  const main = require.resolve(pkg, from ? { paths: [from] } : undefined);
  // Every Google package here has main = build/src/index.js and protos in build/protos.
  return path.join(path.dirname(main), '..', 'protos');
}

function controlProtoDir(): string {
  // Compiled code runs from out/emulator; the .proto stays in the source tree (emulator/protos).
  const candidates = [
    path.join(__dirname, 'protos'),
    path.join(__dirname, '..', '..', 'emulator', 'protos'),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'control.proto')));
  if (!found) throw new Error(`control.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function protoIncludeDirs(): string[] {
  const loggingMain = path.dirname(require.resolve('@google-cloud/logging'));
  return [
    packageRoot('@google-cloud/run'),
    packageRoot('@google-cloud/logging-api', loggingMain),
    packageRoot('google-gax'),
    controlProtoDir(),
    packageRoot('@google-cloud/secret-manager'),
    packageRoot('@google-cloud/artifact-registry'),
    packageRoot('@google-cloud/service-usage'),
    packageRoot('@google-cloud/resource-manager'),
    packageRoot('@google-cloud/billing'),
    packageRoot('@google-cloud/cloudbuild'),
    packageRoot('@google-cloud/monitoring'),
  ];
}

export const SERVICE_TYPE_URL = 'type.googleapis.com/google.cloud.run.v2.Service';
export const REVISION_TYPE_URL = 'type.googleapis.com/google.cloud.run.v2.Revision';

export interface AnyMessage {
  /** Snake case even with keepCase:false: protobufjs' built-in google.protobuf.Any keeps its proto names. */
  type_url: string;
  /** base64, as decoded with PROTO_LOADER_OPTIONS; Buffers are accepted on encode too. */
  value: string;
}

export interface LoadedProtos {
  services: grpc.ServiceDefinition;
  revisions: grpc.ServiceDefinition;
  operations: grpc.ServiceDefinition;
  logging: grpc.ServiceDefinition;
  control: grpc.ServiceDefinition;
  serviceUsage: grpc.ServiceDefinition;
  secretManager: grpc.ServiceDefinition;
  artifactRegistry: grpc.ServiceDefinition;
  resourceManager: grpc.ServiceDefinition;
  billing: grpc.ServiceDefinition;
  /** Cloud Build v1 (builds, triggers) and v2 (connections, repositories). */
  cloudBuild: grpc.ServiceDefinition;
  repositoryManager: grpc.ServiceDefinition;
  /** Cloud Monitoring v3 alerting (monitoringAlert*.ts, monitoringChannels*.ts). */
  alertPolicies: grpc.ServiceDefinition;
  notificationChannels: grpc.ServiceDefinition;
  /** Cloud Monitoring v3 MetricService (time series, metric and resource descriptors). */
  metricService: grpc.ServiceDefinition;
  /** Packs any message of the loaded protos, e.g. pack('google.rpc.ErrorInfo', {...}). */
  pack(typeName: string, message: object): AnyMessage;
  /** Encodes a message (e.g. google.rpc.Status for grpc-status-details-bin). */
  serialize(typeName: string, message: object): Buffer;
  /** Packs a Service/Revision object into google.protobuf.Any the way the real API does for LROs. */
  packService(service: object): AnyMessage;
  packRevision(revision: object): AnyMessage;
  packageDefinition: protoLoader.PackageDefinition;
}

/** The Google API files the emulator serves (and whose messages it packs); the REST transcoder loads the same. */
export const GOOGLE_PROTO_FILES: readonly string[] = [
  'google/cloud/run/v2/service.proto',
  'google/cloud/run/v2/revision.proto',
  'google/longrunning/operations.proto',
  'google/logging/v2/logging.proto',
  'google/api/serviceusage/v1/serviceusage.proto',
  'google/cloud/secretmanager/v1/service.proto',
  'google/devtools/artifactregistry/v1/service.proto',
  'google/cloud/resourcemanager/v3/projects.proto',
  'google/cloud/billing/v1/cloud_billing.proto',
  'google/devtools/cloudbuild/v1/cloudbuild.proto',
  'google/devtools/cloudbuild/v2/repositories.proto',
  'google/monitoring/v3/alert_service.proto',
  'google/monitoring/v3/notification_service.proto',
  'google/monitoring/v3/metric_service.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
];

let cached: LoadedProtos | undefined;

export function loadProtos(): LoadedProtos {
  if (cached) return cached;
  const packageDefinition = protoLoader.loadSync(
    [...GOOGLE_PROTO_FILES, 'control.proto'],
    { ...PROTO_LOADER_OPTIONS, includeDirs: protoIncludeDirs() },
  );
  const service = (name: string) => packageDefinition[name] as grpc.ServiceDefinition;
  const message = (name: string) => packageDefinition[name] as protoLoader.MessageTypeDefinition<object, object>;
  const serialize = (typeName: string, m: object): Buffer => {
    const type = message(typeName);
    if (!type?.serialize) throw new Error(`Unknown message type ${typeName}`);
    return type.serialize(m);
  };
  const pack = (typeName: string, m: object): AnyMessage =>
    ({ type_url: `type.googleapis.com/${typeName}`, value: serialize(typeName, m).toString('base64') });
  cached = {
    services: service('google.cloud.run.v2.Services'),
    revisions: service('google.cloud.run.v2.Revisions'),
    operations: service('google.longrunning.Operations'),
    logging: service('google.logging.v2.LoggingServiceV2'),
    control: service('mentor.emulator.v1.Control'),
    serviceUsage: service('google.api.serviceusage.v1.ServiceUsage'),
    secretManager: service('google.cloud.secretmanager.v1.SecretManagerService'),
    artifactRegistry: service('google.devtools.artifactregistry.v1.ArtifactRegistry'),
    resourceManager: service('google.cloud.resourcemanager.v3.Projects'),
    billing: service('google.cloud.billing.v1.CloudBilling'),
    cloudBuild: service('google.devtools.cloudbuild.v1.CloudBuild'),
    repositoryManager: service('google.devtools.cloudbuild.v2.RepositoryManager'),
    alertPolicies: service('google.monitoring.v3.AlertPolicyService'),
    notificationChannels: service('google.monitoring.v3.NotificationChannelService'),
    metricService: service('google.monitoring.v3.MetricService'),
    pack,
    serialize,
    packService: (s) => pack('google.cloud.run.v2.Service', s),
    packRevision: (r) => pack('google.cloud.run.v2.Revision', r),
    packageDefinition,
  };
  return cached;
}

let controlOnly: grpc.ServiceDefinition | undefined;

/** Just the Control service, without the large Google protos: what the control client needs. */
export function loadControlService(): grpc.ServiceDefinition {
  controlOnly ??= protoLoader.loadSync('control.proto', { ...PROTO_LOADER_OPTIONS, includeDirs: [controlProtoDir()] })[
    'mentor.emulator.v1.Control'
  ] as grpc.ServiceDefinition;
  return controlOnly;
}
