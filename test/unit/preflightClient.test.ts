import * as assert from 'node:assert/strict';
import { Code } from '../../src/gcp/errorMapping';
import { ARTIFACT_REGISTRY, SECRET_MANAGER, SERVICE_USAGE, preflightError } from '../../src/gcp/preflightClient';

// What google-gax throws: a gRPC status code, "N NAME: details" as message, ErrorInfo fields when Google sends them.
const grpcError = (code: number, details: string, extra: object = {}) =>
  Object.assign(new Error(`${code} STATUS: ${details}`), { code, details, ...extra });

describe('preflight error mapping', () => {
  it('a disabled API names that API, with an enable command', () => {
    const error = preflightError(grpcError(Code.PERMISSION_DENIED, 'Secret Manager API has not been used in project 123 before or it is disabled.', {
      reason: 'SERVICE_DISABLED',
      errorInfoMetadata: { service: 'secretmanager.googleapis.com', activationUrl: 'https://console.developers.google.com/apis/api/secretmanager.googleapis.com/overview?project=123' },
    }), SECRET_MANAGER, 'check the secret GEMINI_API_KEY (version latest)', 'mentor-demo');
    assert.equal(error.kind, 'apiDisabled');
    assert.match(error.message, /secretmanager\.googleapis\.com is not enabled in project mentor-demo/);
    assert.doesNotMatch(error.message, /Cloud Run/);
    const url = error.actions.find((a) => a.kind === 'openUrl');
    assert.ok(url && url.kind === 'openUrl' && url.url.includes('project=123'));
    assert.ok(error.actions.some((a) => a.kind === 'copyText' && a.text === 'gcloud services enable secretmanager.googleapis.com --project mentor-demo'));
  });

  it('a disabled API without ErrorInfo falls back to the API the call went to', () => {
    const error = preflightError(grpcError(Code.PERMISSION_DENIED, 'Artifact Registry API is disabled.'), ARTIFACT_REGISTRY, 'check x', 'p1');
    assert.equal(error.kind, 'apiDisabled');
    assert.match(error.message, /artifactregistry\.googleapis\.com is not enabled in project p1/);
  });

  it('permission denied names the role for that API', () => {
    const cases = [[SERVICE_USAGE, /roles\/serviceusage\.serviceUsageViewer/], [ARTIFACT_REGISTRY, /roles\/artifactregistry\.reader/],
      [SECRET_MANAGER, /roles\/secretmanager\.viewer/]] as const;
    for (const [api, role] of cases) {
      const error = preflightError(grpcError(Code.PERMISSION_DENIED, "Permission 'x.get' denied"), api, 'do it', 'p1');
      assert.equal(error.kind, 'permissionDenied');
      assert.match(error.message, role);
      assert.doesNotMatch(error.message, /roles\/run\.developer/);
    }
  });

  it('anything else goes through the shared mapping (unreachable emulator)', () => {
    const error = preflightError(grpcError(Code.UNAVAILABLE, 'No connection established'), SERVICE_USAGE, 'list the enabled APIs', 'p1', '127.0.0.1:1');
    assert.equal(error.kind, 'unreachable');
    assert.match(error.message, /emulator at 127\.0\.0\.1:1/);
  });
});
