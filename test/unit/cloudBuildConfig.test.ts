// The generated cloudbuild.yaml, read the way Cloud Build reads it: YAML → the v1 Build message (field names
// checked against the real proto), substitutions resolved with Cloud Build's rules, and the step scripts
// that come out of that given to bash.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseDocument } from 'yaml';
import { DeployConfig, deployConfigFromSettings } from '../../src/core/deployConfig';
import { HealthCheckStep, PORT_CHECK } from '../../src/core/healthCheck';
import {
  cloudBuildYaml, CLOUD_SDK_BUILDER, DOCKER_BUILDER, generatedFingerprint, isUnchangedSinceGenerated, recordedFingerprint,
} from '../../src/core/cloudBuildConfig';
import { ROLLOUT_ENV } from '../../src/core/rolloutScript';
import { BUILT_IN_SUBSTITUTIONS, buildFieldProblems, substitute, templateKeys } from './cloudBuildRules';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function config(settings: Record<string, unknown>, service = 'mentor-ai-backend'): DeployConfig {
  const read = <T>(key: string, fallback: T): T => (key in settings ? settings[key] as T : fallback);
  return deployConfigFromSettings(read, service, (key) => key in settings);
}

const HEALTH: HealthCheckStep = { path: '/health', accept: 'ok', source: 'route', reason: 'health route in main.py:12' };
const REFERENCE = config({
  project: 'mentor-demo', memory: '2Gi', cpu: '2', minInstances: 1, maxInstances: 10,
  serviceAccount: 'mentor-runtime@mentor-demo.iam.gserviceaccount.com',
  secrets: {
    FIREBASE_CREDENTIALS: 'firebase-credentials', GEMINI_API_KEY: 'gemini-api-key:3',
    RAZORPAY_KEY_ID: 'razorpay-key-id', RAZORPAY_KEY_SECRET: 'projects/other-proj/secrets/razorpay-key-secret:latest',
  },
  env: { APP_ENV: 'production', ALLOWED_ORIGINS: 'https://a.example,https://b.example', GREETING: "it's $HOME" },
});
const CASES: [string, DeployConfig, HealthCheckStep][] = [
  ['the reference app (4 secrets, private, a runtime service account)', REFERENCE, HEALTH],
  ['a minimal app (only a project; the port check)', config({ project: 'mentor-demo' }, 'tiny'), PORT_CHECK],
  ['a public service without a service account', config({ project: 'mentor-demo', allowUnauthenticated: true, registry: '127.0.0.1:5000' }, 'public-api'),
    { path: '/healthz', accept: 'ok', source: 'setting', reason: 'mentor.healthPath' }],
  ['all traffic at once', config({ project: 'mentor-demo', 'rollout.strategy': 'allAtOnce' }, 'fast'), HEALTH],
];

/** The build as Cloud Build gets it: the YAML parsed strictly. */
function parse(text: string): Obj {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true });
  assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), []);
  return doc.toJS() as Obj;
}

