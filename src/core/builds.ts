// Cloud Build builds as the extension sees them: one plain BuildSummary, mapped once from either shape a
// Build arrives in — the gRPC client's decoded message (enum numbers or names, Timestamp objects, bytes as
// Buffers) or the REST JSON Cloud Build publishes to Pub/Sub (enum names, RFC 3339 strings, base64 bytes).
// No client types: the raw shape below is structural.

export type BuildStatus = 'STATUS_UNKNOWN' | 'PENDING' | 'QUEUED' | 'WORKING' | 'SUCCESS' | 'FAILURE' | 'INTERNAL_ERROR'
  | 'TIMEOUT' | 'CANCELLED' | 'EXPIRED';

/** What the status bar and the rows tell apart. */
export type BuildPhase = 'queued' | 'working' | 'success' | 'failure';

/** google.devtools.cloudbuild.v1.Build.Status numbers (the wire may carry either). */
const STATUS_NUMBERS: Record<number, BuildStatus> = {
  0: 'STATUS_UNKNOWN', 10: 'PENDING', 1: 'QUEUED', 2: 'WORKING', 3: 'SUCCESS', 4: 'FAILURE', 5: 'INTERNAL_ERROR',
  6: 'TIMEOUT', 7: 'CANCELLED', 9: 'EXPIRED',
};

/** The JSON line the generated deploy step writes to $BUILDER_OUTPUT/output (contract 1). */
export interface DeployOutput {
  service?: string;
  revision?: string;
  url?: string;
  healthPath?: string;
  healthStatus?: number;
  previousRevision?: string;
}

export interface BuildStepSummary {
  /** The step's `id`, else "Step #N" as Cloud Build names unnamed steps. */
  id: string;
  index: number;
  image: string;
  status: BuildStatus;
  durationMs?: number;
  exitCode?: number;
}

export interface BuildSummary {
  id: string;
  /** projects/P/builds/ID or projects/P/locations/L/builds/ID. */
  name: string;
  projectId: string;
  status: BuildStatus;
  phase: BuildPhase;
  statusDetail?: string;
  createTime?: Date;
  startTime?: Date;
  finishTime?: Date;
  /** Finished builds: start → finish; running ones: start → `now` of the mapping. */
  durationMs?: number;
  steps: BuildStepSummary[];
  /** The step running now (WORKING builds). */
  runningStep?: string;
  /** The first step that failed or timed out. */
  failedStep?: string;
  /** failureInfo.detail, else statusDetail. */
  failureDetail?: string;
  commitSha?: string;
  shortSha?: string;
  branch?: string;
  /** Cloud Build does not record one; set by whoever knows (the local git history). */
  author?: string;
  triggerId?: string;
  triggerName?: string;
  tags: string[];
  /** The Cloud Run service the build deploys: _SERVICE, else the tag that is not "mentor". */
  service?: string;
  logUrl?: string;
  /** Decoded from the deploy step's output (results.buildStepOutputs). */
  deployOutput?: DeployOutput;
}

type Int64 = number | string | { toString(): string } | null | undefined;
type RawTime = string | { seconds?: Int64; nanos?: number | null } | null | undefined;
type RawBytes = string | Uint8Array | { type: 'Buffer'; data: number[] } | null | undefined;

interface RawTimeSpan {
  startTime?: RawTime;
  endTime?: RawTime;
}

interface RawStep {
  id?: string | null;
  name?: string | null;
  status?: string | number | null;
  timing?: RawTimeSpan | null;
  exitCode?: number | null;
}

