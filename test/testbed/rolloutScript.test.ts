// The generated cloudbuild.yaml's push and deploy steps, run for real: their scripts as Cloud Build hands
// them to bash (substitutions applied by Cloud Build's rules), with the step env the YAML declares, the
// machine's real gcloud pointed at the emulator in runtime mode, the real docker CLI and registry, and
// busybox images whose health endpoint answers as each case needs. The only change to a step: the digest
// file lives in a temp dir instead of /workspace.
// Needs: gcloud, DOCKER_HOST + REGISTRY_OPEN (npm test provides them), the regional Cloud Run host names in
// /etc/hosts (scripts/engine/gcloud-hosts.sh, which npm test runs as root).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient, RevisionsClient } from '@google-cloud/run';
import { parse } from 'yaml';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { deployConfigFromSettings } from '../../src/core/deployConfig';
import { cloudBuildYaml } from '../../src/core/cloudBuildConfig';
import { GCLOUD_RUN_HOST, gcloudEnv } from '../../emulator/gcloudEnv';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, PROJECT, serviceName } from '../emulator/fixture';
import { substitute } from '../unit/cloudBuildRules';
import { get } from './busyboxApp';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const REGION = 'us-central1';
const SERVICE = `ro-${RUN}`;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const HEALTH_PATH = '/cgi-bin/health';
// Commits: their SHORT_SHA is the image tag, and the start script picks the health behaviour from it.
const GOOD_1 = 'a000001';
const GOOD_2 = 'a000002';
const BROKEN = 'b000500';
const FLAKY = 'f000001';
const GOOD_3 = 'a000003';
const NO_START = 'd000001';

// busybox httpd: /revision says who answers; /cgi-bin/health answers 200, always 500 (b…), or 200 once and
// then 500 (f…: passes the first check, fails in the 50% gate); /cgi-bin/boom always 500; d… never listens.
const START_SH = `#!/bin/sh
mkdir -p /www/cgi-bin
echo "$K_REVISION" > /www/revision
cat > /www/cgi-bin/health <<'EOF'
#!/bin/sh
n=$(cat /tmp/checks 2>/dev/null || echo 0); n=$((n + 1)); echo $n > /tmp/checks
case "$APP_VERSION:$n" in
  b*|f*:[2-9]*) printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nbroken\\n';;
  *) printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nok\\n';;
esac
EOF
printf '#!/bin/sh\nprintf "Status: 500 Internal Server Error\\r\\n\\r\\nboom\\n"\n' > /www/cgi-bin/boom
chmod +x /www/cgi-bin/health /www/cgi-bin/boom
case "$APP_VERSION" in d*) echo "rollout-test $K_REVISION exits before listening"; exit 3;; esac
echo "rollout-test $K_REVISION listening on $PORT"
exec httpd -f -p "$PORT" -h /www
`;
const DOCKERFILE = 'FROM busybox:latest\nARG VERSION\nENV APP_VERSION=$VERSION\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n';

const SETTINGS = {
  project: PROJECT, registry: REGISTRY, allowUnauthenticated: true, memory: '512Mi', cpu: '1', minInstances: 0, maxInstances: 1,
  verifyTimeoutSeconds: 20, 'rollout.intervalSeconds': 4, 'rollout.healthChecks': 2, env: { MODE: 'ci' },
};

async function ensureHostNames(): Promise<void> {
  const name = `${REGION}-${GCLOUD_RUN_HOST}`;
  const resolves = () => dns.lookup(name).then((a) => a.address === '127.0.0.1', () => false);
  if (await resolves()) return;
  if (process.getuid?.() === 0) spawnSync('bash', [path.join(ROOT, 'scripts', 'engine', 'gcloud-hosts.sh')], { stdio: 'inherit', timeout: 10_000 });
  assert.ok(await resolves(), `${name} does not resolve to 127.0.0.1: run \`sudo bash scripts/engine/gcloud-hosts.sh\` once.`);
}

interface StepRun { code: number; output: string; lastLine: string; result?: Record<string, unknown> }