/** The bash each step runs after Cloud Build's substitution, with its env as Cloud Build sets it. */
function resolvedSteps(build: Obj, values: Record<string, string>): { id: string; script: string; env: Record<string, string> }[] {
  return (build.steps as Obj[]).map((step) => ({
    id: step.id,
    script: substitute(step.args[1], values),
    env: Object.fromEntries((step.env as string[]).map((e) => substitute(e, values)).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
  }));
}

const VALUES = (build: Obj) => ({ ...build.substitutions, PROJECT_ID: 'mentor-demo', SHORT_SHA: '3f2a9c1', BUILD_ID: 'b-1' });

/** The elements of a bash array assignment NAME=( … ) in the script, as bash reads them. */
function bashArray(script: string, name: string): string[] {
  const m = new RegExp(`^${name}=\\((\\n[^]*?\\n)?\\)$`, 'm').exec(script);
  assert.ok(m, `${name} is not in the script`);
  const r = spawnSync('bash', ['-c', `${m[0]}\nfor w in "\${${name}[@]}"; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('cloudbuild.yaml generation', () => {
  for (const [name, cfg, health] of CASES) {
    describe(name, () => {
      const text = cloudBuildYaml({ config: cfg, healthCheck: health });
      const build = parse(text);

      it('uses only fields of the v1 Build message (BuildStep, BuildOptions, ...), with values of their types', () => {
        assert.deepEqual(buildFieldProblems(build), []);
        assert.deepEqual(Object.keys(build).sort(), ['options', 'steps', 'substitutions', 'tags', 'timeout']);
      });

      it('has the contract steps, tags, substitutions and options', () => {
        assert.deepEqual(build.steps.map((s: Obj) => [s.id, s.name, s.entrypoint]),
          [['build', DOCKER_BUILDER, 'bash'], ['push', DOCKER_BUILDER, 'bash'], ['deploy', CLOUD_SDK_BUILDER, 'bash']]);
        assert.deepEqual(build.tags, ['mentor', cfg.service]);
        assert.deepEqual(build.options, { logging: 'CLOUD_LOGGING_ONLY' });
        const registry = cfg.registry || `${cfg.region}-docker.pkg.dev`;
        assert.deepEqual(build.substitutions, {
          _SERVICE: cfg.service, _REGION: cfg.region, _IMAGE: `${registry}/mentor-demo/mentor/${cfg.service}`, _HEALTH_PATH: health.path,
        });
        assert.match(build.timeout, /^\d+s$/);
        assert.ok(parseInt(build.timeout, 10) >= 1200 + cfg.verifyTimeoutSeconds);
      });

      it('references only substitutions Cloud Build knows, and uses every one it defines', () => {
        const keys = templateKeys(text);
        const unknown = [...keys].filter((k) => !BUILT_IN_SUBSTITUTIONS.has(k) && !(k in build.substitutions));
        assert.deepEqual(unknown, [], 'Cloud Build would fail: "key in the template is not a valid built-in substitution"');
        const unused = Object.keys(build.substitutions).filter((k) => !keys.has(k));
        assert.deepEqual(unused, [], 'Cloud Build would fail: "key in the substitution data is not matched in the template"');
        assert.ok(Object.keys(build.substitutions).every((k) => /^_[A-Z0-9_]+$/.test(k)));
        // Only env entries hold substitutions: the scripts and comments have no single $ left.
        for (const step of build.steps as Obj[]) assert.deepEqual([...templateKeys(step.args.join('\n'))], [], `step ${step.id}`);
        const comments = text.split('\n').filter((l) => l.trimStart().startsWith('#') && !/^ {8}/.test(l));
        assert.deepEqual(comments.filter((l) => l.includes('$')), []);
      });

      it('gives bash scripts that parse once Cloud Build has substituted them', () => {
        for (const step of resolvedSteps(build, VALUES(build))) {
          const r = spawnSync('bash', ['-n'], { input: step.script, encoding: 'utf8' });
          assert.equal(r.status, 0, `step ${step.id}: ${r.stderr}`);
          assert.doesNotMatch(step.script, /\$\$/, `step ${step.id} still has $$ after substitution`);
        }
      });

      it('sets every variable the deploy script reads from the step env', () => {
        const deploy = resolvedSteps(build, VALUES(build))[2];
        assert.deepEqual(Object.keys(deploy.env).sort(), Object.keys(ROLLOUT_ENV).sort());
        assert.equal(deploy.env.SERVICE, cfg.service);
        assert.equal(deploy.env.SHORT_SHA, '3f2a9c1');
        assert.equal(deploy.env.HEALTH_PATH, health.path);
        assert.equal(deploy.env.HEALTH_ACCEPT, health.accept === 'ok' ? '2xx' : 'below-500');
        assert.equal(deploy.env.ROLLOUT_STEPS, cfg.rollout.strategy === 'allAtOnce' ? '100' : '50 100');
        assert.equal(deploy.env.MAX_ERROR_RATE, String(cfg.rollout.maxErrorRatePercent));
        assert.equal(deploy.env.IMAGE_DIGEST_FILE, resolvedSteps(build, VALUES(build))[1].env.IMAGE_DIGEST_FILE);
      });

      it('deploys every secret reference (merged, never --set-secrets) and patches only the settings set explicitly', () => {
        const script = resolvedSteps(build, VALUES(build))[2].script;
        const create = bashArray(script, 'CREATE_FLAGS');
        const update = bashArray(script, 'UPDATE_FLAGS');
        assert.doesNotMatch(script, /--set-secrets|--set-env-vars|--clear-/);
        for (const flags of [create, update]) {
          const secrets = flags.filter((f) => f.startsWith('--update-secrets='));
          const refs = Object.entries(cfg.secrets).map(([n, r]) => `${n}=${r.secret}:${r.version}`);
          if (!refs.length) assert.deepEqual(secrets, []);
          else for (const ref of refs) assert.ok(secrets[0].includes(ref), `${ref} missing from ${secrets[0]}`);
        }
        assert.equal(create.filter((f) => /^--(memory|cpu|min-instances|max-instances|concurrency|timeout|port|ingress)=/.test(f)).length, 8);
        const owned = update.filter((f) => !f.startsWith('--update-')).map((f) => f.replace(/=.*/, ''));
        const expected = { memory: '--memory', cpu: '--cpu', minInstances: '--min-instances', maxInstances: '--max-instances',
          serviceAccount: '--service-account', allowUnauthenticated: '--allow-unauthenticated' } as Record<string, string>;
        assert.deepEqual(owned.sort(), [...cfg.explicit].map((s) => expected[s]).sort());
      });
    });
  }

  it('keeps env values exactly: commas use gcloud\'s ^DELIM^ form, quotes and dollars reach bash single-quoted', () => {
    const build = parse(cloudBuildYaml({ config: REFERENCE, healthCheck: HEALTH }));
    const script = resolvedSteps(build, VALUES(build))[2].script;
    const [envFlag] = bashArray(script, 'UPDATE_FLAGS').filter((f) => f.startsWith('--update-env-vars='));
    assert.equal(envFlag, "--update-env-vars=^@^ALLOWED_ORIGINS=https://a.example,https://b.example@APP_ENV=production@GREETING=it's $HOME");
  });

  it('names the service account and public access only when set, and the tag fits Cloud Run\'s 46 characters', () => {
    const text = cloudBuildYaml({ config: REFERENCE, healthCheck: HEALTH });
    assert.match(text, /--service-account=mentor-runtime@mentor-demo\.iam\.gserviceaccount\.com/);
    assert.doesNotMatch(cloudBuildYaml({ config: config({ project: 'mentor-demo' }), healthCheck: HEALTH }), /--service-account/);
    const long = config({ project: 'mentor-demo' }, 'a-service-name-of-thirty-five-chars');
    const longText = cloudBuildYaml({ config: long, healthCheck: HEALTH });
    assert.match(longText, /TAG="c-\$\$\{SHORT_SHA\}"/);
    assert.ok(long.service.length + 'c-'.length + 7 <= 46);
    assert.match(text, /TAG="candidate-\$\$\{SHORT_SHA\}"/);
  });

  it('refuses settings that cannot deploy, naming the setting', () => {
    assert.throws(() => cloudBuildYaml({ config: config({ project: 'mentor-demo' }, 'Bad_Name'), healthCheck: HEALTH }), /mentor\.service/);
    assert.throws(() => cloudBuildYaml({ config: config({}), healthCheck: HEALTH }), /mentor\.project is not set/);
    assert.throws(() => cloudBuildYaml({ config: REFERENCE, healthCheck: { ...HEALTH, path: '/a b' } }), /Health check path/);
    assert.throws(() => cloudBuildYaml({ config: REFERENCE, healthCheck: HEALTH, dockerfile: 'x;rm -rf /' }), /dockerfile path/);
  });
});

describe('cloudbuild.yaml fingerprint', () => {
  const text = cloudBuildYaml({ config: REFERENCE, healthCheck: HEALTH });

  it('a generated file is unchanged since generated, and generation is deterministic', () => {
    assert.equal(isUnchangedSinceGenerated(text), true);
    assert.equal(recordedFingerprint(text), generatedFingerprint(text));
    assert.equal(cloudBuildYaml({ config: REFERENCE, healthCheck: HEALTH }), text);
  });

  it('any edit — a value, a comment, an added line — counts as edited; line endings do not', () => {
    assert.equal(isUnchangedSinceGenerated(text.replace('GATE_SECONDS=30', 'GATE_SECONDS=60')), false);
    assert.equal(isUnchangedSinceGenerated(text.replace('# 2. Push it', '# 2. Push the image')), false);
    assert.equal(isUnchangedSinceGenerated(`${text}# mine\n`), false);
    assert.equal(isUnchangedSinceGenerated(text.replace(/\n/g, '\r\n')), true);
  });

  it('a file without the line, or with a forged one, is not taken as generated', () => {
    assert.equal(isUnchangedSinceGenerated(text.replace(/^# mentor-fingerprint: .*\n/m, '')), false);
    assert.equal(isUnchangedSinceGenerated(text.replace(/(# mentor-fingerprint: )[0-9a-f]{16}/, '$10123456789abcdef')), false);
    assert.equal(isUnchangedSinceGenerated('steps: []\n'), false);
  });

  it('other settings give another file and another fingerprint', () => {
    const other = cloudBuildYaml({ config: config({ project: 'mentor-demo', memory: '4Gi' }), healthCheck: HEALTH });
    assert.notEqual(recordedFingerprint(other), recordedFingerprint(text));
    assert.equal(isUnchangedSinceGenerated(other), true);
  });
});

describe('the Cloud Build rules these tests apply', () => {
  it('catch unknown fields, output-only fields, wrong enum values and durations', () => {
    assert.deepEqual(buildFieldProblems({ steps: [{ name: 'x', argz: [] }], options: { logging: 'LOUD' }, timeout: '10m', status: 'SUCCESS' }), [
      'build.steps[0].argz: no such field in google.devtools.cloudbuild.v1.BuildStep',
      'build.options.logging: "LOUD" is not a LoggingMode',
      'build.timeout: a Duration is written like "600s"',
      'build.status: output only',
    ]);
    assert.deepEqual(buildFieldProblems({ steps: [{ name: 'x', wait_for: ['-'], allow_failure: true }], options: { machineType: 'E2_HIGHCPU_8' } }), []);
  });

  it('substitute like Cloud Build: $$ is one $, unknown keys fail, lowercase is not a key', () => {
    assert.equal(substitute('a $$B ${_X}-$_X $lower $1', { _X: 'x' }), 'a $B x-x $lower $1');
    assert.throws(() => substitute('echo $HOME', {}), /"HOME" is not a valid built-in substitution/);
    assert.deepEqual([...templateKeys('$$A $B ${C} $ x')], ['B', 'C', '']);
  });
});
