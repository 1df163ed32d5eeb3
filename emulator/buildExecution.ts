// The seam between the emulated Cloud Build API (builds, triggers, connections: cloudBuildBackend.ts) and what
// runs a build's steps as containers on the local engine (buildExecutor.ts). The API side owns the state and
// the status machine's bookkeeping (persisting, Pub/Sub notices); the executor only runs steps and reports.
// Builds are google.devtools.cloudbuild.v1.Build messages in the emulator's proto-JSON shape (protos.ts:
// camelCase, enums as names, Timestamps/Durations as {seconds, nanos}).

/** The fields of google.devtools.cloudbuild.v1.BuildStep the emulator reads or writes. */
export interface BuildStepMessage {
  name: string;
  args?: string[];
  env?: string[];
  entrypoint?: string;
  id?: string;
  dir?: string;
  waitFor?: string[];
  secretEnv?: string[];
  script?: string;
  timeout?: { seconds?: string | number; nanos?: number };
  // Written by the executor:
  status?: string;
  timing?: { startTime?: { seconds: string | number; nanos?: number }; endTime?: { seconds: string | number; nanos?: number } };
  exitCode?: number;
}

/** The fields of google.devtools.cloudbuild.v1.Build the emulator reads or writes (others pass through). */
export interface BuildMessage {
  id: string;
  name?: string;
  projectId: string;
  status: string;
  statusDetail?: string;
  steps: BuildStepMessage[];
  substitutions?: Record<string, string>;
  options?: { substitutionOption?: string; logging?: string; env?: string[] };
  tags?: string[];
  images?: string[];
  timeout?: { seconds?: string | number; nanos?: number };
  serviceAccount?: string;
  buildTriggerId?: string;
  logUrl?: string;
  createTime?: { seconds: string | number; nanos?: number };
  startTime?: { seconds: string | number; nanos?: number };
  finishTime?: { seconds: string | number; nanos?: number };
  results?: { buildStepOutputs?: string[]; buildStepImages?: string[]; images?: unknown[] };
  failureInfo?: { type: string; detail: string };
  [field: string]: unknown;
}

/** Where a triggered build's source comes from: a git repository on this machine at one commit. */
export interface BuildSource {
  /** A path git can clone from (the bare repository that stands in for GitHub). */
  repository: string;
  commitSha: string;
  branch?: string;
}

export interface BuildLogLine {
  /** The step's index, or undefined for the build's own lines ("FETCHSOURCE", "PUSH", "DONE"). */
  step?: number;
  text: string;
}

export interface BuildReporter {
  /** The build changed (status, a step's status/timing/exit code, results, failureInfo). */
  changed(build: BuildMessage): void;
  /** A line of the build's log, as Cloud Build writes it to Cloud Logging and its log bucket. */
  log(line: BuildLogLine): void;
}

export interface BuildExecutor {
  /**
   * Runs the build's steps (substitutions already applied by the API side) in order, honouring waitFor, each
   * as a container sharing /workspace, and resolves once the build reached a final status (SUCCESS, FAILURE,
   * INTERNAL_ERROR, TIMEOUT, CANCELLED), set on `build` and reported. An abort means CancelBuild.
   */
  run(build: BuildMessage, source: BuildSource | undefined, reporter: BuildReporter, signal: AbortSignal): Promise<void>;
}
