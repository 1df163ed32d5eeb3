// Who may do what: the permissions of the predefined roles the emulator's APIs care about, policies with
// AIP-154 style etags (a read-modify-write with a stale etag is ABORTED, as the IAM API answers concurrent
// changes), and the access checks behind TestIamPermissions, SearchProjects and Cloud Run's secret check.
// Only the project level and the resource's own policy exist: no organizations or folders.
import { randomBytes } from 'node:crypto';
import { aborted, invalidArgument } from './apiError';
import type { IamPolicy } from './apiTypes';
import { validatedPolicy } from './iamPolicies';
import type { EmulatorData } from './stateStore';

/** The emulator's caller when nothing else is configured: the developer who owns the demo projects. */
export const DEFAULT_CALLER = 'user:developer@example.com';

/**
 * Permissions per role: exact names, or a trailing "*" for a prefix. Owner has all; Editor all but changing
 * IAM; Viewer reads (never secret payloads). Taken from Google's roles reference; unknown roles grant nothing.
 */
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': ['*'],
  'roles/editor': ['*'],
  'roles/viewer': ['*.get', '*.list', '*.getIamPolicy'],
  'roles/resourcemanager.projectIamAdmin': ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'],
  'roles/secretmanager.admin': ['secretmanager.*', 'resourcemanager.projects.get', 'resourcemanager.projects.list'],
  'roles/secretmanager.secretAccessor': ['secretmanager.versions.access', 'resourcemanager.projects.get', 'resourcemanager.projects.list'],
  'roles/secretmanager.viewer': [
    'secretmanager.locations.*', 'secretmanager.secrets.get', 'secretmanager.secrets.getIamPolicy', 'secretmanager.secrets.list',
    'secretmanager.versions.get', 'secretmanager.versions.list', 'resourcemanager.projects.get', 'resourcemanager.projects.list',
  ],
  'roles/run.admin': ['run.*', 'resourcemanager.projects.get', 'resourcemanager.projects.list'],
  'roles/run.developer': ['run.*.get', 'run.*.list', 'run.*.create', 'run.*.update', 'run.*.delete', 'run.services.getIamPolicy', 'resourcemanager.projects.get'],
  'roles/run.invoker': ['run.routes.invoke', 'run.jobs.run'],
  'roles/iam.serviceAccountUser': ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'resourcemanager.projects.get'],
  'roles/iam.serviceAccountAdmin': ['iam.serviceAccounts.*', 'resourcemanager.projects.get'],
  'roles/artifactregistry.reader': ['artifactregistry.*.get', 'artifactregistry.*.list', 'artifactregistry.repositories.downloadArtifacts'],
  'roles/artifactregistry.writer': ['artifactregistry.*.get', 'artifactregistry.*.list', 'artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.uploadArtifacts'],
  'roles/serviceusage.serviceUsageAdmin': ['serviceusage.*', 'resourcemanager.projects.get'],
};

/** Editor may not change who has access, nor manage the IAM of others (Google's basic-role rule). */
const EDITOR_EXCLUDED = /\.setIamPolicy$/;

const compiled = new Map<string, RegExp>();

function matches(pattern: string, permission: string): boolean {
  if (pattern === '*') return true;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`);
    compiled.set(pattern, re); // a search checks thousands of projects: compile each pattern once
  }
  return re.test(permission);
}

export function roleGrants(role: string, permission: string): boolean {
  if (role === 'roles/editor' && EDITOR_EXCLUDED.test(permission)) return false;
  return (ROLE_PERMISSIONS[role] ?? []).some((p) => matches(p, permission));
}

/** Does any binding of these policies give `member` the permission? allUsers/allAuthenticatedUsers count too. */
export function policiesGrant(policies: readonly (IamPolicy | undefined)[], member: string, permission: string): boolean {
  return policies.some((policy) => (policy?.bindings ?? []).some((b) =>
    roleGrants(b.role, permission) && b.members.some((m) => m === member || m === 'allUsers' || (m === 'allAuthenticatedUsers' && member !== 'allUsers'))));
}

/** A fresh policy etag: bytes in the proto, base64 on the wire (as Google's "BwX..." values). */
export function newPolicyEtag(): string {
  return randomBytes(8).toString('base64');
}

export function emptyPolicy(): IamPolicy {
  return { version: 1, bindings: [], etag: newPolicyEtag() };
}

/**
 * SetIamPolicy's rules: the policy is validated, members must exist, and an etag, when sent, must be the
 * current one. Without an etag the write overwrites blindly, which Google allows too.
 */
export function replacePolicy(current: IamPolicy | undefined, requested: IamPolicy | undefined, data: EmulatorData, nowMs = Date.now()): IamPolicy {
  const policy = validatedPolicy(requested);
  for (const b of policy.bindings ?? []) {
    for (const m of b.members) {
      const problem = memberProblem(data, m, nowMs);
      if (problem) throw invalidArgument(problem);
    }
  }
  if (requested?.etag && requested.etag !== (current?.etag ?? '')) {
    throw aborted('There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
  }
  return { ...policy, etag: newPolicyEtag() };
}

/**
 * Why a member cannot be named in a policy: a user-managed service account of a project the emulator
 * models must exist and be visible (a new one is not, for a moment). Google-managed accounts
 * (…-compute@developer…, service agents) and other members are taken as they are.
 */
export function memberProblem(data: EmulatorData, member: string, nowMs = Date.now()): string | undefined {
  const m = /^serviceAccount:(([^@]+)@([^.]+)\.iam\.gserviceaccount\.com)$/.exec(member);
  if (!m || !data.projects[m[3]]) return undefined;
  const record = data.serviceAccounts[m[1]];
  if (!record || record.visibleAtMs > nowMs) return `Service account ${m[1]} does not exist.`;
  return undefined;
}

/** The project's policy, or undefined when the emulator does not model the project (see EmulatorData.projects). */
export function projectPolicy(data: EmulatorData, projectId: string): IamPolicy | undefined {
  return data.projects[projectId]?.iamPolicy;
}

/**
 * Whether the emulator can reason about this runtime identity: a compute default account, or an account
 * that exists in its IAM. Any other email (state or tests from before IAM Admin was emulated) is not
 * checked, rather than failing deploys that worked before.
 */
export function knownIdentity(data: EmulatorData, email: string): boolean {
  return /^\d+-compute@developer\.gserviceaccount\.com$/.test(email) || data.serviceAccounts[email] !== undefined;
}

/** Cloud Run's runtime identity when template.serviceAccount is empty. */
export function defaultComputeAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}
