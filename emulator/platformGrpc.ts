// The gRPC methods of Service Usage, Secret Manager, Artifact Registry, Resource Manager and Cloud Billing,
// Cloud Build v1/v2, and which Google API gates each emulated service (a call to a disabled API answers SERVICE_DISABLED).
// Resource Manager and Billing are never gated: Google checks them against the caller's quota project,
// not the project a request names (which may not exist yet, or have nothing enabled).
import type { grpc } from 'google-gax';
import type { ArtifactRegistryBackend } from './artifactRegistryBackend';
import type { BillingBackend } from './billingBackend';
import type { CloudBuildBackend } from './cloudBuildBackend';
import type { CloudBuildConnections } from './cloudBuildConnections';
import type { CloudBuildTriggers } from './cloudBuildTriggers';
import { alertingRegistrations, type Alerting } from './monitoringAlertService';
import type { LoadedProtos } from './protos';
import type { ResourceManagerBackend } from './resourceManagerBackend';
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
  /** Optional so a test can build the transports around only the backends it needs. */
  resourceManager?: ResourceManagerBackend;
  billing?: BillingBackend;
  cloudBuild?: CloudBuildApis;
  /** Cloud Monitoring alert policies and notification channels. */
  alerting?: Alerting;
}

/** Cloud Build v1 (builds, triggers) and v2 (connections, repositories). */
export interface CloudBuildApis {
  builds: CloudBuildBackend;
  triggers: CloudBuildTriggers;
  connections: CloudBuildConnections;
}

export const CLOUD_BUILD_API = 'cloudbuild.googleapis.com';

export const RUN_API = 'run.googleapis.com';
export const LOGGING_API = 'logging.googleapis.com';

export function platformRegistrations(protos: LoadedProtos, b: PlatformBackends): Registration[] {
  const { serviceUsage: su, secretManager: sm, artifactRegistry: ar, resourceManager: rm, billing } = b;
  const registrations: Registration[] = [
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
        GetIamPolicy: (req: never) => sm.getIamPolicy(req),
        SetIamPolicy: (req: never) => sm.setIamPolicy(req),
        TestIamPermissions: (req: never) => sm.testIamPermissions(req),
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
  if (rm) {
    registrations.push({
      definition: protos.resourceManager,
      impls: {
        SearchProjects: (req: never) => rm.searchProjects(req),
        GetProject: (req: never) => rm.getProject(req),
        CreateProject: (req: never) => rm.createProject(req),
        GetIamPolicy: (req: never) => rm.getIamPolicy(req),
        SetIamPolicy: (req: never) => rm.setIamPolicy(req),
        TestIamPermissions: (req: never) => rm.testIamPermissions(req),
      },
    });
  }
  if (b.cloudBuild) registrations.push(...cloudBuildRegistrations(protos, b.cloudBuild));
  if (b.alerting) registrations.push(...alertingRegistrations(protos, b.alerting));
  if (billing) {
    registrations.push({
      definition: protos.billing,
      impls: {
        ListBillingAccounts: (req: never) => billing.listBillingAccounts(req),
        GetBillingAccount: (req: never) => billing.getBillingAccount(req),
        GetProjectBillingInfo: (req: never) => billing.getProjectBillingInfo(req),
        UpdateProjectBillingInfo: (req: never) => billing.updateProjectBillingInfo(req),
        ListProjectBillingInfo: (req: never) => billing.listProjectBillingInfo(req),
      },
    });
  }
  return registrations;
}

function cloudBuildRegistrations(protos: LoadedProtos, { builds, triggers, connections }: CloudBuildApis): Registration[] {
  return [
    {
      definition: protos.cloudBuild,
      api: CLOUD_BUILD_API,
      impls: {
        CreateBuild: (req: never) => builds.createBuild(req),
        GetBuild: (req: never) => builds.getBuild(req),
        ListBuilds: (req: never) => builds.listBuilds(req),
        CancelBuild: (req: never) => builds.cancelBuild(req),
        RetryBuild: (req: never) => builds.retryBuild(req),
        CreateBuildTrigger: (req: never) => triggers.createBuildTrigger(req),
        GetBuildTrigger: (req: never) => triggers.getBuildTrigger(req),
        ListBuildTriggers: (req: never) => triggers.listBuildTriggers(req),
        UpdateBuildTrigger: (req: never) => triggers.updateBuildTrigger(req),
        DeleteBuildTrigger: (req: never) => triggers.deleteBuildTrigger(req),
        RunBuildTrigger: (req: never) => triggers.runBuildTrigger(req),
      },
    },
    {
      definition: protos.repositoryManager,
      api: CLOUD_BUILD_API,
      impls: {
        CreateConnection: (req: never) => connections.createConnection(req),
        GetConnection: (req: never) => connections.getConnection(req),
        ListConnections: (req: never) => connections.listConnections(req),
        UpdateConnection: (req: never) => connections.updateConnection(req),
        DeleteConnection: (req: never) => connections.deleteConnection(req),
        CreateRepository: (req: never) => connections.createRepository(req),
        GetRepository: (req: never) => connections.getRepository(req),
        ListRepositories: (req: never) => connections.listRepositories(req),
        DeleteRepository: (req: never) => connections.deleteRepository(req),
        FetchLinkableRepositories: (req: never) => connections.fetchLinkableRepositories(req),
        FetchReadToken: (req: never) => connections.fetchReadToken(req),
      },
    },
  ];
}
