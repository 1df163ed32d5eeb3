// The secrets scan: what it finds, what it leaves alone, what it reads, and that Mentor's own .dockerignore
// keeps every kind of secret file a name can tell out of the context. Fake values only, never printed.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderDockerignore } from '../../src/core/dockerignoreTemplate';
import { ContextFile, findSecretFiles, MAX_SCAN_BYTES, normaliseContextPath } from '../../src/core/secretFiles';
import { contextFiles } from '../../src/docker/buildContext';
import { secretFilesInContext } from '../../src/docker/contextSecrets';

const fake = () => `fake-${randomBytes(12).toString('hex')}`;
const pem = (kind = 'RSA ') => `-----BEGIN ${kind}PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END ${kind}PRIVATE KEY-----\n`;
const serviceAccount = () => JSON.stringify({ type: 'service_account', project_id: 'demo', private_key_id: fake(),
  private_key: pem(''), client_email: 'app@demo.iam.gserviceaccount.com' }, null, 2);

/** Every kind of secret file, each named so that a name alone can tell it: path → content. */
function secretFilesByName(): Record<string, string> {
  return {
    '.env': `GEMINI_API_KEY=${fake()}\n`,
    'config/.env': `RAZORPAY_KEY_SECRET=${fake()}\n`,
    'prod.env': `TOKEN=${fake()}\n`,
    '.env.production': `TOKEN=${fake()}\n`,
    'app/.env.local': `TOKEN=${fake()}\n`,
    'certs/server.pem': pem(),
    'tls.key': pem('EC '),
    'deploy/id_rsa': pem('OPENSSH '),
    'id_ed25519': pem('OPENSSH '),
    'store.p12': fake(),
    'android/release.keystore': fake(),
    'java/app.jks': fake(),
    'win.pfx': fake(),
    'firebase-sa.json': serviceAccount(),
    'keys/gcp-service-account.json': serviceAccount(),
    'gcp-credentials.json': serviceAccount(),
    'mentor-demo-firebase-adminsdk-abc12-0123456789.json': serviceAccount(),
    '.npmrc': `//registry.npmjs.org/:_authToken=${fake()}\n`,
    'web/.npmrc': `_auth=${fake()}\n`,
    '.pypirc': `[pypi]\nusername = __token__\npassword = ${fake()}\n`,
    '.netrc': `machine example.com login me password ${fake()}\n`,
    '.docker/config.json': JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from(`me:${fake()}`).toString('base64') } } }),
  };
}

const harmless: Record<string, string> = {
  'Dockerfile': 'FROM python:3.11-slim\nCOPY . /app\n',
  'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
  '.env.example': 'GEMINI_API_KEY=\n',
  'config/.env.sample': 'TOKEN=\n',
  '.env.template': 'TOKEN=\n',
  '.env.dist': 'TOKEN=\n',
  'package.json': '{"name": "web"}',
  'ci/.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n; _auth=commented-out\n',
  'tools/.pypirc': '[pypi]\nusername = __token__\n',
  'home/.docker/config.json': '{"credsStore": "desktop"}',
  'public.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'schema.json': '{"type": "object", "properties": {"private_key": {"type": "string"}}}',
};

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-secrets-'));
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
  return root;
}

function inMemory(files: Record<string, string | Buffer>): { list: ContextFile[]; read: (p: string) => Promise<string | undefined>; reads: string[] } {
  const reads: string[] = [];
  return {
    list: Object.entries(files).map(([p, c]) => ({ path: p, size: Buffer.byteLength(c) })),
    read: async (p) => { reads.push(p); return Buffer.from(files[p]).toString('utf8'); },
    reads,
  };
}

