import * as assert from 'node:assert/strict';
import { isLoopbackHost, parseApiEndpoint, targetProblem } from '../../src/core/settings';

describe('deploy target settings', () => {
  it('parses emulator endpoints and treats empty as Google', () => {
    assert.equal(parseApiEndpoint(''), undefined);
    assert.deepEqual(parseApiEndpoint(' 127.0.0.1:8090 '), { host: '127.0.0.1', port: 8090 });
    assert.deepEqual(parseApiEndpoint('[::1]:9000'), { host: '::1', port: 9000 });
    assert.throws(() => parseApiEndpoint('http://localhost:8090'), /not host:port/);
    assert.throws(() => parseApiEndpoint('localhost:99999'), /not host:port/);
  });
  it('names the setting to fix', () => {
    assert.equal(targetProblem({ project: '', region: 'us-central1', apiEndpoint: '' })?.setting, 'project');
    assert.equal(targetProblem({ project: 'mentor-demo', region: 'x', apiEndpoint: '' })?.setting, 'region');
    assert.equal(targetProblem({ project: 'mentor-demo', region: 'us-central1', apiEndpoint: 'nope' })?.setting, 'apiEndpoint');
    assert.equal(targetProblem({ project: 'mentor-demo', region: 'us-central1', apiEndpoint: '127.0.0.1:1' }), undefined);
  });
});

describe('loopback endpoints (trusted without asking)', () => {
  it('are 127.0.0.0/8, ::1 and localhost only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '10.0.0.5', 'emulator.example.com', '127.0.0.1.nip.io', '::']) assert.equal(isLoopbackHost(host), false, host);
  });
});
