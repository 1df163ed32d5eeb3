// Credentials the Docker engine sends to a registry when pushing. For Google: the Application Default
// Credentials' access token as user "oauth2accesstoken" (what `gcloud auth print-access-token | docker login
// -u oauth2accesstoken` does), and only to Google's registry hosts: a Google token must never reach another
// registry. For a local emulator or another registry: an optional user/password from the environment.
// The token and password are handed to the engine only, never logged.
import { isGoogleRegistry } from '../docker/pushStream';
import type { RegistryAuth } from '../docker/types';
import { UserFacingError } from '../core/errors';
import { MentorTarget, parseApiEndpoint } from '../core/settings';
import { ensureGoogleCredentials } from './credentials';

export const REGISTRY_USERNAME_ENV = 'MENTOR_REGISTRY_USERNAME';
export const REGISTRY_PASSWORD_ENV = 'MENTOR_REGISTRY_PASSWORD';

export async function registryAuthFor(
  target: MentorTarget,
  registryHost: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryAuth | undefined> {
  if (parseApiEndpoint(target.apiEndpoint) || !isGoogleRegistry(registryHost)) {
    const username = env[REGISTRY_USERNAME_ENV];
    const password = env[REGISTRY_PASSWORD_ENV];
    // Neither or only one set: an open registry (a half-set pair would only produce a confusing 401).
    return username && password ? { username, password, serveraddress: registryHost } : undefined;
  }
  const client = await ensureGoogleCredentials();
  let token: string | null | undefined;
  try {
    token = (await client.getAccessToken()).token;
  } catch (error) {
    throw noToken((error as Error).message);
  }
  if (!token) throw noToken('no access token was returned');
  return { username: 'oauth2accesstoken', password: token, serveraddress: registryHost };
}

function noToken(detail: string): UserFacingError {
  return new UserFacingError(
    'Could not get an access token for Artifact Registry from your Application Default Credentials. ' +
      'Run "gcloud auth application-default login" in a terminal, then retry.',
    'noCredentials',
    [{ kind: 'copyText', label: 'Copy Login Command', text: 'gcloud auth application-default login' }, { kind: 'retry', label: 'Retry' }],
    detail,
  );
}
