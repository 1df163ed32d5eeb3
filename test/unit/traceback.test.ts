import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CloudLogEntry } from '../../src/core/logEntries';
import {
  TracebackAggregator, TracebackAssembler, mapContainerPath, parseTracebacks, resolvePathMappings,
} from '../../src/core/traceback';

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/usr/local/lib/python3.11/site-packages/starlette/routing.py", line 74, in app',
  '    response = await func(request)',
  '  File "/app/main.py", line 38, in diagnostic',
  '    configured = {name: bool(os.environ[name]) for name in REQUIRED_SECRETS}',
  '                              ~~~~~~~~~~^^^^^^',
  '  File "/app/lib/secrets.py", line 7, in read',
  '    return table[key]',
  "KeyError: 'GEMINI_API_KEY'",
].join('\n');

let seq = 0;
function entry(text: string, fields: Partial<CloudLogEntry> = {}): CloudLogEntry {
  seq++;
  return {
    insertId: `i${seq}`, timestamp: `2026-11-26T05:01:${String(10 + (seq % 40)).padStart(2, '0')}.000000000Z`, severity: 'ERROR',
    logName: 'projects/p/logs/run.googleapis.com%2Fstderr', stream: 'stderr', service: 'api', revision: 'api-00002-abc',
    instanceId: 'inst-1', text, ...fields,
  };
}

describe('tracebacks: parsing and assembling', () => {
  it('parses frames, source lines and the exception of a multi-line traceback', () => {
    const [t] = parseTracebacks(`ERROR:    Exception in ASGI application\n${TRACEBACK}\n`);
    assert.equal(t.exceptionType, 'KeyError');
    assert.equal(t.exceptionMessage, "'GEMINI_API_KEY'");
    assert.deepEqual(t.frames.map((f) => [f.file, f.line, f.function]), [
      ['/usr/local/lib/python3.11/site-packages/starlette/routing.py', 74, 'app'],
      ['/app/main.py', 38, 'diagnostic'],
      ['/app/lib/secrets.py', 7, 'read'],
    ]);
    assert.equal(t.frames[1].code, 'configured = {name: bool(os.environ[name]) for name in REQUIRED_SECRETS}', 'the ^^^ marker line is not code');
    assert.ok(t.text.startsWith('Traceback (most recent call last):') && t.text.endsWith("KeyError: 'GEMINI_API_KEY'"));
  });

  it('returns one traceback per exception in a chain, and none for text without one', () => {
    const chained = `${TRACEBACK}\n\nDuring handling of the above exception, another exception occurred:\n\n` +
      'Traceback (most recent call last):\n  File "/app/main.py", line 41, in diagnostic\n    raise RuntimeError("config") from None\n' +
      'RuntimeError: config';
    assert.deepEqual(parseTracebacks(chained).map((t) => t.exceptionType), ['KeyError', 'RuntimeError']);
    assert.deepEqual(parseTracebacks('all good\nTraceback? no'), []);
    assert.deepEqual(parseTracebacks('Traceback (most recent call last):\nno frames here'), []);
  });

  it('assembles a traceback written one line per entry, per instance, even when instances interleave', () => {
    const assembler = new TracebackAssembler();
    const lines = TRACEBACK.split('\n');
    const done: string[] = [];
    lines.forEach((line, i) => {
      done.push(...assembler.feed(entry(line, { instanceId: 'a' })).map((t) => `a:${t.exceptionType}`));
      // Another instance logs something unrelated in between: it must not end instance a's traceback.
      if (i === 3) done.push(...assembler.feed(entry('INFO: 200 OK', { instanceId: 'b' })).map((t) => `b:${t.exceptionType}`));
    });
    assert.deepEqual(done, ['a:KeyError']);
    assert.deepEqual(assembler.feed(entry("KeyError: 'x'", { instanceId: 'a' })), [], 'no traceback pending any more');
  });

  it('passes a multi-line entry through whole and ignores request and platform logs', () => {
    const assembler = new TracebackAssembler();
    const [t] = assembler.feed(entry(TRACEBACK));
    assert.equal(t.entry.revision, 'api-00002-abc');
    assert.deepEqual(assembler.feed(entry(TRACEBACK, { stream: 'system' })), []);
    assert.deepEqual(assembler.feed(entry(TRACEBACK, { request: { method: 'GET', status: 500, path: '/' } })), []);
  });

  it('gives up on a traceback that never ends', () => {
    const assembler = new TracebackAssembler(5, 1000);
    assembler.feed(entry('Traceback (most recent call last):'), 0);
    assembler.feed(entry('  File "/app/main.py", line 3, in f'), 10);
    assert.deepEqual(assembler.feed(entry('ValueError: late'), 5000), [], 'too old: dropped');
  });
});

