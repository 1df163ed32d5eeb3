// `npx mentor deploy`: the same pipeline and settings as the VS Code command, for terminals and scripts.
// Settings come from FOLDER/.vscode/settings.json (mentor.*); `--yes` answers the confirmations
// (keeping live env vars and secret refs the settings do not mention — never dropping them silently).
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { suggestServiceId } from '../core/cloudRunNames';
import { deployConfigFromSettings } from '../core/deployConfig';
import { riskyChanges } from '../core/deployPlan';
import { isCancellation, UserFacingError } from '../core/errors';
import { endpointNeedsTrust, MentorTarget } from '../core/settings';
import { untrustedEndpointError } from '../gcp/clientOptions';
import { connectCloudRun } from '../gcp/cloudRun';
import { connectCloudLogging } from '../gcp/cloudLogging';
import { connectMonitoring, type MonitoringApi } from '../gcp/monitoringApi';
import { idTokenHeaders } from '../gcp/idToken';
import { connectPreflight } from '../gcp/preflightApi';
import { registryAuthFor } from '../gcp/registryCredentials';
import { connectDocker } from '../docker/connect';
import { deployLogsFrom } from '../deploy/deployLogs';
import { deployMetricsFrom } from '../deploy/deployMetrics';
import { runDeploy } from '../deploy/pipeline';
import { DeployUi } from '../deploy/types';
import { gitRevisionTag } from '../local/gitRevision';

const USAGE = `Usage: mentor deploy [--folder DIR] [--yes] [--remove-unlisted]
  --folder DIR        the app folder (default: current directory); settings from DIR/.vscode/settings.json
  --yes               confirm the deploy plan without asking (CI)
  --remove-unlisted   with --yes: remove live env vars / secret refs that the settings do not list
  --allow-access-changes  with --yes: apply a plan that widens or narrows access or removes something
  --trust-endpoint    send calls to a non-loopback mentor.apiEndpoint that the folder's settings set`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'deploy') {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  const folderIndex = rest.indexOf('--folder');
  const folder = resolve(folderIndex >= 0 ? rest[folderIndex + 1] ?? '.' : '.');
  const yes = rest.includes('--yes');
  const removeUnlisted = rest.includes('--remove-unlisted');
  const allowAccessChanges = rest.includes('--allow-access-changes');
  const settings = readSettings(folder);
  const read = <T>(key: string, fallback: T): T => (settings[`mentor.${key}`] as T | undefined) ?? fallback;
  const config = deployConfigFromSettings(read, suggestServiceId(basename(folder)), (key) => `mentor.${key}` in settings);
  const apiEndpoint = read('apiEndpoint', '') || process.env.MENTOR_API_ENDPOINT || '';
  // An endpoint from the folder's settings.json (a cloned repository) that is not this machine needs --trust-endpoint.
  const untrustedEndpoint = endpointNeedsTrust(apiEndpoint, !!read('apiEndpoint', ''), rest.includes('--trust-endpoint') ? [apiEndpoint] : []);
  const target: MentorTarget = { project: config.project, region: config.region, apiEndpoint, ...(untrustedEndpoint ? { untrustedEndpoint } : {}) };
  const abort = new AbortController();
  process.once('SIGINT', () => { process.stderr.write('\nCancelling…\n'); abort.abort(); });

  const ui: DeployUi = {
    progress: (step, message) => process.stderr.write(`▸ ${step}${message ? `: ${message}` : ''}\n`),
    log: (line) => process.stdout.write(`  ${line}\n`),
    warn: (message) => process.stderr.write(`⚠ ${message}\n`),
    async confirmPlan(service, planText, plan) {
      process.stdout.write(`Plan for ${service}:\n${planText}\n`);
      if (!yes) { process.stderr.write(`Refusing to ${plan.creates ? 'create a service' : 'change a live service'} without --yes.\n`); return false; }
      if (riskyChanges(plan).length && !allowAccessChanges) {
        process.stderr.write('Refusing: the plan widens or narrows access or removes something (⚠ above); add --allow-access-changes to apply it.\n');
        return false;
      }
      return true;
    },
    async confirmDroppedRefs(service, plan) {
      const lines = [...plan.droppedEnv.map((n) => `env ${n}`), ...plan.droppedSecrets.map((s) => `secret ${s}`)];
      process.stdout.write(`${service} has settings not in mentor.*: ${lines.join(', ')}\n`);
      if (!yes) return 'cancel';
      return removeUnlisted ? 'remove' : 'keep';
    },
  };
  if (untrustedEndpoint) {
    process.stderr.write(`✖ ${untrustedEndpointError(apiEndpoint).message}\n  Add --trust-endpoint to send it there.\n`);
    return 2;
  }
  const cloudRun = await connectCloudRun(target);
  const preflight = await connectPreflight(target);
  const logging = connectCloudLogging(target);
  logging.catch(() => undefined);
  // Connected only if a gate asks; a project without the Monitoring API falls back to request logs.
  let monitoring: Promise<MonitoringApi> | undefined;
  const connectMonitoringOnce = () => (monitoring ??= connectMonitoring(target));
  try {
    const result = await runDeploy({ config, folder, sourceTag: await gitRevisionTag(folder) }, {
      cloudRun, preflight, docker: () => connectDocker(), registryAuth: (host) => registryAuthFor(target, host),
      logs: deployLogsFrom(() => logging, config.project, config.region),
      metrics: deployMetricsFrom(connectMonitoringOnce, config.project, config.region),
      authHeaders: config.allowUnauthenticated ? undefined : (url) => idTokenHeaders(target, url),
    }, ui, abort.signal);
    process.stdout.write(`Deployed ${result.revision} · ${result.url} · ${result.healthPath} ${result.healthStatus} in ${result.healthMs} ms\n`);
    process.stdout.write(`${JSON.stringify({ revision: result.revision, url: result.url, image: result.image, timings: result.timings })}\n`);
    return 0;
  } catch (error) {
    if (isCancellation(error)) {
      process.stderr.write('Deploy cancelled; traffic unchanged.\n');
      return 130;
    }
    process.stderr.write(`✖ ${(error as Error).message}\n`);
    if (error instanceof UserFacingError && error.detail) process.stderr.write(`${error.detail}\n`);
    return 1;
  } finally {
    await Promise.allSettled([cloudRun.close(), preflight.close(), logging.then((l) => l.close()), monitoring?.then((m) => m.close())]);
  }
}

function readSettings(folder: string): Record<string, unknown> {
  try {
    return parse(readFileSync(join(folder, '.vscode', 'settings.json'), 'utf8')) ?? {};
  } catch {
    return {};
  }
}
