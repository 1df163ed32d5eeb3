// IAM Admin v1 service accounts over HTTP/JSON (`/v1/projects/P/serviceAccounts…`: create, get, list, delete,
// and the account's own policy: `:getIamPolicy`, `:setIamPolicy`, `:testIamPermissions`), the API
// `@googleapis/iam` and gcloud speak; there is no gRPC client for it in Node. Reads are eventually consistent
// like Google's: a new account answers NOT_FOUND to GET (and cannot be named in an IAM policy) for
// `consistencyDelayMs` after its create returned. A policy write with a stale etag is ABORTED, as on Google.
import { randomBytes, randomInt } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound, permissionDenied } from './apiError';
import type { IamPolicy } from './apiTypes';
import { DEFAULT_CALLER, emptyPolicy, policiesGrant, projectPolicy, replacePolicy } from './iamAccess';
import { paginate } from './pagination';
import type { ServiceAccount, ServiceAccountRecord } from './platformRecords';
import type { RestHandler, RestRequest, RestResponse } from './restTypes';
import type { ServiceUsageBackend } from './serviceUsageBackend';
import type { StateStore } from './stateStore';

export const DEFAULT_SA_CONSISTENCY_MS = 1500;
const IAM_API = 'iam.googleapis.com';
const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const LIST_LIMITS = { defaultSize: 20, maxSize: 100 };
const PATH = /^\/v1\/projects\/([^/]+)\/serviceAccounts(?:\/([^/:]+))?$/;
const POLICY_PATH = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):(getIamPolicy|setIamPolicy|testIamPermissions)$/;

export interface ServiceAccountsDeps {
  state: StateStore;
  /** When given, calls into a project where iam.googleapis.com is disabled answer SERVICE_DISABLED. */
  serviceUsage?: ServiceUsageBackend;
  /** How long a new account stays invisible to reads (default 1.5 s; 0 = at once). */
  consistencyDelayMs?: number;
  /** The principal whose permissions the policy methods check (default user:developer@example.com). */
  caller?: { member: string };
}

export function accountIdProblem(id: string): string | undefined {
  if (id.length >= 6 && id.length <= 30 && ACCOUNT_ID.test(id)) return undefined;
  return `Invalid form of account ID ${id}. Should be [Regex [a-z]([-a-z0-9]*[a-z0-9]) with 6-30 characters].`;
}

/** For seeds and the API: an account as IAM returns it, visible from `visibleAtMs`. */
export function newServiceAccount(projectId: string, accountId: string, displayName = '', description = '', visibleAtMs = 0): ServiceAccountRecord {
  const email = `${accountId}@${projectId}.iam.gserviceaccount.com`;
  const uniqueId = `1${Array.from({ length: 20 }, () => randomInt(10)).join('')}`;
  const account: ServiceAccount = {
    name: `projects/${projectId}/serviceAccounts/${email}`, projectId, uniqueId, email, displayName, description,
    etag: randomBytes(8).toString('base64'), oauth2ClientId: uniqueId, disabled: false,
  };
  return { account, visibleAtMs };
}

export function createServiceAccountsHandler(deps: ServiceAccountsDeps): RestHandler {
  const accounts = () => deps.state.data.serviceAccounts;
  const delay = deps.consistencyDelayMs ?? DEFAULT_SA_CONSISTENCY_MS;
  const ok = (json: unknown): RestResponse => ({ status: 200, json });

  /** The account named EMAIL or UNIQUE_ID, once visible; project "-" means "whichever project it is in". */
  const visible = (project: string, key: string): ServiceAccountRecord => {
    const record = accounts()[key] ?? Object.values(accounts()).find((r) => r.account.uniqueId === key);
    const inProject = record && (project === '-' || record.account.projectId === project);
    if (!record || !inProject || record.visibleAtMs > Date.now()) throw notFound('Unknown service account');
    return record;
  };

  /** The project's policy and the account's own: either may grant a permission on the account. */
  const grants = (record: ServiceAccountRecord, permission: string): boolean =>
    policiesGrant([projectPolicy(deps.state.data, record.account.projectId), record.iamPolicy], deps.caller?.member ?? DEFAULT_CALLER, permission);
  const require = (record: ServiceAccountRecord, permission: string) => {
    if (!grants(record, permission)) {
      throw permissionDenied(`Permission '${permission}' denied on resource (or it may not exist): projects/-/serviceAccounts/${record.account.email}.`);
    }
  };

  const policyMethod = (req: RestRequest, project: string, key: string, method: string): RestResponse | undefined => {
    if (req.method !== 'POST') return undefined;
    const record = visible(project, key);
    const body = (req.body ?? {}) as { policy?: IamPolicy; permissions?: unknown };
    if (method === 'getIamPolicy') {
      require(record, 'iam.serviceAccounts.getIamPolicy');
      record.iamPolicy ??= emptyPolicy();
      return ok(structuredClone(record.iamPolicy));
    }
    if (method === 'setIamPolicy') {
      require(record, 'iam.serviceAccounts.setIamPolicy');
      record.iamPolicy = replacePolicy(record.iamPolicy, body.policy, deps.state.data);
      deps.state.changed();
      return ok(structuredClone(record.iamPolicy));
    }
    if (!Array.isArray(body.permissions) || body.permissions.some((p) => typeof p !== 'string')) {
      throw invalidArgument('Invalid value at \'permissions\': a list of permission names is required.');
    }
    const granted = (body.permissions as string[]).filter((p) => grants(record, p));
    return ok(granted.length ? { permissions: granted } : {});
  };

  return async (req: RestRequest) => {
    const policy = POLICY_PATH.exec(req.path);
    if (policy) {
      if (policy[1] !== '-') deps.serviceUsage?.check(policy[1], IAM_API);
      return policyMethod(req, policy[1], policy[2], policy[3]);
    }
    const m = PATH.exec(req.path);
    if (!m) return undefined;
    const [, project, key] = m;
    if (project !== '-') deps.serviceUsage?.check(project, IAM_API);
    if (!key && req.method === 'POST') {
      const body = (req.body ?? {}) as { accountId?: string; serviceAccount?: { displayName?: string; description?: string } };
      const id = body.accountId ?? '';
      const problem = accountIdProblem(id);
      if (problem) throw invalidArgument(problem);
      if (project === '-') throw invalidArgument('A service account must be created in a project, not "-".');
      const record = newServiceAccount(project, id, body.serviceAccount?.displayName ?? '', body.serviceAccount?.description ?? '', Date.now() + delay);
      if (accounts()[record.account.email]) {
        throw alreadyExists(`Service account ${id} already exists within project projects/${project}.`);
      }
      accounts()[record.account.email] = record;
      deps.state.changed();
      // The create itself answers with the account: only later reads lag behind.
      return ok(structuredClone(record.account));
    }
    if (!key && req.method === 'GET') {
      const now = Date.now();
      const all = Object.keys(accounts()).sort().map((email) => accounts()[email])
        .filter((r) => r.account.projectId === project && r.visibleAtMs <= now).map((r) => r.account);
      const pageSize = Number(req.query.get('pageSize') ?? 0) || undefined;
      const page = paginate(all, { pageSize, pageToken: req.query.get('pageToken') ?? undefined }, `serviceAccounts:${project}`, LIST_LIMITS);
      return ok({ accounts: structuredClone(page.items), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
    }
    if (key && req.method === 'GET') return ok(structuredClone(visible(project, key).account));
    if (key && req.method === 'DELETE') {
      const record = visible(project, key);
      delete accounts()[record.account.email];
      deps.state.changed();
      return ok({});
    }
    return undefined;
  };
}
