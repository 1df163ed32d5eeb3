import * as assert from 'node:assert/strict';
import { Code } from '../../src/gcp/errorMapping';
import { fromGrpcPolicy, restToGrpcError, toGrpcPolicy } from '../../src/gcp/setupMapping';
import { withMemberInRoles } from '../../src/setup/retries';

describe('setup mapping', () => {
  it('carries the IAM etag bytes through base64 unchanged, and keeps conditional bindings (as version 3)', () => {
    const etag = Uint8Array.from([0, 1, 2, 250, 255]);
    const read = fromGrpcPolicy({ version: 3, etag, bindings: [{ role: 'roles/a', members: ['user:x'], condition: { expression: 'true', title: 't' } }] });
    const { policy, changed } = withMemberInRoles(read, 'serviceAccount:s', ['roles/a']);
    assert.ok(changed);
    const written = toGrpcPolicy(policy);
    assert.deepEqual([...written.etag!], [...etag]);
    assert.equal(written.version, 3);
    assert.deepEqual(written.bindings, [
      { role: 'roles/a', members: ['user:x'], condition: { expression: 'true', title: 't', description: undefined } },
      { role: 'roles/a', members: ['serviceAccount:s'] },
    ]);
  });

  it('maps REST errors to gRPC codes with the server message and reason', () => {
    const notFound = restToGrpcError({ status: 404, message: 'x', response: { status: 404, data: { error: { message: 'Unknown service account' } } } });
    assert.equal(notFound.code, Code.NOT_FOUND);
    assert.equal(notFound.details, 'Unknown service account');
    const aborted = restToGrpcError({ response: { status: 409, data: { error: { status: 'ABORTED', message: 'concurrent' } } } });
    assert.equal(aborted.code, Code.ABORTED);
    const disabled = restToGrpcError({ response: { status: 403, data: { error: { message: 'IAM API has not been used', details: [{ reason: 'SERVICE_DISABLED' }] } } } });
    assert.deepEqual([disabled.code, disabled.reason], [Code.PERMISSION_DENIED, 'SERVICE_DISABLED']);
    assert.equal(restToGrpcError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).code, Code.UNAVAILABLE);
  });
});