/** The fields we read from google.devtools.cloudbuild.v1.Build, in either encoding. */
export interface RawBuild {
  id?: string | null;
  name?: string | null;
  projectId?: string | null;
  status?: string | number | null;
  statusDetail?: string | null;
  createTime?: RawTime;
  startTime?: RawTime;
  finishTime?: RawTime;
  steps?: RawStep[] | null;
  results?: { buildStepOutputs?: RawBytes[] | null } | null;
  substitutions?: Record<string, string> | null;
  tags?: string[] | null;
  buildTriggerId?: string | null;
  logUrl?: string | null;
  failureInfo?: { type?: string | number | null; detail?: string | null } | null;
  sourceProvenance?: { resolvedRepoSource?: { commitSha?: string | null; branchName?: string | null } | null } | null;
}

export const MENTOR_BUILD_TAG = 'mentor';
export const DEPLOY_STEP_ID = 'deploy';

export function toBuildStatus(value: unknown): BuildStatus {
  if (typeof value === 'number') return STATUS_NUMBERS[value] ?? 'STATUS_UNKNOWN';
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return toBuildStatus(Number(value));
    const upper = value.toUpperCase();
    return (Object.values(STATUS_NUMBERS) as string[]).includes(upper) ? upper as BuildStatus : 'STATUS_UNKNOWN';
  }
  return 'STATUS_UNKNOWN';
}

export function phaseOf(status: BuildStatus): BuildPhase {
  switch (status) {
    case 'SUCCESS': return 'success';
    case 'WORKING': return 'working';
    case 'STATUS_UNKNOWN': case 'PENDING': case 'QUEUED': return 'queued';
    default: return 'failure';
  }
}

export function isFinished(status: BuildStatus): boolean {
  const phase = phaseOf(status);
  return phase === 'success' || phase === 'failure';
}

function toDate(value: RawTime): Date | undefined {
  if (!value) return undefined;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  if (value.seconds === undefined || value.seconds === null) return undefined;
  const seconds = Number(String(value.seconds));
  if (!seconds && !value.nanos) return undefined; // an unset Timestamp decodes as zero
  return new Date(seconds * 1000 + Math.floor((value.nanos ?? 0) / 1e6));
}

function spanMs(start: Date | undefined, end: Date | undefined): number | undefined {
  return start && end ? Math.max(0, end.getTime() - start.getTime()) : undefined;
}

/** bytes as the gRPC decoder gives them (Buffer/Uint8Array) or as proto3 JSON (base64) → text. */
export function bytesToText(value: RawBytes): string {
  if (!value) return '';
  if (typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray((value as { data?: unknown }).data)) return Buffer.from(value.data).toString('utf8');
  return '';
}

/** The last line of a step's output that is a JSON object (the deploy step may write progress first). */
export function decodeDeployOutput(value: RawBytes): DeployOutput | undefined {
  const lines = bytesToText(value).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const parsed = JSON.parse(lines[i]) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
      const o = parsed as Record<string, unknown>;
      const text = (key: string) => (typeof o[key] === 'string' && o[key] ? o[key] as string : undefined);
      const status = typeof o.healthStatus === 'number' ? o.healthStatus : Number(o.healthStatus);
      const output: DeployOutput = {
        service: text('service'), revision: text('revision'), url: text('url'), healthPath: text('healthPath'),
        healthStatus: Number.isFinite(status) && o.healthStatus !== undefined && o.healthStatus !== null ? status : undefined,
        previousRevision: text('previousRevision'),
      };
      return Object.fromEntries(Object.entries(output).filter(([, v]) => v !== undefined)) as DeployOutput;
    } catch {
      // not JSON: an earlier line may be
    }
  }
  return undefined;
}

