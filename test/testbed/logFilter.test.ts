import * as assert from 'node:assert/strict';
import { compileFilter } from '../../emulator/logFilter';
import type { LogEntry } from '../../emulator/apiTypes';

const entries: LogEntry[] = [
  { insertId: 'a', severity: 'INFO', textPayload: 'GET /health 200', resource: { type: 'cloud_run_revision', labels: { service_name: 'api' } } },
  { insertId: 'b', severity: 'ERROR', textPayload: 'Traceback', resource: { type: 'cloud_run_revision', labels: { service_name: 'api' } } },
  { insertId: 'c', severity: 'ERROR', resource: { type: 'cloud_run_revision', labels: { service_name: 'worker' } },
    jsonPayload: { fields: { message: { stringValue: 'queue empty' }, attempt: { numberValue: 3 } } } },
  { insertId: 'd', resource: { type: 'gce_instance', labels: {} }, httpRequest: { status: 503 }, textPayload: 'upstream' },
];

function ids(filter: string): string[] {
  const matches = compileFilter(filter);
  return entries.filter(matches).map((e) => e.insertId!);
}

describe('emulator: log filter language subset', () => {
  it('binds OR tighter than AND, like Cloud Logging', () => {
    // a AND b OR c  ==  a AND (b OR c)
    assert.deepEqual(ids('resource.labels.service_name="api" AND severity=ERROR OR severity=INFO'), ['a', 'b']);
  });

  it('supports NOT, "-", parentheses and adjacency', () => {
    assert.deepEqual(ids('NOT resource.type="cloud_run_revision"'), ['d']);
    assert.deepEqual(ids('-severity>=ERROR resource.type="cloud_run_revision"'), ['a']);
    assert.deepEqual(ids('(severity=INFO OR severity=ERROR) resource.labels.service_name="worker"'), ['c']);
  });

  it('treats a missing field as not matching, even for !=', () => {
    assert.deepEqual(ids('textPayload!="Traceback"'), ['a', 'd']);
    assert.deepEqual(ids('NOT textPayload="Traceback"'), ['a', 'c', 'd']);
  });

  it('compares severities by rank, numbers numerically, and reads jsonPayload fields', () => {
    assert.deepEqual(ids('severity>=WARNING'), ['b', 'c']);
    assert.deepEqual(ids('severity<INFO'), ['d']);
    assert.deepEqual(ids('httpRequest.status>=500'), ['d']);
    assert.deepEqual(ids('jsonPayload.message:"QUEUE"'), ['c']);
    assert.deepEqual(ids('jsonPayload.attempt=3'), ['c']);
  });

  it('supports :* (exists), regular expressions and bare-word search', () => {
    assert.deepEqual(ids('jsonPayload:*'), ['c']);
    assert.deepEqual(ids('textPayload=~"^GET /h"'), ['a']);
    assert.deepEqual(ids('textPayload!~"^GET"'), ['b', 'd']);
    assert.deepEqual(ids('traceback'), ['b']);
  });

  it('rejects what it cannot parse with INVALID_ARGUMENT', () => {
    assert.throws(() => compileFilter('severity>='), /Unparseable filter/);
    assert.throws(() => compileFilter('(severity=ERROR'), /missing '\)'/);
    assert.throws(() => compileFilter('textPayload="open'), /unterminated string/);
    assert.throws(() => compileFilter('severity>=LOUD'), /Unknown severity 'LOUD'/);
  });
});
