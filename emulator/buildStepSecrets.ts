// secretEnv for build steps: Build.availableSecrets.secretManager maps a Secret Manager version to an env
// variable name, a step lists the names it gets in secretEnv. The values are read as the build's service
// account, so a build account without roles/secretmanager.secretAccessor fails as on Google. The values
// only ever go into the step container's environment (never into logs or the Build).
import type { BuildMessage, BuildStepMessage } from './buildExecution';
import type { SecretManagerBackend } from './secretManagerBackend';

export type SecretAccess = (versionName: string, build: BuildMessage) => Promise<string>;

/** An accessSecret for EngineBuildExecutor backed by the emulator's Secret Manager. */
export function secretManagerAccess(secretManager: SecretManagerBackend): SecretAccess {
  return async (versionName, build) => {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/.exec(versionName);
    if (!m) throw new Error(`"${versionName}" is not a secret version name (projects/PROJECT/secrets/SECRET/versions/VERSION)`);
    const account = /\/serviceAccounts\/([^/]+)$/.exec(build.serviceAccount ?? '')?.[1];
    const resolved = secretManager.resolveForRuntime(m[1], `projects/${m[1]}/secrets/${m[2]}`, m[3], account);
    if (!resolved.ok) throw new Error(resolved.message.replace('Revision service account', 'build service account'));
    return resolved.value;
  };
}

/** The step's secretEnv values, or the reason they cannot be had (the step then fails with it). */
export async function stepSecrets(build: BuildMessage, step: BuildStepMessage, access: SecretAccess | undefined): Promise<Record<string, string> | string> {
  // options.secretEnv: "A list of global environment variables, which are encrypted …" given to every step
  const names = [...new Set([...((build.options as { secretEnv?: string[] } | undefined)?.secretEnv ?? []), ...(step.secretEnv ?? [])])];
  if (!names.length) return {};
  const available = (build.availableSecrets as { secretManager?: { versionName?: string; env?: string }[] } | undefined)?.secretManager ?? [];
  const out: Record<string, string> = {};
  for (const name of names) {
    const entry = available.find((s) => s.env === name);
    if (!entry?.versionName) return `secretEnv ${name} is not defined in availableSecrets.secretManager`;
    if (!access) return `secretEnv ${name}: this emulator runs builds without Secret Manager access`;
    try {
      out[name] = await access(entry.versionName, build);
    } catch (error) {
      return `failed to access secret version ${entry.versionName} for secretEnv ${name}: ${(error as Error).message}`;
    }
  }
  return out;
}
