// Command line: node out/emulator/cli.js --port P [--rest-port R] [--host H] [--data DIR] [--seed demo|scale:SxR|metrics:RxDd|projects:N, several joined by +]
//   [--op-delay-ms N] [--docker-host unix:///…|tcp://…] [--no-runtime] [--startup-timeout-ms N]
//   [--registry-auth HOST=USER:PASS]… [--print-gcloud-env[=HOST:PORT]] [--gcloud-project P] [--gcloud-region R]
//   [--pubsub-host HOST:PORT | --no-pubsub] [--metrics-lag-ms N] [--alert-evaluation-ms N]
// Prints "Mentor emulator listening on HOST:PORT" (gRPC) once ready, then the REST/JSON URL and the mode it
// runs in; SIGTERM/SIGINT stop it cleanly (and remove the containers it started).
// Runtime mode (revisions run as containers) is on with --docker-host, or by default when DOCKER_HOST is
// set and its engine answers; --no-runtime keeps metadata only. Pull credentials: --registry-auth, else
// the Docker CLI's stored logins (DOCKER_CONFIG or ~/.docker/config.json, plain "auth" entries), else
// MENTOR_REGISTRY_USERNAME/PASSWORD (what the extension pushes to non-Google registries with).
// --print-gcloud-env prints `export CLOUDSDK_…` lines that point a shell's gcloud at this emulator's REST port
// once it is up; with =HOST:PORT it prints them for an emulator already running there and exits (gcloudEnv.ts;
// gcloud also needs scripts/engine/gcloud-hosts.sh once, as root).
// Cloud Build's notices (topic cloud-builds) go to the Pub/Sub REST endpoint --pubsub-host, by default
// PUBSUB_EMULATOR_HOST (the variable Google's clients and the Pub/Sub emulator use); --no-pubsub sends none.
// --metrics-lag-ms N: Cloud Monitoring points appear N ms after their minute began (Google: up to ~120 s; default 0).
// --alert-evaluation-ms N: how often alerting policies are evaluated (default 5000). Mail Monitoring sends
// (verification codes, incidents) is readable at http://REST/_emulator/outbox.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectDocker } from '../src/docker/connect';
import { exportLines, gcloudEnv } from './gcloudEnv';
import type { RegistryCredentials } from './runtimeEngine';
import { startEmulator, type EmulatorOptions } from './server';

const USAGE = 'Usage: node out/emulator/cli.js [--port P] [--rest-port R] [--host 127.0.0.1] [--data DIR] ' +
  '[--seed demo|scale:SxR|metrics:RxDd|projects:N[+…]] [--op-delay-ms N] [--docker-host URL | --no-runtime] [--startup-timeout-ms N] ' +
  '[--registry-auth HOST=USER:PASS]... [--print-gcloud-env[=HOST:PORT]] [--gcloud-project P] [--gcloud-region R] ' +
  '[--pubsub-host HOST:PORT | --no-pubsub] [--metrics-lag-ms N] [--alert-evaluation-ms N]';

interface CliOptions extends EmulatorOptions {
  noRuntime?: boolean;
  noPubsub?: boolean;
  /** true = print once this emulator is up; a string = the REST address of a running one (print and exit). */
  printGcloudEnv?: true | string;
  gcloudProject?: string;
  gcloudRegion?: string;
}

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value.`);
      return v;
    };
    const int = (name: string) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer.`);
      return n;
    };
    switch (flag) {
      case '--port': opts.port = int('--port'); break;
      case '--rest-port': opts.restPort = int('--rest-port'); break;
      case '--host': opts.host = value(); break;
      case '--data': opts.dataDir = value(); break;
      case '--seed': opts.seed = value(); break;
      case '--op-delay-ms': opts.operationDelayMs = int('--op-delay-ms'); break;
      case '--metrics-lag-ms': opts.metricsLagMs = int('--metrics-lag-ms'); break;
      case '--alert-evaluation-ms': opts.alertEvaluationMs = int('--alert-evaluation-ms'); break;
      case '--docker-host': opts.dockerHost = value(); break;
      case '--no-runtime': opts.noRuntime = true; break;
      case '--startup-timeout-ms': opts.startupTimeoutMs = int('--startup-timeout-ms'); break;
      case '--registry-auth': {
        const m = /^([^=]+)=([^:]+):(.*)$/s.exec(value());
        if (!m) throw new Error('--registry-auth takes HOST=USER:PASSWORD.');
        opts.registryAuth = { ...opts.registryAuth, [m[1]]: { username: m[2], password: m[3] } };
        break;
      }
      case '--print-gcloud-env': opts.printGcloudEnv = inline ?? true; break;
      case '--gcloud-project': opts.gcloudProject = value(); break;
      case '--gcloud-region': opts.gcloudRegion = value(); break;
      case '--pubsub-host': opts.pubsubHost = value(); break;
      case '--no-pubsub': opts.noPubsub = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`Unknown option ${argv[i]}.`);
    }
  }
  if (opts.noRuntime && opts.dockerHost) throw new Error('--no-runtime and --docker-host exclude each other.');
  if (opts.noPubsub && opts.pubsubHost) throw new Error('--no-pubsub and --pubsub-host exclude each other.');
  if (opts.pubsubHost && !/^[^/\s:]+:\d+$|^\[[0-9a-f:]+\]:\d+$/i.test(opts.pubsubHost)) throw new Error(`--pubsub-host takes HOST:PORT, not "${opts.pubsubHost}".`);
  return opts;
}

