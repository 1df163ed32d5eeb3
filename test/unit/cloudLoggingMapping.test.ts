import * as assert from 'node:assert/strict';
import { toCloudLogEntry } from '../../src/gcp/cloudLoggingMapping';

const resource = { type: 'cloud_run_revision', labels: { service_name: 'api', revision_name: 'api-00002-abc', location: 'us-central1' } };

describe('Cloud Logging message mapping', () => {
  it('maps a request log: enum name, string seconds, Duration latency, URL → path', () => {
    const e = toCloudLogEntry({
      logName: 'projects/p/logs/run.googleapis.com%2Frequests', resource, insertId: 'abc', severity: 'WARNING',
      timestamp: { seconds: '1795669262', nanos: 123_456_789 },
      httpRequest: { requestMethod: 'GET', requestUrl: 'https://api-xyz-uc.a.run.app/api/x?q=1', status: 404, latency: { seconds: '0', nanos: 12_400_000 } },
      trace: 'projects/p/traces/t1', labels: { instanceId: 'inst-1' },
    });
    assert.deepEqual(e, {
      insertId: 'abc', timestamp: '2026-11-26T05:01:02.123456789Z', severity: 'WARNING',
      logName: 'projects/p/logs/run.googleapis.com%2Frequests', stream: 'requests', service: 'api', revision: 'api-00002-abc',
      instanceId: 'inst-1', text: '', trace: 'projects/p/traces/t1',
      request: { method: 'GET', status: 404, latencyMs: 12.4, path: '/api/x?q=1' },
    });
  });

  it('takes the message of a JSON payload (Struct with or without oneof kinds), else the JSON', () => {
    const withKind = toCloudLogEntry({ severity: 500, resource, jsonPayload: { fields: {
      message: { kind: 'stringValue', stringValue: 'payment failed' }, order: { kind: 'numberValue', numberValue: 42 } } } });
    assert.equal(withKind.text, 'payment failed');
    assert.equal(withKind.severity, 'ERROR');
    const noMessage = toCloudLogEntry({ jsonPayload: { fields: { order: { numberValue: 42 },
      tags: { listValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } }, nested: { structValue: { fields: { x: { nullValue: 0 } } } } } } });
    assert.equal(noMessage.text, '{"order":42,"tags":["a",true],"nested":{"x":null}}');
    assert.equal(noMessage.severity, 'DEFAULT');
  });

  it('falls back to receiveTimestamp and never leaves insertId empty', () => {
    const a = toCloudLogEntry({ textPayload: 'x', receiveTimestamp: { seconds: 1795669262, nanos: 0 } });
    const b = toCloudLogEntry({ textPayload: 'x', receiveTimestamp: { seconds: 1795669262, nanos: 0 } });
    assert.equal(a.timestamp, '2026-11-26T05:01:02.000000000Z');
    assert.ok(a.insertId && b.insertId && a.insertId !== b.insertId);
    assert.equal(a.service, undefined);
  });
});
