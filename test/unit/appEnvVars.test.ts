import * as assert from 'node:assert/strict';
import { findAppEnvVars } from '../../src/core/appEnvVars';

const names = (files: { path: string; text: string }[]) => findAppEnvVars(files).map((v) => v.name);

describe('findAppEnvVars', () => {
  it('finds os.environ[...], os.environ.get, os.getenv and a bare environ import', () => {
    const text = [
      'import os',
      'from os import environ, getenv',
      'KEY = os.environ["GEMINI_API_KEY"]',
      "rid = os.environ.get('RAZORPAY_KEY_ID', '')",
      'secret = os.getenv("RAZORPAY_KEY_SECRET")',
      'creds = environ["FIREBASE_CREDENTIALS"]',
      "debug = getenv('DEBUG')",
      'port = int(os.environ.get("PORT", "8080"))',
    ].join('\n');
    assert.deepEqual(names([{ path: 'main.py', text }]), ['DEBUG', 'FIREBASE_CREDENTIALS', 'GEMINI_API_KEY', 'RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET']);
  });

  it('says where each variable is read, once per place', () => {
    const found = findAppEnvVars([
      { path: 'app/a.py', text: 'import os\nx = os.getenv("TOKEN")\ny = os.getenv("TOKEN")' },
      { path: 'app/b.py', text: 'import os\n\n\nz = os.environ["TOKEN"]' },
    ]);
    assert.deepEqual(found, [{ name: 'TOKEN', foundIn: ['app/a.py:2', 'app/a.py:3', 'app/b.py:4'] }]);
  });

  it('reads pydantic BaseSettings fields, with env_prefix, aliases and v1 env=, skipping model_config and ClassVars', () => {
    const text = [
      'from pydantic_settings import BaseSettings, SettingsConfigDict',
      'from pydantic import Field',
      'from typing import ClassVar',
      '',
      'class Settings(BaseSettings):',
      '    model_config = SettingsConfigDict(env_prefix="APP_")',
      '    database_url: str',
      '    gemini_api_key: str = Field(alias="GEMINI_API_KEY")',
      '    legacy: str = Field("x", env="LEGACY_TOKEN")',
      '    VERSION: ClassVar[str] = "1"',
      '    _private: int = 0',
      '',
      '    def helper(self) -> str:',
      '        local: str = "not a field"',
      '        return local',
      '',
      'class Other:',
      '    not_env: str = ""',
    ].join('\n');
    assert.deepEqual(names([{ path: 'app/config.py', text }]), ['APP_DATABASE_URL', 'GEMINI_API_KEY', 'LEGACY_TOKEN']);
  });

  it('takes only the keys of .env.example (its values are placeholders, never kept)', () => {
    const found = findAppEnvVars([{ path: '.env.example', text: '# comment\nGEMINI_API_KEY=your-key\nexport RAZORPAY_KEY_ID=\n\nnot a line' }]);
    assert.deepEqual(found, [{ name: 'GEMINI_API_KEY', foundIn: ['.env.example'] }, { name: 'RAZORPAY_KEY_ID', foundIn: ['.env.example'] }]);
    assert.ok(!JSON.stringify(found).includes('your-key'));
  });

  it('leaves out what Cloud Run sets itself and ignores a real .env and non-Python files', () => {
    assert.deepEqual(names([
      { path: 'main.py', text: 'import os\nos.environ["PORT"]\nos.getenv("K_SERVICE")' },
      { path: '.env', text: 'SECRET=1' },
      { path: 'README.md', text: 'os.getenv("DOCS_ONLY")' },
    ]), []);
  });
});
