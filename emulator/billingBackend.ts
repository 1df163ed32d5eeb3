// Cloud Billing v1: the caller's billing accounts and which one pays for a project (link, unlink). A closed
// account and one whose project quota is used up refuse new links with FAILED_PRECONDITION "Precondition
// check failed.", the second with the google.rpc.QuotaFailure Google attaches ("Cloud billing quota exceeded").
import { grpc } from 'google-gax';
import { ApiError, invalidArgument, permissionDenied } from './apiError';
import { paginate } from './pagination';
import type { BillingAccount, BillingAccountRecord } from './platformRecords';
import type { StateStore } from './stateStore';

const LIST_LIMITS = { defaultSize: 50, maxSize: 100 };
const NO_PERMISSION = 'The caller does not have permission';
export const BILLING_QUOTA_URL = 'https://support.google.com/code/contact/billing_quota_increase';

interface ProjectBillingInfo {
  name: string;
  projectId: string;
  billingAccountName: string;
  billingEnabled: boolean;
}

export interface BillingDeps {
  state: StateStore;
  /** protos.serialize: the google.rpc.Status details of the quota error. */
  serialize(typeName: string, message: object): Buffer;
  pack(typeName: string, message: object): { type_url: string; value: string };
}

/** For seeds: an account Google would show, e.g. billingAccounts/01A2B3-C4D5E6-F7A8B9. */
export function newBillingAccount(id: string, displayName: string, open = true, projectQuota = 5): BillingAccountRecord {
  return {
    account: { name: `billingAccounts/${id}`, open, displayName, masterBillingAccount: '', parent: '', currencyCode: 'USD' },
    projectQuota,
  };
}

export class BillingBackend {
  constructor(private readonly deps: BillingDeps) {}

  private get data() {
    return this.deps.state.data;
  }

  listBillingAccounts(req: { pageSize?: number; pageToken?: string; filter?: string; parent?: string }): { billingAccounts: BillingAccount[]; nextPageToken: string } {
    if (req.parent) throw invalidArgument(`The emulator has no organizations or sub-accounts: parent '${req.parent}' is not supported.`);
    const filter = (req.filter ?? '').replace(/\s+/g, '');
    const open = /^open=(true|false)$/.exec(filter);
    if (filter && !open) throw invalidArgument(`Unsupported filter '${req.filter}': the emulator understands "open=true" and "open=false".`);
    const all = Object.keys(this.data.billingAccounts).sort().map((k) => this.data.billingAccounts[k].account)
      .filter((a) => !open || String(a.open) === open[1]);
    const page = paginate(all, req, `billingAccounts:${filter}`, LIST_LIMITS);
    return { billingAccounts: structuredClone(page.items), nextPageToken: page.nextPageToken };
  }

  getBillingAccount(req: { name?: string }): BillingAccount {
    return structuredClone(this.account(req.name).account);
  }

  getProjectBillingInfo(req: { name?: string }): ProjectBillingInfo {
    return this.info(this.projectOf(req.name));
  }

  listProjectBillingInfo(req: { name?: string; pageSize?: number; pageToken?: string }): { projectBillingInfo: ProjectBillingInfo[]; nextPageToken: string } {
    const account = this.account(req.name).account;
    const linked = Object.keys(this.data.projectBilling).filter((p) => this.data.projectBilling[p] === account.name).sort();
    const page = paginate(linked, req, `billingProjects:${account.name}`, LIST_LIMITS);
    return { projectBillingInfo: page.items.map((p) => this.info(p)), nextPageToken: page.nextPageToken };
  }

  /** An empty billingAccountName unlinks (billing disabled); a name links, if the account can take one more project. */
  updateProjectBillingInfo(req: { name?: string; projectBillingInfo?: { billingAccountName?: string } }): ProjectBillingInfo {
    const project = this.projectOf(req.name);
    const wanted = req.projectBillingInfo?.billingAccountName ?? '';
    if (!wanted) {
      delete this.data.projectBilling[project];
      this.deps.state.changed();
      return this.info(project);
    }
    const record = this.account(wanted);
    const name = record.account.name;
    if (this.data.projectBilling[project] === name) return this.info(project);
    if (!record.account.open) throw new ApiError(grpc.status.FAILED_PRECONDITION, 'Precondition check failed.');
    const linked = Object.values(this.data.projectBilling).filter((a) => a === name).length;
    if (linked >= record.projectQuota) throw this.quotaExceeded(name);
    this.data.projectBilling[project] = name;
    this.deps.state.changed();
    return this.info(project);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private quotaExceeded(account: string): ApiError {
    const { serialize, pack } = this.deps;
    const message = 'Precondition check failed.';
    const details = serialize('google.rpc.Status', {
      code: grpc.status.FAILED_PRECONDITION,
      message,
      details: [pack('google.rpc.QuotaFailure', { violations: [{ subject: account, description: `Cloud billing quota exceeded: ${BILLING_QUOTA_URL}` }] })],
    });
    return new ApiError(grpc.status.FAILED_PRECONDITION, message, details);
  }

  private info(project: string): ProjectBillingInfo {
    const account = this.data.projectBilling[project] ?? '';
    return { name: `projects/${project}/billingInfo`, projectId: project, billingAccountName: account, billingEnabled: account !== '' };
  }

  private account(name: string | undefined): BillingAccountRecord {
    const m = /^billingAccounts\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid billing account name '${name ?? ''}': expected billingAccounts/XXXXXX-XXXXXX-XXXXXX.`);
    const record = this.data.billingAccounts[name!];
    if (!record) throw permissionDenied(NO_PERMISSION);
    return record;
  }

  /**
   * The request names the project, projects/ID (the http rule is /v1/{name=projects/*}/billingInfo); only the
   * answer's name ends in /billingInfo. Unknown projects are not the caller's.
   */
  private projectOf(name: string | undefined): string {
    const m = /^projects\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid resource name '${name ?? ''}': expected projects/PROJECT_ID (for example projects/tokyo-rain-123).`);
    const id = this.data.projects[m[1]] ? m[1] : Object.keys(this.data.projects).find((p) => this.data.projects[p].project.name === `projects/${m[1]}`);
    if (!id) throw permissionDenied(NO_PERMISSION);
    return id;
  }
}