describe('tracebacks: container paths and aggregation', () => {
  const ws = path.resolve('/work/space');
  const folders = [{ name: 'backend', path: ws }, { name: 'lib', path: path.resolve('/work/lib') }];

  it('resolves ${workspaceFolder} variables and maps the longest container prefix', () => {
    const mappings = resolvePathMappings({ '/app': '${workspaceFolder}', '/app/vendor/': '${workspaceFolder:lib}', '/srv': 'src',
      '/bad': '${workspaceFolder:missing}', relative: '/x' }, folders);
    assert.deepEqual(mappings.map((m) => m.container), ['/app/vendor', '/app', '/srv']);
    assert.equal(mapContainerPath('/app/main.py', mappings), path.join(ws, 'main.py'));
    assert.equal(mapContainerPath('/app/vendor/x/y.py', mappings), path.join(path.resolve('/work/lib'), 'x', 'y.py'));
    assert.equal(mapContainerPath('/srv/a.py', mappings), path.join(ws, 'src', 'a.py'));
    assert.equal(mapContainerPath('/application/main.py', mappings), undefined, 'a prefix must end at a path segment');
    assert.equal(mapContainerPath('/usr/lib/python3.11/x.py', mappings), undefined);
  });

  it('counts occurrences per (file, line, exception) at the innermost workspace frame', () => {
    const mappings = resolvePathMappings({ '/app': '${workspaceFolder}' }, folders);
    const known = new Set([path.join(ws, 'main.py')]); // lib/secrets.py is not in this workspace
    const aggregator = new TracebackAggregator((file) => {
      const local = mapContainerPath(file, mappings);
      return local && known.has(local) ? local : undefined;
    }, 2);
    const assembler = new TracebackAssembler();
    for (const [rev, ts] of [['api-00001-aaa', '2026-11-26T05:00:00.000000000Z'], ['api-00002-abc', '2026-11-26T05:02:00.000000000Z'],
      ['api-00002-abc', '2026-11-26T05:01:00.000000000Z']]) {
      for (const t of assembler.feed(entry(TRACEBACK, { revision: rev, timestamp: ts }))) aggregator.add(t);
    }
    const [problem] = aggregator.all;
    assert.equal(aggregator.all.length, 1);
    assert.equal(problem.file, path.join(ws, 'main.py'));
    assert.equal(problem.line, 38);
    assert.equal(problem.count, 3);
    assert.equal(problem.revision, 'api-00002-abc');
    assert.equal(problem.lastSeen, '2026-11-26T05:02:00.000000000Z');
    assert.equal(problem.firstSeen, '2026-11-26T05:00:00.000000000Z');
    assert.equal(problem.occurrences.length, 2, 'bounded');
    assert.deepEqual(problem.occurrences.map((o) => o.timestamp), ['2026-11-26T05:01:00.000000000Z', '2026-11-26T05:02:00.000000000Z']);
    assert.equal(aggregator.add({ ...parseTracebacks(TRACEBACK)[0], frames: [{ file: '/usr/lib/x.py', line: 1 }], entry: entry('') }), undefined);
  });

  it('clears a service except the revision that now takes all traffic', () => {
    const aggregator = new TracebackAggregator((file) => file);
    const [t] = parseTracebacks(TRACEBACK);
    aggregator.add({ ...t, entry: entry('', { revision: 'api-00001-aaa' }) });
    aggregator.add({ ...t, exceptionType: 'ValueError', entry: entry('', { revision: 'api-00002-abc' }) });
    aggregator.add({ ...t, entry: entry('', { service: 'worker', revision: 'worker-00001-x' }) });
    assert.equal(aggregator.clear('api', 'api-00002-abc'), 1);
    assert.deepEqual(aggregator.all.map((p) => `${p.service}:${p.exceptionType}`).sort(), ['api:ValueError', 'worker:KeyError']);
    assert.equal(aggregator.clear(), 2);
    assert.equal(aggregator.all.length, 0);
  });
});
