import * as assert from 'node:assert/strict';
import { MentorTarget } from '../../src/core/settings';
import { registryAuthFor } from '../../src/gcp/registryCredentials';

const EMULATOR: MentorTarget = { project: 'mentor-demo', region: 'us-central1', apiEndpoint: '127.0.0.1:8090' };

describe('registry credentials with an emulator endpoint', () => {
  it('sends the user and password from the environment when both are set', async () => {
    const auth = await registryAuthFor(EMULATOR, '127.0.0.1:5001', { MENTOR_REGISTRY_USERNAME: 'mentor', MENTOR_REGISTRY_PASSWORD: 's3cret' });
    assert.deepEqual(auth, { username: 'mentor', password: 's3cret', serveraddress: '127.0.0.1:5001' });
  });

  it('sends nothing for an open local registry, or when only half the pair is set', async () => {
    assert.equal(await registryAuthFor(EMULATOR, '127.0.0.1:5000', {}), undefined);
    assert.equal(await registryAuthFor(EMULATOR, '127.0.0.1:5000', { MENTOR_REGISTRY_USERNAME: 'mentor' }), undefined);
    assert.equal(await registryAuthFor(EMULATOR, '127.0.0.1:5000', { MENTOR_REGISTRY_PASSWORD: 'x', MENTOR_REGISTRY_USERNAME: '' }), undefined);
  });
});

describe('registry credentials with Google as the target', () => {
  const GOOGLE: MentorTarget = { project: 'mentor-demo', region: 'us-central1', apiEndpoint: '' };

  it('never sends a Google token to a registry that is not Google\'s (no credentials are even looked up)', async () => {
    assert.equal(await registryAuthFor(GOOGLE, 'registry.example.com', {}), undefined);
    assert.deepEqual(await registryAuthFor(GOOGLE, 'registry.example.com', { MENTOR_REGISTRY_USERNAME: 'u', MENTOR_REGISTRY_PASSWORD: 'p' }),
      { username: 'u', password: 'p', serveraddress: 'registry.example.com' });
  });
});
