import * as assert from 'node:assert/strict';
import { UserFacingError } from '../../src/core/errors';
import { BuildStreamParser, FAILURE_TAIL_LINES, terminalLine } from '../../src/docker/buildStream';
import type { BuildProgress } from '../../src/docker/types';

const json = (o: object) => `${JSON.stringify(o)}\r\n`;

// What the classic builder of Docker 20.10 sent for the fixture app (trimmed), as JSON lines.
const SUCCESS = [
  { stream: 'Step 1/3 : FROM python:3.11-slim' },
  { stream: '\n' },
  { stream: ' ---> c73f20e07f25\n' },
  { stream: 'Step 2/3 : RUN pip install -r requirements.txt\n' },
  { stream: ' ---> Running in ab580656a784\n' },
  { stream: 'Requirement already satisfied: fastapi in /usr/lib/python3/dist-packages (0.115.11)\nRequirement already ' },
  { stream: 'satisfied: uvicorn\n' },
  { stream: 'Removing intermediate container ab580656a784\n' },
  { stream: ' ---> 9bdaeccd6e35\n' },
  { stream: 'Step 3/3 : CMD ["uvicorn", "main:app"]\n' },
  { stream: ' ---> Running in 02b0d01bcc8f\n' },
  { stream: 'Removing intermediate container 02b0d01bcc8f\n' },
  { stream: ' ---> f801c7c31535\n' },
  { aux: { ID: 'sha256:f801c7c31535c7a772a395fce54183fc78f880687d3c5ddb1b7666dc586b2cc6' } },
  { stream: 'Successfully built f801c7c31535\n' },
  { stream: 'Successfully tagged mentor-app:1\n' },
].map(json).join('');

