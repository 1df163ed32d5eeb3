// Run Locally with the secrets of mentor.secrets, from the palette as a user does it: the quick pick asks,
// "Read from Secret Manager" reads the version from the emulator's Secret Manager with the user's
// credentials, and the app sees the variable while Docker's container config (what it keeps on disk) has
// no trace of the value. "Never for Local Runs" is saved and honoured without asking again.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { NEVER, READ_ONCE } from '../../src/local/localSecrets';
import type { MentorApi } from '../../src/extension';
import { emulatorAddress, eventually, httpGet, mentor, PROJECT, setMentorSetting } from './support';
import { fromPalette } from './userActions';
import { ui } from './uiBridge';

const SECRET_ID = 'local-run-razorpay-secret';
const VALUE = `rzp_local_${Date.now().toString(36)}_'quoted'`;

async function createSecret(): Promise<string> {
  const [host, port] = emulatorAddress().split(':');
  const client = new SecretManagerServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
  try {
    await client.createSecret({ parent: `projects/${PROJECT}`, secretId: SECRET_ID, secret: { replication: { automatic: {} } } }).catch(() => undefined);
    const [version] = await client.addSecretVersion({ parent: `projects/${PROJECT}/secrets/${SECRET_ID}`, payload: { data: Buffer.from(VALUE) } });
    return version.name!.split('/').pop()!;
  } finally {
    await client.close();
  }
}

async function runFromPalette(api: MentorApi, pick?: string): Promise<{ url: string; diagnostic: { environment: Record<string, boolean> } }> {
  await vscode.commands.executeCommand('mentor.stopLocalContainer');
  await fromPalette('Mentor: Run Container Locally');
  if (pick) {
    // The palette may still be on screen for a moment (a loaded machine): wait for Mentor's own question.
    const input = await eventually('the secrets question', async () => {
      const open = await ui.quickInput({ timeoutMs: 5_000 }).catch(() => undefined);
      return open && /Locally\?$/.test(open.placeholder ?? '') ? open : undefined;
    }, 60_000);
    assert.match(input.placeholder ?? '', /RAZORPAY_KEY_SECRET from Secret Manager on Cloud Run\. Locally\?/);
    await ui.selectQuickPick(pick);
  }
  const url = await eventually('the local container is healthy', async () => {
    if (!api.localRun.url) return undefined;
    const health = await httpGet(`${api.localRun.url}/health`).catch(() => undefined);
    return health?.status === 200 ? api.localRun.url : undefined;
  }, 240_000);
  const diagnostic = JSON.parse((await httpGet(`${url}/api/test/diagnostic`)).body);
  return { url, diagnostic };
}

describe('Run Locally with the secrets from Secret Manager', function () {
  this.timeout(420_000);
  let api: MentorApi;
  let dir: string;

  before(async () => {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: npm test starts an engine when the machine allows it');
    api = await mentor();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const version = await createSecret();
    await setMentorSetting('service', 'mentor-ai-backend');
    await setMentorSetting('localEnvFile', '.env');
    fs.writeFileSync(path.join(dir, '.env'), 'GEMINI_API_KEY=test-only-value\n');
    await setMentorSetting('secrets', { RAZORPAY_KEY_SECRET: `${SECRET_ID}:${version}` });
    await setMentorSetting('localSecrets', undefined);
    // The Dockerfile Mentor generates, whatever earlier tests left.
    fs.rmSync(path.join(dir, 'Dockerfile'), { force: true });
    fs.rmSync(path.join(dir, '.dockerignore'), { force: true });
    await vscode.commands.executeCommand('mentor.createDockerfile');
  });

  afterEach(async () => {
    // A failed test must not leave its question open over the next test's palette.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  after(async () => {
    await vscode.commands.executeCommand('mentor.stopLocalContainer');
    await setMentorSetting('secrets', undefined);
    await setMentorSetting('localSecrets', undefined);
  });

  it('asks, reads the version in memory: the app sees it, docker inspect does not', async () => {
    const { diagnostic } = await runFromPalette(api, READ_ONCE);
    assert.strictEqual(diagnostic.environment.RAZORPAY_KEY_SECRET, true, 'the secret reaches the app');
    assert.strictEqual(diagnostic.environment.GEMINI_API_KEY, true, 'the .env file still does');
    const inspect = execFileSync('docker', ['inspect', api.localRun.running!.id], { encoding: 'utf8' });
    assert.ok(!inspect.includes(VALUE) && !inspect.includes('RAZORPAY_KEY_SECRET='), 'the value is not in Docker\'s container config');
    assert.ok(inspect.includes('GEMINI_API_KEY='), 'the .env value is (the user keeps it in a file anyway)');
    const settings = fs.readFileSync(path.join(dir, '.vscode', 'settings.json'), 'utf8');
    assert.ok(!settings.includes(VALUE) && !settings.includes('localSecrets'), 'nothing was saved for a one-time choice');
  });

  it('"Never for Local Runs" is saved, and the next run does not ask', async () => {
    const first = await runFromPalette(api, NEVER);
    assert.strictEqual(first.diagnostic.environment.RAZORPAY_KEY_SECRET, false);
    assert.strictEqual(vscode.workspace.getConfiguration('mentor').get('localSecrets'), 'none');
    const second = await runFromPalette(api);
    assert.strictEqual(second.diagnostic.environment.RAZORPAY_KEY_SECRET, false, 'ran without asking, without the secret');
  });
});
