// Finds and connects to a Docker engine. dockerode is imported here, lazily, so activating the extension
// does not load it. dockerode does not negotiate the API version: we read the engine's ApiVersion and pin
// min(engine, CLIENT_MAX_API_VERSION) (pinning a newer one fails with 400 "client version is too new").

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { UserFacingError, type ErrorAction } from '../core/errors';
import { DockerodeEngine } from './dockerodeEngine';
import type { DockerEngine, DockerEngineInfo } from './types';

/** The newest Engine API version this code was written and tested against. */
export const CLIENT_MAX_API_VERSION = '1.47';
const PING_TIMEOUT_MS = 5000;

export interface ConnectOptions {
  /** "unix:///var/run/docker.sock", "tcp://127.0.0.1:2375", "http://…", "https://…", "npipe:////./pipe/…". */
  host?: string;
  /** Timeout of the first ping and version requests. */
  timeoutMs?: number;
}

export interface HostCandidate {
  host: string;
  /** Where it came from, for messages: "option", "DOCKER_HOST", "docker context x", "default". */
  source: string;
}

export async function connectDocker(options: ConnectOptions = {}): Promise<DockerEngine> {
  const candidates = resolveHostCandidates(options.host);
  const timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
  const { default: Docker } = await import('dockerode');
  let firstFailure: { candidate: HostCandidate; error: unknown } | undefined;
  for (const candidate of candidates) {
    const modemOptions = modemOptionsFor(candidate.host);
    let info: DockerEngineInfo;
    try {
      const probe = new Docker({ ...modemOptions, timeout: timeoutMs });
      await withTimeout(probe.ping(), timeoutMs);
      const version = await withTimeout(probe.version(), timeoutMs);
      info = {
        host: candidate.host,
        apiVersion: negotiateApiVersion(version.ApiVersion),
        serverVersion: version.Version,
        os: version.Os,
        arch: version.Arch,
      };
    } catch (error) {
      firstFailure ??= { candidate, error };
      continue;
    }
    // No request timeout on the real client: builds and log streams can stay quiet for minutes.
    return new DockerodeEngine(new Docker({ ...modemOptions, version: `v${info.apiVersion}` }), info);
  }
  throw engineUnavailable(firstFailure?.candidate, firstFailure?.error, candidates);
}

/** min(engine's ApiVersion, client max); the engine's version when it is older. */
export function negotiateApiVersion(serverApiVersion: string | undefined): string {
  if (!serverApiVersion || !/^\d+\.\d+$/.test(serverApiVersion)) return CLIENT_MAX_API_VERSION;
  return compareApiVersions(serverApiVersion, CLIENT_MAX_API_VERSION) < 0 ? serverApiVersion : CLIENT_MAX_API_VERSION;
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * Where to look, in order: the option, DOCKER_HOST, the docker CLI's current context (DOCKER_CONTEXT or
 * ~/.docker/config.json), then the default sockets that exist (system, Docker Desktop, rootless).
 */