describe('the generated deploy step, run with the real gcloud against the emulator', function () {
  this.timeout(300_000);
  let engine: DockerodeEngine;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let revisions: RevisionsClient;
  let tmp = '';
  let baseEnv: NodeJS.ProcessEnv;
  const image = `${REGISTRY}/${PROJECT}/mentor/${SERVICE}`;

  /** Runs one step of the generated YAML the way Cloud Build would, for the commit `sha`. */
  async function runStep(id: 'push' | 'deploy', sha: string, settings: Record<string, unknown> = SETTINGS): Promise<StepRun> {
    const read = <T>(key: string, fallback: T): T => (key in settings ? settings[key] as T : fallback);
    const config = deployConfigFromSettings(read, SERVICE, (key) => key in settings);
    const build = parse(cloudBuildYaml({ config, healthCheck: { path: HEALTH_PATH, accept: 'ok', source: 'setting', reason: 'mentor.healthPath' } }));
    const values = { ...build.substitutions, PROJECT_ID: PROJECT, SHORT_SHA: sha, BUILD_ID: `b-${sha}` };
    const step = build.steps.find((s: { id: string }) => s.id === id);
    const stepEnv = Object.fromEntries((step.env as string[]).map((e) => substitute(e, values)).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const outputDir = path.join(tmp, `out-${id}-${sha}`);
    await fs.rm(outputDir, { recursive: true, force: true });
    const env = { ...baseEnv, ...stepEnv, IMAGE_DIGEST_FILE: path.join(tmp, 'digest'), BUILDER_OUTPUT: outputDir };
    const output = await new Promise<{ code: number; text: string }>((resolve) => {
      const child = spawn(step.entrypoint, step.args.map((a: string) => substitute(a, values)), { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => { text += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { text += c.toString(); });
      child.on('close', (code) => resolve({ code: code ?? 1, text }));
    });
    const lines = output.text.trimEnd().split('\n');
    const result = await fs.readFile(path.join(outputDir, 'output'), 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
    return { code: output.code, output: output.text, lastLine: lines[lines.length - 1], result };
  }

  async function buildImage(sha: string): Promise<void> {
    const dir = await fs.mkdtemp(path.join(tmp, 'app-'));
    await fs.writeFile(path.join(dir, 'start.sh'), START_SH);
    await fs.writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    await engine.build({ contextDir: dir, tags: [`${image}:${sha}`], buildArgs: { VERSION: sha } });
  }

  /** The push step, as the build runs it right before the deploy: it leaves the digest the deploy runs. */
  async function push(sha: string): Promise<void> {
    await fs.rm(path.join(tmp, 'digest'), { force: true });
    const pushed = await runStep('push', sha);
    assert.equal(pushed.code, 0, pushed.output);
    const digest = (await fs.readFile(path.join(tmp, 'digest'), 'utf8')).trim();
    assert.match(digest, new RegExp(`^${image.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
    assert.equal(pushed.lastLine, `Pushed ${digest}`);
  }

  /** Serving split as revision → percent (entries with 0% left out), and the tags, from the v2 API. */
  async function serving(): Promise<{ split: Record<string, number>; tags: string[]; uri: string }> {
    const [s] = await services.getService({ name: serviceName(SERVICE) });
    const split: Record<string, number> = {};
    for (const t of s.trafficStatuses ?? []) if (t.percent) split[t.revision!] = (split[t.revision!] ?? 0) + t.percent;
    return { split, tags: (s.trafficStatuses ?? []).filter((t) => t.tag).map((t) => t.tag!), uri: s.uri! };
  }

  /** Runs the deploy step while recording every distinct split the service goes through. */
  async function deployWatching(sha: string, settings?: Record<string, unknown>,
    onSplit?: (split: Record<string, number>, uri: string) => Promise<void>): Promise<{ run: StepRun; splits: string[] }> {
    await push(sha);
    const splits: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const seen = await serving().catch(() => undefined);
        const now = seen && JSON.stringify(seen.split);
        if (now && splits[splits.length - 1] !== now) {
          splits.push(now);
          await onSplit?.(seen.split, seen.uri);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const run = await runStep('deploy', sha, settings);
    watching = false;
    await watch;
    return { run, splits };
  }

  async function body(url: string): Promise<string> {
    const r = await get(`${url}/revision`);
    assert.equal(r.status, 200, `${url}/revision: ${r.status}`);
    return r.body.trim();
  }

  before(async function () {
    assert.equal(spawnSync('gcloud', ['--version'], { timeout: 60_000 }).status, 0, 'gcloud is not on PATH (Debian package google-cloud-cli)');
    assert.equal(spawnSync('docker', ['--version'], { timeout: 10_000 }).status, 0, 'the docker CLI is not on PATH (Debian package docker.io)');
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    await ensureHostNames();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-rollout-'));
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10, restPort: 0 });
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLOUDSDK_')));
    baseEnv = { ...inherited, ...gcloudEnv({ restAddress: emulator.restAddress, project: PROJECT, configDir: path.join(tmp, 'gcloud') }), TERM: 'dumb' };
    services = new ServicesClient(clientOptions(emulator.port));
    revisions = new RevisionsClient(clientOptions(emulator.port));
    for (const sha of [GOOD_1, GOOD_2, BROKEN, FLAKY, GOOD_3, NO_START]) await buildImage(sha);
  });

  after(async () => {
    await Promise.allSettled([services?.close(), revisions?.close()]);
    await emulator?.stop();
    for (const sha of [GOOD_1, GOOD_2, BROKEN, FLAKY, GOOD_3, NO_START]) await engine?.docker.getImage(`${image}:${sha}`).remove({ force: true }).catch(() => undefined);
    await engine?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  let rev1 = '';
  let rev2 = '';

  it('a new service is created with the settings, verified, and described in the step output', async () => {
    const { run } = await deployWatching(GOOD_1);
    assert.equal(run.code, 0, run.output);
    const [s] = await services.getService({ name: serviceName(SERVICE) });
    rev1 = s.latestReadyRevision!.split('/').pop()!;
    assert.deepEqual(run.result, { service: SERVICE, revision: rev1, url: s.uri, healthPath: HEALTH_PATH, healthStatus: 200, previousRevision: null });
    const container = s.template!.containers![0];
    assert.match(container.image!, new RegExp(`@sha256:[0-9a-f]{64}$`));
    assert.deepEqual(container.resources?.limits, { cpu: '1', memory: '512Mi' });
    assert.deepEqual(container.env?.map((e) => [e.name, e.value]), [['MODE', 'ci']]);
    assert.equal(s.template!.scaling?.maxInstanceCount, 1);
    assert.equal(await body(s.uri!), rev1);
  });

  it('an existing service gets a candidate with no traffic on its tag, then 50%, then 100%; the old revision stays', async () => {
    const { run, splits } = await deployWatching(GOOD_2);
    assert.equal(run.code, 0, run.output);
    const now = await serving();
    rev2 = Object.keys(now.split)[0];
    assert.notEqual(rev2, rev1);
    assert.deepEqual(splits, [{ [rev1]: 100 }, { [rev1]: 50, [rev2]: 50 }, { [rev2]: 100 }].map((s) => JSON.stringify(s)));
    assert.match(run.output, new RegExp(`revision \\[${rev2}\\] has been deployed and is serving 0 percent of traffic`));
    assert.match(run.output, new RegExp(`Verified ${rev2}: GET http://\\S+${HEALTH_PATH} 200`));
    assert.match(run.output, /Gate 50%: health check 2\/2 200/);
    assert.match(run.output, /Gate 50%: 0 of \d+ requests answered 5xx/);
    assert.deepEqual(now.tags, [], 'the candidate tag is removed at the end');
    assert.deepEqual(run.result, { service: SERVICE, revision: rev2, url: now.uri, healthPath: HEALTH_PATH, healthStatus: 200, previousRevision: rev1 });
    const [listed] = await revisions.listRevisions({ parent: serviceName(SERVICE) });
    assert.deepEqual(listed.map((r) => r.name!.split('/').pop()).sort(), [rev1, rev2].sort());
    assert.equal(await body(now.uri), rev2);
  });

  it('a candidate whose health check answers 500 fails the step with the reason; traffic stays exactly as it was', async () => {
    const before = await serving();
    const { run, splits } = await deployWatching(BROKEN);
    assert.notEqual(run.code, 0);
    assert.match(run.lastLine, new RegExp(`^Mentor: ${SERVICE}-\\d{5}-[a-z]{3} did not pass its health check: GET http://\\S+${HEALTH_PATH} answered 500\\. ` +
      `Traffic is back on ${rev2} 100%\\.$`));
    assert.deepEqual(await serving(), before);
    assert.deepEqual(splits, [JSON.stringify(before.split)], 'no traffic ever moved');
    assert.equal(run.result, undefined, 'no step output on failure');
    assert.equal(await body(before.uri), rev2);
  });

  it('a candidate that fails in the 50% gate is rolled back from 50% to exactly the previous split', async () => {
    const before = await serving();
    const { run, splits } = await deployWatching(FLAKY);
    assert.notEqual(run.code, 0);
    const candidate = /Verified (\S+): GET/.exec(run.output)?.[1] ?? '';
    assert.ok(candidate, run.output);
    assert.match(run.lastLine, new RegExp(`^Mentor: health check 1/2 at 50% failed: GET http://\\S+${HEALTH_PATH} answered 500\\. Traffic is back on ${rev2} 100%\\.$`));
    assert.deepEqual(splits, [{ [rev2]: 100 }, { [rev2]: 50, [candidate]: 50 }, { [rev2]: 100 }].map((s) => JSON.stringify(s)));
    assert.deepEqual(await serving(), before);
  });

  it('a candidate whose requests fail at 50% (5xx above mentor.rollout.maxErrorRatePercent) is rolled back by the error-rate gate', async () => {
    const before = await serving();
    let sent = 0;
    const { run, splits } = await deployWatching(GOOD_3, { ...SETTINGS, 'rollout.intervalSeconds': 6 }, async (split, uri) => {
      if (Object.keys(split).length !== 2) return;
      // Users' requests while the candidate has half the traffic: every one fails, on either revision.
      for (; sent < 20; sent++) await get(`${uri}/cgi-bin/boom`);
    });
    assert.equal(sent, 20, run.output);
    assert.notEqual(run.code, 0);
    const candidate = /Verified (\S+): GET/.exec(run.output)?.[1] ?? '';
    const m = new RegExp(`^Mentor: (\\d+) of (\\d+) requests to ${candidate} answered 5xx at 50%, above the 5% allowed\\. Traffic is back on ${rev2} 100%\\.$`).exec(run.lastLine);
    assert.ok(m, run.lastLine);
    // The round-robin sends exactly half of the 20 to the candidate; its 2 health checks answered 200.
    assert.deepEqual([Number(m[1]), Number(m[2])], [10, 12]);
    assert.deepEqual(splits, [before.split, { [rev2]: 50, [candidate]: 50 }, before.split].map((s) => JSON.stringify(s)));
    assert.deepEqual(await serving(), before);
  });

  it('a candidate that never starts fails the step with Cloud Run\'s reason; traffic stays exactly as it was', async () => {
    const before = await serving();
    const { run, splits } = await deployWatching(NO_START);
    assert.notEqual(run.code, 0);
    assert.match(run.lastLine, new RegExp(`^Mentor: deploying the candidate failed: \\(gcloud\\.run\\.deploy\\) Revision '${SERVICE}-\\d{5}-[a-z]{3}' is not ready and cannot serve traffic\\. .*information\\. Last log line: "rollout-test ${SERVICE}-\\d{5}-[a-z]{3} exits before listening"\\. Traffic is back on ${rev2} 100%\\.$`));
    assert.deepEqual(splits, [JSON.stringify(before.split)]);
    assert.deepEqual(await serving(), before);
  });

  it('a private service whose build credentials give no identity token fails at verify, saying so', async () => {
    await push(GOOD_3);
    const before = await serving();
    const run = await runStep('deploy', GOOD_3, { ...SETTINGS, allowUnauthenticated: false, verifyTimeoutSeconds: 3 });
    assert.notEqual(run.code, 0);
    assert.match(run.lastLine, /did not pass its health check: GET \S+ answered 403: the service is private and the check was not authorized \(no identity token for the check: \(gcloud\.auth\.print-identity-token\) No identity token can be obtained from the current credentials\)\. Traffic is back on/);
    assert.deepEqual((await serving()).split, before.split);
  });
});
