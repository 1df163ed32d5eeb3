// Everything that can be checked before building: settings, credentials (by connecting), APIs enabled,
// the Artifact Registry repository and every referenced secret. Each failure names its fix.
import { DeployConfig, deployConfigProblems, imageRepository, isGcrHost, registryHost } from '../core/deployConfig';
import { ErrorAction, UserFacingError } from '../core/errors';
import { DeployDeps, DeployUi } from './types';

export async function preflight(config: DeployConfig, deps: DeployDeps, ui: DeployUi): Promise<void> {
  const problems = deployConfigProblems(config);
  if (problems.length) {
    throw new UserFacingError(`Fix these settings before deploying:\n${problems.join('\n')}`, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.' }]);
  }
  const image = imageRepository(config);
  if (isGcrHost(image)) {
    ui.warn(`${image} is on Container Registry (gcr.io), which no longer accepts pushes. Use Artifact Registry (mentor.registry empty).`);
  }
  const onArtifactRegistry = /-docker\.pkg\.dev$/.test(registryHost(config)) || !config.registry.includes('.');
  const required = ['run.googleapis.com', 'logging.googleapis.com',
    ...(onArtifactRegistry || deps.cloudRun.endpoint ? ['artifactregistry.googleapis.com'] : []),
    ...(Object.keys(config.secrets).length ? ['secretmanager.googleapis.com'] : [])];
  ui.progress('preflight', 'checking enabled APIs');
  const enabled = await deps.preflight.enabledServices();
  const missing = required.filter((api) => !enabled.has(api));
  if (missing.length) {
    const actions: ErrorAction[] = missing.map((api) => ({ kind: 'openUrl', label: `Enable ${api.split('.')[0]}`,
      url: `https://console.cloud.google.com/apis/library/${api}?project=${config.project}` }));
    actions.push({ kind: 'copyText', label: 'Copy gcloud Command', text: `gcloud services enable ${missing.join(' ')} --project ${config.project}` });
    throw new UserFacingError(`These APIs are not enabled in ${config.project}: ${missing.join(', ')}.`, 'apiDisabled', actions);
  }

  ui.progress('preflight', `checking repository ${config.repository}`);
  const repository = await deps.preflight.repository(config.region, config.repository);
  if (!repository.exists) {
    const command = `gcloud artifacts repositories create ${config.repository} --repository-format=docker ` +
      `--location=${config.region} --project=${config.project}`;
    throw new UserFacingError(`The Artifact Registry repository ${config.repository} does not exist in ${config.region}.`, 'notFound',
      [{ kind: 'copyText', label: 'Copy gcloud Command', text: command }, { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.repository' }]);
  }
  if (repository.format && repository.format !== 'DOCKER') {
    throw new UserFacingError(`Repository ${config.repository} holds ${repository.format} packages, not Docker images.`, 'configuration',
      [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.repository' }]);
  }

  const secretProblems: string[] = [];
  for (const [name, ref] of Object.entries(config.secrets)) {
    ui.progress('preflight', `checking secret ${ref.secret}`);
    const found = await deps.preflight.secret(ref.secret, ref.version);
    if (!found.exists) secretProblems.push(`${name} → secret "${ref.secret}" does not exist`);
    else if (found.versionState && found.versionState !== 'ENABLED') {
      secretProblems.push(`${name} → ${ref.secret} version ${ref.version} is ${found.versionState}`);
    }
  }
  if (secretProblems.length) {
    throw new UserFacingError(`Secret references that would fail at startup:\n${secretProblems.join('\n')}`, 'notFound',
      [{ kind: 'openUrl', label: 'Open Secret Manager', url: `https://console.cloud.google.com/security/secret-manager?project=${config.project}` }]);
  }
}
