import * as assert from 'node:assert/strict';
import { toRawTraffic, toRevisionSummary, toServiceSummary } from '../../src/gcp/cloudRunMapping';

const base = 'projects/mentor-demo/locations/us-central1/services/api';

describe('Cloud Run message mapping', () => {
  it('maps a service from a plain call (enum names, string seconds)', () => {
    const s = toServiceSummary({
      name: base, uri: 'https://api-abc-uc.a.run.app', reconciling: false,
      terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
      trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
      latestReadyRevision: `${base}/revisions/api-00002-bbb`,
      updateTime: { seconds: '1764158400', nanos: 5_000_000 },
    });
    assert.equal(s.id, 'api');
    assert.equal(s.project, 'mentor-demo');
    assert.equal(s.state, 'ready');
    assert.deepEqual(s.trafficStatuses, [{ kind: 'latest', percent: 100, revision: 'api-00002-bbb' }]);
    assert.equal(s.updateTime?.toISOString(), '2025-11-26T12:00:00.005Z');
  });

  it('maps a service from operation.promise() (enum numbers) and failure states', () => {
    const failed = toServiceSummary({ name: base, terminalCondition: { state: 3, message: 'Revision failed' },
      traffic: [{ type: 2, revision: `${base}/revisions/api-00001-aaa`, percent: 100, tag: 'old' }] });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.stateMessage, 'Revision failed');
    assert.deepEqual(failed.traffic, [{ kind: 'revision', revision: 'api-00001-aaa', percent: 100, tag: 'old' }]);
    assert.equal(toServiceSummary({ name: base, reconciling: true, terminalCondition: { state: 2 } }).state, 'deploying');
  });

  it('maps revisions with digest and Ready condition', () => {
    const r = toRevisionSummary({ name: `${base}/revisions/api-00001-aaa`, service: base,
      containers: [{ image: 'us-central1-docker.pkg.dev/p/r/api@sha256:abc' }],
      conditions: [{ type: 'Ready', state: 'CONDITION_FAILED', message: 'port not listening' }] });
    assert.equal(r.id, 'api-00001-aaa');
    assert.equal(r.service, 'api');
    assert.equal(r.imageDigest, 'sha256:abc');
    assert.equal(r.state, 'failed');
    assert.equal(r.stateMessage, 'port not listening');
  });

  it('sends traffic targets as Cloud Run expects', () => {
    assert.deepEqual(toRawTraffic({ kind: 'revision', revision: 'api-00001-aaa', percent: 100 }),
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001-aaa', percent: 100, tag: undefined });
    assert.equal(toRawTraffic({ kind: 'latest', revision: 'api-00002-bbb', percent: 100 }).revision, undefined);
  });
});
