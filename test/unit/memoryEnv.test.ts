import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MEMORY_ENV_SCRIPT, shellExports, wrappedCommand } from '../../src/core/memoryEnv';

describe('memory env', () => {
  it('a POSIX shell reads the exports back to the exact values', () => {
    const values = { JSON: '{\n "k": "a\'b\\"c"\n}\n', DOLLAR: '$HOME `id` $(id) \\n', EMPTY: '', QUOTES: "''''" };
    const script = `${MEMORY_ENV_SCRIPT}`;
    const r = spawnSync('/bin/sh', ['-c', script, 'mentor-env', 'node', '-e', 'process.stdout.write(JSON.stringify(Object.fromEntries(["JSON","DOLLAR","EMPTY","QUOTES"].map((k) => [k, process.env[k]]))))'],
      { input: shellExports(values), encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), values);
  });

  it('refuses names a shell cannot export and NUL bytes', () => {
    assert.throws(() => shellExports({ 'BAD-NAME': 'x' }), /not a valid environment variable name/);
    assert.throws(() => shellExports({ OK: 'a\0b' }), /NUL/);
  });

  it('wraps the image\'s own entrypoint and command; an image with neither is refused', () => {
    assert.deepEqual(wrappedCommand(['tini', '--'], ['uvicorn', 'main:app']), { entrypoint: ['/bin/sh', '-c', MEMORY_ENV_SCRIPT, 'mentor-env'], cmd: ['tini', '--', 'uvicorn', 'main:app'] });
    assert.deepEqual(wrappedCommand(null, ['python', 'app.py']).cmd, ['python', 'app.py']);
    assert.throws(() => wrappedCommand(undefined, []), /no ENTRYPOINT or CMD/);
  });
});
