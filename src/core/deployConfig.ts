// What a deploy should produce, as the repository's settings describe it, and the Cloud Run v2 service
// body built from it. Pure: used by the VS Code command and the headless CLI alike.
import { serviceIdProblem } from './cloudRunNames';
import { CLOUD_RUN_RESERVED_ENV } from './containerContract';
import { parseCpu, parseMemory } from './resources';
import { CANDIDATE_TAG } from './rolloutPlan';

export type Ingress = 'all' | 'internal' | 'internal-and-cloud-load-balancing';

/** Settings whose value reaches a LIVE service only when the user set them (a default never does). */
export const PATCHABLE_SETTINGS = ['memory', 'cpu', 'minInstances', 'maxInstances', 'concurrency', 'timeoutSeconds',
  'port', 'serviceAccount', 'ingress', 'allowUnauthenticated'] as const;
export type PatchableSetting = typeof PATCHABLE_SETTINGS[number];
export type RolloutStrategy = 'gradual' | 'allAtOnce';

export interface SecretRef {
  secret: string;
  version: string;
}

export interface DeployConfig {
  project: string;
  region: string;
  service: string;
  /** Registry host; default REGION-docker.pkg.dev (Artifact Registry). */
  registry: string;
  repository: string;
  memory: string;
  cpu: string;
  minInstances: number;
  maxInstances: number;
  concurrency: number;
  timeoutSeconds: number;
  port: number;
  env: Record<string, string>;
  secrets: Record<string, SecretRef>;
  serviceAccount: string;
  ingress: Ingress;
  allowUnauthenticated: boolean;
  /** mentor.healthPath when set; otherwise the check is chosen from the app (core/healthCheck.ts). */
  healthPath?: string;
  verifyTimeoutSeconds: number;
  smokeTest: boolean;
  /** mentor.allowedFilesInImage: context paths the secrets scan lets into the image (absent: none). */
  allowedFilesInImage?: readonly string[];
  rollout: { strategy: RolloutStrategy; steps: number[]; intervalSeconds: number; maxErrorRatePercent: number; healthChecks: number };
  /** The settings the user set (not defaults): only these reach a live service (see servicePatch.ts). */
  explicit: ReadonlySet<PatchableSetting>;
}

const INGRESS: Record<Ingress, string> = {
  all: 'INGRESS_TRAFFIC_ALL',
  internal: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'internal-and-cloud-load-balancing': 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_TAG_AND_SERVICE = 46;
const RESERVED_ENV = new Set<string>(CLOUD_RUN_RESERVED_ENV);
const SECRET_ID = /^(projects\/[^/]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/;

/** "gemini-api-key", "gemini-api-key:3", "projects/p/secrets/x:latest" → SecretRef. */
export function parseSecretRef(value: string): SecretRef {
  const colon = value.lastIndexOf(':');
  const [secret, version] = colon > 0 ? [value.slice(0, colon), value.slice(colon + 1)] : [value, 'latest'];
  return { secret, version: version || 'latest' };
}

/** Every reason the config cannot be deployed, each naming its setting. */
export function deployConfigProblems(config: DeployConfig): string[] {
  const problems: string[] = [];
  const check = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  const service = serviceIdProblem(config.service);
  if (service) problems.push(`mentor.service: ${service}`);
  // Every deploy after the first tags its new revision; Cloud Run caps tag + service name at 46 characters,
  // so a long name must fail here, before the first deploy, not at the second.
  else if (config.service.length + CANDIDATE_TAG.length > MAX_TAG_AND_SERVICE) {
    problems.push(`mentor.service: "${config.service}" has ${config.service.length} characters; with the rollout tag "${CANDIDATE_TAG}" ` +
      `Cloud Run allows at most ${MAX_TAG_AND_SERVICE - CANDIDATE_TAG.length} (tag and service name together ≤ ${MAX_TAG_AND_SERVICE}).`);
  }
  check(() => parseMemory(config.memory));
  check(() => parseCpu(config.cpu));
  if (!(config.minInstances >= 0 && config.maxInstances >= 1 && config.minInstances <= config.maxInstances)) {
    problems.push(`mentor.minInstances/maxInstances: ${config.minInstances}–${config.maxInstances} is not a valid range.`);
  }
  if (!(config.concurrency >= 1 && config.concurrency <= 1000)) problems.push('mentor.concurrency must be 1–1000.');
  if (!(config.timeoutSeconds >= 1 && config.timeoutSeconds <= 3600)) problems.push('mentor.timeoutSeconds must be 1–3600.');
  if (Number(config.cpu) < 1 && config.concurrency > 1) problems.push('mentor.concurrency must be 1 when mentor.cpu is below 1 (Cloud Run rule).');
  for (const name of [...Object.keys(config.env), ...Object.keys(config.secrets)]) {
    if (!ENV_NAME.test(name)) problems.push(`Environment variable name "${name}" is not valid.`);
    if (RESERVED_ENV.has(name)) problems.push(`${name} is set by Cloud Run and cannot be configured.`);
  }
  for (const name of Object.keys(config.env).filter((n) => n in config.secrets)) {
    problems.push(`${name} is in both mentor.env and mentor.secrets.`);
  }
  for (const [name, ref] of Object.entries(config.secrets)) {
    if (!SECRET_ID.test(ref.secret)) problems.push(`mentor.secrets.${name}: "${ref.secret}" is not a Secret Manager secret ID.`);
    if (!/^(latest|\d+)$/.test(ref.version)) problems.push(`mentor.secrets.${name}: version "${ref.version}" must be "latest" or a number.`);
  }
  const steps = config.rollout.steps;
  if (steps.length < 2 || steps[steps.length - 1] !== 100 || steps.some((s, i) => s < 0 || s > 100 || (i > 0 && s <= steps[i - 1]))) {
    problems.push('mentor.rollout.steps must rise from 0 (or more) to 100, e.g. [0, 50, 100].');
  }
  return problems;
}

export function registryHost(config: Pick<DeployConfig, 'registry' | 'region'>): string {
  return config.registry || `${config.region}-docker.pkg.dev`;
}

/** REGISTRY/PROJECT/REPOSITORY/SERVICE (Artifact Registry layout); append :TAG or @DIGEST. */
export function imageRepository(config: DeployConfig): string {
  return `${registryHost(config)}/${config.project}/${config.repository}/${config.service}`;
}

export function isGcrHost(image: string): boolean {
  return /^([a-z]+\.)?gcr\.io\//.test(image);
}

/** The revision template Cloud Run should run: image by digest, resources, scaling, env and secret refs. */
export function revisionTemplate(config: DeployConfig, imageByDigest: string, revisionName: string): Record<string, unknown> {
  return {
    revision: revisionName,
    scaling: { minInstanceCount: config.minInstances, maxInstanceCount: config.maxInstances },
    maxInstanceRequestConcurrency: config.concurrency,
    timeout: { seconds: config.timeoutSeconds },
    serviceAccount: config.serviceAccount || undefined,
    containers: [{
      image: imageByDigest,
      ports: [{ name: 'http1', containerPort: config.port }],
      resources: { limits: { memory: config.memory, cpu: String(config.cpu) } },
      env: [
        ...Object.entries(config.env).map(([name, value]) => ({ name, value })),
        ...Object.entries(config.secrets).map(([name, ref]) => ({ name, valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } } })),
      ].sort((a, b) => a.name.localeCompare(b.name)),
    }],
  };
}

