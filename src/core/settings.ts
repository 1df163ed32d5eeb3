// The deploy target as the repository's settings describe it, and the checks that run before any call.
import { projectIdProblem, regionProblem } from './cloudRunNames';
import { UserFacingError } from './errors';

export interface MentorTarget {
  project: string;
  region: string;
  /** Empty: real Google APIs. "host:port": a local emulator over plaintext gRPC without Google credentials. */
  apiEndpoint: string;
  /**
   * The endpoint came from the workspace's own settings (a cloned repository can set it), is not this
   * machine, and the user has not trusted it yet: nothing may be sent there.
   */
  untrustedEndpoint?: boolean;
}

/**
 * Whether a non-loopback endpoint that a repository's settings set must be trusted before anything is sent
 * there (`fromRepository`: it came from the workspace / folder settings, not the user's own).
 */
export function endpointNeedsTrust(apiEndpoint: string, fromRepository: boolean, trusted: readonly string[]): boolean {
  if (!fromRepository || trusted.includes(apiEndpoint)) return false;
  let host = '';
  try { host = parseApiEndpoint(apiEndpoint)?.host ?? ''; } catch { /* targetProblem reports a malformed value */ }
  return !!host && !isLoopbackHost(host);
}

/** 127.0.0.0/8, ::1 and localhost: this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export interface LocalEndpoint {
  host: string;
  port: number;
}

/** Parses "127.0.0.1:8090" / "localhost:8090" / "[::1]:8090"; undefined for an empty setting (= Google). */
export function parseApiEndpoint(value: string): LocalEndpoint | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  const m = /^(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(trimmed);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`mentor.apiEndpoint "${value}" is not host:port (for example 127.0.0.1:8090). ` +
      'Leave it empty to use Google Cloud.');
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export type TargetProblem = { setting: 'project' | 'region' | 'apiEndpoint'; message: string };

/** The target's first problem as every connection refuses with it: the message and Open Settings on its setting. */
export function targetProblemError(target: MentorTarget): UserFacingError | undefined {
  const problem = targetProblem(target);
  return problem && new UserFacingError(problem.message, 'configuration',
    [{ kind: 'openSettings', label: 'Open Settings', setting: `mentor.${problem.setting}` }]);
}

export function targetProblem(target: MentorTarget): TargetProblem | undefined {
  const project = projectIdProblem(target.project);
  if (project) return { setting: 'project', message: project };
  const region = regionProblem(target.region);
  if (region) return { setting: 'region', message: region };
  try {
    parseApiEndpoint(target.apiEndpoint);
  } catch (error) {
    return { setting: 'apiEndpoint', message: (error as Error).message };
  }
  return undefined;
}
