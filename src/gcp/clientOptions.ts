// The one place that decides how the Google clients connect: real Google (Application Default
// Credentials, checked first) or a local emulator (plaintext gRPC, no credentials). Everything else in
// the extension talks to both the same way.
import type { CallOptions, ClientOptions } from 'google-gax';
import { UserFacingError } from '../core/errors';
import { MentorTarget, parseApiEndpoint } from '../core/settings';
import { ensureGoogleCredentials } from './credentials';

export interface ConnectedOptions {
  options: ClientOptions;
  /** "host:port" for an emulator; undefined for Google. */
  endpoint?: string;
}

/**
 * Call options for every client: pages are read explicitly; against a local emulator no retries, since a
 * refused emulator is not transient and gax would retry for ~14 s before saying so.
 */
export function callOptionsFor(endpoint: string | undefined): CallOptions {
  return endpoint ? { autoPaginate: false, maxRetries: 0 } : { autoPaginate: false };
}

export async function buildClientOptions(target: MentorTarget): Promise<ConnectedOptions> {
  if (target.untrustedEndpoint) throw untrustedEndpointError(target.apiEndpoint);
  const local = parseApiEndpoint(target.apiEndpoint);
  if (local) {
    // Loaded lazily: both packages are large and only needed once the explorer asks for data.
    // The grpc module must be google-gax's own copy; a second @grpc/grpc-js rejects these credentials.
    const [{ grpc }, { PassThroughClient }] = await Promise.all([import('./gaxGrpc'), import('./googleAuthLibrary')]);
    return {
      endpoint: `${local.host}:${local.port}`,
      options: {
        apiEndpoint: local.host,
        port: local.port,
        sslCreds: grpc.credentials.createInsecure(),
        authClient: new PassThroughClient(),
        projectId: target.project,
      },
    };
  }
  const authClient = await ensureGoogleCredentials();
  return { options: { authClient, projectId: target.project } };
}

/** The one message for an endpoint a workspace set and the user has not trusted: nothing was sent there. */
export function untrustedEndpointError(endpoint: string): UserFacingError {
  return new UserFacingError(`This workspace's settings point Mentor at ${endpoint}, which is not this machine. ` +
    'Nothing was sent there: trust it first if you expect this (a cloned repository can set mentor.apiEndpoint).', 'configuration', [
    { kind: 'command', label: 'Trust This Endpoint', command: 'mentor.trustApiEndpoint', args: [endpoint] },
    { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.apiEndpoint' },
  ]);
}
