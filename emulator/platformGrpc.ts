// The gRPC methods of Service Usage, Secret Manager and Artifact Registry, and which Google API gates
// each emulated service (a call to a disabled API answers SERVICE_DISABLED).
import type { grpc } from 'google-gax';
import type { ArtifactRegistryBackend } from './artifactRegistryBackend';
import type { LoadedProtos } from './protos';
import type { SecretManagerBackend } from './secretManagerBackend';
import type { ServiceUsageBackend } from './serviceUsageBackend';

export type UnaryImpl = (request: never) => unknown;

export interface Registration {
  definition: grpc.ServiceDefinition;
  impls: Record<string, UnaryImpl>;
  /** The API that must be enabled in the request's project; undefined = never gated. */
  api?: string;
}

export interface PlatformBackends {
  serviceUsage: ServiceUsageBackend;
  secretManager: SecretManagerBackend;
  artifactRegistry: ArtifactRegistryBackend;
}

export const RUN_API = 'run.googleapis.com';
export const LOGGING_API = 'logging.googleapis.com';

export function platformRegistrations(protos: LoadedProtos, b: PlatformBackends): Registration[] {
  const { serviceUsage: su, secretManager: sm, artifactRegistry: ar } = b;
  return [
    {
      definition: protos.serviceUsage,
      impls: {
        ListServices: (req: never) => su.listServices(req),
        GetService: (req: never) => su.getService(req),
        BatchGetServices: (req: never) => su.batchGetServices(req),
        EnableService: (req: never) => su.enableService(req),
        DisableService: (req: never) => su.disableService(req),
        BatchEnableServices: (req: never) => su.batchEnableServices(req),
      },
    },
    {
      definition: protos.secretManager,
      api: 'secretmanager.googleapis.com',
      impls: {
        CreateSecret: (req: never) => sm.createSecret(req),
        GetSecret: (req: never) => sm.getSecret(req),
        ListSecrets: (req: never) => sm.listSecrets(req),
        DeleteSecret: (req: never) => sm.deleteSecret(req),
        AddSecretVersion: (req: never) => sm.addSecretVersion(req),
        GetSecretVersion: (req: never) => sm.getSecretVersion(req),
        ListSecretVersions: (req: never) => sm.listSecretVersions(req),
        AccessSecretVersion: (req: never) => sm.accessSecretVersion(req),
        EnableSecretVersion: (req: never) => sm.enableSecretVersion(req),
        DisableSecretVersion: (req: never) => sm.disableSecretVersion(req),
        DestroySecretVersion: (req: never) => sm.destroySecretVersion(req),
      },
    },
    {
      definition: protos.artifactRegistry,
      api: 'artifactregistry.googleapis.com',
      impls: {
        GetRepository: (req: never) => ar.getRepository(req),
        ListRepositories: (req: never) => ar.listRepositories(req),
        CreateRepository: (req: never) => ar.createRepository(req),
      },
    },
  ];
}
