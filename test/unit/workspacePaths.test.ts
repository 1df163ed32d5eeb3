import * as assert from 'node:assert/strict';
import { pathInsideFolder } from '../../src/core/workspacePaths';

describe('paths inside the workspace folder (mentor.localEnvFile)', () => {
  it('accepts relative paths and normalises them', () => {
    assert.deepEqual(pathInsideFolder('.env'), { path: '.env' });
    assert.deepEqual(pathInsideFolder(' ./config//local.env '), { path: 'config/local.env' });
    assert.deepEqual(pathInsideFolder('config\\..\\.env.local'), { path: '.env.local' });
    assert.deepEqual(pathInsideFolder('a/b/../../.env'), { path: '.env' });
  });

  it('refuses absolute, home, drive and UNC paths', () => {
    for (const value of ['/etc/passwd', '~/.ssh/id_rsa', '~user/.env', 'C:\\Users\\me\\.env', 'c:.env', '\\\\server\\share\\.env', '//server/share/.env']) {
      const result = pathInsideFolder(value);
      assert.ok('problem' in result && /not relative to the workspace folder/.test(result.problem), value);
    }
  });

  it('refuses paths that climb out of the folder, even after going in', () => {
    for (const value of ['..', '../.env', 'config/../../other/.env', './../x', 'a\\..\\..\\.env']) {
      const result = pathInsideFolder(value);
      assert.ok('problem' in result && /leads out of the workspace folder/.test(result.problem), value);
    }
  });

  it('refuses the folder itself', () => {
    for (const value of ['.', './', 'a/..']) assert.ok('problem' in pathInsideFolder(value), value);
  });
});