export function ingressValue(ingress: Ingress): string {
  return INGRESS[ingress];
}

/** Reads one `mentor.*` setting (key without the prefix), falling back to `fallback`. */
export type SettingsReader = <T>(key: string, fallback: T) => T;

/**
 * The deploy config from `mentor.*` settings: the same for VS Code and the headless CLI. `isExplicit(key)`
 * tells a value the user set from a default (VS Code: `inspect()`; the CLI: present in settings.json).
 */
export function deployConfigFromSettings(read: SettingsReader, defaultService: string, isExplicit: (key: string) => boolean): DeployConfig {
  const secrets: Record<string, SecretRef> = {};
  for (const [name, value] of Object.entries(read<Record<string, string>>('secrets', {}))) secrets[name] = parseSecretRef(String(value));
  const healthPath = read('healthPath', '').trim();
  return {
    project: read('project', '').trim(),
    region: read('region', 'us-central1').trim(),
    service: read('service', '').trim() || defaultService,
    registry: read('registry', '').trim(),
    repository: read('repository', 'mentor').trim(),
    memory: read('memory', '2Gi'),
    cpu: String(read<string | number>('cpu', '2')),
    minInstances: read('minInstances', 1),
    maxInstances: read('maxInstances', 10),
    concurrency: read('concurrency', 80),
    timeoutSeconds: read('timeoutSeconds', 300),
    port: read('port', 8080),
    env: Object.fromEntries(Object.entries(read<Record<string, unknown>>('env', {})).map(([k, v]) => [k, String(v)])),
    secrets,
    serviceAccount: read('serviceAccount', '').trim(),
    ingress: read<Ingress>('ingress', 'all'),
    allowUnauthenticated: read('allowUnauthenticated', false),
    healthPath: !healthPath ? undefined : healthPath.startsWith('/') ? healthPath : `/${healthPath}`,
    verifyTimeoutSeconds: read('verifyTimeoutSeconds', 60),
    smokeTest: read('smokeTest', true),
    allowedFilesInImage: stringList(read<unknown>('allowedFilesInImage', [])),
    rollout: {
      strategy: read<RolloutStrategy>('rollout.strategy', 'gradual'),
      steps: read('rollout.steps', [0, 50, 100]),
      intervalSeconds: read('rollout.intervalSeconds', 30),
      maxErrorRatePercent: read('rollout.maxErrorRatePercent', 5),
      healthChecks: read('rollout.healthChecks', 3),
    },
    explicit: new Set(PATCHABLE_SETTINGS.filter((key) => isExplicit(key))),
  };
}

/** The strings of a list setting; a hand-edited settings.json (the CLI reads it as it is) may hold anything. */
function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
