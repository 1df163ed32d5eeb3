import * as assert from 'node:assert/strict';
import { DeployConfig, deployConfigProblems, imageRepository, isGcrHost, parseSecretRef, revisionTemplate } from '../../src/core/deployConfig';
import { candidateSplit, errorRatePercent, nextRevisionName, pinnedSplit } from '../../src/core/rolloutPlan';

export const baseConfig: DeployConfig = {
  project: 'mentor-demo', region: 'us-central1', service: 'api', registry: '', repository: 'mentor',
  memory: '2Gi', cpu: '2', minInstances: 1, maxInstances: 10, concurrency: 80, timeoutSeconds: 300, port: 8080,
  env: { LOG_LEVEL: 'info' }, secrets: { GEMINI_API_KEY: { secret: 'gemini-api-key', version: 'latest' } },
  serviceAccount: '', ingress: 'all', allowUnauthenticated: true, healthPath: '/health', verifyTimeoutSeconds: 60, smokeTest: true,
  rollout: { strategy: 'gradual', steps: [0, 50, 100], intervalSeconds: 5, maxErrorRatePercent: 5, healthChecks: 3 },
  explicit: new Set(),
};

describe('deploy config', () => {
  it('targets Artifact Registry and recognises gcr.io', () => {
    assert.equal(imageRepository(baseConfig), 'us-central1-docker.pkg.dev/mentor-demo/mentor/api');
    assert.equal(imageRepository({ ...baseConfig, registry: '127.0.0.1:5000' }), '127.0.0.1:5000/mentor-demo/mentor/api');
    assert.equal(isGcrHost('gcr.io/p/api:1'), true);
    assert.equal(isGcrHost('eu.gcr.io/p/api:1'), true);
    assert.equal(isGcrHost('us-central1-docker.pkg.dev/p/r/api'), false);
  });

  it('parses secret references', () => {
    assert.deepEqual(parseSecretRef('gemini-api-key'), { secret: 'gemini-api-key', version: 'latest' });
    assert.deepEqual(parseSecretRef('projects/p/secrets/x:3'), { secret: 'projects/p/secrets/x', version: '3' });
  });

  it('reports every problem with its setting', () => {
    assert.deepEqual(deployConfigProblems(baseConfig), []);
    const problems = deployConfigProblems({ ...baseConfig, service: 'Bad_Name', memory: '64Mi', minInstances: 5, maxInstances: 2,
      env: { PORT: '1', GEMINI_API_KEY: 'x' }, rollout: { ...baseConfig.rollout, steps: [0, 50] } });
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('mentor.service:')));
    assert.ok(problems.some((p) => /PORT is set by Cloud Run/.test(p)));
    assert.ok(problems.some((p) => /in both mentor\.env and mentor\.secrets/.test(p)));
  });

  it('refuses a service name too long for the rollout tag before the first deploy', () => {
    const long = 'a'.repeat(38);
    assert.match(deployConfigProblems({ ...baseConfig, service: long }).join('\n'), /38 characters; with the rollout tag "candidate" Cloud Run allows at most 37/);
    assert.deepEqual(deployConfigProblems({ ...baseConfig, service: 'a'.repeat(37) }), []);
  });

  it('builds a revision template with the image by digest and secret refs', () => {
    const template = revisionTemplate(baseConfig, 'r/api@sha256:abc', 'api-00002-xyz') as { containers: { env: unknown[]; image: string }[]; scaling: unknown };
    assert.equal(template.containers[0].image, 'r/api@sha256:abc');
    assert.deepEqual(template.containers[0].env, [
      { name: 'GEMINI_API_KEY', valueSource: { secretKeyRef: { secret: 'gemini-api-key', version: 'latest' } } },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    assert.deepEqual(template.scaling, { minInstanceCount: 1, maxInstanceCount: 10 });
  });
});

describe('rollout traffic', () => {
  const statuses = [
    { kind: 'latest' as const, revision: 'api-00003-ccc', percent: 90 },
    { kind: 'revision' as const, revision: 'api-00002-bbb', percent: 10, tag: 'canary' },
  ];

  it('pins the serving split and moves the candidate through the steps', () => {
    const pinned = pinnedSplit(statuses);
    assert.deepEqual(pinned, [
      { kind: 'revision', revision: 'api-00003-ccc', percent: 90 },
      { kind: 'revision', revision: 'api-00002-bbb', percent: 10, tag: 'canary' },
    ]);
    assert.deepEqual(candidateSplit(pinned, 'api-00004-ddd', 0).map((t) => [t.revision, t.percent, t.tag]),
      [['api-00004-ddd', 0, 'candidate'], ['api-00003-ccc', 90, undefined], ['api-00002-bbb', 10, 'canary']]);
    const half = candidateSplit(pinned, 'api-00004-ddd', 50);
    assert.deepEqual(half.map((t) => t.percent), [50, 45, 5]);
    const all = candidateSplit(pinned, 'api-00004-ddd', 100);
    assert.deepEqual(all.map((t) => [t.revision, t.percent, t.tag]), [['api-00004-ddd', 100, undefined], ['api-00002-bbb', 0, 'canary']]);
    for (const split of [half, all]) assert.equal(split.reduce((s, t) => s + t.percent, 0), 100);
  });

  it('keeps every tag, several per revision included, and never loses a stale candidate tag\'s traffic', () => {
    const pinned = pinnedSplit([
      { kind: 'revision', revision: 'api-00003-ccc', percent: 100, tag: 'stable' },
      { kind: 'revision', revision: 'api-00003-ccc', percent: 0, tag: 'blue' },
      { kind: 'revision', revision: 'api-00001-aaa', percent: 0, tag: 'candidate' },
    ]);
    assert.equal(pinned.length, 3);
    for (const percent of [0, 50, 100]) {
      const split = candidateSplit(pinned, 'api-00004-ddd', percent);
      assert.deepEqual(split.filter((t) => t.revision === 'api-00003-ccc').map((t) => t.tag), ['stable', 'blue']);
      assert.equal(split.reduce((s, t) => s + t.percent, 0), 100);
      assert.ok(!split.some((t) => t.revision === 'api-00001-aaa'), 'a stale 0% candidate tag is dropped');
    }
    const staleWithTraffic = candidateSplit([{ kind: 'revision', revision: 'api-00003-ccc', percent: 80 },
      { kind: 'revision', revision: 'api-00002-bbb', percent: 20, tag: 'candidate' }], 'api-00004-ddd', 0);
    assert.deepEqual(staleWithTraffic.map((t) => [t.revision, t.percent, t.tag]),
      [['api-00004-ddd', 0, 'candidate'], ['api-00003-ccc', 80, undefined], ['api-00002-bbb', 20, undefined]]);
  });

  it('names the next revision like Cloud Run and computes error rates', () => {
    assert.equal(nextRevisionName('api', 'api-00041-xyz', () => 0), 'api-00042-aaa');
    assert.equal(nextRevisionName('api', undefined, () => 0.99), 'api-00001-zzz');
    assert.equal(errorRatePercent([200, 200, 500, 503]), 50);
    assert.equal(errorRatePercent([]), undefined);
  });
});
