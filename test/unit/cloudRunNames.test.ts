import * as assert from 'node:assert/strict';
import {
  autoRevisionName, parseResourceName, projectIdProblem, regionProblem, revisionNameProblem, serviceIdProblem,
  suggestServiceId, trafficTagProblem,
} from '../../src/core/cloudRunNames';

describe('Cloud Run naming rules', () => {
  it('accepts valid service IDs', () => {
    for (const id of ['a', 'mentor-ai-backend', 'api2', 'x'.repeat(49)]) assert.equal(serviceIdProblem(id), undefined, id);
  });

  it('rejects invalid service IDs with the reason', () => {
    assert.match(serviceIdProblem('')!, /required/);
    assert.match(serviceIdProblem('1api')!, /start with a lowercase letter/);
    assert.match(serviceIdProblem('api-')!, /must not end with a hyphen/);
    assert.match(serviceIdProblem('My_Api')!, /start with a lowercase letter|only contain/);
    assert.match(serviceIdProblem('my_api')!, /only contain lowercase letters, digits and hyphens/);
    assert.match(serviceIdProblem('x'.repeat(50))!, /50 characters; Cloud Run allows at most 49/);
  });

  it('suggests a valid service ID from a folder name', () => {
    assert.equal(suggestServiceId('Mentor_AI Backend'), 'mentor-ai-backend');
    assert.equal(suggestServiceId('2024-app'), 'app');
    assert.equal(suggestServiceId('---'), 'service');
    const long = suggestServiceId('a'.repeat(48) + '-bcd');
    assert.equal(serviceIdProblem(long), undefined);
  });

  it('checks custom revision names and tags like Cloud Run', () => {
    assert.equal(revisionNameProblem('api', 'api-v1'), undefined);
    assert.match(revisionNameProblem('api', 'v1')!, /must start with "api-"/);
    assert.equal(trafficTagProblem('api', 'green'), undefined);
    assert.match(trafficTagProblem('api', 'Green')!, /lowercase/);
    assert.match(trafficTagProblem('s'.repeat(40), 'abcdefg')!, /cannot exceed 46 characters/);
  });

  it('validates project and region settings', () => {
    assert.equal(projectIdProblem('mentor-demo'), undefined);
    assert.match(projectIdProblem('')!, /mentor\.project/);
    assert.match(projectIdProblem('My Project')!, /not a valid project ID/);
    assert.equal(regionProblem('us-central1'), undefined);
    assert.match(regionProblem('central')!, /does not look like a Cloud Run region/);
  });

  it('names and parses resources', () => {
    assert.equal(autoRevisionName('api', 42, 'xyz'), 'api-00042-xyz');
    assert.deepEqual(parseResourceName('projects/p1/locations/us-central1/services/api/revisions/api-00001-abc'),
      { project: 'p1', location: 'us-central1', service: 'api', revision: 'api-00001-abc' });
    assert.equal(parseResourceName('projects/p1/services/api'), undefined);
  });
});
