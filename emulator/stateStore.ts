// The emulator's whole state, and its optional persistence to DIR/state.json. Writes are debounced and
// atomic (write to a temp file, then rename) so a crash never leaves a half-written file behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IamPolicy, LogEntry, Repository, Revision, Secret, SecretVersion, Service } from './apiTypes';
import type { BuildMessage, BuildSource } from './buildExecution';
import { emptyMonitoring, type MonitoringData } from './monitoringAlertTypes';
import type { MetricHistorySpec } from './monitoringSynthetic';
import type { BillingAccountRecord, ProjectRecord, ServiceAccountRecord } from './platformRecords';

export interface ServiceRecord {
  service: Service;
  /** Newest first, the order ListRevisions answers in. */
  revisions: Revision[];
  /** The last number used in an auto-generated revision name. */
  revisionCounter: number;
  iamPolicy: IamPolicy;
  /** Template fingerprint per revision short name: reusing a name needs the same configuration. */
  revisionFingerprints: Record<string, string>;
  /**
   * Set once a revision of this service was created while the emulator ran containers (runtime mode):
   * those revisions get a container and the service a local URL. Seeded revisions never run.
   */
  runtime?: RuntimeRecord;
}

export interface RuntimeRecord {
  /** Revision short name → the image reference that was pulled (by digest when the registry gave one). */
  revisions: Record<string, { image: string }>;
  /** Last local proxy ports (service and per tag), tried again after a restart so URLs stay stable. */
  ports?: Record<string, number>;
}

export interface SecretRecord {
  secret: Secret;
  /** Ascending by version number (versions/1 first); `data` is the payload, base64. */
  versions: { version: SecretVersion; data: string }[];
  /** The secret's own IAM policy (Secret Manager GetIamPolicy/SetIamPolicy); unset = no bindings yet. */
  iamPolicy?: IamPolicy;
}

export interface EmulatorData {
  version: 1;
  /** Keyed by full service name, projects/P/locations/L/services/S. */
  services: Record<string, ServiceRecord>;
  /** Ascending by timestamp, then insertId. */
  logEntries: LogEntry[];
  /** Service Usage: project id → API name → enabled. A project without an entry has every API enabled. */
  apiStates: Record<string, Record<string, boolean>>;
  /** Keyed by projects/PROJECT_ID/secrets/SECRET. */
  secrets: Record<string, SecretRecord>;
  /** Artifact Registry, keyed by projects/PROJECT_ID/locations/L/repositories/R. */
  repositories: Record<string, Repository>;
  /**
   * Resource Manager, keyed by project id. A project that other APIs mention but that is missing here has
   * no modelled IAM: access checks pass for it (state made before the Resource Manager existed, bare tests).
   */
  projects: Record<string, ProjectRecord>;
  /** Cloud Billing, keyed by billingAccounts/ID. */
  billingAccounts: Record<string, BillingAccountRecord>;
  /** Cloud Billing: project id → billingAccounts/ID it is linked to (absent = billing disabled). */
  projectBilling: Record<string, string>;
  /** IAM Admin, keyed by service account email. */
  serviceAccounts: Record<string, ServiceAccountRecord>;
  /** Cloud Build v1 and v2 (cloudBuild*.ts). */
  cloudBuild: CloudBuildData;
  /** Cloud Monitoring alerting: policies, channels, alerts (monitoringAlertTypes.ts). */
  monitoring: MonitoringData;
  /** Seeded metric history, generated into the MetricStore at start/reset (monitoringSynthetic.ts); points stay in memory. */
  monitoringHistory?: MetricHistorySpec[];
}

/** Cloud Build messages in the proto-JSON shape of protos.ts, keyed by their location-scoped names. */
export interface CloudBuildData {
  /** projects/PROJECT_ID/locations/L/builds/ID (project-scoped calls use location "global"). */
  builds: Record<string, BuildMessage>;
  /** projects/PROJECT_ID/locations/L/triggers/ID → google.devtools.cloudbuild.v1.BuildTrigger. */
  triggers: Record<string, Record<string, unknown>>;
  /** projects/PROJECT_ID/locations/L/connections/C → google.devtools.cloudbuild.v2.Connection. */
  connections: Record<string, Record<string, unknown>>;
  /** .../connections/C/repositories/R → google.devtools.cloudbuild.v2.Repository. */
  repositories: Record<string, Record<string, unknown>>;
  /** Where a triggered build's source came from (the key of `builds`), so RetryBuild runs the same commit. */
  sources: Record<string, BuildSource>;
  /** The push watcher's last seen refs per local repository path (ref → commit), so a restart fires nothing twice. */
  seenRefs: Record<string, Record<string, string>>;
}

export function emptyCloudBuild(): CloudBuildData {
  return { builds: {}, triggers: {}, connections: {}, repositories: {}, sources: {}, seenRefs: {} };
}

export function emptyData(): EmulatorData {
  return {
    version: 1, services: {}, logEntries: [], apiStates: {}, secrets: {}, repositories: {},
    projects: {}, billingAccounts: {}, projectBilling: {}, serviceAccounts: {}, cloudBuild: emptyCloudBuild(),
    monitoring: emptyMonitoring(),
  };
}

const SAVE_DEBOUNCE_MS = 50;

export class StateStore {
  data: EmulatorData = emptyData();
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir ? path.join(dataDir, 'state.json') : undefined;
  }

  /** True when a saved state was found and loaded. */
  load(): boolean {
    if (!this.file || !fs.existsSync(this.file)) return false;
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as EmulatorData;
    if (parsed.version !== 1) throw new Error(`${this.file}: unsupported state version ${String(parsed.version)}`);
    // Operations are not persisted, so nothing can still be reconciling after a restart.
    for (const record of Object.values(parsed.services)) {
      record.service.reconciling = false;
      for (const revision of record.revisions) revision.reconciling = false;
    }
    // State saved before Service Usage / Secret Manager / Artifact Registry existed.
    parsed.apiStates ??= {};
    parsed.secrets ??= {};
    parsed.repositories ??= {};
    // ... and before the Resource Manager, Cloud Billing and IAM Admin.
    parsed.projects ??= {};
    parsed.billingAccounts ??= {};
    parsed.projectBilling ??= {};
    parsed.serviceAccounts ??= {};
    // ... and before Cloud Build.
    parsed.cloudBuild = { ...emptyCloudBuild(), ...parsed.cloudBuild };
    // ... and before Cloud Monitoring.
    parsed.monitoring = { ...emptyMonitoring(), ...parsed.monitoring };
    this.data = parsed;
    return true;
  }

  /** Call after every change; the file is written shortly after, once per burst of changes. */
  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, SAVE_DEBOUNCE_MS);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writeNow();
  }

  private writeNow(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.file);
  }
}
