// Runs after every other integration test (index.ts orders audit/ last) and audits what they left behind:
// no secret value may be in Mentor's output channels and logs, the VS Code user data (settings, storage,
// webview state), the workspace (except the .env file the user keeps it in), the images Mentor built, or
// the test artifacts (logs, and the text on screen at every screenshot). The values are the local .env
// value the local-loop test uses and every secret version the emulator's Secret Manager holds, read with
// the real Secret Manager client.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import Docker from 'dockerode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { emulatorAddress, PROJECT } from '../support';

/** What the local-loop test writes into the workspace's .env (never to be echoed anywhere). */
const LOCAL_ENV_SECRET = 'test-only-value';

async function secretManagerValues(): Promise<string[]> {
  const [host, port] = emulatorAddress().split(':');
  const client = new SecretManagerServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
  const values: string[] = [];
  try {
    const [secrets] = await client.listSecrets({ parent: `projects/${PROJECT}` });
    for (const secret of secrets) {
      const [versions] = await client.listSecretVersions({ parent: secret.name });
      for (const version of versions.filter((v) => String(v.state) === 'ENABLED' || v.state === 1)) {
        const [access] = await client.accessSecretVersion({ name: version.name });
        const data = access.payload?.data;
        if (data) values.push(Buffer.from(data as Uint8Array).toString('utf8'));
      }
    }
  } finally {
    await client.close();
  }
  return values;
}

function filesUnder(dir: string, skip: (file: string) => boolean = () => false): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    if (entry.isDirectory()) out.push(...filesUnder(full, skip));
    else if (entry.isFile() && !/\.(png|jpe?g|vsix|tar|gz)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** "file: value" for each file holding one of the values (values shown by a prefix only). */
function leaks(files: string[], values: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    let text: string;
    try { text = fs.readFileSync(file, 'latin1'); } catch { continue; }
    for (const value of values) if (text.includes(value)) found.push(`${file} holds a secret (${value.slice(0, 4)}…)`);
  }
  return found;
}

async function imageLeaks(values: string[]): Promise<{ checked: string[]; found: string[] }> {
  const host = process.env.DOCKER_HOST;
  assert.ok(host, 'DOCKER_HOST is not set: npm test starts an engine when the machine allows it');
  const docker = host.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) })
    : new Docker({ host: new URL(host.replace(/^tcp:/, 'http:')).hostname, port: Number(new URL(host.replace(/^tcp:/, 'http:')).port || 2375) });
  const images = (await docker.listImages()).filter((i) => (i.RepoTags ?? []).some((t) => t.includes('mentor-ai-backend')));
  const checked: string[] = [], found: string[] = [];
  for (const info of images) {
    const name = info.RepoTags![0];
    checked.push(name);
    const config = JSON.stringify(await docker.getImage(info.Id).inspect());
    // The app's files as the image holds them (the templates copy the app to /app).
    const container = await docker.createContainer({ Image: info.Id, Cmd: ['true'] });
    try {
      const stream = await container.getArchive({ path: '/app' }).catch(() => undefined);
      const chunks: Buffer[] = [];
      if (stream) for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
      const files = Buffer.concat(chunks).toString('latin1');
      for (const value of values) if (config.includes(value) || files.includes(value)) found.push(`image ${name} holds a secret (${value.slice(0, 4)}…)`);
    } finally {
      await container.remove({ force: true });
    }
  }
  return { checked, found };
}

describe('audit: secret values are never logged or stored', function () {
  this.timeout(180_000);
  let values: string[];

  before(async () => {
    values = [LOCAL_ENV_SECRET, ...(await secretManagerValues())];
    assert.ok(values.length >= 5, `expected the demo seed's secrets, got ${values.length} values`);
  });

  it('are not in the output channels, logs, settings or storage of VS Code', async () => {
    const userData = process.env.MENTOR_TEST_USER_DATA_DIR;
    assert.ok(userData, 'MENTOR_TEST_USER_DATA_DIR is not set: run the integration tests through npm test');
    const files = filesUnder(userData);
    const channelLogs = files.filter((f) => /output_logging|mentor-dev\.mentor-cloud-run/.test(f));
    assert.ok(channelLogs.some((f) => /Mentor/.test(path.basename(f))), `Mentor's channel logs are not under ${userData}: the audit would prove nothing`);
    assert.deepStrictEqual(leaks(files, values), []);
  });

  it('are not in the workspace, except the .env file the user keeps them in', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    assert.deepStrictEqual(leaks(filesUnder(folder, (f) => path.basename(f) === '.env'), values), []);
  });

  it('are not in the images Mentor built', async () => {
    const { checked, found } = await imageLeaks(values);
    assert.ok(checked.length > 0, 'no image of the fixture app found: the local-loop and deploy tests build them');
    assert.deepStrictEqual(found, []);
  });

  it('are not in the test artifacts (logs, the text on screen at each screenshot)', async () => {
    const results = process.env.MENTOR_TEST_RESULTS_DIR;
    assert.ok(results, 'MENTOR_TEST_RESULTS_DIR is not set: run the integration tests through npm test');
    const files = filesUnder(results);
    assert.ok(files.some((f) => f.endsWith('.txt')), 'no screenshot text saved: the audit would prove nothing');
    assert.deepStrictEqual(leaks(files, values), []);
  });
});
