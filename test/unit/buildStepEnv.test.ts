// The build executor's engine-free rules (emulator/buildStepEnv.ts, buildWorkspaceTar.ts): waitFor →
// dependencies, durations, the script file, working directories, the step environment's precedence, the
// extra host names, and the tar shapes exchanged with the engine.
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { BuildMessage } from '../../emulator/buildExecution';
import { dependencies, durationMs, extraHosts, locationOf, scriptFile, stepEnv, stepLabel, workingDir } from '../../emulator/buildStepEnv';
import { makeTar, readFirstFile } from '../../emulator/buildWorkspaceTar';

const build = (extra: Partial<BuildMessage> = {}): BuildMessage =>
  ({ id: 'b-1', name: 'projects/p/locations/europe-west1/builds/b-1', projectId: 'p', status: 'QUEUED', steps: [], ...extra });

describe('build executor rules (no engine)', () => {
  it('turns waitFor into dependencies: empty = every earlier step, "-" = none, ids = those; unknown or later ids are errors', () => {
    const steps = [{ name: 'a', id: 'a' }, { name: 'b', id: 'b', waitFor: ['-'] }, { name: 'c', waitFor: ['a', 'b'] }, { name: 'd' }];
    assert.deepEqual(steps.map((_, i) => dependencies(steps, i)), [[], [], [0, 1], [0, 1, 2]]);
    assert.throws(() => dependencies([{ name: 'x', waitFor: ['nope'] }], 0), /waits for "nope", which no step has as its id/);
    assert.throws(() => dependencies([{ name: 'x', waitFor: ['later'] }, { name: 'y', id: 'later' }], 0), /not an earlier step/);
  });

  it('reads durations in proto-JSON and string form', () => {
    assert.equal(durationMs({ seconds: '90' }), 90_000);
    assert.equal(durationMs({ seconds: 1, nanos: 500_000_000 }), 1500);
    assert.equal(durationMs('600s'), 600_000);
    assert.equal(durationMs('1.5s'), 1500);
    assert.equal(durationMs(undefined), undefined);
    assert.equal(durationMs({}), undefined, 'a zero duration means none');
  });

  it('runs a script without shebang with /bin/sh and keeps an explicit one', () => {
    assert.equal(scriptFile('echo hi').toString(), '#!/bin/sh\necho hi');
    assert.equal(scriptFile('#!/usr/bin/env bash\necho hi').toString(), '#!/usr/bin/env bash\necho hi');
  });

  it('puts dir under /workspace unless it is absolute, and labels steps as Cloud Build logs them', () => {
    assert.equal(workingDir({ name: 'x' }), '/workspace');
    assert.equal(workingDir({ name: 'x', dir: 'app/src' }), '/workspace/app/src');
    assert.equal(workingDir({ name: 'x', dir: '/tmp/elsewhere' }), '/tmp/elsewhere');
    assert.equal(stepLabel(2, { name: 'x', id: 'deploy' }), 'Step #2 - "deploy"');
    assert.equal(stepLabel(0, { name: 'x' }), 'Step #0');
    assert.equal(locationOf(build()), 'europe-west1');
    assert.equal(locationOf(build({ name: undefined })), 'global');
  });

  it('layers the environment: worker, gcloud, automapped substitutions, options.env, step env, secrets; BUILDER_OUTPUT stays fixed', () => {
    const b = build({ substitutions: { _SERVICE: 'api', SHORT_SHA: 'abc1234' }, options: { env: ['A=options', 'B=options'] } });
    const env = new Map(stepEnv({
      build: b, restAddress: '127.0.0.1:8123', projectNumber: '42',
      step: { name: 'x', env: ['B=step', 'BUILDER_OUTPUT=/elsewhere', 'HOME=/root'], automapSubstitutions: true }, secrets: { TOKEN: 't0k' },
    }).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    assert.equal(env.get('A'), 'options');
    assert.equal(env.get('B'), 'step');
    assert.equal(env.get('HOME'), '/root', 'a step may set its own HOME');
    assert.equal(env.get('BUILDER_OUTPUT'), '/builder/outputs');
    assert.equal(env.get('TOKEN'), 't0k');
    assert.equal(env.get('CLOUDSDK_CONFIG'), '/builder/home/.config/gcloud');
    assert.equal(env.get('CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN'), 'http://run.mentor-emulator.localhost:8123/');
    assert.equal(env.get('CLOUDSDK_CORE_PROJECT'), 'p');
    assert.deepEqual([env.get('PROJECT_ID'), env.get('PROJECT_NUMBER'), env.get('LOCATION'), env.get('BUILD_ID'), env.get('_SERVICE'), env.get('SHORT_SHA')],
      ['p', '42', 'europe-west1', 'b-1', 'api', 'abc1234']);
    const plain = stepEnv({ build: b, restAddress: '127.0.0.1:8123', projectNumber: '42', step: { name: 'x' } });
    assert.ok(!plain.some((e) => e.startsWith('PROJECT_ID=') || e.startsWith('_SERVICE=')), 'substitutions are env vars only with automapSubstitutions');
    const byOption = stepEnv({ build: build({ options: { automapSubstitutions: true } as BuildMessage['options'] }), restAddress: '127.0.0.1:1', projectNumber: '1', step: { name: 'x' } });
    assert.ok(byOption.includes('PROJECT_ID=p'));
    const optedOut = stepEnv({ build: build({ options: { automapSubstitutions: true } as BuildMessage['options'] }), restAddress: '127.0.0.1:1', projectNumber: '1',
      step: { name: 'x', automapSubstitutions: false } });
    assert.ok(!optedOut.includes('PROJECT_ID=p'), "the step's automapSubstitutions overrides the build's");
  });

  it('maps the regional Cloud Run names to 127.0.0.1, the build region included', () => {
    const hosts = extraHosts('me-central2');
    assert.ok(hosts.includes('run.mentor-emulator.localhost:127.0.0.1'));
    assert.ok(hosts.includes('us-central1-run.mentor-emulator.localhost:127.0.0.1'));
    assert.ok(hosts.includes('me-central2-run.mentor-emulator.localhost:127.0.0.1'));
    assert.equal(extraHosts('global').length, extraHosts('us-central1').length);
  });

  it('writes tars the engine takes and reads the first file of one, at most the limit, across chunk borders', async () => {
    const data = Buffer.from('x'.repeat(1000) + 'tail');
    const tar = makeTar([{ name: 'dir/', type: 'dir', mode: 0o777 }, { name: 'dir/output', type: 'file', mode: 0o644, data }]);
    assert.equal(tar.length % 512, 0);
    assert.equal(tar.toString('ascii', 257, 262), 'ustar');
    const chunks = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
    assert.deepEqual(await readFirstFile(chunks(tar, 100), 1 << 20), data, 'skips the directory entry');
    assert.deepEqual(await readFirstFile(chunks(tar, 7), 10), data.subarray(0, 10));
    assert.equal(await readFirstFile(chunks(makeTar([{ name: 'only/', type: 'dir', mode: 0o755 }]), 512), 100), undefined);
  });
});
