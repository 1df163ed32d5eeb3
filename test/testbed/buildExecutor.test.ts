// The build executor on the real engine (busybox and python steps, no source): a shared /workspace, env,
// args, dir, script, BUILDER_OUTPUT → results.buildStepOutputs, waitFor concurrency, a failing step, step and
// build timeouts, cancel, a missing image. Each build must leave no container or volume behind.
// Needs: DOCKER_HOST with busybox:latest and python:3.11-slim (npm test's engine-up.sh provides them).
import * as assert from 'node:assert/strict';
import type { BuildMessage } from '../../emulator/buildExecution';
import { EngineBuildExecutor } from '../../emulator/buildExecutor';
import { LABEL_BUILD, volumeMount } from '../../emulator/buildStepContainer';
import { RuntimeEngine } from '../../emulator/runtimeEngine';
import { assertNothingLeft, BUSYBOX, ms, newBuild, PROJECT, PYTHON, RecordingReporter } from './buildHarness';

describe('build executor on the engine: steps, env, outputs, failures', function () {
  this.timeout(120_000);
  let engine: RuntimeEngine;
  let executor: EngineBuildExecutor;

  before(async function () {
    engine = await RuntimeEngine.connect(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
    executor = new EngineBuildExecutor({ engine, restAddress: '127.0.0.1:1', projectNumber: () => '123456789012' });
  });
  after(() => engine?.close());

  async function run(build: ReturnType<typeof newBuild>, signal = new AbortController().signal): Promise<RecordingReporter> {
    const reporter = new RecordingReporter();
    await executor.run(build, undefined, reporter, signal);
    await assertNothingLeft(engine, build);
    return reporter;
  }

  it('runs the steps in order on one /workspace and logs as Cloud Build does', async function () {
    const build = newBuild([
      { id: 'write', name: BUSYBOX, entrypoint: 'sh', args: ['-c', 'echo "made by step 0" > /workspace/shared.txt; ls -A /workspace | wc -l'] },
      { id: 'read', name: BUSYBOX, args: ['cat', 'shared.txt'] },
    ]);
    const r = await run(build);
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.deepEqual(r.statuses, ['WORKING', 'SUCCESS']);
    assert.deepEqual(r.stepStatuses, [['QUEUED', 'WORKING', 'SUCCESS'], ['QUEUED', 'WORKING', 'SUCCESS']]);
    assert.deepEqual(r.step(0).slice(-1), ['1'], 'the empty /workspace of a build without source had only the file step 0 wrote');
    assert.deepEqual(r.step(1), [`Already have image: ${BUSYBOX}`, 'made by step 0']);
    assert.deepEqual(r.main(), [`starting build "${build.id}"`, 'FETCHSOURCE', 'BUILD', 'Starting Step #0 - "write"', 'Finished Step #0 - "write"',
      'Starting Step #1 - "read"', 'Finished Step #1 - "read"', 'DONE']);
    for (const step of build.steps) {
      assert.equal(step.exitCode, 0);
      assert.ok(ms(step.timing?.startTime) <= ms(step.timing?.endTime));
    }
    assert.ok(ms(build.steps[0].timing?.endTime) <= ms(build.steps[1].timing?.startTime), 'step 1 started after step 0 ended');
    assert.ok(build.startTime && build.finishTime);
    assert.deepEqual(Object.keys(build.timing as object).sort(), ['BUILD', 'FETCHSOURCE']);
  });

  it('gives a step its env, args, dir, script, HOME, the gcloud environment and the extra hosts; BUILDER_OUTPUT becomes buildStepOutputs', async function () {
    const build = newBuild([
      { name: BUSYBOX, dir: 'sub/dir', env: ['GREETING=hello world', 'SHARED=from step'], entrypoint: 'sh',
        args: ['-c', 'echo "pwd=$(pwd) greeting=$GREETING shared=$SHARED opt=$OPT_ONLY home=$HOME"; echo "$1|$2"; printf "{\\"step\\":0}" > "$BUILDER_OUTPUT/output"', 'x', 'a b', '$NOT_EXPANDED'] },
      { name: BUSYBOX, script: 'echo "script in $(pwd) as $0 project=$PROJECT_ID number=$PROJECT_NUMBER location=$LOCATION build=$BUILD_ID user=$_USER"\n' +
        'echo "gcloud config=$CLOUDSDK_CONFIG token=${CLOUDSDK_AUTH_ACCESS_TOKEN:+set} core=$CLOUDSDK_CORE_PROJECT"\n' +
        'grep -c "us-central1-run.mentor-emulator.localhost" /etc/hosts\n' +
        'test -S /var/run/docker.sock && echo "engine socket mounted"\n' +
        'head -c 60000 /dev/zero | tr "\\0" a > $BUILDER_OUTPUT/output', automapSubstitutions: true },
      { name: BUSYBOX, args: ['sh', '-c', 'echo "no automap: project=[$PROJECT_ID]"'] },
    ], { options: { env: ['OPT_ONLY=opt', 'SHARED=from options'] }, substitutions: { _USER: 'Ada' } });
    const r = await run(build);
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.deepEqual(r.step(0).slice(1), ['pwd=/workspace/sub/dir greeting=hello world shared=from step opt=opt home=/builder/home', 'a b|$NOT_EXPANDED']);
    assert.deepEqual(r.step(1).slice(1), [
      `script in /workspace as /builder/step-script project=${PROJECT} number=123456789012 location=us-central1 build=${build.id} user=Ada`,
      `gcloud config=/builder/home/.config/gcloud token=set core=${PROJECT}`, '1', 'engine socket mounted']);
    assert.deepEqual(r.step(2).slice(1), ['no automap: project=[]']);
    const outputs = build.results?.buildStepOutputs ?? [];
    assert.equal(outputs.length, 3);
    assert.equal(Buffer.from(outputs[0], 'base64').toString(), '{"step":0}');
    assert.equal(Buffer.from(outputs[1], 'base64').length, 50 * 1024, 'only the first 50KB are kept');
    assert.equal(outputs[2], '');
  });

  it('mounts named volumes (step volumes and options.volumes) into the steps that name them, removed afterwards', async function () {
    const build = newBuild([
      { name: BUSYBOX, volumes: [{ name: 'cache', path: '/cache' }], args: ['sh', '-c', 'echo cached > /cache/c; echo all > /everywhere/e'] },
      { name: BUSYBOX, volumes: [{ name: 'cache', path: '/other' }], args: ['sh', '-c', 'cat /other/c /everywhere/e'] },
      { name: BUSYBOX, args: ['sh', '-c', 'ls /other 2>/dev/null || echo "no /other here"'] },
    ], { options: { volumes: [{ name: 'shared', path: '/everywhere' }] } as BuildMessage['options'] });
    const r = await run(build);
    assert.equal(build.status, 'SUCCESS', JSON.stringify(r.lines));
    assert.deepEqual(r.step(1).slice(1), ['cached', 'all']);
    assert.deepEqual(r.step(2).slice(1), ['no /other here']);
  });

  it('orphan cleanup (removeAll(true)) removes build containers and volumes of an emulator process that died', async function () {
    const labels = { ...engine.ownerLabels(), 'mentor.emulator.pid': '999999999', [LABEL_BUILD]: 'orphan-test' };
    const volume = `mentor-build-orphan-${Date.now()}`;
    await engine.docker.createVolume({ Name: volume, Labels: labels });
    const container = await engine.docker.createContainer({ Image: BUSYBOX, Labels: labels, HostConfig: { Mounts: [volumeMount(volume, '/workspace')] } });
    const [listed] = (await engine.docker.listVolumes({ filters: JSON.stringify({ name: [volume] }) })).Volumes;
    assert.equal(listed?.Name, volume, 'the orphan volume exists before the cleanup');
    assert.ok(await engine.removeAll(true) >= 1);
    await assertNothingLeft(engine, { id: 'orphan-test' } as BuildMessage);
    await assert.rejects(container.inspect(), /no such container/i);
  });

  it('runs waitFor "-" steps concurrently and a joining step after both', async function () {
    const build = newBuild([
      { id: 'a', name: BUSYBOX, waitFor: ['-'], args: ['sleep', '2'] },
      { id: 'b', name: BUSYBOX, waitFor: ['-'], args: ['sleep', '2'] },
      { id: 'join', name: BUSYBOX, waitFor: ['a', 'b'], args: ['true'] },
    ]);
    await run(build);
    assert.equal(build.status, 'SUCCESS');
    const [a, b, join] = build.steps.map((s) => ({ start: ms(s.timing?.startTime), end: ms(s.timing?.endTime) }));
    assert.ok(b.start < a.end && a.start < b.end, `a and b overlap: ${JSON.stringify({ a, b })}`);
    assert.ok(join.start >= Math.max(a.end, b.end), 'join waited for both');
  });

  it('fails the build at a failing step with its exit code; later steps never start', async function () {
    const build = newBuild([
      { id: 'ok', name: BUSYBOX, args: ['true'] },
      { id: 'broken', name: BUSYBOX, args: ['sh', '-c', 'echo "Mentor: health check failed" >&2; exit 3'] },
      { id: 'after', name: BUSYBOX, args: ['true'] },
    ]);
    const r = await run(build);
    assert.equal(build.status, 'FAILURE');
    const detail = `Build step failure: build step 1 "${BUSYBOX}" failed: step exited with non-zero status: 3`;
    assert.equal(build.statusDetail, detail);
    assert.deepEqual(build.failureInfo, { type: 'USER_BUILD_STEP', detail });
    assert.deepEqual(build.steps.map((s) => [s.status, s.exitCode]), [['SUCCESS', 0], ['FAILURE', 3], ['QUEUED', undefined]]);
    assert.equal(build.steps[2].timing, undefined);
    assert.deepEqual(r.step(1).slice(-1), ['Mentor: health check failed'], 'stderr lines are logged too');
    assert.deepEqual(r.main().slice(-3), ['Finished Step #1 - "broken"', 'ERROR', `ERROR: build step 1 "${BUSYBOX}" failed: step exited with non-zero status: 3`]);
  });

  it('lets a step fail when allowFailure or allowExitCodes say so', async function () {
    const build = newBuild([
      { name: BUSYBOX, args: ['sh', '-c', 'exit 4'], allowFailure: true },
      { name: BUSYBOX, args: ['sh', '-c', 'exit 5'], allowExitCodes: [5] },
      { name: BUSYBOX, args: ['true'] },
    ]);
    await run(build);
    assert.equal(build.status, 'SUCCESS');
    assert.deepEqual(build.steps.map((s) => [s.status, s.exitCode]), [['FAILURE', 4], ['FAILURE', 5], ['SUCCESS', 0]]);
  });

  it('times a step out at its own timeout, and a build at the build timeout', async function () {
    const stepTimeout = newBuild([{ name: BUSYBOX, args: ['sleep', '60'], timeout: { seconds: 1 } }, { name: BUSYBOX, args: ['true'] }]);
    const started = Date.now();
    await run(stepTimeout);
    assert.ok(Date.now() - started < 20_000, 'killed at the timeout, not after the sleep');
    assert.equal(stepTimeout.status, 'TIMEOUT');
    assert.deepEqual(stepTimeout.steps.map((s) => s.status), ['TIMEOUT', 'QUEUED']);
    assert.match(stepTimeout.statusDetail ?? '', /build step 0 "busybox:latest" failed: step timed out after 1s/);

    const buildTimeout = newBuild([{ name: BUSYBOX, args: ['sleep', '60'] }], { timeout: { seconds: 2 } });
    const r = await run(buildTimeout);
    assert.equal(buildTimeout.status, 'TIMEOUT');
    assert.deepEqual(buildTimeout.steps.map((s) => s.status), ['TIMEOUT']);
    assert.deepEqual(r.main().slice(-2), ['TIMEOUT', 'ERROR: context deadline exceeded']);
    assert.equal(buildTimeout.statusDetail, 'Build timeout after 2s');

    // the API side's own timer aborts with reason "timeout": the same TIMEOUT, not a cancel
    const aborted = newBuild([{ name: BUSYBOX, args: ['sleep', '60'] }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort('timeout'), 1500);
    await run(aborted, controller.signal);
    assert.equal(aborted.status, 'TIMEOUT');
    assert.deepEqual(aborted.steps.map((s) => s.status), ['TIMEOUT']);
  });

  it('cancels midway: the running step is killed, later steps never start, nothing stays behind', async function () {
    const build = newBuild([
      { name: BUSYBOX, args: ['true'] },
      { name: PYTHON, args: ['python3', '-u', '-c', 'import time; print("running", flush=True); time.sleep(60)'] },
      { name: BUSYBOX, args: ['true'] },
    ]);
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    const done = executor.run(build, undefined, reporter, controller.signal);
    await reporter.waitFor('running');
    const cancelledAt = Date.now();
    controller.abort();
    await done;
    assert.ok(Date.now() - cancelledAt < 15_000, 'the run ended soon after the abort');
    assert.equal(build.status, 'CANCELLED');
    assert.deepEqual(build.steps.map((s) => s.status), ['SUCCESS', 'CANCELLED', 'QUEUED']);
    assert.equal(reporter.statuses.at(-1), 'CANCELLED');
    await assertNothingLeft(engine, build);
  });

  it('fails a step whose image is neither local nor pullable, saying so', async function () {
    const image = `${process.env.REGISTRY_OPEN ?? '127.0.0.1:5000'}/mentor-exec-test/no-such-image:1`;
    const build = newBuild([{ name: image, args: ['true'] }]);
    const r = await run(build);
    assert.equal(build.status, 'FAILURE');
    assert.match(build.statusDetail ?? '', new RegExp(`^Build step failure: build step 0 "${image}" failed: error pulling build step 0 "${image}": ` +
      `image ${image} not found locally and could not be pulled: .+`));
    assert.equal(build.failureInfo?.type, 'USER_BUILD_STEP');
    assert.deepEqual(r.step(0).slice(0, 1), [`Pulling image: ${image}`]);
  });

  it('fails a step whose container cannot start (bad entrypoint) as Cloud Build words it', async function () {
    const build = newBuild([{ name: BUSYBOX, entrypoint: 'no-such-binary' }]);
    await run(build);
    assert.equal(build.status, 'FAILURE');
    assert.match(build.statusDetail ?? '', /^Build step failure: build step 0 "busybox:latest" failed: starting step container failed: .*no-such-binary/);
  });
});
