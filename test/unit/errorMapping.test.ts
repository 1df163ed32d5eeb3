import * as assert from 'node:assert/strict';
import { UserFacingError } from '../../src/core/errors';
import { Code, toUserFacingError } from '../../src/gcp/errorMapping';

const emulator = { action: 'list Cloud Run services in p/us-central1', endpoint: '127.0.0.1:9', project: 'mentor-demo' };
const google = { ...emulator, endpoint: undefined };

describe('Google error mapping', () => {
  it('explains an unreachable emulator and offers Retry and the setting', () => {
    const e = toUserFacingError({ code: Code.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:9' }, emulator);
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /Cannot reach the Cloud Run emulator at 127\.0\.0\.1:9 to list Cloud Run services/);
    assert.match(e.message, /npm run emulator/);
    assert.deepEqual(e.actions.map((a) => a.label), ['Retry', 'Open Settings']);
  });

  it('points at enabling the API when Service Usage says it is disabled', () => {
    const e = toUserFacingError({ code: Code.PERMISSION_DENIED, reason: 'SERVICE_DISABLED',
      errorInfoMetadata: { activationUrl: 'https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=1' },
      details: 'Cloud Run Admin API has not been used in project 1 before or it is disabled.' }, google);
    assert.equal(e.kind, 'apiDisabled');
    assert.equal(e.actions[0].kind === 'openUrl' && e.actions[0].url, 'https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=1');
  });

  it('names the role on PERMISSION_DENIED and the login command on UNAUTHENTICATED', () => {
    const denied = toUserFacingError({ code: Code.PERMISSION_DENIED, details: "Permission 'run.services.list' denied" }, google);
    assert.match(denied.message, /roles\/run\.developer/);
    const unauth = toUserFacingError({ code: Code.UNAUTHENTICATED, message: '16 UNAUTHENTICATED: bad token' }, google);
    assert.equal(unauth.kind, 'noCredentials');
    assert.match(unauth.message, /gcloud auth application-default login/);
  });

  it('passes Cloud Run validation messages through without the gRPC prefix', () => {
    const e = toUserFacingError({ code: Code.INVALID_ARGUMENT, message: '3 INVALID_ARGUMENT: Traffic percents must add up to 100.' }, google);
    assert.equal(e.message, 'Cloud Run refused to list Cloud Run services in p/us-central1: Traffic percents must add up to 100.');
  });

  it('keeps errors that are already user-facing', () => {
    const original = new UserFacingError('x', 'configuration');
    assert.equal(toUserFacingError(original, google), original);
  });
});
