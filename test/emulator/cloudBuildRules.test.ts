// The rules of Cloud Build the emulator applies without any transport: substitutions (the forms, escapes,
// built-ins, MUST_MATCH vs ALLOW_LOOSE, dynamic ${VAR:offset:length}), the build config file parser (strict
// fields, YAML or JSON, Durations), ListBuilds filters and trigger branch/tag matching.
import * as assert from 'node:assert/strict';
import type { BuildMessage } from '../../emulator/buildExecution';
import { compileBuildFilter } from '../../emulator/cloudBuildFilter';
import { applySubstitutions, checkSubstitutionKeys, triggerBuiltIns } from '../../emulator/cloudBuildSubstitutions';
import { filesMatch, pushMatches } from '../../emulator/cloudBuildTriggers';
import { globRegex } from '../../emulator/gitPushWatcher';
import { parseBuildConfig } from '../../emulator/cloudBuildYaml';
import { cloudBuildYaml } from '../../src/core/cloudBuildConfig';
import { deployConfigFromSettings } from '../../src/core/deployConfig';
import { PORT_CHECK } from '../../src/core/healthCheck';

const BUILT_INS = { PROJECT_ID: 'p', BUILD_ID: 'b-1', PROJECT_NUMBER: '123', LOCATION: 'us-central1' };

function substituted(args: string[], substitutions: Record<string, string> = {}, options: Record<string, unknown> = {}, builtIns: Record<string, string> = BUILT_INS): string[] {
  const build = { id: 'b-1', projectId: 'p', status: 'QUEUED', steps: [{ name: 'bash', args }], substitutions, options } as BuildMessage;
  applySubstitutions(build, builtIns);
  return build.steps[0].args ?? [];
}

