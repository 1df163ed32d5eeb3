import * as assert from 'node:assert/strict';
import { isSetupRequest, PROJECT_DISPLAY_NAME, PROJECT_ID } from '../../src/webview/setupProtocol';

describe('setup wizard protocol', () => {
  it('accepts the requests the wizard sends and refuses anything else', () => {
    for (const ok of [{ type: 'ready' }, { type: 'run' }, { type: 'searchProjects', requestId: 3, query: 'shop', pageToken: 'p2' },
      { type: 'newProject', projectId: 'shop-123', displayName: 'Shop' }, { type: 'saveSecret', name: 'A', secretId: 'A', value: 'v' },
      { type: 'setAnswers', region: 'us-central1', service: 's', repository: 'mentor', serviceAccountId: 's-run' }, { type: 'setUpContinuousDeployment' }]) {
      assert.ok(isSetupRequest(ok), JSON.stringify(ok));
    }
    for (const bad of [null, 'run', { type: 'eval' }, { type: 'saveSecret', name: 'A', secretId: 'A' }, { type: 'chooseProject', projectId: 7 }, { type: 'searchProjects', query: 'shop' },
      { type: 'saveSecret', name: 'A', secretId: 'A', value: 'x'.repeat(65537) }]) {
      assert.ok(!isSetupRequest(bad), JSON.stringify(bad));
    }
  });

  it('checks project IDs by Google\'s rule', () => {
    assert.ok(PROJECT_ID.test('mentor-demo'));
    for (const bad of ['short', 'Upper-case', '1starts-digit', 'ends-with-', 'x'.repeat(31)]) assert.ok(!PROJECT_ID.test(bad), bad);
  });

  it('checks project display names by Google\'s rule', () => {
    assert.ok(PROJECT_DISPLAY_NAME.test('Setup Test') && PROJECT_DISPLAY_NAME.test("Anna's shop!"));
    for (const bad of ['Try', 'x'.repeat(31), 'under_score']) assert.ok(!PROJECT_DISPLAY_NAME.test(bad), bad);
  });
});
