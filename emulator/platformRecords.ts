// What the emulator stores for the Resource Manager, Cloud Billing and IAM Admin: the messages as Google
// returns them, plus the few facts Google keeps but never shows (a billing account's project quota, when a
// new service account becomes visible).
import type { IamPolicy, Timestamp } from './apiTypes';

/** google.cloud.resourcemanager.v3.Project */
export interface Project {
  /** projects/NUMBER */
  name: string;
  parent: string;
  projectId: string;
  state: 'ACTIVE' | 'DELETE_REQUESTED';
  displayName: string;
  createTime: Timestamp;
  updateTime: Timestamp;
  etag: string;
  labels: Record<string, string>;
}

export interface ProjectRecord {
  project: Project;
  iamPolicy: IamPolicy;
}

/** google.cloud.billing.v1.BillingAccount */
export interface BillingAccount {
  /** billingAccounts/XXXXXX-XXXXXX-XXXXXX */
  name: string;
  open: boolean;
  displayName: string;
  masterBillingAccount: string;
  parent: string;
  currencyCode: string;
}

export interface BillingAccountRecord {
  account: BillingAccount;
  /** How many projects may be linked at once; linking one more fails with "Cloud billing quota exceeded". */
  projectQuota: number;
}

/** IAM Admin v1 ServiceAccount (REST JSON). */
export interface ServiceAccount {
  /** projects/PROJECT_ID/serviceAccounts/EMAIL */
  name: string;
  projectId: string;
  uniqueId: string;
  email: string;
  displayName: string;
  description: string;
  etag: string;
  oauth2ClientId: string;
  disabled: boolean;
}

export interface ServiceAccountRecord {
  account: ServiceAccount;
  /**
   * Epoch ms from which reads see the account. IAM reads are eventually consistent: right after a create,
   * GET and policy bindings naming the account fail for a short while, as on Google.
   */
  visibleAtMs: number;
  /** The account's own IAM policy (who may act as it, manage it): iam.projects.serviceAccounts.getIamPolicy. */
  iamPolicy?: IamPolicy;
}
