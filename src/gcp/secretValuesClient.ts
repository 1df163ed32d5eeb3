// Reads the values of the secrets a local run asks for, with the user's own credentials (ADC, or the
// emulator), straight into memory: Run Locally hands them to the container over stdin (core/memoryEnv).
// Nothing here logs, caches or writes a value. Loaded on first use (Run Locally with secrets).
import { SecretManagerServiceClient } from '@google-cloud/secret-manager/build/src/v1/secret_manager_service_client';
import type { SecretRef } from '../core/deployConfig';
import { UserFacingError } from '../core/errors';
import type { MentorTarget } from '../core/settings';
import { buildClientOptions } from './clientOptions';
import { Code } from './errorMapping';
import { preflightError, SECRET_MANAGER } from './preflightClient';

const ACCESSOR = { ...SECRET_MANAGER, role: 'Secret Manager Secret Accessor (roles/secretmanager.secretAccessor) on the secret' };

export function secretVersionName(project: string, ref: SecretRef): string {
  const secret = ref.secret.startsWith('projects/') ? ref.secret : `projects/${project}/secrets/${ref.secret}`;
  return `${secret}/versions/${ref.version}`;
}

/** env name → value for each reference; the first failure names the variable, the secret and the fix. */
export async function readSecretValues(target: MentorTarget, refs: Readonly<Record<string, SecretRef>>): Promise<Record<string, string>> {
  const { options, endpoint } = await buildClientOptions(target);
  const client = new SecretManagerServiceClient(options);
  try {
    const entries = await Promise.all(Object.entries(refs).map(async ([name, ref]) => {
      const version = secretVersionName(target.project, ref);
      try {
        const [answer] = await client.accessSecretVersion({ name: version }, endpoint ? { maxRetries: 0 } : {});
        const data = answer.payload?.data;
        return [name, typeof data === 'string' ? data : Buffer.from(data ?? []).toString('utf8')] as const;
      } catch (error) {
        const code = (error as { code?: unknown })?.code;
        if (code === Code.NOT_FOUND || code === Code.FAILED_PRECONDITION) {
          throw new UserFacingError(`${name}: ${version} cannot be read (${code === Code.NOT_FOUND ? 'no such secret or version' : 'the version is disabled or destroyed'}). Fix mentor.secrets or add a version.`,
            'notFound', [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.secrets' }]);
        }
        throw preflightError(error, ACCESSOR, `read ${name} from ${version}`, target.project, endpoint);
      }
    }));
    return Object.fromEntries(entries);
  } finally {
    await client.close().catch(() => undefined);
  }
}
