import * as assert from 'node:assert/strict';
import { renderDockerfile } from '../../src/core/dockerfileTemplate';
import { renderDockerignore } from '../../src/core/dockerignoreTemplate';
import { detectPythonProject, moduleName } from '../../src/core/pythonProject';
import { files } from './memoryProject';

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
    assert.equal(project?.pythonVersion, '3.13', 'the newest supported version inside ">=3.12"');
    assert.equal(project?.declaresUvicorn, true);
  });

  it('prefers .python-version, detects poetry, ignores venvs and tests', async () => {
    const project = await detectPythonProject(files({
      '.venv/lib/app.py': 'app = FastAPI()', 'src/service/api.py': 'application = FastAPI()',
      '.python-version': '3.11.9\n', 'pyproject.toml': '[tool.poetry.dependencies]\npython="^3.11"\nfastapi="*"\n', 'poetry.lock': '',
    }));
    assert.equal(project?.appModule, 'src.service.api:application', 'no src/service/__init__.py: not a src layout');
    assert.deepEqual(project?.dependencies, { kind: 'poetry', lockFile: 'poetry.lock' });
    assert.equal(project?.pythonVersion, '3.11');
    assert.equal(project?.declaresUvicorn, false);
  });

  it('understands a src layout, a Procfile and the Python version from constraints', async () => {
    const project = await detectPythonProject(files({
      'src/shop/__init__.py': '', 'src/shop/main.py': 'from fastapi import FastAPI\nfrom shop.routes import r\napp = FastAPI()\n',
      'pyproject.toml': '[tool.poetry.dependencies]\npython = ">=3.9,<3.13"\nfastapi = "*"\n', 'poetry.lock': '',
      'Procfile': 'web: uvicorn shop.main:app --host 0.0.0.0 --port $PORT --workers 2\n',
    }));
    assert.equal(project?.appModule, 'shop.main:app');
    assert.equal(project?.sourceRoot, 'src');
    assert.equal(project?.pythonVersion, '3.12');
    assert.equal(project?.start?.server, 'uvicorn');
    const runtime = await detectPythonProject(files({ 'app.py': 'app = FastAPI()', 'runtime.txt': 'python-3.10.14\n' }));
    assert.equal(runtime?.pythonVersion, '3.10');
  });

  it('returns undefined without a FastAPI app', async () => {
    assert.equal(await detectPythonProject(files({ 'main.py': 'print(1)' })), undefined);
    assert.equal(moduleName('pkg/__init__.py'), 'pkg');
  });
});

describe('Dockerfile template', () => {
  const base = { appModule: 'main:app', appFile: 'main.py', appLine: 3, declaresUvicorn: true } as const;

  it('installs dependencies in a build stage and runs uvicorn on 0.0.0.0:$PORT as non-root in a slim runtime stage', () => {
    const text = renderDockerfile({ ...base, dependencies: { kind: 'requirements', file: 'requirements.txt' } });
    const lines = text.split('\n');
    const stages = lines.filter((l) => l.startsWith('FROM '));
    assert.deepEqual(stages, ['FROM python:3.12-slim AS build', 'FROM python:3.12-slim']);
    const depsAt = lines.indexOf('RUN pip install --prefix=/install -r requirements.txt');
    const runtimeAt = lines.indexOf('FROM python:3.12-slim');
    assert.ok(depsAt > 0 && depsAt < runtimeAt, 'dependencies are installed in the build stage');
    assert.ok(lines.indexOf('COPY --from=build /install /usr/local') > runtimeAt);
    assert.ok(lines.some((l) => l.includes('PYTHONUNBUFFERED=1')));
    assert.ok(lines.indexOf('USER appuser') > lines.indexOf('COPY . .'));
    assert.ok(lines.includes('CMD ["sh", "-c", "exec uvicorn main:app --host 0.0.0.0 --port ${PORT:-8080}"]'));
  });

  it('adds uvicorn when undeclared and uses the detected Python version', () => {
    const text = renderDockerfile({ ...base, declaresUvicorn: false, pythonVersion: '3.13', dependencies: { kind: 'pep621' } });
    assert.match(text, /^FROM python:3\.13-slim AS build$/m);
    assert.match(text, /^RUN pip install --prefix=\/install uvicorn$/m);
    assert.match(text, /tomllib/);
  });

  it('keeps Poetry and uv in the build stage, and a src layout on PYTHONPATH', () => {
    const poetry = renderDockerfile({ ...base, appModule: 'shop.main:app', sourceRoot: 'src', dependencies: { kind: 'poetry', lockFile: 'poetry.lock' } });
    const [build, runtime] = poetry.split(/^FROM python:3\.12-slim$/m);
    assert.match(build, /^RUN pip install poetry poetry-plugin-export$/m);
    assert.match(build, /^RUN poetry export --only main --without-hashes -f requirements.txt -o requirements.txt \\$/m);
    assert.doesNotMatch(runtime, /poetry/);
    assert.match(runtime, /PYTHONPATH=\/app\/src/);
    assert.match(runtime, /exec uvicorn shop\.main:app /);
    const uv = renderDockerfile({ ...base, dependencies: { kind: 'pep621', uvLock: 'uv.lock' } });
    assert.match(uv.split(/^FROM python:3\.12-slim$/m)[0], /uv export --frozen --no-dev/);
    assert.doesNotMatch(uv.split(/^FROM python:3\.12-slim$/m)[1], /\buv\b(?!icorn)/);
  });

  it('starts the app the way its Procfile does, bound to $PORT', () => {
    const text = renderDockerfile({ ...base, appModule: 'service.app:application', dependencies: { kind: 'none' },
      start: { server: 'gunicorn', readsPortEnv: true, appModule: 'service.app:application',
        words: ['gunicorn', '-k', 'uvicorn.workers.UvicornWorker', '-w', '2', '--bind', '0.0.0.0:$PORT', 'service.app:application'] } });
    assert.match(text, /^CMD \["sh", "-c", "exec gunicorn --bind 0\.0\.0\.0:\$\{PORT:-8080\} -k uvicorn\.workers\.UvicornWorker -w 2 service\.app:application"\]$/m);
    assert.match(text, /^RUN pip install --prefix=\/install fastapi uvicorn gunicorn$/m);
  });

  it('keeps secrets, venvs and tests out of the context', () => {
    const lines = renderDockerignore().split('\n');
    for (const pattern of ['.env', '**/.env.*', '.venv', '.git', 'tests', '**/*credentials*.json', 'secrets', '**/__pycache__']) {
      assert.ok(lines.includes(pattern), pattern);
    }
  });
});