describe('build stream parser', () => {
  it('turns the stream into lines with step N/M, the image id and the intermediate containers', () => {
    const progress: BuildProgress[] = [];
    const parser = new BuildStreamParser((p) => progress.push(p));
    // feed in awkward 7-byte chunks: JSON objects and output lines are both cut
    for (let i = 0; i < SUCCESS.length; i += 7) parser.pushChunk(Buffer.from(SUCCESS.slice(i, i + 7)));
    parser.end();
    assert.equal(parser.failure(), undefined);
    assert.equal(parser.imageId, 'sha256:f801c7c31535c7a772a395fce54183fc78f880687d3c5ddb1b7666dc586b2cc6');
    assert.deepEqual(parser.intermediateContainers, ['ab580656a784', '02b0d01bcc8f']);
    assert.deepEqual(progress[0], { step: 1, totalSteps: 3, line: 'Step 1/3 : FROM python:3.11-slim' });
    assert.deepEqual(progress.find((p) => p.line.startsWith('Requirement already satisfied: uvicorn')), {
      step: 2,
      totalSteps: 3,
      line: 'Requirement already satisfied: uvicorn',
    });
    assert.deepEqual(progress.filter((p) => p.line.startsWith('Step ')).map((p) => [p.step, p.totalSteps]), [[1, 3], [2, 3], [3, 3]]);
    assert.equal(progress[progress.length - 1].line, 'Successfully tagged mentor-app:1');
    assert.equal(parser.instruction, 'CMD ["uvicorn", "main:app"]');
  });

  it('falls back to "Successfully built" when there is no aux ID', () => {
    const parser = new BuildStreamParser();
    parser.pushChunk(json({ stream: 'Step 1/1 : FROM busybox\n' }) + json({ stream: 'Successfully built 0123456789ab\n' }));
    parser.end();
    assert.equal(parser.imageId, '0123456789ab');
  });

  it('names the failing step and exit code, and keeps the last output lines as detail', () => {
    const parser = new BuildStreamParser();
    const events = [
      { stream: 'Step 1/9 : FROM python:3.11-slim\n' },
      { stream: 'Step 4/9 : RUN pip install -r requirements.txt\n' },
      { stream: ' ---> Running in 75f21c01e0ed\n' },
      ...Array.from({ length: 40 }, (_, i) => ({ stream: `pip line ${i}\n` })),
      { stream: 'ERROR: No matching distribution found for fastapi==99' }, // no newline before the error
      { errorDetail: { code: 1, message: "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1" }, error: 'x' },
    ];
    parser.pushChunk(events.map(json).join(''));
    parser.end();
    const failure = parser.failure();
    assert.ok(failure instanceof UserFacingError);
    assert.equal(failure.kind, 'buildFailed');
    assert.match(failure.message, /^Step 4\/9 `RUN pip install -r requirements\.txt` failed with exit code 1\. The output above/);
    const detail = (failure.detail ?? '').split('\n');
    assert.equal(detail.length, FAILURE_TAIL_LINES + 2); // tail, blank line, the engine's message
    assert.equal(detail[FAILURE_TAIL_LINES - 1], 'ERROR: No matching distribution found for fastapi==99');
    assert.match(detail[detail.length - 1], /returned a non-zero code: 1/);
    assert.ok(!detail.includes('pip line 0'));
  });

  it('explains errors that are not exit codes, with and without a step', () => {
    const copy = new BuildStreamParser();
    copy.pushChunk(json({ stream: 'Step 3/5 : COPY requirements.txt .\n' }));
    copy.pushChunk(json({ errorDetail: { message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat requirements.txt: file does not exist' } }));
    assert.match(copy.failure()?.message ?? '', /^Step 3\/5 `COPY requirements\.txt \.` failed: COPY failed: file not found .*\. Check that the file exists .* \.dockerignore\.$/);

    const pull = new BuildStreamParser();
    pull.pushChunk(json({ stream: 'Step 1/2 : FROM nosuch/image:1\n' }));
    pull.pushChunk(json({ error: 'pull access denied for nosuch/image, repository does not exist or may require \'docker login\'' }));
    assert.match(pull.failure()?.message ?? '', /^Step 1\/2 `FROM nosuch\/image:1` failed: pull access denied.*Check the image name in FROM/);

    const early = new BuildStreamParser();
    early.pushChunk(json({ error: 'dockerfile parse error line 2: unknown instruction: RUNN' }));
    assert.equal(early.failure()?.message, 'The image could not be built: dockerfile parse error line 2: unknown instruction: RUNN.');
  });

  it('keeps the first error, shows pull statuses without byte progress, and survives non-JSON lines', () => {
    const lines: string[] = [];
    const parser = new BuildStreamParser((p) => lines.push(p.line));
    parser.pushChunk(json({ status: 'Pulling from library/python', id: '3.11-slim' }));
    parser.pushChunk(json({ status: 'Downloading', id: 'abc', progressDetail: { current: 10, total: 100 }, progress: '[=>  ]' }));
    parser.pushChunk(json({ status: 'Download complete', id: 'abc', progressDetail: {} }));
    parser.pushChunk('<html>502 Bad Gateway</html>\n');
    parser.pushChunk(json({ error: 'first' }) + json({ error: 'second' }));
    parser.pushChunk('{"stream":"no newline at the end"}');
    parser.end();
    assert.deepEqual(lines, ['3.11-slim: Pulling from library/python', 'abc: Download complete', '<html>502 Bad Gateway</html>', 'no newline at the end']);
    assert.equal(parser.error?.message, 'first');
  });

  it('shows what a terminal shows for progress bars drawn with carriage returns', () => {
    assert.equal(terminalLine('  10%\r  50%\r 100% done  \r'), ' 100% done');
    assert.equal(terminalLine('plain'), 'plain');
    const lines: string[] = [];
    const parser = new BuildStreamParser((p) => lines.push(p.line));
    parser.pushChunk(json({ stream: 'Downloading 1%\rDownloading 100%\n' }));
    assert.deepEqual(lines, ['Downloading 100%']);
  });

  it('truncates a very long instruction in the message', () => {
    const parser = new BuildStreamParser();
    parser.pushChunk(json({ stream: `Step 2/2 : RUN ${'x'.repeat(300)}\n` }));
    parser.pushChunk(json({ error: "The command '/bin/sh -c xxx' returned a non-zero code: 2" }));
    const message = parser.failure()?.message ?? '';
    assert.match(message, /^Step 2\/2 `RUN x+…` failed with exit code 2\./);
    assert.ok(message.length < 200);
  });
});