describe('secret files in the build context', () => {
  const roots: string[] = [];
  after(async () => { for (const root of roots) await fs.rm(root, { recursive: true, force: true }); });

  it('finds every kind, names why, and never says a value', async () => {
    const secrets = secretFilesByName();
    const { list, read } = inMemory({ ...secrets, ...harmless });
    const findings = await findSecretFiles(list, read);
    assert.deepEqual(findings.map((f) => f.path).sort(), Object.keys(secrets).sort());
    const reason = (p: string) => findings.find((f) => f.path === p)?.reason;
    assert.equal(reason('firebase-sa.json'), 'service-account key (private_key)');
    assert.equal(reason('certs/server.pem'), 'private key (RSA)');
    assert.equal(reason('.env.production'), 'environment file');
    assert.equal(reason('.npmrc'), 'npm registry credentials (_authToken)');
    assert.equal(reason('.pypirc'), 'PyPI credentials (password)');
    assert.equal(reason('.docker/config.json'), 'Docker registry credentials (auths … auth)');
    assert.equal(reason('store.p12'), 'key store (.p12)');
    const text = JSON.stringify(findings);
    for (const content of Object.values(secrets)) {
      for (const value of content.match(/fake-[0-9a-f]{24}/g) ?? []) assert.ok(!text.includes(value), 'a finding holds a value');
    }
    assert.doesNotMatch(text, /BEGIN|[A-Za-z0-9+/]{40}/, 'no key material in findings');
  });

  it('finds keys in any small text file and service-account keys under any name, by content', async () => {
    const { list, read } = inMemory({ 'notes/deploy.txt': `ssh key:\n${pem('OPENSSH ')}`, 'gcp-key.json': serviceAccount(),
      'README.md': '# no keys here\n' });
    assert.deepEqual(await findSecretFiles(list, read), [
      { path: 'notes/deploy.txt', reason: 'private key (OPENSSH)' },
      { path: 'gcp-key.json', reason: 'service-account key (private_key)' },
    ]);
  });

  it('reads only candidates and small text files, at most MAX_SCAN_BYTES of each', async () => {
    const big = 'x'.repeat(MAX_SCAN_BYTES + 1);
    const files = {
      'big.txt': big + pem(), // too big and not a candidate: never read
      'big.json': big + serviceAccount(), // a service-account key is far smaller than this
      'logo.png': pem(), // binary by name
      'empty.txt': '',
      'blob.dat': Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(pem())]), // NUL byte: binary
      'big.key': pem() + big, // a candidate by name: its head is read
      '.env': `TOKEN=${fake()}\n`, // a secret by name: not read
      'allowed/server.pem': pem(),
    };
    const { list, read, reads } = inMemory(files);
    const findings = await findSecretFiles(list, read, ['./allowed/server.pem']);
    assert.deepEqual(reads.sort(), ['big.key', 'blob.dat']);
    assert.deepEqual(findings.map((f) => f.path), ['big.key', '.env']);
  });

  it('an allow list of exact paths suppresses findings (with ./ or backslashes too)', async () => {
    const { list, read } = inMemory({ '.env.production': 'A=1\n', 'keys\\gcp.json': serviceAccount(), 'keys/other.pem': pem() });
    assert.deepEqual((await findSecretFiles(list, read, ['./.env.production', 'keys/gcp.json'])).map((f) => f.path), ['keys/other.pem']);
    assert.equal(normaliseContextPath(' .\\a\\\\b '), 'a/b');
  });

  it('scans exactly what the build sends: .dockerignore applies, the allow list too', async () => {
    const root = await workspaceWith({ ...harmless, '.env.production': `A=${fake()}\n`, 'gcp-key.json': serviceAccount(),
      'ignored/id_rsa': pem(), '.dockerignore': 'ignored\n' });
    roots.push(root);
    assert.deepEqual((await secretFilesInContext(root)).map((f) => f.path).sort(), ['.env.production', 'gcp-key.json']);
    assert.deepEqual((await secretFilesInContext(root, 'Dockerfile', ['gcp-key.json'])).map((f) => f.path), ['.env.production']);
  });

  it("Mentor's .dockerignore keeps every kind a name can tell out of the context; without it, every kind is found", async () => {
    const secrets = secretFilesByName();
    const root = await workspaceWith({ ...secrets, ...harmless });
    roots.push(root);
    assert.deepEqual((await secretFilesInContext(root)).map((f) => f.path).sort(), Object.keys(secrets).sort());

    await fs.writeFile(path.join(root, '.dockerignore'), renderDockerignore());
    assert.deepEqual(await secretFilesInContext(root), []);
    // the examples that only name the variables still go in
    const sent = await contextFiles(root);
    for (const example of ['.env.example', 'config/.env.sample', '.env.template', '.env.dist']) assert.ok(sent.includes(example), example);
  });
});
