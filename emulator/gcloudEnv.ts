// The environment that points the real gcloud at a running emulator's HTTP/JSON port: endpoint overrides per
// API, an access token from the environment (no login, no network), a config directory of its own (never the
// user's ~/.config/gcloud), no prompts, no usage reporting, no update checks.
// Cloud Run is special: gcloud prefixes its host with the region (`http://run.H:P/` is called as
// `http://us-central1-run.H:P/`), so its override must be a host NAME that resolves to the emulator for every
// region (scripts/engine/gcloud-hosts.sh writes those names into /etc/hosts). The other APIs take 127.0.0.1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GCLOUD_RUN_HOST = 'run.mentor-emulator.localhost';
/** Not a secret: the emulator accepts any token; gcloud only needs one to send. */
export const GCLOUD_ACCESS_TOKEN = 'mentor-emulator-token';
/** gcloud's API names (the CLOUDSDK_API_ENDPOINT_OVERRIDES_<NAME> suffixes) served on the REST port. */
const PLAIN_APIS = ['serviceusage', 'logging', 'artifactregistry', 'secretmanager', 'iam', 'cloudresourcemanager', 'cloudbuild'];

export interface GcloudEnvOptions {
  /** The emulator's REST address, "127.0.0.1:PORT" (RunningEmulator.restAddress). */
  restAddress: string;
  project: string;
  /** Default region for `gcloud run` (CLOUDSDK_RUN_REGION); unset = pass --region. */
  region?: string;
  /** gcloud's configuration directory; unset = a new temporary directory. */
  configDir?: string;
  /** Host name for the Cloud Run override (default GCLOUD_RUN_HOST). */
  runHost?: string;
}

export function gcloudEnv(opts: GcloudEnvOptions): Record<string, string> {
  const port = /:(\d+)$/.exec(opts.restAddress)?.[1];
  if (!port) throw new Error(`"${opts.restAddress}" is not an emulator address (HOST:PORT).`);
  const plain = `http://${opts.restAddress.replace(/^localhost:/, '127.0.0.1:')}/`;
  const configDir = opts.configDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-gcloud-'));
  const env: Record<string, string> = {
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_AUTH_ACCESS_TOKEN: GCLOUD_ACCESS_TOKEN,
    CLOUDSDK_CORE_PROJECT: opts.project,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    // No GCE metadata server probe (a 3 s wait offline).
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN: `http://${opts.runHost ?? GCLOUD_RUN_HOST}:${port}/`,
  };
  for (const api of PLAIN_APIS) env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] = plain;
  if (opts.region) env.CLOUDSDK_RUN_REGION = opts.region;
  return env;
}

/** `export KEY='value'` lines a POSIX shell can eval. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n');
}
