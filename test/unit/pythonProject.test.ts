import * as assert from 'node:assert/strict';
import { renderDockerfile } from '../../src/core/dockerfileTemplate';
import { renderDockerignore } from '../../src/core/dockerignoreTemplate';
import { ProjectFiles, detectPythonProject, moduleName } from '../../src/core/pythonProject';

function files(map: Record<string, string>): ProjectFiles {
  return { list: async () => Object.keys(map), read: async (p) => map[p] };
}

describe('Python project detection', () => {
  it('finds main:app with requirements.txt', async () => {
    const project = await detectPythonProject(files({
      'main.py': 'from fastapi import FastAPI\n\napp = FastAPI(title="x")\n',
      'requirements.txt': 'fastapi\nuvicorn[standard]\n',
    }));
    assert.deepEqual(project, { appModule: 'main:app', appFile: 'main.py', appLine: 3,
      dependencies: { kind: 'requirements', file: 'requirements.txt' }, pythonVersion: undefined, declaresUvicorn: true });
  });

  it('finds app/main.py:api, pyproject (PEP 621) and the Python version', async () => {
    const project = await detectPythonProject(files({
      'app/__init__.py': '', 'app/main.py': 'import fastapi\napi: FastAPI = fastapi.FastAPI()\n',
      'tests/test_main.py': 'app = FastAPI()', 'pyproject.toml': '[project]\nname="x"\nrequires-python=">=3.12"\ndependencies=["fastapi[standard]"]\n',
    }));
    assert.equal(project?.appModule, 'app.main:api');
    assert.equal(project?.appLine, 2);
    assert.deepEqual(project?.dependencies, { kind: 'pep621' });
    assert.equal(project?.pythonVersion, '3.12');
    assert.equal(project?.declaresUvicorn, true);
  });

  it('prefers .python-version, detects poetry, ignores venvs and tests', async () => {
    const project = await detectPythonProject(files({
      '.venv/lib/app.py': 'app = FastAPI()', 'src/service/api.py': 'application = FastAPI()',
      '.python-version': '3.11.9\n', 'pyproject.toml': '[tool.poetry.dependencies]\npython="^3.11"\nfastapi="*"\n', 'poetry.lock': '',
    }));
    assert.equal(project?.appModule, 'src.service.api:application');
    assert.deepEqual(project?.dependencies, { kind: 'poetry', lockFile: 'poetry.lock' });
    assert.equal(project?.pythonVersion, '3.11');
    assert.equal(project?.declaresUvicorn, false);
  });

  it('returns undefined without a FastAPI app', async () => {
    assert.equal(await detectPythonProject(files({ 'main.py': 'print(1)' })), undefined);
    assert.equal(moduleName('pkg/__init__.py'), 'pkg');
  });
});

describe('Dockerfile template', () => {
  const base = { appModule: 'main:app', appFile: 'main.py', appLine: 3, declaresUvicorn: true } as const;

  it('installs dependencies before copying code and runs uvicorn on 0.0.0.0:$PORT as non-root', () => {
    const text = renderDockerfile({ ...base, dependencies: { kind: 'requirements', file: 'requirements.txt' } });
    const lines = text.split('\n');
    const depsAt = lines.indexOf('RUN pip install --no-cache-dir -r requirements.txt');
    assert.ok(depsAt > 0 && depsAt < lines.indexOf('COPY . .'));
    assert.ok(lines.includes('FROM python:3.11-slim'));
    assert.ok(lines.some((l) => l.includes('PYTHONUNBUFFERED=1')));
    assert.ok(lines.indexOf('USER appuser') > lines.indexOf('COPY . .'));
    assert.ok(lines.includes('CMD ["sh", "-c", "exec uvicorn main:app --host 0.0.0.0 --port ${PORT:-8080}"]'));
  });

  it('adds uvicorn when undeclared and uses the detected Python version', () => {
    const text = renderDockerfile({ ...base, declaresUvicorn: false, pythonVersion: '3.12', dependencies: { kind: 'pep621' } });
    assert.match(text, /^FROM python:3\.12-slim$/m);
    assert.match(text, /^RUN pip install --no-cache-dir uvicorn$/m);
    assert.match(text, /tomllib/);
  });

  it('keeps secrets, venvs and tests out of the context', () => {
    const lines = renderDockerignore().split('\n');
    for (const pattern of ['.env', '.venv', '.git', 'tests', '*credentials*.json', 'secrets', '**/__pycache__']) {
      assert.ok(lines.includes(pattern), pattern);
    }
  });
});
