// Application Default Credentials preflight. The Google clients throw an uncaught exception from a
// timer when no credentials exist (google-cloud-node#9085), which a try/catch around the call does not
// catch; so we resolve credentials ourselves first and hand the clients a ready auth client.
import type { AuthClient } from 'google-auth-library';
import { UserFacingError } from '../core/errors';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const PREFLIGHT_TIMEOUT_MS = 15_000;

let cached: Promise<AuthClient> | undefined;

export function ensureGoogleCredentials(): Promise<AuthClient> {
  cached ??= resolveCredentials().catch((error: unknown) => {
    cached = undefined; // let the user fix it and retry
    throw error;
  });
  return cached;
}

async function resolveCredentials(): Promise<AuthClient> {
  const { GoogleAuth } = await import('./googleAuthLibrary');
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  try {
    const client = await withTimeout(auth.getClient(), 'finding Application Default Credentials');
    const token = await withTimeout(client.getAccessToken(), 'getting an access token');
    if (!token.token) throw new Error('no access token was returned');
    return client;
  } catch (error) {
    throw new UserFacingError(
      'No usable Google Cloud credentials. Run "gcloud auth application-default login" in a terminal, ' +
        'or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, then retry.',
      'noCredentials',
      [
        { kind: 'copyText', label: 'Copy Login Command', text: 'gcloud auth application-default login' },
        { kind: 'openUrl', label: 'How ADC Works', url: 'https://cloud.google.com/docs/authentication/provide-credentials-adc' },
        { kind: 'retry', label: 'Retry' },
      ],
      (error as Error).message,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out ${what}`)), PREFLIGHT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
