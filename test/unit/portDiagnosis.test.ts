import * as assert from 'node:assert/strict';
import { parseDotenv } from '../../src/core/dotenv';
import { diagnosePort } from '../../src/core/portDiagnosis';

const dockerfile = { path: 'Dockerfile', text: 'FROM python:3.11-slim\n# CMD uvicorn --port 8000\nCMD ["uvicorn", "main:app", "--host", "127.0.0.1", "--port", "8000"]\n' };

describe('port diagnosis', () => {
  it('points at the fixed port in the Dockerfile CMD', () => {
    const d = diagnosePort(8080, [{ address: '127.0.0.1', port: 8000 }], [dockerfile]);
    assert.match(d.message, /listens on port 8000, but Cloud Run sends requests to the port in \$PORT \(8080\)/);
    assert.deepEqual(d.location, { path: 'Dockerfile', line: 3, text: dockerfile.text.split('\n')[2] });
  });

  it('points at uvicorn.run(port=...) in Python when the Dockerfile has no port', () => {
    const d = diagnosePort(8080, [{ address: '0.0.0.0', port: 5000 }], [
      { path: 'Dockerfile', text: 'CMD ["python", "main.py"]\n' },
      { path: 'main.py', text: 'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=5000)\n' },
    ]);
    assert.equal(d.location?.path, 'main.py');
    assert.equal(d.location?.line, 3);
  });

  it('explains a loopback bind on the right port', () => {
    const d = diagnosePort(8080, [{ address: '127.0.0.1', port: 8080 }], [
      { path: 'Dockerfile', text: 'CMD uvicorn main:app --host 127.0.0.1 --port $PORT\n' }]);
    assert.match(d.message, /only accepts connections from inside the container/);
    assert.equal(d.location?.line, 1);
  });

  it('says when nothing listens at all', () => {
    assert.match(diagnosePort(8080, [], []).message, /Nothing listens/);
  });
});

describe('.env parsing', () => {
  it('reads values like python-dotenv and reports bad lines without their content', () => {
    const { values, problems } = parseDotenv('# c\nexport A=1\nB="two words"\nC=\'x # y\'\nD=plain # note\nnot a line\nE=\n');
    assert.deepEqual(values, { A: '1', B: 'two words', C: 'x # y', D: 'plain', E: '' });
    assert.deepEqual(problems, ['line 6: expected NAME=value']);
  });
});
