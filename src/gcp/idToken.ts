// Health checks of a private Cloud Run service need an ID token whose audience is the service URL.
// Service-account ADC can mint one; user credentials from `gcloud auth application-default login`
// cannot, and then the check reports 401/403 with a hint instead.
import { MentorTarget } from '../core/settings';

export async function idTokenHeaders(target: MentorTarget, url: string): Promise<Record<string, string> | undefined> {
  // The emulator's proxy, like Cloud Run, wants a bearer token on private services but does not verify it.
  if (target.apiEndpoint) return { authorization: 'Bearer mentor-emulator' };
  const { GoogleAuth } = await import('./googleAuthLibrary');
  try {
    const client = await new GoogleAuth().getIdTokenClient(new URL(url).origin);
    const headers: Record<string, string> = {};
    (await client.getRequestHeaders()).forEach((value, key) => (headers[key] = value));
    return headers;
  } catch {
    return undefined;
  }
}