/** DOCKER_HOST when set and its engine answers; otherwise metadata only (with a note why). */
async function defaultDockerHost(): Promise<{ host?: string; note: string }> {
  const host = process.env.DOCKER_HOST;
  if (!host) return { note: 'metadata only (no --docker-host and DOCKER_HOST is not set)' };
  try {
    const engine = await connectDocker({ host, timeoutMs: 2000 });
    await engine.close();
    return { host, note: '' };
  } catch {
    return { note: `metadata only (DOCKER_HOST=${host} does not answer)` };
  }
}

function defaultRegistryAuth(env: NodeJS.ProcessEnv = process.env): Record<string, RegistryCredentials> {
  const auth: Record<string, RegistryCredentials> = {};
  try {
    const file = path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    for (const [host, entry] of Object.entries(config.auths ?? {})) {
      const [username, ...rest] = Buffer.from(entry.auth ?? '', 'base64').toString('utf8').split(':');
      if (username && rest.length) auth[host.replace(/^https?:\/\//, '').replace(/\/.*$/, '')] = { username, password: rest.join(':') };
    }
  } catch {
    // no Docker CLI config: anonymous pulls
  }
  if (env.MENTOR_REGISTRY_USERNAME && env.MENTOR_REGISTRY_PASSWORD) {
    auth['*'] = { username: env.MENTOR_REGISTRY_USERNAME, password: env.MENTOR_REGISTRY_PASSWORD };
  }
  return auth;
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const printGcloud = (restAddress: string) =>
    console.log(`# gcloud -> the emulator at ${restAddress} (eval these lines in a shell)\n${exportLines(gcloudEnv({
      restAddress, project: opts.gcloudProject ?? 'mentor-demo', region: opts.gcloudRegion,
    }))}`);
  if (typeof opts.printGcloudEnv === 'string') {
    printGcloud(opts.printGcloudEnv);
    return;
  }
  let note = opts.noRuntime ? 'metadata only (--no-runtime)' : '';
  if (!opts.noRuntime && !opts.dockerHost) {
    const found = await defaultDockerHost();
    opts.dockerHost = found.host;
    note = found.note;
  }
  if (opts.dockerHost) opts.registryAuth = { ...defaultRegistryAuth(), ...opts.registryAuth };
  if (!opts.noPubsub) opts.pubsubHost ??= process.env.PUBSUB_EMULATOR_HOST || undefined;
  const emulator = await startEmulator(opts);
  console.log(`Mentor emulator listening on ${emulator.address}`);
  console.log(`REST/JSON on http://${emulator.restAddress} (clients: apiEndpoint + port ${emulator.restPort}, protocol http, fallback rest)`);
  console.log(opts.dockerHost
    ? `Runtime mode: revisions run as containers on ${opts.dockerHost}; service URLs are http://127.0.0.1:PORT`
    : `Runtime: ${note}`);
  if (opts.pubsubHost) console.log(`Cloud Build notices: Pub/Sub at http://${opts.pubsubHost} (topic cloud-builds)`);
  console.log(`Monitoring mail (verification codes, incidents): http://${emulator.restAddress}/_emulator/outbox`);
  if (opts.printGcloudEnv) printGcloud(emulator.restAddress);
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(`Mentor emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
