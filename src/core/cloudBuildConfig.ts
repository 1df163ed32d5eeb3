// The cloudbuild.yaml Mentor writes for continuous deployment: three plain steps a user can read and edit
// — build, push, deploy — where deploy is Mentor's own health-gated rollout (rolloutScript.ts). Written as
// text, not serialised, so it keeps its comments and a stable layout (a regeneration diffs line by line).
//
// Cloud Build substitutes `$NAME` / `${NAME}` (built-ins like SHORT_SHA, and the `_NAME` ones defined
// under `substitutions:`) in step args and env, and an unknown NAME fails the build ("not a valid built-in
// substitution"), so every `$` bash needs is written `$$`. The scripts read their inputs from the step's
// `env:`, the one place substitutions are used; the comments here hold no `$` at all.
import { DeployConfig, deployConfigProblems, imageRepository } from './deployConfig';
import { FINGERPRINT_PREFIX, withFingerprint } from './cloudBuildFingerprint';
import { HealthCheckStep } from './healthCheck';
import { candidateTagPrefix, deployFlags, deployScript, pushScript, RolloutEnvName } from './rolloutScript';

export { generatedFingerprint, isUnchangedSinceGenerated, recordedFingerprint } from './cloudBuildFingerprint';

export const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
export const CLOUD_SDK_BUILDER = 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim';
/** Where the push step leaves IMAGE@sha256:… for the deploy step (steps share /workspace). */
export const IMAGE_DIGEST_FILE = '/workspace/.mentor-image-digest';
export const STEP_IDS = ['build', 'push', 'deploy'] as const;

export interface CloudBuildInput {
  /** The resolved deploy settings (deployConfigFromSettings). */
  config: DeployConfig;
  /** The health check the build verifies with: chooseHealthChecks(…)[0], or the one a smoke test resolved. */
  healthCheck: HealthCheckStep;
  /** Where the settings live, named in the header (default ".vscode/settings.json"). */
  settingsFile?: string;
  /** The Dockerfile and the build context, relative to the repository root (defaults "Dockerfile", "."). */
  dockerfile?: string;
  context?: string;
}

/** Cloud Build escaping: every `$` becomes `$$`, so Cloud Build hands bash a plain `$`. */
export function escapeForCloudBuild(script: string): string {
  return script.replace(/\$/g, '$$$$');
}

/** A YAML scalar: plain when that cannot be misread, else single-quoted. */
function yamlScalar(value: string): string {
  const plain = /^[A-Za-z_/][A-Za-z0-9_./:@=-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value);
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}

/** A YAML literal block at `indent` spaces (empty lines stay empty). */
function block(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return text.replace(/\n$/, '').split('\n').map((line) => (line ? pad + line : '')).join('\n');
}

function envList(env: [RolloutEnvName | string, string][], indent: number): string {
  const pad = ' '.repeat(indent);
  return env.map(([name, value]) => `${pad}- ${yamlScalar(`${name}=${value}`)}`).join('\n');
}

/** The build's timeout: image build and push, the verify wait and every gate, with room to spare. */
function buildTimeoutSeconds(config: DeployConfig): number {
  const gates = config.rollout.strategy === 'allAtOnce' ? 0 : config.rollout.steps.filter((s) => s > 0 && s < 100).length;
  const seconds = 1200 + config.verifyTimeoutSeconds + gates * (config.rollout.intervalSeconds + 60) + 300;
  return Math.ceil(seconds / 60) * 60;
}

/** The traffic steps after the candidate's 0%: "50 100" (or "100" when all traffic moves at once). */
function rolloutSteps(config: DeployConfig): string {
  const steps = config.rollout.strategy === 'allAtOnce' ? [100] : config.rollout.steps.filter((s) => s > 0);
  return steps.join(' ');
}

