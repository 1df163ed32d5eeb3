// What "Set Up Continuous Deployment" asks of Google Cloud beyond the setup wizard's SetupApi: Cloud Build's
// 2nd-gen GitHub connection and repository link (v2 RepositoryManager), the push trigger (v1, location-scoped),
// a service account's own IAM policy (the build account may act as the runtime account), and the
// `cloud-builds` Pub/Sub topic. The steps in src/cicd are written against this interface (unit-tested with a
// fake); cicdSetupClient.ts implements it with the official clients, each loaded on first use.
import { MentorTarget } from '../core/settings';
import { IamPolicy } from './setupApi';

/** InstallationState.Stage of a v2 connection, as a name. */
export type ConnectionStage = 'STAGE_UNSPECIFIED' | 'PENDING_CREATE_APP' | 'PENDING_USER_OAUTH' | 'PENDING_INSTALL_APP' | 'COMPLETE';

export interface CicdConnection {
  /** projects/P/locations/L/connections/ID */
  name: string;
  /** A connection to github.com (githubConfig); other providers are listed but not used. */
  github: boolean;
  stage: ConnectionStage;
  /** What the user should do next, in Cloud Build's words; empty once COMPLETE. */
  message: string;
  /** Where the user does it (the OAuth page, then the app's install page); empty once COMPLETE. */
  actionUri: string;
  disabled: boolean;
}

export interface CicdRepository {
  /** projects/P/locations/L/connections/C/repositories/R */
  name: string;
  /** The clone URI the repository was linked with. */
  remoteUri: string;
}

/** The parts of a v1 BuildTrigger that Mentor sets (and compares on a re-run). */
export interface TriggerSpec {
  /** User-assigned, unique in the project: 1–64 letters, digits and dashes. */
  name: string;
  description: string;
  /** The v2 repository (repositoryEventConfig.repository). */
  repository: string;
  /** The push filter's branch regex, e.g. "^main$". */
  branch: string;
  filename: string;
  /** projects/P/serviceAccounts/EMAIL */
  serviceAccount: string;
  substitutions: Record<string, string>;
  tags: string[];
}

export interface TriggerInfo extends TriggerSpec {
  /** The server-assigned ID. */
  id: string;
  /** projects/P/locations/L/triggers/ID */
  resourceName: string;
  disabled: boolean;
}

export interface CicdSetupApi {
  listConnections(projectId: string, location: string): Promise<CicdConnection[]>;
  /** undefined when it does not exist. */
  getConnection(name: string): Promise<CicdConnection | undefined>;
  /** CreateConnection with githubConfig, waiting for its operation; the result is usually PENDING_USER_OAUTH. */
  createConnection(projectId: string, location: string, connectionId: string): Promise<CicdConnection>;
  listRepositories(connectionName: string): Promise<CicdRepository[]>;
  createRepository(connectionName: string, repositoryId: string, remoteUri: string): Promise<CicdRepository>;
  listTriggers(projectId: string, location: string): Promise<TriggerInfo[]>;
  createTrigger(projectId: string, location: string, spec: TriggerSpec): Promise<TriggerInfo>;
  /** Replaces the trigger's Mentor-managed fields with `spec`. */
  updateTrigger(resourceName: string, spec: TriggerSpec): Promise<TriggerInfo>;
  /** The service account's own policy (who may act as it), not the project's. */
  getServiceAccountIamPolicy(projectId: string, email: string): Promise<IamPolicy>;
  setServiceAccountIamPolicy(projectId: string, email: string, policy: IamPolicy): Promise<IamPolicy>;
  /** The subset of `permissions` the caller has on the service account. */
  testServiceAccountPermissions(projectId: string, email: string, permissions: readonly string[]): Promise<string[]>;
  topicExists(projectId: string, topicId: string): Promise<boolean>;
  /** Creates the topic; one that exists already is fine. */
  createTopic(projectId: string, topicId: string): Promise<void>;
  close(): Promise<void>;
}

/** `pubsubHost`: "host:port" of a Pub/Sub emulator (PUBSUB_EMULATOR_HOST), else Google's pubsub.googleapis.com. */
export async function connectCicdSetupApi(target: MentorTarget, pubsubHost?: string): Promise<CicdSetupApi> {
  const { GoogleCicdSetupApi } = await import('./cicdSetupClient');
  return GoogleCicdSetupApi.connect(target, pubsubHost);
}
