// The lenses of one file (src/core/routeLenses.ts) and the shared request-log listings
// (src/insight/requestListings.ts) over a fake of our own CloudLoggingApi: one listing per service per
// minute whatever the number of lenses, "not deployed" only when the listing is empty, errors as a state.
import * as assert from 'node:assert/strict';
import type { DetectedRoute } from '../../src/core/fastapiRoutes';
import { UserFacingError } from '../../src/core/errors';
import { CloudLogEntry } from '../../src/core/logEntries';
import { RouteMatcher } from '../../src/core/routeMatch';
import { lensesForFile, productionErrorNote, routeId, routeSpecs } from '../../src/core/routeLenses';
import { routeStats } from '../../src/core/routeStats';
import type { CloudLoggingApi, ListEntriesRequest } from '../../src/gcp/cloudLogging';
import { RequestListings } from '../../src/insight/requestListings';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const target = { project: 'p', region: 'us-central1', service: 'svc' };
const detected = (path: string, file: string, line: number, methods = ['GET']): DetectedRoute =>
  ({ path, file, line, methods, needsParameters: path.includes('{'), guarded: false });
const ROUTES = [detected('/', 'main.py', 10), detected('/items/{id}', 'routers/items.py', 5), detected('/items/{id}', 'routers/items.py', 12, ['PUT']),
  detected('/health', 'main.py', 3)];

function entry(i: number, path: string, status = 200, method = 'GET'): CloudLogEntry {
  const ms = NOW - i * 1000;
  return { insertId: `e${i}`, timestamp: `${new Date(ms).toISOString().slice(0, 23)}000000Z`, severity: 'INFO', logName: 'l', stream: 'requests', text: '',
    request: { method, status, latencyMs: 10, path } };
}

function fakeLogging(entries: () => CloudLogEntry[] | Error): CloudLoggingApi & { calls: ListEntriesRequest[] } {
  const calls: ListEntriesRequest[] = [];
  return {
    calls, target: { ...target, apiEndpoint: '' }, endpoint: undefined,
    async listEntries(request) {
      calls.push(request);
      await new Promise((r) => setTimeout(r, 5));
      const result = entries();
      if (result instanceof Error) throw result;
      return result.slice(0, request.maxEntries ?? request.pageSize);
    },
    tail: async () => undefined,
    close: async () => undefined,
  };
}

describe('route lenses of a file', () => {
  const matcher = new RouteMatcher(routeSpecs(ROUTES));
  const stats = routeStats(matcher, { samples: [
    { timeMs: NOW - 1000, method: 'GET', url: '/items/a', status: 500, latencyMs: 30 },
    { timeMs: NOW - 2000, method: 'GET', url: '/items/b', status: 200, latencyMs: 10 },
    { timeMs: NOW - 3000, method: 'PUT', url: '/items/b', status: 200, latencyMs: 20 },
  ], fromMs: NOW - 3_600_000, toMs: NOW, capped: false });

  it('one lens per handler in the file, in line order, with its own route\'s numbers', () => {
    const lenses = lensesForFile(ROUTES, 'routers/items.py', { kind: 'stats', stats, listedAtMs: NOW, capped: false }, 'svc', NOW);
    assert.deepEqual(lenses.map((l) => [l.line, l.title]), [
      [5, '0.03 req/min (2 in 1 h) · p95 30 ms · 1 error/h · last error just now'],
      [12, '0.02 req/min (1 in 1 h) · p95 20 ms · no errors'],
    ]);
    assert.deepEqual(lenses[1].route, { path: '/items/{id}', methods: ['PUT'] });
    assert.match(lenses[0].tooltip, /^GET \/items\/\{id\} on svc, last hour/);
    const main = lensesForFile(ROUTES, 'main.py', { kind: 'stats', stats, listedAtMs: NOW, capped: false }, 'svc', NOW);
    assert.deepEqual(main.map((l) => [l.line, l.title]), [[3, 'no traffic in the last hour'], [10, 'no traffic in the last hour']]);
    assert.deepEqual(lensesForFile(ROUTES, 'other.py', { kind: 'notDeployed', service: 'svc' }, 'svc', NOW), []);
  });

  it('says "not deployed" or why there are no numbers once per file, on its first handler, without a logs link', () => {
    const notDeployed = lensesForFile(ROUTES, 'main.py', { kind: 'notDeployed', service: 'svc' }, 'svc', NOW);
    assert.deepEqual(notDeployed.map((l) => [l.line, l.title, l.route]), [[3, 'Cloud Run: svc is not deployed', undefined]]);
    const signIn = lensesForFile(ROUTES, 'main.py', { kind: 'unavailable', message: 'No Google Cloud credentials. Run gcloud auth…', reason: 'noCredentials' },
      'svc', NOW);
    assert.deepEqual(signIn.map((l) => [l.title, l.tooltip]), [['Cloud Run: sign in to Google Cloud for production numbers', 'No Google Cloud credentials. Run gcloud auth…']]);
    const other = lensesForFile(ROUTES, 'main.py', { kind: 'unavailable', message: 'boom' }, 'svc', NOW);
    assert.deepEqual(other.map((l) => l.title), ['Cloud Run: no production numbers']);
  });

  it('writes the production error note: occurrences summed per line, the latest time, the exception types', () => {
    const at = (secondsAgo: number) => `${new Date(NOW - secondsAgo * 1000).toISOString().slice(0, 23)}000000Z`;
    assert.equal(productionErrorNote([{ count: 3, lastSeen: at(120), exceptionType: 'RuntimeError' }], NOW), '⚠ 3× in production, last 2 min ago (RuntimeError)');
    assert.equal(productionErrorNote([{ count: 2, lastSeen: at(300), exceptionType: 'KeyError' }, { count: 1, lastSeen: at(5), exceptionType: 'ValueError' }], NOW),
      '⚠ 3× in production, last just now (KeyError, ValueError)');
  });

  it('keys routes by methods and path, once each', () => {
    assert.equal(routeId({ path: '/a', methods: ['GET', 'POST'] }), 'GET|POST /a');
    assert.equal(routeSpecs([...ROUTES, detected('/', 'main.py', 40)]).length, 4);
  });
});

