// A deploy to a live service patches it: only the image, the env/secret refs the settings name, and the
// settings set explicitly change; the plan lists every difference between what runs and what will be sent.
import * as assert from 'node:assert/strict';
import { DeployConfig, deployConfigFromSettings, PatchableSetting } from '../../src/core/deployConfig';
import { describePlan, planNewService, planServiceChanges, riskyChanges, unlistedEnv } from '../../src/core/deployPlan';
import { patchLiveService, ServiceSpec } from '../../src/core/servicePatch';
import { baseConfig } from './deploy.test';

/** A live service with everything the settings do not describe (the case that used to be flattened). */
function fullyConfiguredService(): ServiceSpec {
  return {
    name: 'projects/mentor-demo/locations/us-central1/services/api', etag: '"abc"',
    ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY', labels: { team: 'payments' }, annotations: { 'run.googleapis.com/owner': 'ops' },
    binaryAuthorization: { useDefault: true },
    template: {
      revision: 'api-00007-old', serviceAccount: 'runtime@mentor-demo.iam.gserviceaccount.com', executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      vpcAccess: { connector: 'projects/mentor-demo/locations/us-central1/connectors/c1', egress: 'PRIVATE_RANGES_ONLY' },
      scaling: { minInstanceCount: 2, maxInstanceCount: 4 }, maxInstanceRequestConcurrency: 20, timeout: { seconds: '120' }, sessionAffinity: true,
      volumes: [{ name: 'firebase', secret: { secret: 'firebase-credentials', items: [{ path: 'firebase.json', version: 'latest' }] } }],
      containers: [
        { name: 'proxy', image: 'envoy:1', env: [{ name: 'UPSTREAM_TOKEN', valueSource: { secretKeyRef: { secret: 'proxy-token', version: '3' } } }] },
        { name: 'app', image: 'r/api@sha256:old', command: ['gunicorn'], args: ['-k', 'uvicorn.workers.UvicornWorker', 'main:app'],
          ports: [{ name: 'http1', containerPort: 8000 }], resources: { limits: { memory: '1Gi', cpu: '1' } },
          volumeMounts: [{ name: 'firebase', mountPath: '/secrets' }], startupProbe: { httpGet: { path: '/ready' } },
          env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'LEGACY_FLAG', value: '1' },
            { name: 'GEMINI_API_KEY', valueSource: { secretKeyRef: { secret: 'gemini-api-key', version: 'latest' } } }] },
      ],
    },
  };
}

const none = new Set<PatchableSetting>();
const config: DeployConfig = { ...baseConfig, env: { LOG_LEVEL: 'debug' }, secrets: { GEMINI_API_KEY: { secret: 'gemini-api-key', version: 'latest' } } };

describe('service patch', () => {
  it('changes only the serving container image when the settings set nothing else', () => {
    const live = fullyConfiguredService();
    const patched = patchLiveService(live, config, none, 'r/api@sha256:new', 'api-00008-new');
    const expected = fullyConfiguredService();
    expected.template!.revision = 'api-00008-new';
    expected.template!.containers![1].image = 'r/api@sha256:new';
    assert.deepEqual(patched, expected);
    assert.deepEqual(live, fullyConfiguredService(), 'the live spec is not modified');
  });

  it('applies explicit settings and named env vars, keeps the rest in place', () => {
    const explicit = new Set<PatchableSetting>(['memory', 'ingress', 'serviceAccount', 'maxInstances']);
    const patched = patchLiveService(fullyConfiguredService(), { ...config, env: { LOG_LEVEL: 'info', NEW_FLAG: 'x' }, serviceAccount: '' },
      explicit, 'r/api@sha256:new', 'api-00008-new');
    const app = patched.template!.containers![1];
    assert.equal(app.resources!.limits!.memory, '2Gi');
    assert.equal(app.resources!.limits!.cpu, '1', 'cpu was not set explicitly');
    assert.equal(patched.ingress, 'INGRESS_TRAFFIC_ALL');
    assert.equal(patched.template!.serviceAccount, undefined);
    assert.deepEqual(patched.template!.scaling, { minInstanceCount: 2, maxInstanceCount: 10 });
    assert.deepEqual(app.env!.map((e) => e.name), ['LOG_LEVEL', 'LEGACY_FLAG', 'GEMINI_API_KEY', 'NEW_FLAG']);
    assert.deepEqual(patched.template!.containers![0], fullyConfiguredService().template!.containers![0], 'the sidecar is untouched');
  });

  it('an env entry that means the same (proto defaults aside) is kept as read, not planned as a change', () => {
    const live = fullyConfiguredService();
    const app = live.template!.containers![1];
    app.env = app.env!.map((e) => ({ ...e, value: e.value ?? '', valueSource: e.valueSource ?? null }));
    const patched = patchLiveService(live, config, none, 'r/api@sha256:old', 'api-00008-new');
    assert.deepEqual(patched.template!.containers![1].env, app.env);
    assert.deepEqual(planServiceChanges(live, patched, { publicBefore: false, publicAfter: false }), []);
  });

  it('removes only the unlisted variables the user chose to remove', () => {
    const live = fullyConfiguredService();
    const unlisted = unlistedEnv(live, config);
    assert.deepEqual(unlisted, { names: ['LEGACY_FLAG'], droppedEnv: ['LEGACY_FLAG'], droppedSecrets: [] });
    const patched = patchLiveService(live, config, none, 'r/api@sha256:new', 'api-00008-new', unlisted.droppedEnv);
    assert.deepEqual(patched.template!.containers![1].env!.map((e) => e.name), ['LOG_LEVEL', 'GEMINI_API_KEY']);
  });
});