export function toBuildSummary(raw: RawBuild, now: Date = new Date()): BuildSummary {
  const status = toBuildStatus(raw.status);
  const subs = raw.substitutions ?? {};
  const tags = [...(raw.tags ?? [])];
  const steps: BuildStepSummary[] = (raw.steps ?? []).map((step, index) => ({
    id: step.id || `Step #${index}`,
    index,
    image: step.name ?? '',
    status: toBuildStatus(step.status),
    durationMs: spanMs(toDate(step.timing?.startTime), toDate(step.timing?.endTime)),
    ...(typeof step.exitCode === 'number' && step.exitCode !== 0 ? { exitCode: step.exitCode } : {}),
  }));
  const startTime = toDate(raw.startTime);
  const finishTime = toDate(raw.finishTime);
  const phase = phaseOf(status);
  const outputs = raw.results?.buildStepOutputs ?? [];
  const deployIndex = steps.findIndex((s) => s.id === DEPLOY_STEP_ID);
  const deployOutput = deployIndex >= 0 ? decodeDeployOutput(outputs[deployIndex]) : undefined;
  const commitSha = subs.COMMIT_SHA || raw.sourceProvenance?.resolvedRepoSource?.commitSha || undefined;
  const failed = phase === 'failure'
    ? steps.find((s) => s.status === 'FAILURE' || s.status === 'TIMEOUT' || s.exitCode !== undefined) : undefined;
  const id = raw.id ?? '';
  const projectId = raw.projectId ?? '';
  return {
    id,
    name: raw.name || `projects/${projectId}/builds/${id}`,
    projectId,
    status,
    phase,
    statusDetail: raw.statusDetail || undefined,
    createTime: toDate(raw.createTime),
    startTime,
    finishTime,
    durationMs: spanMs(startTime, finishTime ?? (phase === 'working' ? now : undefined)),
    steps,
    runningStep: phase === 'working' ? steps.find((s) => s.status === 'WORKING')?.id : undefined,
    failedStep: failed?.id,
    failureDetail: phase === 'failure' ? (raw.failureInfo?.detail || raw.statusDetail || undefined) : undefined,
    commitSha,
    shortSha: subs.SHORT_SHA || commitSha?.slice(0, 7),
    branch: subs.BRANCH_NAME || raw.sourceProvenance?.resolvedRepoSource?.branchName || undefined,
    triggerId: raw.buildTriggerId || undefined,
    triggerName: subs.TRIGGER_NAME || undefined,
    tags,
    service: subs._SERVICE || deployOutput?.service || tags.find((t) => t !== MENTOR_BUILD_TAG),
    logUrl: raw.logUrl || undefined,
    deployOutput,
  };
}

/** Newest first, as ListBuilds answers (create time descending; id breaks ties so the order is stable). */
export function newestFirst(a: BuildSummary, b: BuildSummary): number {
  return (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0) || b.id.localeCompare(a.id);
}

/** Whether a build is of `commit` (full SHA, or an abbreviation of at least 7 characters either way). */
export function isBuildOfCommit(build: BuildSummary, commit: string | undefined): boolean {
  if (!commit || !build.commitSha) return false;
  const [a, b] = [build.commitSha.toLowerCase(), commit.toLowerCase()];
  return Math.min(a.length, b.length) >= 7 && (a.startsWith(b) || b.startsWith(a));
}

/** A build status change as Cloud Build publishes it to the cloud-builds topic (contract 3). */
export interface BuildEvent {
  buildId: string;
  status: BuildStatus;
  /** The Build in the message's data (REST JSON); undefined when the data was not a Build. */
  build?: BuildSummary;
}

/** A Pub/Sub message (data as bytes or base64, attributes buildId/status) → the event, or undefined if it is none. */
export function buildEventFromMessage(message: { data?: RawBytes; attributes?: Record<string, string> | null },
  now: Date = new Date()): BuildEvent | undefined {
  const attributes = message.attributes ?? {};
  let build: BuildSummary | undefined;
  try {
    const parsed = JSON.parse(bytesToText(message.data)) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as RawBuild).id === 'string') build = toBuildSummary(parsed as RawBuild, now);
  } catch {
    // not JSON: the attributes may still say which build changed
  }
  const buildId = build?.id || attributes.buildId;
  if (!buildId) return undefined;
  const status = build?.status ?? toBuildStatus(attributes.status);
  return { buildId, status, build };
}
