import * as assert from 'node:assert/strict';
import { choosePythonVersion, newestSatisfying } from '../../src/core/pythonVersion';
import { cloudRunCommand, dockerfileCommand, fixedInstruction, parseStartCommand, portProblem, procfileCommand } from '../../src/core/startCommand';

describe('start commands of existing projects', () => {
  it('reads server, module and port from uvicorn, gunicorn, hypercorn and fastapi commands', () => {
    const cases: [string, string, string | undefined, number | undefined, boolean][] = [
      ['uvicorn app.main:app --host 0.0.0.0 --port 80', 'uvicorn', 'app.main:app', 80, false],
      ['python -m uvicorn main:app --reload', 'uvicorn', 'main:app', 8000, false],
      ['exec uvicorn main:app --port=${PORT:-8080}', 'uvicorn', 'main:app', undefined, true],
      ['gunicorn -k uvicorn.workers.UvicornWorker -w 4 -b 0.0.0.0:8000 pkg.app:application', 'gunicorn', 'pkg.app:application', 8000, false],
      ['gunicorn --bind :$PORT --workers 1 main:app', 'gunicorn', 'main:app', undefined, true],
      ['hypercorn main:app --bind 0.0.0.0:9000', 'hypercorn', 'main:app', 9000, false],
      ['fastapi run app/main.py --port 80', 'fastapi', 'app/main.py', 80, false],
    ];
    for (const [text, server, module, port, env] of cases) {
      const parsed = parseStartCommand(text);
      assert.deepEqual([parsed?.server, parsed?.appModule, parsed?.fixedPort, parsed?.readsPortEnv], [server, module, port, env], text);
    }
    assert.equal(parseStartCommand('python worker.py'), undefined);
    assert.equal(procfileCommand('release: alembic upgrade head\nweb: gunicorn main:app -b :$PORT\n')?.server, 'gunicorn');
  });

  it('finds the Dockerfile instruction that starts the server, explains a fixed port and fixes it in one line', () => {
    const dockerfile = 'FROM python:3.11-slim\nWORKDIR /code\nCMD ["uvicorn", "app.main:app", \\\n  "--host", "0.0.0.0", "--port", "80"]\n';
    const location = dockerfileCommand('Dockerfile', dockerfile)!;
    assert.deepEqual([location.line, location.endLine, location.command.fixedPort], [3, 4, 80]);
    assert.match(portProblem(location, 8080)!, /Dockerfile line 3 starts uvicorn on port 80, but Cloud Run sends requests to the port in \$PORT \(8080\)/);
    assert.equal(portProblem(location, 80), undefined, 'mentor.port 80 makes Cloud Run send requests to 80');
    assert.equal(fixedInstruction(location, 8080), 'CMD exec uvicorn --host 0.0.0.0 --port ${PORT:-8080} app.main:app');
    const fine = dockerfileCommand('Dockerfile', 'CMD ["sh", "-c", "exec uvicorn main:app --host 0.0.0.0 --port ${PORT:-8080}"]\n')!;
    assert.equal(portProblem(fine, 8080), undefined);
    assert.equal(dockerfileCommand('Dockerfile', 'FROM x\nCMD ["python", "job.py"]\n'), undefined);
  });

  it('rewrites only the bind of a command, keeping its other options', () => {
    const command = parseStartCommand('gunicorn -k uvicorn.workers.UvicornWorker --bind=127.0.0.1:8000 --timeout 0 main:app')!;
    assert.equal(cloudRunCommand(command, 8080), 'gunicorn --bind 0.0.0.0:${PORT:-8080} -k uvicorn.workers.UvicornWorker --timeout 0 main:app');
    assert.equal(cloudRunCommand(parseStartCommand('fastapi run main.py --port 80')!, 8080), 'fastapi run --host 0.0.0.0 --port ${PORT:-8080} main.py');
  });
});

describe('Python version of the image', () => {
  it('takes a pin as written and the newest supported version inside a range', () => {
    assert.equal(choosePythonVersion({ pythonVersionFile: '3.11.9\n', pyproject: 'requires-python = ">=3.12"' }), '3.11');
    assert.equal(choosePythonVersion({ pyproject: '[project]\nrequires-python = ">=3.8"\n' }), '3.13');
    assert.equal(choosePythonVersion({ pyproject: '[tool.poetry.dependencies]\npython = "~3.11"\n' }), '3.11');
    assert.equal(choosePythonVersion({ runtimeTxt: 'python-3.10.4' }), '3.10');
    assert.equal(choosePythonVersion({}), undefined);
    assert.equal(newestSatisfying('>=3.9,<3.12'), '3.11');
    assert.equal(newestSatisfying('^3.10'), '3.13');
    assert.equal(newestSatisfying('~=3.11.2'), '3.11');
    assert.equal(newestSatisfying('==3.12.*'), '3.12');
    assert.equal(newestSatisfying('>=3.14'), undefined);
  });
});