export function resolveHostCandidates(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
  exists: (file: string) => boolean = fs.existsSync,
): HostCandidate[] {
  if (explicit) return [{ host: explicit, source: 'option' }];
  if (env.DOCKER_HOST) return [{ host: env.DOCKER_HOST, source: 'DOCKER_HOST' }];
  const context = currentContextHost(env, home);
  if (context) return [context];
  if (process.platform === 'win32') return [{ host: 'npipe:////./pipe/docker_engine', source: 'default' }];
  const sockets = ['/var/run/docker.sock', path.join(home, '.docker', 'run', 'docker.sock')];
  if (env.XDG_RUNTIME_DIR) sockets.push(path.join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  else if (typeof process.getuid === 'function') sockets.push(`/run/user/${process.getuid()}/docker.sock`);
  sockets.push(path.join(home, '.colima', 'default', 'docker.sock'), path.join(home, '.orbstack', 'run', 'docker.sock'));
  const found = [...new Set(sockets)].filter((s) => exists(s)).map((s) => ({ host: `unix://${s}`, source: 'default' }));
  return found.length ? found : [{ host: 'unix:///var/run/docker.sock', source: 'default' }];
}

function currentContextHost(env: NodeJS.ProcessEnv, home: string): HostCandidate | undefined {
  try {
    const configDir = env.DOCKER_CONFIG || path.join(home, '.docker');
    let name = env.DOCKER_CONTEXT;
    if (!name) {
      const config = JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { currentContext?: string };
      name = config.currentContext;
    }
    if (!name || name === 'default') return undefined;
    const id = createHash('sha256').update(name).digest('hex');
    const meta = JSON.parse(fs.readFileSync(path.join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as {
      Endpoints?: { docker?: { Host?: string } };
    };
    const host = meta.Endpoints?.docker?.Host;
    return host ? { host, source: `docker context "${name}"` } : undefined;
  } catch {
    return undefined;
  }
}

/** dockerode/docker-modem constructor options for a DOCKER_HOST-style address. */
export function modemOptionsFor(host: string): Dockerode.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine' };
  if (host.startsWith('/')) return { socketPath: host };
  const withScheme = host.includes('://') ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserFacingError(
      `The Docker address "${host}" is not valid. Use unix:///path/to/docker.sock or tcp://host:port.`,
      'engineUnavailable',
      [{ kind: 'retry', label: 'Retry' }],
    );
  }
  const tls = url.protocol === 'https:' || process.env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    } as Dockerode.DockerOptions;
  }
  const options: Dockerode.DockerOptions = {
    protocol: tls ? 'https' : 'http',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (tls ? 2376 : 2375),
  };
  const certPath = process.env.DOCKER_CERT_PATH;
  if (tls && certPath) {
    options.ca = fs.readFileSync(path.join(certPath, 'ca.pem'));
    options.cert = fs.readFileSync(path.join(certPath, 'cert.pem'));
    options.key = fs.readFileSync(path.join(certPath, 'key.pem'));
  }
  return options;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`No answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function engineUnavailable(
  candidate: HostCandidate | undefined,
  error: unknown,
  tried: HostCandidate[] = candidate ? [candidate] : [],
): UserFacingError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const host = candidate?.host ?? 'unix:///var/run/docker.sock';
  const where = candidate && candidate.source !== 'default' ? `${host} (from ${candidate.source})` : host;
  const platform = process.platform;
  const startSteps =
    platform === 'darwin' || platform === 'win32'
      ? 'Start Docker Desktop and wait until it says it is running.'
      : 'Start Docker: `sudo systemctl start docker` (or start Docker Desktop).';
  const hostStep = 'If your engine listens elsewhere, set DOCKER_HOST (for example unix:///path/to/docker.sock or tcp://host:2375).';
  let message: string;
  const actions: ErrorAction[] = [];
  if (code === 'EACCES' || code === 'EPERM') {
    message =
      `Mentor may not use the Docker engine at ${where}: permission denied. ` +
      'Add your user to the docker group (`sudo usermod -aG docker $USER`), then log out and back in ' +
      '(or run `newgrp docker`). ' +
      hostStep;
    actions.push({ kind: 'openUrl', label: 'Docker post-install steps', url: 'https://docs.docker.com/engine/install/linux-postinstall/' });
  } else if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    message = `The Docker engine at ${where} did not answer within a few seconds. It may be starting or stuck: ${startSteps} ${hostStep}`;
  } else {
    const detail = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'nothing answers there' : describe(error);
    const others = tried.length > 1 ? ` (also tried ${tried.filter((t) => t !== candidate).map((t) => t.host).join(', ')})` : '';
    message = `Mentor could not reach a Docker engine at ${where}${others}: ${detail}. ${startSteps} If Docker is not installed, install Docker Desktop or Docker Engine. ${hostStep}`;
  }
  actions.push({ kind: 'openUrl', label: 'Install Docker', url: 'https://docs.docker.com/engine/install/' }, { kind: 'retry', label: 'Retry' });
  return new UserFacingError(message, 'engineUnavailable', actions, describe(error));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.trim() || error.name;
  return String(error ?? 'unknown error');
}