describe('request listings shared by every lens', () => {
  it('lists once per service per minute, shares a listing in flight, and lists again when stale', async () => {
    let now = NOW;
    const logging = fakeLogging(() => [entry(1, '/items/a'), entry(2, '/'), entry(3, '/nowhere')]);
    const listings = new RequestListings({ logging: async () => logging, serviceExists: async () => true }, {}, () => now);
    const results = await Promise.all(Array.from({ length: 50 }, () => listings.get(target)));
    assert.equal(logging.calls.length, 1, 'fifty lenses, one listing');
    assert.ok(results.every((r) => r === results[0]));
    assert.equal(results[0].kind, 'listing');
    assert.match(logging.calls[0].filter, /logName="projects\/p\/logs\/run\.googleapis\.com%2Frequests"/);
    assert.equal(logging.calls[0].orderBy, 'timestamp desc');
    assert.equal(logging.calls[0].maxEntries, 10_000);
    now += 59_000;
    await listings.get(target);
    assert.equal(logging.calls.length, 1, 'still fresh');
    assert.equal(listings.isFresh(target), true);
    now += 2000;
    assert.equal(listings.isFresh(target), false);
    assert.equal(listings.peek(target), results[0], 'the stale result stays readable while the next listing runs');
    await listings.get(target);
    assert.equal(logging.calls.length, 2);
    await listings.get({ ...target, service: 'other' });
    assert.equal(logging.calls.length, 3, 'one listing per service');
  });

  it('asks Cloud Run whether the service exists only when its request logs are empty', async () => {
    let asked = 0;
    const empty = new RequestListings({ logging: async () => fakeLogging(() => []), serviceExists: async () => { asked++; return false; } });
    assert.equal((await empty.get(target)).kind, 'notDeployed');
    assert.equal(asked, 1);
    const quiet = new RequestListings({ logging: async () => fakeLogging(() => []), serviceExists: async () => true });
    const result = await quiet.get(target);
    assert.ok(result.kind === 'listing' && result.listing.samples.length === 0, 'deployed, no traffic');
    const busy = new RequestListings({ logging: async () => fakeLogging(() => [entry(1, '/')]), serviceExists: async () => { throw new Error('not asked'); } });
    assert.equal((await busy.get(target)).kind, 'listing');
  });

  it('a failure (no credentials) is a state with the message, retried only after the minute', async () => {
    let now = NOW;
    let calls = 0;
    const listings = new RequestListings({
      logging: async () => { calls++; throw new UserFacingError('No Google Cloud credentials: run gcloud auth application-default login.', 'noCredentials'); },
      serviceExists: async () => true,
    }, {}, () => now);
    const result = await listings.get(target);
    assert.deepEqual(result.kind === 'unavailable' && [result.message, result.reason],
      ['No Google Cloud credentials: run gcloud auth application-default login.', 'noCredentials']);
    await listings.get(target);
    assert.equal(calls, 1, 'no retry storm: the lens waits for the next minute or a click');
    now += 61_000;
    await listings.get(target);
    assert.equal(calls, 2);
  });

  it('marks a listing that reached its cap', async () => {
    const many = Array.from({ length: 30 }, (_, i) => entry(i, '/'));
    const listings = new RequestListings({ logging: async () => fakeLogging(() => many), serviceExists: async () => true }, { maxEntries: 30 });
    const result = await listings.get(target);
    assert.ok(result.kind === 'listing' && result.listing.capped && result.listing.samples.length === 30);
    const under = new RequestListings({ logging: async () => fakeLogging(() => many), serviceExists: async () => true }, { maxEntries: 31 });
    const second = await under.get(target);
    assert.ok(second.kind === 'listing' && !second.listing.capped);
  });
});
