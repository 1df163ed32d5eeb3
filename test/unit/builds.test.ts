// BuildSummary mapping from both encodings a Build arrives in (the gRPC client's decoded message and the
// REST JSON Pub/Sub carries), the deploy step's output, Pub/Sub messages → events, and the texts people read.
import * as assert from 'node:assert/strict';
import { RawBuild, buildEventFromMessage, decodeDeployOutput, isBuildOfCommit, toBuildSummary } from '../../src/core/builds';
import {
  buildLogFilter, buildLogLine, buildRow, deployedMessage, failedMessage, failureReason, formatDuration, statusBarAccessibleLabel, statusBarText, stepLogFilter,
} from '../../src/core/buildText';

const SHA = '3f2a9c1d4e5f60718293a4b5c6d7e8f901234567';
const OUTPUT = { service: 'api', revision: 'api-00043-xyz', url: 'https://api-abc.run.app', healthPath: '/health', healthStatus: 200, previousRevision: 'api-00042-abc' };

/** A finished build as the REST API (and Pub/Sub) spells it. */
function restBuild(overrides: Partial<RawBuild> = {}): RawBuild {
  return {
    id: 'b-1', name: 'projects/p/locations/us-central1/builds/b-1', projectId: 'p', status: 'SUCCESS',
    createTime: '2026-12-01T10:00:00Z', startTime: '2026-12-01T10:00:05Z', finishTime: '2026-12-01T10:01:30.500Z',
    steps: [
      { id: 'build', name: 'gcr.io/cloud-builders/docker', status: 'SUCCESS', timing: { startTime: '2026-12-01T10:00:05Z', endTime: '2026-12-01T10:00:45Z' } },
      { id: 'push', name: 'gcr.io/cloud-builders/docker', status: 'SUCCESS' },
      { id: 'deploy', name: 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim', status: 'SUCCESS' },
    ],
    results: { buildStepOutputs: ['', '', Buffer.from(`progress line\n${JSON.stringify(OUTPUT)}\n`).toString('base64')] },
    substitutions: { COMMIT_SHA: SHA, SHORT_SHA: SHA.slice(0, 7), BRANCH_NAME: 'main', TRIGGER_NAME: 'deploy-main', _SERVICE: 'api' },
    tags: ['mentor', 'api'], buildTriggerId: 'trig-1', logUrl: 'https://console.cloud.google.com/cloud-build/builds/b-1',
    ...overrides,
  };
}

describe('build summary', () => {
  it('maps a REST JSON build: commit, branch, trigger, duration, service and the deploy output', () => {
    const b = toBuildSummary(restBuild());
    assert.equal(b.phase, 'success');
    assert.equal(b.shortSha, '3f2a9c1');
    assert.equal(b.branch, 'main');
    assert.equal(b.triggerName, 'deploy-main');
    assert.equal(b.triggerId, 'trig-1');
    assert.equal(b.durationMs, 85_500);
    assert.equal(b.service, 'api');
    assert.deepEqual(b.deployOutput, OUTPUT);
    assert.equal(b.steps[0].durationMs, 40_000);
    assert.equal(b.failedStep, undefined);
  });

  it('maps the gRPC decoding: enum numbers, Timestamp objects with string seconds, bytes as Buffers', () => {
    const raw = restBuild({
      status: 2, createTime: { seconds: '1796205600', nanos: 0 }, startTime: { seconds: '1796205605', nanos: 0 }, finishTime: null,
      steps: [{ id: 'build', status: 3 }, { id: 'push', status: 2 }, { id: 'deploy', status: 1 }],
      results: { buildStepOutputs: [new Uint8Array(), new Uint8Array(), new Uint8Array()] },
    });
    const b = toBuildSummary(raw, new Date(1796205605_000 + 12_000));
    assert.equal(b.status, 'WORKING');
    assert.equal(b.phase, 'working');
    assert.equal(b.runningStep, 'push');
    assert.equal(b.durationMs, 12_000, 'a running build lasts until now');
    assert.equal(b.createTime?.toISOString(), new Date(1796205600_000).toISOString());
    assert.equal(b.deployOutput, undefined);
  });

  it('names the failing step and the failure detail; unnamed steps are "Step #N"', () => {
    const b = toBuildSummary(restBuild({
      status: 'FAILURE', statusDetail: 'Build failed; check build logs for details',
      failureInfo: { type: 'USER_BUILD_STEP', detail: 'Step #2 - "deploy" failed: exit status 1' },
      steps: [{ name: 'docker', status: 'SUCCESS' }, { id: 'push', status: 'SUCCESS' }, { id: 'deploy', status: 'FAILURE', exitCode: 1 }],
      results: { buildStepOutputs: [] },
    }));
    assert.equal(b.phase, 'failure');
    assert.equal(b.steps[0].id, 'Step #0');
    assert.equal(b.failedStep, 'deploy');
    assert.equal(b.failureDetail, 'Step #2 - "deploy" failed: exit status 1');
    assert.equal(statusBarText(b), '$(error) Build failed · deploy');
  });

  it('takes the service from the tag that is not "mentor" when _SERVICE is missing; queued builds are queued', () => {
    const b = toBuildSummary(restBuild({ status: 'QUEUED', substitutions: {}, tags: ['mentor', 'billing-api'], results: null }));
    assert.equal(b.service, 'billing-api');
    assert.equal(b.phase, 'queued');
    assert.equal(statusBarText(b), '$(clock) Build: queued');
  });

  it('tells builds of a commit by full or abbreviated SHA, never by a too-short prefix', () => {
    const b = toBuildSummary(restBuild());
    assert.ok(isBuildOfCommit(b, SHA));
    assert.ok(isBuildOfCommit(b, SHA.slice(0, 7)));
    assert.ok(!isBuildOfCommit(b, SHA.slice(0, 4)));
    assert.ok(!isBuildOfCommit(b, '0'.repeat(40)));
    assert.ok(!isBuildOfCommit(b, undefined));
  });
});

describe('deploy step output', () => {
  it('decodes the last JSON line of base64 or raw bytes; junk gives undefined', () => {
    assert.deepEqual(decodeDeployOutput(Buffer.from(JSON.stringify({ revision: 'r-1', healthStatus: '503' }))), { revision: 'r-1', healthStatus: 503 });
    assert.equal(decodeDeployOutput(Buffer.from('not json\n[1,2]').toString('base64')), undefined);
    assert.equal(decodeDeployOutput(''), undefined);
    assert.equal(decodeDeployOutput(undefined), undefined);
  });
});

describe('build events from Pub/Sub messages', () => {
  it('reads the Build JSON in data (base64 as REST delivers, bytes as gRPC does)', () => {
    const json = JSON.stringify(restBuild({ status: 'WORKING', finishTime: undefined }));
    for (const data of [Buffer.from(json).toString('base64'), Buffer.from(json)]) {
      const event = buildEventFromMessage({ data, attributes: { buildId: 'b-1', status: 'WORKING' } });
      assert.equal(event?.buildId, 'b-1');
      assert.equal(event?.status, 'WORKING');
      assert.equal(event?.build?.service, 'api');
    }
  });

  it('falls back to the attributes when data is not a Build, and ignores messages that name no build', () => {
    const event = buildEventFromMessage({ data: Buffer.from('hello').toString('base64'), attributes: { buildId: 'b-9', status: 'FAILURE' } });
    assert.deepEqual(event, { buildId: 'b-9', status: 'FAILURE', build: undefined });
    assert.equal(buildEventFromMessage({ data: '', attributes: {} }), undefined);
  });
});

describe('build texts', () => {
  it('status bar: working shows the step, success says Deployed', () => {
    const working = toBuildSummary(restBuild({ status: 'WORKING', finishTime: undefined, steps: [{ id: 'build', status: 'SUCCESS' }, { id: 'push', status: 'WORKING' }, { id: 'deploy' }] }));
    assert.equal(statusBarText(working), '$(sync~spin) Build: working · push');
    assert.equal(statusBarText(toBuildSummary(restBuild())), '$(check) Deployed');
    const summary = toBuildSummary(restBuild());
    assert.equal(statusBarAccessibleLabel(summary), `Deployed, build of commit ${summary.shortSha}`);
    assert.equal(statusBarAccessibleLabel({ ...working, shortSha: undefined }), 'Build: working · push');
    assert.equal(statusBarText(toBuildSummary(restBuild({ results: null }))), '$(check) Build succeeded');
  });

  it('rows: short commit · author · duration · result', () => {
    const b = { ...toBuildSummary(restBuild()), author: 'Ann Dev' };
    assert.deepEqual(buildRow(b), { label: '3f2a9c1', description: 'Ann Dev · 1m 26s · success' });
    assert.equal(formatDuration(59_400), '59s');
    assert.equal(formatDuration(3_725_000), '1h 02m');
  });

  it('notices: "Deployed <revision> · <url> · <health> <status>" and the failing step with its Mentor: reason', () => {
    assert.equal(deployedMessage(OUTPUT, 'b-1'), 'Deployed api-00043-xyz · https://api-abc.run.app · /health 200');
    assert.equal(deployedMessage(undefined, 'b-1'), 'Build b-1 succeeded.');
    const failed = toBuildSummary(restBuild({ status: 'FAILURE', steps: [{ id: 'build' }, { id: 'push' }, { id: 'deploy', status: 'FAILURE' }] }));
    const reason = failureReason(['Routing 50%…', 'Mentor: /health answered 500 on the candidate; traffic stays on api-00042-abc', '']);
    assert.equal(reason, '/health answered 500 on the candidate; traffic stays on api-00042-abc');
    assert.equal(failedMessage(failed, reason), 'Build failed at step deploy: /health answered 500 on the candidate; traffic stays on api-00042-abc');
    assert.equal(failureReason(['a', 'b', 'c', 'd']), 'b / c / d', 'without a Mentor: line, the last lines');
  });

  it('log filters follow Cloud Build\'s entries (logName, resource build, build_step label); lines print like gcloud', () => {
    assert.equal(buildLogFilter('p', 'b-1'), 'logName="projects/p/logs/cloudbuild" AND resource.type="build" AND resource.labels.build_id="b-1"');
    assert.match(stepLogFilter('p', 'b-1', { index: 2, id: 'deploy' }), / AND labels\.build_step="Step #2 - \\"deploy\\""$/);
    assert.match(stepLogFilter('p', 'b-1', { index: 0, id: 'Step #0' }), / AND labels\.build_step="Step #0"$/);
    assert.equal(buildLogLine('hello', 'Step #2 - "deploy"'), 'Step #2 - "deploy": hello');
    assert.equal(buildLogLine('FETCHSOURCE', 'MAIN'), 'FETCHSOURCE');
  });
});
