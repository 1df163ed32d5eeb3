// What the first-time setup wizard asks of Google Cloud, and nothing more: the wizard's steps are written
// against this interface (and unit-tested with a fake of it); setupClient.ts implements it with the official
// clients, each family loaded on first use. Secret values pass through addSecretVersion only.
import { MentorTarget } from '../core/settings';

export interface ProjectInfo {
  projectId: string;
  displayName: string;
  /** "ACTIVE", "DELETE_REQUESTED", … */
  state: string;
}

export interface ProjectPage {
  projects: ProjectInfo[];
  nextPageToken?: string;
}

export interface BillingAccountInfo {
  /** "billingAccounts/0X0X0X-0X0X0X-0X0X0X" */
  name: string;
  displayName: string;
  open: boolean;
}

export interface ProjectBilling {
  /** Empty when no account is linked. */
  billingAccountName?: string;
  billingEnabled: boolean;
}

export interface IamBinding {
  role: string;
  members: string[];
  /** A conditional grant; kept as read so a set never drops it. */
  condition?: { expression?: string; title?: string; description?: string };
}

/** An IAM policy as read; `etag` (base64) goes back unchanged so a concurrent change is refused, not overwritten. */
export interface IamPolicy {
  version?: number;
  etag?: string;
  bindings: IamBinding[];
}

export interface ServiceAccountInfo {
  email: string;
  displayName?: string;
}

export interface SignInStatus {
  signedIn: boolean;
  /** The signed-in principal when the credentials name it (service account keys do; user ADC does not without a network call). */
  account?: string;
  quotaProject?: string;
  /** Why sign-in is not usable, in the user's terms. */
  problem?: string;
  /** "host:port" when Mentor talks to an emulator: no credentials needed. */
  emulator?: string;
}

export interface SetupApi {
  signIn(): Promise<SignInStatus>;
  /** Projects the caller can see whose ID or name starts with `query` (all when empty), one page at a time. */
  searchProjects(query: string, pageToken?: string): Promise<ProjectPage>;
  /** undefined when the project does not exist or the caller cannot see it. */
  getProject(projectId: string): Promise<ProjectInfo | undefined>;
  /** Creates the project and waits for the operation. */
  createProject(projectId: string, displayName: string): Promise<ProjectInfo>;
  getProjectBilling(projectId: string): Promise<ProjectBilling>;
  listBillingAccounts(): Promise<BillingAccountInfo[]>;
  linkBilling(projectId: string, billingAccountName: string): Promise<ProjectBilling>;
  /** Which of `services` ("run.googleapis.com", …) are enabled. */
  enabledServices(projectId: string, services: readonly string[]): Promise<Set<string>>;
  /** One batch enable, waiting for its operation. */
  enableServices(projectId: string, services: readonly string[]): Promise<void>;
  /** The repository's format ("DOCKER", …), or undefined when it does not exist. */
  repositoryFormat(projectId: string, location: string, repositoryId: string): Promise<string | undefined>;
  createDockerRepository(projectId: string, location: string, repositoryId: string): Promise<void>;
  getServiceAccount(projectId: string, email: string): Promise<ServiceAccountInfo | undefined>;
  createServiceAccount(projectId: string, accountId: string, displayName: string): Promise<ServiceAccountInfo>;
  getProjectIamPolicy(projectId: string): Promise<IamPolicy>;
  setProjectIamPolicy(projectId: string, policy: IamPolicy): Promise<IamPolicy>;
  /** The subset of `permissions` the caller has on the project. */
  testProjectPermissions(projectId: string, permissions: readonly string[]): Promise<string[]>;
  secretExists(projectId: string, secretId: string): Promise<boolean>;
  createSecret(projectId: string, secretId: string): Promise<void>;
  /** Adds a version holding `value` and returns its number ("1", "2", …). The value is never logged or kept. */
  addSecretVersion(projectId: string, secretId: string, value: Uint8Array): Promise<string>;
  getSecretIamPolicy(projectId: string, secretId: string): Promise<IamPolicy>;
  setSecretIamPolicy(projectId: string, secretId: string, policy: IamPolicy): Promise<IamPolicy>;
  close(): Promise<void>;
}

export async function connectSetupApi(target: MentorTarget): Promise<SetupApi> {
  const { GoogleSetupApi } = await import('./setupClient');
  return GoogleSetupApi.connect(target);
}
