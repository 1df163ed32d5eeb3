// The explorer's last-known first level: what a later window reads back is what the rows showed (dates
// included) minus the etag; a snapshot of another endpoint/project/region, an older format or a damaged file
// is ignored rather than shown; a listing too big to be worth a file is not kept.
import * as assert from 'node:assert/strict';
import { decodeLastKnown, encodeLastKnown, listingKey, MAX_KEPT_SERVICES } from '../../src/core/lastKnownServices';
import type { ServiceSummary } from '../../src/core/model';

const service = (id: string): ServiceSummary => ({
  name: `projects/p/locations/us-central1/services/${id}`, id, project: 'p', region: 'us-central1', uri: `https://${id}-abc.a.run.app`,
  state: 'ready', traffic: [{ kind: 'latest', percent: 100 }],
  trafficStatuses: [{ kind: 'revision', revision: `${id}-00002-xyz`, percent: 90 }, { kind: 'revision', revision: `${id}-00001-abc`, percent: 10, tag: 'old', uri: `https://old---${id}.a.run.app` }],
  latestReadyRevision: `${id}-00002-xyz`, latestCreatedRevision: `${id}-00002-xyz`, updateTime: new Date('2026-11-30T10:00:00Z'), etag: '"e1"',
});

describe('last-known services', () => {
  const key = listingKey({ project: 'p', region: 'us-central1', apiEndpoint: '' });

  it('reads back what was saved, with its dates, without the etag', () => {
    const saved = new Date('2026-12-01T09:30:00Z');
    const decoded = decodeLastKnown(encodeLastKnown(key, [service('api'), service('web')], saved)!, key);
    assert.ok(decoded);
    assert.deepEqual(decoded.savedAt, saved);
    const { etag: _etag, ...withoutEtag } = service('api');
    assert.deepEqual(decoded.services[0], { ...withoutEtag, stateMessage: undefined });
    assert.equal(decoded.services[1].etag, undefined);
    assert.deepEqual(decoded.services[1].updateTime, new Date('2026-11-30T10:00:00Z'));
  });

  it('belongs to one endpoint, project and region', () => {
    const text = encodeLastKnown(key, [service('api')])!;
    assert.equal(decodeLastKnown(text, listingKey({ project: 'p', region: 'europe-west1', apiEndpoint: '' })), undefined);
    assert.equal(decodeLastKnown(text, listingKey({ project: 'q', region: 'us-central1', apiEndpoint: '' })), undefined);
    assert.equal(decodeLastKnown(text, listingKey({ project: 'p', region: 'us-central1', apiEndpoint: '127.0.0.1:8090' })), undefined);
    assert.notEqual(listingKey({ project: 'p', region: 'r', apiEndpoint: '127.0.0.1:8090' }), listingKey({ project: 'p', region: 'r', apiEndpoint: '127.0.0.1:8091' }));
  });

  it('ignores a damaged file, another format version, or a row missing what it needs', () => {
    assert.equal(decodeLastKnown('{"version":1,', key), undefined);
    const parsed = JSON.parse(encodeLastKnown(key, [service('api')])!);
    assert.equal(decodeLastKnown(JSON.stringify({ ...parsed, version: 2 }), key), undefined);
    assert.equal(decodeLastKnown(JSON.stringify({ ...parsed, savedAt: 'yesterday' }), key), undefined);
    assert.equal(decodeLastKnown(JSON.stringify({ ...parsed, services: [{ ...parsed.services[0], state: 'sleeping' }] }), key), undefined);
    assert.equal(decodeLastKnown(JSON.stringify({ ...parsed, services: [{ ...parsed.services[0], trafficStatuses: [{ kind: 'latest' }] }] }), key), undefined);
    assert.equal(decodeLastKnown(JSON.stringify({ ...parsed, services: [{ ...parsed.services[0], id: undefined }] }), key), undefined);
  });

  it('keeps no snapshot of a listing too big to be worth one', () => {
    const many = Array.from({ length: MAX_KEPT_SERVICES + 1 }, (_, i) => service(`s${i}`));
    assert.equal(encodeLastKnown(key, many), undefined);
    assert.ok(encodeLastKnown(key, many.slice(1)));
  });
});
