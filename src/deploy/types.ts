// The deploy pipeline's contract with its callers (the VS Code command and the headless CLI). No vscode
// import under src/deploy: both drive the same steps, each with its own DeployUi.
import type { DeployConfig } from '../core/deployConfig';
import type { DeployPlan } from '../core/deployPlan';
import type { TrafficTarget } from '../core/model';
import type { DockerEngine, PushResult, RegistryAuth } from '../docker/types';
import type { CloudRunApi } from '../gcp/cloudRun';
import type { PreflightApi } from '../gcp/preflightApi';
import type { RolloutSteering } from './rolloutSteering';

export type DeployStep = 'preflight' | 'build' | 'smoke test' | 'push' | 'deploy' | 'verify' | 'rollout';

export interface DeployUi {
  /** A step starts or reports progress. */
  progress(step: DeployStep, message: string): void;
  /** One line for the deploy log (build output, push layers, health checks). Never secret values. */
  log(line: string): void;
  warn(message: string): void;
  /** Shown before a live service is changed; false cancels without touching anything. */
  confirmPlan(service: string, planText: string, plan: DeployPlan): Promise<boolean>;
  /** Live env vars / secret refs missing from settings: keep them (merge), remove them, or cancel. */
  confirmDroppedRefs(service: string, plan: DeployPlan): Promise<'keep' | 'remove' | 'cancel'>;
}

/** Recent log lines of a revision and the statuses of its requests, from Cloud Logging. */
export interface DeployLogs {
  recentLines(service: string, revision: string, limit: number): Promise<string[]>;
  requestStatuses(service: string, revision: string, sinceIso: string): Promise<number[]>;
}

/** The candidate's requests from Cloud Monitoring, for the rollout gates (request logs are the fallback). */
export interface DeployMetrics {
  requestCounts(service: string, revision: string, since: Date, until: Date): Promise<{
    requests: number;
    errors: number;
    p95Ms?: number;
    /** End of the newest point Monitoring had: older than the gate's last minute means it lags. */
    newestPoint?: Date;
  }>;
}

export interface DeployDeps {
  cloudRun: CloudRunApi;
  preflight: PreflightApi;
  docker(): Promise<DockerEngine>;
  registryAuth(registryHost: string): Promise<RegistryAuth | undefined>;
  logs: DeployLogs;
  /** Cloud Monitoring for the gates; without it they read request logs. */
  metrics?: DeployMetrics;
  /** A person's Promote / Roll back while the rollout runs (the metrics panel). */
  steering?: RolloutSteering;
  /** Extra headers for health checks of private services (an ID token); undefined for public ones. */
  authHeaders?(url: string): Promise<Record<string, string> | undefined>;
}

export interface DeployInput {
  config: DeployConfig;
  /** Folder with the Dockerfile (the build context). */
  folder: string;
  /** Git revision tag for the image ("3f2a9c1-dirty"), or undefined outside git. */
  sourceTag?: string;
}

export interface StepTiming {
  step: DeployStep;
  ms: number;
}

export interface DeployResult {
  service: string;
  revision: string;
  url: string;
  /** The path verify checked (chosen from the app unless mentor.healthPath is set). */
  healthPath: string;
  healthStatus: number;
  healthMs: number;
  image: string;
  push: PushResult;
  created: boolean;
  /** The split that served before the deploy (pinned to revisions), for Undo; empty for a new service. */
  previousTraffic: TrafficTarget[];
  timings: StepTiming[];
}
