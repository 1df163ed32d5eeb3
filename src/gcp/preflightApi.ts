// What a deploy checks before it builds anything: enabled APIs, the Artifact Registry repository, and the
// Secret Manager secrets it references. The implementation (and the three Google clients behind it) is
// loaded only when a deploy connects.
import { MentorTarget } from '../core/settings';

export interface PreflightApi {
  /** Service names like "run.googleapis.com" that are ENABLED in the project (Service Usage ListServices, filter "state:ENABLED", all pages). */
  enabledServices(): Promise<Set<string>>;
  /** Artifact Registry: does projects/P/locations/L/repositories/R exist (GetRepository; NOT_FOUND → false), and its format ("DOCKER", "MAVEN", …). */
  repository(location: string, repository: string): Promise<{ exists: boolean; format?: string }>;
  /**
   * Secret Manager: does the secret (short name or projects/P/secrets/NAME) exist, and the state of the version
   * ("latest", "3"): "ENABLED", "DISABLED", "DESTROYED", or "NOT_FOUND" when the secret exists but
   * the version does not (so a check for !== "ENABLED" catches it); undefined when the secret does not exist.
   * Uses GetSecret + GetSecretVersion, never AccessSecretVersion: values never leave Secret Manager.
   */
  secret(secret: string, version: string): Promise<{ exists: boolean; versionState?: string }>;
  close(): Promise<void>;
}

export async function connectPreflight(target: MentorTarget): Promise<PreflightApi> {
  const { GooglePreflight } = await import('./preflightClient');
  return GooglePreflight.connect(target);
}
