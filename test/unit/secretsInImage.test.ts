// The deploy refuses an image with secret files before anything is built (the CLI shares the pipeline
// and the settings), with the files, the reasons and the two ways out; mentor.allowedFilesInImage lets them in.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deployConfigFromSettings } from '../../src/core/deployConfig';
import { UserFacingError } from '../../src/core/errors';
import { ALLOW_FILES_BUTTON, describeFindings, IGNORE_FILES_BUTTON, secretsInImageError, secretsInLocalImageWarning } from '../../src/core/secretsInImage';
import { buildImage } from '../../src/deploy/imageSteps';
import type { DeployInput, DeployUi } from '../../src/deploy/types';
import type { DockerEngine } from '../../src/docker/types';
import { baseConfig } from './deploy.test';

const findings = [{ path: '.env.production', reason: 'environment file' },
  { path: 'gcp-key.json', reason: 'service-account key (private_key)' }];

const silentUi: DeployUi = {
  progress: () => undefined, log: () => undefined, warn: () => undefined,
  confirmPlan: async () => false, confirmDroppedRefs: async () => 'cancel',
};

describe('secrets in the image', () => {
  it('the refusal names each file and why, and offers both ways out with the paths', () => {
    const error = secretsInImageError(findings, '/work/app');
    assert.equal(error.kind, 'configuration');
    assert.match(error.message, /^Deploy stopped before the build: 2 files in the build context hold secrets/);
    assert.match(error.message, /registry — \.env\.production: environment file; gcp-key\.json: service-account key \(private_key\)\. Keep them out/);
    assert.match(error.message, /mentor\.allowedFilesInImage/);
    assert.deepEqual(error.actions, [
      { kind: 'command', label: IGNORE_FILES_BUTTON, command: 'mentor.ignoreFilesInImage', args: [['.env.production', 'gcp-key.json'], '/work/app'] },
      { kind: 'command', label: ALLOW_FILES_BUTTON, command: 'mentor.allowFilesInImage', args: [['.env.production', 'gcp-key.json'], '/work/app'] },
    ]);
    assert.match(secretsInImageError(findings.slice(0, 1), '/a').message, /1 file in the build context holds a secret .* Keep it out/);
    assert.match(secretsInLocalImageWarning(findings), /^This local image includes 2 files that hold secrets — \.env\.production: .* A deploy refuses them/);
  });

  it('a long list stays readable', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ path: `s${i}.env`, reason: 'environment file' }));
    assert.match(describeFindings(many), /; s7\.env: environment file; and 3 more$/);
  });

  it('mentor.allowedFilesInImage reaches the deploy config (the CLI reads the same settings)', () => {
    const config = (values: Record<string, unknown>) => deployConfigFromSettings(
      <T>(key: string, fallback: T) => (key in values ? values[key] as T : fallback), 'api', () => false);
    assert.deepEqual(config({}).allowedFilesInImage, []);
    assert.deepEqual(config({ allowedFilesInImage: ['gcp-key.json', 3] }).allowedFilesInImage, ['gcp-key.json']);
    assert.deepEqual(config({ allowedFilesInImage: 'gcp-key.json' }).allowedFilesInImage, []);
  });

  describe('the deploy build step', () => {
    let folder: string;
    let builds: number;
    const engine = { build: async () => { builds++; return { contextFiles: 1, contextBytes: 1, durationMs: 1 }; } } as unknown as DockerEngine;
    const input = (allowed?: string[]): DeployInput => ({ folder, config: { ...baseConfig, allowedFilesInImage: allowed } });

    beforeEach(async () => {
      builds = 0;
      folder = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-deploy-secrets-'));
      await fs.writeFile(path.join(folder, 'Dockerfile'), 'FROM busybox\nCOPY . /app\n');
      await fs.writeFile(path.join(folder, '.dockerignore'), '.git\n');
      await fs.writeFile(path.join(folder, '.env.production'), `TOKEN=fake-${randomBytes(8).toString('hex')}\n`);
    });
    afterEach(() => fs.rm(folder, { recursive: true, force: true }));

    it('refuses before building anything', async () => {
      await assert.rejects(buildImage(engine, input(), silentUi, new AbortController().signal), (error: unknown) => {
        assert.ok(error instanceof UserFacingError);
        assert.match(error.message, /\.env\.production: environment file/);
        assert.deepEqual(error.actions.map((a) => a.label), [IGNORE_FILES_BUTTON, ALLOW_FILES_BUTTON]);
        return true;
      });
      assert.equal(builds, 0);
    });

    it('builds when the file is allowed', async () => {
      assert.equal(await buildImage(engine, input(['.env.production']), silentUi, new AbortController().signal), 'api:local');
      assert.equal(builds, 1);
    });
  });
});
