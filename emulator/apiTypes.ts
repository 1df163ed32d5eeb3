// The message shapes the emulator reads and writes, as @grpc/proto-loader decodes them with
// PROTO_LOADER_OPTIONS (camelCase, enum names, int64 as strings). Only the fields the emulator looks at
// are spelled out; everything else a client sends is kept and echoed back untouched.

export interface Timestamp {
  seconds: string;
  nanos?: number;
}

export interface Duration {
  seconds?: string;
  nanos?: number;
}

export type ConditionState =
  | 'STATE_UNSPECIFIED'
  | 'CONDITION_PENDING'
  | 'CONDITION_RECONCILING'
  | 'CONDITION_FAILED'
  | 'CONDITION_SUCCEEDED';

export interface Condition {
  type: string;
  state: ConditionState;
  message?: string;
  lastTransitionTime?: Timestamp;
  severity?: 'SEVERITY_UNSPECIFIED' | 'ERROR' | 'WARNING' | 'INFO';
  reason?: string;
  revisionReason?: string;
}

export type TrafficType =
  | 'TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED'
  | 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
  | 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

export interface TrafficTarget {
  type?: TrafficType;
  revision?: string;
  percent?: number;
  tag?: string;
}

export interface TrafficTargetStatus extends TrafficTarget {
  uri?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef?: { secret?: string; version?: string } };
}

export interface Container {
  name?: string;
  image?: string;
  env?: EnvVar[];
  resources?: { limits?: Record<string, string>; cpuIdle?: boolean; startupCpuBoost?: boolean };
  ports?: { name?: string; containerPort?: number }[];
  startupProbe?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface RevisionTemplate {
  revision?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  timeout?: Duration;
  serviceAccount?: string;
  containers?: Container[];
  maxInstanceRequestConcurrency?: number;
  [field: string]: unknown;
}

export interface Service {
  name?: string;
  description?: string;
  uid?: string;
  generation?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  createTime?: Timestamp;
  updateTime?: Timestamp;
  deleteTime?: Timestamp;
  creator?: string;
  lastModifier?: string;
  template?: RevisionTemplate;
  traffic?: TrafficTarget[];
  urls?: string[];
  observedGeneration?: string;
  terminalCondition?: Condition;
  conditions?: Condition[];
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses?: TrafficTargetStatus[];
  uri?: string;
  reconciling?: boolean;
  etag?: string;
  [field: string]: unknown;
}

export interface Revision {
  name: string;
  uid: string;
  generation: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createTime: Timestamp;
  updateTime: Timestamp;
  service: string;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  maxInstanceRequestConcurrency?: number;
  timeout?: Duration;
  serviceAccount?: string;
  containers: Container[];
  reconciling: boolean;
  conditions: Condition[];
  observedGeneration: string;
  logUri: string;
  creator?: string;
  etag: string;
  [field: string]: unknown;
}

export interface IamBinding {
  role: string;
  members: string[];
  condition?: unknown;
}

export interface IamPolicy {
  version?: number;
  bindings?: IamBinding[];
  /** bytes, base64 */
  etag?: string;
}

export interface RpcStatus {
  code: number;
  message: string;
  details?: unknown[];
}

export interface Operation {
  name: string;
  done: boolean;
  metadata?: { type_url: string; value: string };
  response?: { type_url: string; value: string };
  error?: RpcStatus;
  result?: string;
}

export interface MonitoredResource {
  type?: string;
  labels?: Record<string, string>;
}

export interface LogEntry {
  logName?: string;
  resource?: MonitoredResource;
  textPayload?: string;
  jsonPayload?: { fields?: Record<string, unknown> };
  protoPayload?: { type_url: string; value: string };
  payload?: string;
  timestamp?: Timestamp;
  receiveTimestamp?: Timestamp;
  severity?: string;
  insertId?: string;
  httpRequest?: Record<string, unknown>;
  labels?: Record<string, string>;
  trace?: string;
  spanId?: string;
  [field: string]: unknown;
}

// ---- Secret Manager, Artifact Registry, Service Usage (the deploy preflight's neighbours) ----------

export interface Secret {
  name?: string;
  replication?: Record<string, unknown>;
  createTime?: Timestamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  versionAliases?: Record<string, string>;
  etag?: string;
  [field: string]: unknown;
}

export type SecretVersionState = 'STATE_UNSPECIFIED' | 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface SecretVersion {
  name: string;
  createTime: Timestamp;
  destroyTime?: Timestamp;
  state: SecretVersionState;
  etag: string;
  replicationStatus?: Record<string, unknown>;
  clientSpecifiedPayloadChecksum?: boolean;
}

export interface Repository {
  name?: string;
  format?: string;
  description?: string;
  labels?: Record<string, string>;
  createTime?: Timestamp;
  updateTime?: Timestamp;
  mode?: string;
  sizeBytes?: string;
  registryUri?: string;
  [field: string]: unknown;
}
