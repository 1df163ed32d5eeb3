// Health checks of a private Cloud Run service need a Google identity token. Service-account ADC (key
// file, metadata server, impersonation) mints one for the service URL; user ADC from
// `gcloud auth application-default login` carries one with every refresh (its grant includes `openid`),
// the token `gcloud auth print-identity-token` gives a user, which Cloud Run accepts from an invoker.
import type { AuthClient } from 'google-auth-library';
import { MentorTarget } from '../core/settings';

/** The Authorization header for a health check of `url`, or undefined when these credentials have no identity token. */
export async function idTokenHeaders(target: MentorTarget, url: string): Promise<Record<string, string> | undefined> {
  // The emulator's proxy, like Cloud Run, wants a bearer token on private services but does not verify it.
  if (target.apiEndpoint) return { authorization: 'Bearer mentor-emulator' };
  const { GoogleAuth, UserRefreshClient } = await import('./googleAuthLibrary');
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  try {
    const client = await auth.getClient();
    const token = await identityToken(client, client instanceof UserRefreshClient, new URL(url).origin,
      async (audience) => (await auth.getIdTokenClient(audience)).idTokenProvider.fetchIdToken(audience));
    return token ? { authorization: `Bearer ${token}` } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An identity token from whatever credentials ADC found: a service account's for `audience`, or a user's
 * from its refreshed credentials. `forAudience` mints one for credentials that can (service accounts).
 */
export async function identityToken(client: AuthClient, isUserCredentials: boolean, audience: string,
  forAudience: (audience: string) => Promise<string>): Promise<string | undefined> {
  if (isUserCredentials) {
    await client.getAccessToken(); // refreshes when needed; the response carries the user's id_token
    return client.credentials.id_token ?? undefined;
  }
  return forAudience(audience);
}
