// What the setup wizard's steps share: the answers gathered so far and the Google calls behind SetupApi.
// No vscode import: the steps run (and are unit-tested) without VS Code.
import { describeAppRole, type AppRole } from '../core/appRoles';
import { SetupApi } from '../gcp/setupApi';

export type StepId = 'signIn' | 'project' | 'billing' | 'apis' | 'repository' | 'serviceAccount' | 'permissions' | 'secrets';

/** The non-secret answers; what the wizard writes to .vscode/settings.json at the end. */
export interface SetupAnswers {
  project?: string;
  /** Set when the user asked for a new project: the project step creates it. */
  newProject?: { projectId: string; displayName: string };
  /** The billing account the user picked to link, "billingAccounts/…". */
  billingAccount?: string;
  region: string;
  service: string;
  repository: string;
  /** The runtime service account's ID (the part before "@"). */
  serviceAccountId: string;
  /** Env var → "secret-id:version" (always a pinned version). */
  secrets: Record<string, string>;
  /** Env vars the user said are not secrets. */
  notSecrets: string[];
}

export interface SetupContext {
  readonly api: SetupApi;
  readonly answers: SetupAnswers;
  /** "host:port" when talking to an emulator. */
  readonly emulator?: string;
  /** Env vars the app reads (core/appEnvVars). */
  readonly appEnvVars: readonly string[];
  /** Roles for the Google services the app calls itself (core/appRoles); granted to the runtime account. */
  readonly appRoles?: readonly AppRole[];
  /** Waits between retries; tests pass one that does not wait. */
  sleep(ms: number): Promise<void>;
  /** A line of progress for the step that is running ("Enabling 3 APIs…"). */
  progress(note: string): void;
  /** Set once the APIs step enabled something: the next calls may see a transient PERMISSION_DENIED. */
  apisJustEnabled: boolean;
}

/** What a check found. `missing` is fixed by the step's create(); `needsAction` needs the user (a choice, a role). */
export type CheckResult =
  | { status: 'done'; summary: string }
  | { status: 'missing'; summary: string; willCreate: string }
  | { status: 'needsAction'; summary: string; fix: string };

/** A step of the wizard; other flows on the same machinery (src/cicd) pass their own context and ids. */
export interface SetupStep<C extends SetupContext = SetupContext, Id extends string = StepId> {
  readonly id: Id;
  readonly title: string;
  check(ctx: C): Promise<CheckResult>;
  /**
   * Creates what check() found missing. Must be safe to run again (a re-run resumes, never duplicates).
   * Resolves false when the user chose to change nothing (kept their file, skipped an optional part).
   */
  create?(ctx: C): Promise<void | false>;
  /** The equivalent gcloud command, for people who prefer (or must use) a terminal. */
  gcloud(ctx: C): string;
}

export const REQUIRED_APIS = [
  'run.googleapis.com',
  'artifactregistry.googleapis.com',
  'cloudbuild.googleapis.com',
  'secretmanager.googleapis.com',
  'iam.googleapis.com',
] as const;

/** What any Cloud Run service needs to write its logs and metrics; secret access is granted per secret. */
export const RUNTIME_ROLES = ['roles/logging.logWriter', 'roles/monitoring.metricWriter'] as const;

/** The runtime account's project roles: RUNTIME_ROLES and those the app's own Google calls need. */
export function runtimeRoles(ctx: Pick<SetupContext, 'appRoles'>): string[] {
  return [...new Set([...RUNTIME_ROLES, ...(ctx.appRoles ?? []).map((r) => r.role)])];
}

/** The roles as a plan line names them: why each app role is there. */
export function runtimeRolesText(ctx: Pick<SetupContext, 'appRoles'>): string {
  return [...RUNTIME_ROLES, ...(ctx.appRoles ?? []).filter((r) => !(RUNTIME_ROLES as readonly string[]).includes(r.role)).map(describeAppRole)].join(', ');
}

export const SECRET_ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';

export function serviceAccountEmail(answers: Pick<SetupAnswers, 'serviceAccountId' | 'project'>): string {
  return `${answers.serviceAccountId}@${answers.project ?? 'PROJECT'}.iam.gserviceaccount.com`;
}

/** Service account IDs: 6–30 characters, a lowercase letter first, letters, digits and hyphens, no trailing hyphen. */
export function suggestServiceAccountId(service: string): string {
  let id = `${service.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '')}`.slice(0, 26).replace(/-+$/, '');
  if (!id) id = 'app';
  return `${id}-run`.replace(/--+/g, '-');
}

export function projectOf(ctx: SetupContext): string {
  const project = ctx.answers.project;
  if (!project) throw new Error('Choose a project first.');
  return project;
}
