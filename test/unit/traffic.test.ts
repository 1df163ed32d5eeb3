import * as assert from 'node:assert/strict';
import { TrafficTarget } from '../../src/core/model';
import {
  describeSplit, isServing, restoreSplit, revisionTrafficLabel, routeAllTraffic, summarizeSplit, trafficProblem,
} from '../../src/core/traffic';

const canarySplit: TrafficTarget[] = [
  { kind: 'latest', revision: 'api-00003-ccc', percent: 90 },
  { kind: 'revision', revision: 'api-00002-bbb', percent: 10, tag: 'canary' },
  { kind: 'revision', revision: 'api-00001-aaa', percent: 0, tag: 'old' },
];

describe('traffic plans', () => {
  it('describes and summarises a split, largest share first, serving revisions only', () => {
    assert.equal(describeSplit(canarySplit), 'api-00003-ccc 90% (latest) · api-00002-bbb 10%');
    assert.equal(summarizeSplit(canarySplit), '90% / 10%');
    assert.equal(summarizeSplit([{ kind: 'latest', revision: 'api-00003-ccc', percent: 100 }]), '100% latest');
    assert.equal(summarizeSplit([{ kind: 'revision', revision: 'api-00001-aaa', percent: 100 }]), '100% api-00001-aaa');
    assert.equal(summarizeSplit([]), 'no traffic');
  });

  it('labels each revision with its share, latest and tags', () => {
    assert.equal(revisionTrafficLabel('api-00003-ccc', canarySplit), '90% · latest');
    assert.equal(revisionTrafficLabel('api-00002-bbb', canarySplit), '10% · canary');
    assert.equal(revisionTrafficLabel('api-00001-aaa', canarySplit), '0% · old');
    assert.equal(revisionTrafficLabel('api-00000-zzz', canarySplit), '');
    assert.equal(isServing('api-00002-bbb', canarySplit), true);
    assert.equal(isServing('api-00001-aaa', canarySplit), false);
  });

  it('routes all traffic to one revision and keeps tags at 0%', () => {
    const plan = routeAllTraffic('api-00002-bbb', canarySplit);
    assert.deepEqual(plan.targets, [
      { kind: 'revision', revision: 'api-00002-bbb', percent: 100, tag: 'canary' },
      { kind: 'revision', revision: 'api-00001-aaa', percent: 0, tag: 'old' },
    ]);
    assert.equal(trafficProblem(plan.targets), undefined);
    assert.equal(plan.description, 'api-00003-ccc 90% → 0%, api-00002-bbb 10% → 100%');
  });

  it('says "no change" when the revision already has everything', () => {
    const plan = routeAllTraffic('api-00001-aaa', [{ kind: 'revision', revision: 'api-00001-aaa', percent: 100 }]);
    assert.equal(plan.description, 'no change');
  });

  it('restores a previous desired split, and "latest" for an empty one', () => {
    const desired: TrafficTarget[] = [{ kind: 'latest', percent: 90 }, { kind: 'revision', revision: 'api-00002-bbb', percent: 10, tag: 'canary' }];
    assert.deepEqual(restoreSplit(desired).targets, [
      { kind: 'latest', revision: undefined, percent: 90, tag: undefined },
      { kind: 'revision', revision: 'api-00002-bbb', percent: 10, tag: 'canary' },
    ]);
    assert.deepEqual(restoreSplit([]).targets, [{ kind: 'latest', percent: 100 }]);
  });

  it('rejects splits Cloud Run would reject', () => {
    assert.match(trafficProblem([{ kind: 'latest', percent: 90 }])!, /add up to 100, not 90/);
    assert.match(trafficProblem([{ kind: 'latest', percent: 50.5 }, { kind: 'latest', percent: 49.5 }])!, /whole number/);
    assert.match(trafficProblem([{ kind: 'revision', percent: 100 }])!, /needs a revision name/);
    assert.match(trafficProblem([
      { kind: 'revision', revision: 'a-1', percent: 100, tag: 't' },
      { kind: 'revision', revision: 'a-2', percent: 0, tag: 't' },
    ])!, /"t" is used more than once/);
  });
});