describe('emulator: Cloud Build rules', () => {
  describe('substitutions', () => {
    it('replaces $VAR and ${VAR}, keeps $$ as $, leaves a $ before anything else alone', () => {
      assert.deepEqual(substituted(['$PROJECT_ID', '${BUILD_ID}x', 'a$$b', '$$PROJECT_ID', '$_A-$_B', 'cost: 5$', '$1'], { _A: 'one', _B: 'two' }),
        ['p', 'b-1x', 'a$b', '$PROJECT_ID', 'one-two', 'cost: 5$', '$1']);
    });
    it('gives missing trigger built-ins (no commit) the empty string', () => {
      assert.deepEqual(substituted(['[$COMMIT_SHA]', '[$BRANCH_NAME]']), ['[]', '[]']);
    });
    it('MUST_MATCH refuses unknown keys, unmatched user keys and unused substitutions; ALLOW_LOOSE lets all pass', () => {
      assert.throws(() => substituted(['$_NOPE']), /key in the template "_NOPE" is not matched in the substitution list/);
      assert.throws(() => substituted(['$HOME']), /key in the template "HOME" is not a valid built-in substitution/);
      assert.throws(() => substituted(['x'], { _SPARE: '1' }), /key "_SPARE" in the substitution data is not matched in the template/);
      assert.deepEqual(substituted(['$_NOPE|$HOME'], { _SPARE: '1' }, { substitutionOption: 'ALLOW_LOOSE' }), ['|']);
    });
    it('user keys must match ^_[A-Z0-9_]+$ (built-ins may be given); values at most 4000 bytes', () => {
      assert.throws(() => checkSubstitutionKeys({ _lower: 'x' }), /"_lower" does not respect format/);
      assert.throws(() => checkSubstitutionKeys({ FOO: 'x' }), /"FOO" does not respect format/);
      checkSubstitutionKeys({ _OK_1: 'x', COMMIT_SHA: 'abc' });
      assert.throws(() => checkSubstitutionKeys({ _BIG: 'x'.repeat(4001) }), /longer than 4000 bytes/);
    });
    it('a given built-in (a manual build\'s COMMIT_SHA) is used when the build has none of its own', () => {
      assert.deepEqual(substituted(['$COMMIT_SHA'], { COMMIT_SHA: 'abc' }), ['abc']);
      assert.deepEqual(substituted(['$PROJECT_ID'], { PROJECT_ID: 'other' }), ['p']);
    });
    it('dynamic substitutions expand values and bash offsets; without them ${VAR:0:7} is an unknown key', () => {
      const sha = '0123456789abcdef';
      const trigger = { ...BUILT_INS, ...triggerBuiltIns({ triggerName: 't', commitSha: sha, ref: 'refs/heads/main', repoName: 'shop', repoFullName: 'o/shop', configPath: 'cloudbuild.yaml' }) };
      assert.deepEqual(substituted(['$_IMAGE', '${COMMIT_SHA:0:7}', '${_IMAGE:-3}'], { _IMAGE: 'img:$SHORT_SHA' }, { dynamicSubstitutions: true }, trigger),
        ['img:0123456', '0123456', '456']);
      assert.throws(() => substituted(['${COMMIT_SHA:0:7}'], {}, {}, trigger), /"COMMIT_SHA:0:7" is not a valid built-in substitution/);
    });
    it('a trigger sets the branch or the tag built-ins from the ref', () => {
      const base = { triggerName: 't', commitSha: 'c'.repeat(40), repoName: 'r', repoFullName: 'o/r', configPath: 'c.yaml' };
      const branch = triggerBuiltIns({ ...base, ref: 'refs/heads/feature/x' });
      assert.deepEqual([branch.BRANCH_NAME, branch.REF_NAME, branch.TAG_NAME, branch.SHORT_SHA], ['feature/x', 'feature/x', undefined, 'ccccccc']);
      const tag = triggerBuiltIns({ ...base, ref: 'refs/tags/v1.2' });
      assert.deepEqual([tag.BRANCH_NAME, tag.REF_NAME, tag.TAG_NAME], [undefined, 'v1.2', 'v1.2']);
    });
  });

  describe('build config files', () => {
    it('reads YAML with camelCase or snake_case fields and Durations as strings', () => {
      const build = parseBuildConfig('steps:\n- name: bash\n  args: [echo]\n  wait_for: ["-"]\ntimeout: 1200s\noptions:\n  logging: CLOUD_LOGGING_ONLY\n', 'cloudbuild.yaml');
      assert.deepEqual(build.steps[0].waitFor, ['-']);
      assert.equal(build.timeout?.seconds, '1200');
      assert.equal(build.options?.logging, 'CLOUD_LOGGING_ONLY');
    });
    it('reads JSON when the file name says so', () => {
      assert.equal(parseBuildConfig('{"steps":[{"name":"bash"}],"tags":["a"]}', 'ci/cloudbuild.json').tags?.[0], 'a');
    });
    it('names an unknown field and the message it is not part of', () => {
      assert.throws(() => parseBuildConfig('stepz: []\n', 'cloudbuild.yaml'), /failed unmarshalling build config cloudbuild.yaml: unknown field "stepz" in google_devtools_cloudbuild_v1\.Build$/);
      assert.throws(() => parseBuildConfig('steps:\n- name: bash\n  arg: [x]\n', 'cloudbuild.yaml'), /unknown field "arg" in google_devtools_cloudbuild_v1\.BuildStep/);
      assert.throws(() => parseBuildConfig('steps: []\noptions:\n  loging: NONE\n', 'cloudbuild.yaml'), /unknown field "loging" in google_devtools_cloudbuild_v1\.BuildOptions/);
    });
    it('refuses wrong values and broken YAML with the file name', () => {
      assert.throws(() => parseBuildConfig('steps: []\noptions:\n  logging: LOUD\n', 'cloudbuild.yaml'), /cloudbuild.yaml: .*"LOUD"/);
      assert.throws(() => parseBuildConfig('steps: [\n', 'cloudbuild.yaml'), /failed unmarshalling build config cloudbuild.yaml: /);
      assert.throws(() => parseBuildConfig('- a\n- b\n', 'cloudbuild.yaml'), /must hold a mapping of build fields/);
    });
  });

  describe('the cloudbuild.yaml Mentor generates', () => {
    it('passes the strict parser and MUST_MATCH substitutions as a triggered build', () => {
      const settings: Record<string, unknown> = { project: 'mentor-demo', registry: '127.0.0.1:5000', secrets: { API_KEY: 'api-key' } };
      const config = deployConfigFromSettings((key, fallback) => (key in settings ? settings[key] : fallback) as never, 'shop', (key) => key in settings);
      const build = parseBuildConfig(cloudBuildYaml({ config, healthCheck: PORT_CHECK }), 'cloudbuild.yaml');
      build.options = { ...build.options, dynamicSubstitutions: true } as BuildMessage['options'];
      const sha = '89abcdef0123456789abcdef0123456789abcdef';
      applySubstitutions(build, { ...BUILT_INS, ...triggerBuiltIns({ triggerName: 'shop', commitSha: sha, ref: 'refs/heads/main', repoName: 'shop', repoFullName: 'o/shop', configPath: 'cloudbuild.yaml' }) });
      assert.deepEqual(build.steps.map((s) => s.id), ['build', 'push', 'deploy']);
      // Mentor puts substitutions in step env only (the scripts read them as bash variables).
      assert.ok(build.steps[0].env?.includes(`SHORT_SHA=${sha.slice(0, 7)}`), JSON.stringify(build.steps[0].env));
      assert.ok(build.steps[0].env?.some((e) => e.startsWith('IMAGE=127.0.0.1:5000/')), JSON.stringify(build.steps[0].env));
      assert.equal(build.steps.some((st) => st.env?.some((e) => e.includes('$'))), false, 'no substitution left unexpanded in env');
    });
  });

  describe('ListBuilds filters and trigger matching', () => {
    const build = (id: string, status: string, tags: string[], subs: Record<string, string> = {}) =>
      ({ id, projectId: 'p', status, steps: [], tags, substitutions: subs, createTime: { seconds: '1700000000', nanos: 0 } }) as BuildMessage;
    const builds = [build('a', 'SUCCESS', ['x']), build('b', 'FAILURE', ['y'], { BRANCH_NAME: 'main' }), build('c', 'WORKING', ['x', 'y'])];
    const ids = (filter: string) => builds.filter(compileBuildFilter(filter)).map((b) => b.id);

    it('combines comparisons with AND (also implicit), OR, NOT, "-" and parentheses', () => {
      assert.deepEqual(ids('tags=x tags=y'), ['c']);
      assert.deepEqual(ids('status="SUCCESS" OR substitutions.BRANCH_NAME="main"'), ['a', 'b']);
      assert.deepEqual(ids('-status=WORKING AND (tags=y OR tags=x)'), ['a', 'b']);
      assert.deepEqual(ids('tags!="y"'), ['a']);
      assert.deepEqual(ids('create_time>="2023-11-14T22:13:20Z"'), ['a', 'b', 'c']);
      assert.deepEqual(ids('create_time>"2023-11-14T22:13:20Z"'), []);
    });
    it('refuses what it cannot parse, saying where', () => {
      assert.throws(() => compileBuildFilter('status='), /Invalid filter "status=": expected "status = VALUE"/);
      assert.throws(() => compileBuildFilter('(status=SUCCESS'), /missing "\)"/);
      assert.throws(() => compileBuildFilter('create_time>"yesterday"'), /RFC 3339/);
    });
    it('includedFiles/ignoredFiles: globs with ** across directories; ignored files do not count', () => {
      assert.equal(globRegex('docs/**').test('docs/a/b.md'), true);
      assert.equal(globRegex('*.md').test('docs/a.md'), false);
      assert.equal(globRegex('**/*.md').test('a.md'), true);
      assert.equal(globRegex('src/?.py').test('src/a.py'), true);
      assert.equal(filesMatch({ ignoredFiles: ['docs/**', '*.md'] }, ['docs/x.md', 'README.md']), false);
      assert.equal(filesMatch({ ignoredFiles: ['docs/**'] }, ['docs/x.md', 'main.py']), true);
      assert.equal(filesMatch({ includedFiles: ['app/**'] }, ['README.md']), false);
      assert.equal(filesMatch({ includedFiles: ['app/**'], ignoredFiles: ['app/tests/**'] }, ['app/tests/t.py']), false);
      assert.equal(filesMatch({ includedFiles: ['app/**'], ignoredFiles: ['app/tests/**'] }, ['app/tests/t.py', 'app/main.py']), true);
    });
    it('matches branch and tag regexes against the names, inverted on request', () => {
      assert.equal(pushMatches({ branch: '^main$' }, 'refs/heads/main'), true);
      assert.equal(pushMatches({ branch: '^main$' }, 'refs/heads/main2'), false);
      assert.equal(pushMatches({ branch: '^main$' }, 'refs/tags/main'), false);
      assert.equal(pushMatches({ tag: '^v\\d+' }, 'refs/tags/v12'), true);
      assert.equal(pushMatches({ branch: '^main$', invertRegex: true }, 'refs/heads/dev'), true);
    });
  });
});