describe('deploy plan, field by field', () => {
  const access = { publicBefore: false, publicAfter: false };

  it('says "no configuration changes" when nothing differs, and lists only the image when only it does', () => {
    const live = fullyConfiguredService();
    const same = patchLiveService(live, config, none, 'r/api@sha256:old', 'api-00008-new');
    assert.equal(describePlan({ creates: false, changes: planServiceChanges(live, same, access), droppedEnv: [], droppedSecrets: [] }),
      'No configuration changes (same image and settings).');
    const changes = planServiceChanges(live, patchLiveService(live, config, none, 'r/api@sha256:new', 'api-00008-new'), access);
    assert.deepEqual(changes, [{ what: 'image', from: 'r/api@sha256:old', to: 'r/api@sha256:new' }]);
  });

  it('shows before → after for each change, marks widened access, never shows env values', () => {
    const live = fullyConfiguredService();
    const patched = patchLiveService(live, { ...config, env: { LOG_LEVEL: 'info' } }, new Set<PatchableSetting>(['ingress', 'cpu']), 'r/api@sha256:new', 'api-00008-new');
    const plan = { creates: false, changes: planServiceChanges(live, patched, { publicBefore: false, publicAfter: true }), droppedEnv: [], droppedSecrets: [] };
    assert.deepEqual(plan.changes.map((c) => [c.what, c.from, c.to, c.risk]), [
      ['ingress', 'internal', 'all', 'widens access'],
      ['invoker access', 'private', 'public (allUsers)', 'widens access'],
      ['image', 'r/api@sha256:old', 'r/api@sha256:new', undefined],
      ['cpu', '1', '2', undefined],
      ['env LOG_LEVEL', '(value)', '(new value)', undefined],
    ]);
    assert.equal(riskyChanges(plan).length, 2);
    assert.doesNotMatch(describePlan(plan), /debug|info/);
  });

  it('shows any other difference too, and marks removals', () => {
    const live = fullyConfiguredService();
    const changed = structuredClone(live);
    changed.template!.containers!.shift();
    changed.template!.containers![0].args = ['main:app'];
    const lines = planServiceChanges(live, changed, access).map((c) => `${c.what}${c.risk ? ` (${c.risk})` : ''}`);
    assert.deepEqual(lines, ['args', 'container proxy: container (removes)']);
  });

  it('notes what the user must know before saying yes after the changes', () => {
    const text = describePlan({ creates: false, changes: [], droppedEnv: [], droppedSecrets: [], notes: ['health checks will get 401/403'] });
    assert.equal(text, 'No configuration changes (same image and settings).\n⚠ health checks will get 401/403');
  });

  it('a new service lists what will be created, flagging a public one', () => {
    const changes = planNewService({ ...config, allowUnauthenticated: true }, 'r/api@sha256:new');
    assert.deepEqual(changes.find((c) => c.what === 'invoker access'), { what: 'invoker access', from: '(none)', to: 'public (allUsers)', risk: 'widens access' });
    assert.ok(changes.some((c) => c.what === 'env GEMINI_API_KEY' && c.to === 'secret gemini-api-key:latest'));
  });
});

describe('explicit settings', () => {
  it('come from the reader that tells a set value from a default', () => {
    const values: Record<string, unknown> = { project: 'p', memory: '4Gi', ingress: 'internal' };
    const read = <T>(key: string, fallback: T): T => (values[key] as T | undefined) ?? fallback;
    const parsed = deployConfigFromSettings(read, 'api', (key) => key in values);
    assert.deepEqual([...parsed.explicit].sort(), ['ingress', 'memory']);
    assert.equal(parsed.cpu, '2', 'defaults still fill the config (used for new services)');
  });
});
