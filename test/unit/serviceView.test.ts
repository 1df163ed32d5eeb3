import * as assert from 'node:assert/strict';
import { ServiceSummary } from '../../src/core/model';
import { isPanelRequest } from '../../src/webview/protocol';
import { toRevisionViews, toServiceView } from '../../src/webview/serviceView';

const service: ServiceSummary = {
  name: 'projects/p/locations/us-central1/services/api', id: 'api', project: 'p', region: 'us-central1',
  uri: 'https://api-x-uc.a.run.app', state: 'ready', traffic: [],
  trafficStatuses: [
    { kind: 'latest', revision: 'api-00002-bbb', percent: 100 },
    { kind: 'revision', revision: 'api-00001-aaa', percent: 0, tag: 'old', uri: 'https://old---api-x-uc.a.run.app' },
  ],
};

describe('service details view data', () => {
  it('lists serving and tagged traffic with tag URLs', () => {
    assert.deepEqual(toServiceView(service).traffic, [
      { revision: 'api-00002-bbb', percent: 100, latest: true, tag: undefined, tagUrl: undefined },
      { revision: 'api-00001-aaa', percent: 0, latest: false, tag: 'old', tagUrl: 'https://old---api-x-uc.a.run.app' },
    ]);
  });

  it('marks serving revisions and formats ages', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const views = toRevisionViews(service, [
      { name: 'x/api-00002-bbb', id: 'api-00002-bbb', service: 'api', state: 'ready', createTime: new Date('2026-11-26T10:00:00Z') },
      { name: 'x/api-00001-aaa', id: 'api-00001-aaa', service: 'api', state: 'ready' },
    ], now);
    assert.deepEqual(views.map((v) => [v.id, v.serving, v.trafficLabel, v.createdAgo]), [
      ['api-00002-bbb', true, '100% · latest', '2 hours ago'],
      ['api-00001-aaa', false, '0% · old', undefined],
    ]);
  });

  it('accepts only well-formed requests from the webview', () => {
    assert.equal(isPanelRequest({ type: 'ready' }), true);
    assert.equal(isPanelRequest({ type: 'routeAllTraffic', revision: 'api-00001-aaa' }), true);
    assert.equal(isPanelRequest({ type: 'routeAllTraffic' }), false);
    assert.equal(isPanelRequest({ type: 'openUrl', url: 'javascript:alert(1)' }), false);
    assert.equal(isPanelRequest('ready'), false);
  });
});