/** Why the settings cannot become a cloudbuild.yaml, or nothing. */
export function cloudBuildProblems(input: CloudBuildInput): string[] {
  const problems = [...deployConfigProblems(input.config)];
  if (!input.config.project) problems.push('mentor.project is not set: the build deploys to that project.');
  if (!/^\/[^\s$'"\\]*$/.test(input.healthCheck.path)) {
    problems.push(`Health check path "${input.healthCheck.path}" must start with / and hold no spaces, quotes or $.`);
  }
  for (const [name, value] of [['dockerfile', input.dockerfile], ['context', input.context]] as const) {
    if (value !== undefined && !/^[A-Za-z0-9_./-]+$/.test(value)) problems.push(`The ${name} path "${value}" may only hold letters, digits and _ . / -.`);
  }
  return problems;
}

/** The cloudbuild.yaml for these settings, with its fingerprint line. Throws when the settings cannot deploy. */
export function cloudBuildYaml(input: CloudBuildInput): string {
  const problems = cloudBuildProblems(input);
  if (problems.length) throw new Error(`Cannot write cloudbuild.yaml: ${problems.join(' ')}`);
  const { config, healthCheck } = input;
  const settingsFile = input.settingsFile ?? '.vscode/settings.json';
  const dockerfile = input.dockerfile ?? 'Dockerfile';
  const context = input.context ?? '.';
  const substitutions: [string, string][] = [
    ['_SERVICE', config.service],
    ['_REGION', config.region],
    ['_IMAGE', imageRepository(config)],
    ['_HEALTH_PATH', healthCheck.path],
  ];
  const imageEnv: [RolloutEnvName, string][] = [['IMAGE', '$_IMAGE'], ['SHORT_SHA', '$SHORT_SHA']];
  const deployEnv: [RolloutEnvName, string][] = [
    ['PROJECT_ID', '$PROJECT_ID'],
    ['SERVICE', '$_SERVICE'],
    ['REGION', '$_REGION'],
    ...imageEnv,
    ['IMAGE_DIGEST_FILE', IMAGE_DIGEST_FILE],
    ['HEALTH_PATH', '$_HEALTH_PATH'],
    ['HEALTH_ACCEPT', healthCheck.accept === 'ok' ? '2xx' : 'below-500'],
    ['VERIFY_SECONDS', String(config.verifyTimeoutSeconds)],
    ['ROLLOUT_STEPS', rolloutSteps(config)],
    ['GATE_SECONDS', String(config.rollout.intervalSeconds)],
    ['GATE_CHECKS', String(Math.max(1, config.rollout.healthChecks))],
    ['MAX_ERROR_RATE', String(config.rollout.maxErrorRatePercent)],
  ];
  const buildScript = `docker build --tag "$IMAGE:$SHORT_SHA" --file ${dockerfile} ${context} ||\n` +
    `  { echo "Mentor: docker build failed: the error is in the lines above."; exit 1; }\n`;
  const text = `${header(input, settingsFile)}
steps:
  # 1. Build the image from ${dockerfile}, tagged with the commit.
  - id: build
    name: ${DOCKER_BUILDER}
    entrypoint: bash
    env:
${envList(imageEnv, 6)}
    args:
      - -c
      - |
${block(escapeForCloudBuild(buildScript), 8)}

  # 2. Push it, and note the digest the registry gave it: the deploy runs exactly that image.
  - id: push
    name: ${DOCKER_BUILDER}
    entrypoint: bash
    env:
${envList([...imageEnv, ['IMAGE_DIGEST_FILE', IMAGE_DIGEST_FILE]], 6)}
    args:
      - -c
      - |
${block(escapeForCloudBuild(pushScript()), 8)}

  # 3. Deploy with Mentor's rollout.${deployComment(config, healthCheck)}
  - id: deploy
    name: ${CLOUD_SDK_BUILDER}
    entrypoint: bash
    env:
${envList(deployEnv, 6)}
    args:
      - -c
      - |
${block(escapeForCloudBuild(deployScript({ config, healthCheck })), 8)}

tags:
  - mentor
  - ${yamlScalar(config.service)}

substitutions:
${substitutions.map(([k, v]) => `  ${k}: ${yamlScalar(v)}`).join('\n')}

options:
  # A user-specified build service account needs its logs in Cloud Logging (or a bucket of its own).
  logging: CLOUD_LOGGING_ONLY

timeout: ${buildTimeoutSeconds(config)}s
`;
  return withFingerprint(text);
}

function header(input: CloudBuildInput, settingsFile: string): string {
  const { config } = input;
  return `# cloudbuild.yaml, generated by Mentor from the mentor.* settings in ${settingsFile}
# (service ${config.service}, region ${config.region}, project ${config.project}).
#
${commentParagraph('On every push the trigger builds the image, pushes it tagged with the commit, and deploys it the way ' +
    'Mentor deploys from the editor: a candidate revision with no traffic, checked on its own tag URL, then ' +
    `${describeSteps(config)}, and the old revision kept for a rollback. Any failure puts traffic back exactly as it was ` +
    'and fails the build with a last line "Mentor: <reason>".')}
#
# In the scripts below a double dollar sign is bash's own dollar sign: Cloud Build turns it into one and
# substitutes only the names the env lists use (SHORT_SHA, PROJECT_ID and the _NAMES at the end).
# Run by hand: gcloud builds submit --config=cloudbuild.yaml --substitutions=SHORT_SHA=<commit>
#
# Edit it as you like. When the settings change, Mentor regenerates it; the fingerprint below tells it
# whether you edited the file since, and if you did it shows a diff instead of overwriting your changes.
${FINGERPRINT_PREFIX}${'0'.repeat(16)}`;
}

/** A comment paragraph wrapped at 110 columns. */
function commentParagraph(text: string): string {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > 110) { lines.push(line); line = '#'; }
    line += ` ${word}`;
  }
  return [...lines, line].join('\n');
}

function describeSteps(config: DeployConfig): string {
  if (config.rollout.strategy === 'allAtOnce') return 'all traffic at once';
  const gated = config.rollout.steps.filter((s) => s > 0 && s < 100);
  return `${gated.map((s) => `${s}%`).join(', then ')} (each watched ${config.rollout.intervalSeconds} s: health checks and the 5xx rate), then 100%`;
}

/** What the deploy touches, in words: a reader should not need to decode the flags. */
function deployComment(config: DeployConfig, healthCheck: HealthCheckStep): string {
  const update = deployFlags(config, false).filter((f) => !f.startsWith('--update-'));
  const secrets = Object.keys(config.secrets).sort();
  const env = Object.keys(config.env).sort();
  const lines = [
    `A new service is created with every setting (${deployFlags(config, true).filter((f) => !f.startsWith('--update-')).join(' ')}).`,
    `An existing service is patched, not replaced: ${update.length ? `only ${update.join(' ')} (the settings set explicitly)` : 'no resource or scaling setting (none is set explicitly)'},`,
    `plus the image${env.length ? `, env vars ${env.join(', ')}` : ''}${secrets.length ? ` and secret references ${secrets.join(', ')}` : ''}, merged into`,
    'what it has: other variables, secret references, volumes, probes and labels stay as they are.',
    `Health check: GET ${healthCheck.path}${healthCheck.accept === 'ok' ? ' must answer 2xx' : ', any answer below 500'} (${healthCheck.reason}).`,
    `The candidate is tagged ${candidateTagPrefix(config.service)}<commit> while it is checked; the tag is removed at the end.`,
  ];
  return lines.map((l) => `\n  # ${l.replace(/\$/g, '')}`).join('');
}
