// Request paths → FastAPI route templates (src/core/routeMatch.ts), the tail's route filter as Cloud
// Logging reads it (checked with the emulator's own filter engine), and route detection of every method.
import * as assert from 'node:assert/strict';
import { compileFilter } from '../../emulator/logFilter';
import { detectRoutes } from '../../src/core/fastapiRoutes';
import { buildFilter, describeFilter } from '../../src/core/logEntries';
import { RouteMatcher, requestPath, requestUrlPattern, routePattern } from '../../src/core/routeMatch';
import { files } from './memoryProject';

const route = (methods: string, path: string) => ({ id: `${methods} ${path}`, path, methods: methods.split('|') });

describe('route matching', () => {
  it('compiles templates like Starlette: one segment per parameter, convertors, literal dots', () => {
    assert.equal(routePattern('/items/{item_id}'), '/items/[^/]+');
    assert.equal(routePattern('/files/{p:path}'), '/files/.*');
    assert.equal(routePattern('/v1.0/users/{id:int}.json'), '/v1\\.0/users/[0-9]+\\.json');
  });

  it('takes the path of absolute and relative request URLs, without query, decoded', () => {
    assert.equal(requestPath('https://svc-abc-uc.a.run.app/items/42?x=1#f'), '/items/42');
    assert.equal(requestPath('http://127.0.0.1:8123/search/caf%C3%A9'), '/search/café');
    assert.equal(requestPath('/health?probe=1'), '/health');
    assert.equal(requestPath('https://host'), '/');
    assert.equal(requestPath('/bad%zzescape'), '/bad%zzescape');
  });

  it('matches paths to templates with prefixes, parameters and methods', () => {
    const matcher = new RouteMatcher([
      route('GET', '/'), route('GET', '/items/'), route('GET', '/items/{item_id}'), route('PUT', '/items/{item_id}'),
      route('GET', '/users/me'), route('GET', '/users/{user_id:int}'), route('GET|POST', '/api/ping'),
    ]);
    assert.equal(matcher.match('GET', 'https://x.run.app/items/plumbus?verbose=1'), 'GET /items/{item_id}');
    assert.equal(matcher.match('PUT', '/items/plumbus'), 'PUT /items/{item_id}');
    assert.equal(matcher.match('HEAD', '/items/plumbus'), 'GET /items/{item_id}', 'a GET route answers HEAD');
    assert.equal(matcher.match('GET', '/items/'), 'GET /items/');
    assert.equal(matcher.match('GET', '/items'), undefined, 'Starlette redirects the slash variant; the handler never ran');
    assert.equal(matcher.match('GET', '/items/a/b'), undefined, 'a parameter is one segment');
    assert.equal(matcher.match('GET', '/users/me'), 'GET /users/me');
    assert.equal(matcher.match('GET', '/users/12'), 'GET /users/{user_id:int}');
    assert.equal(matcher.match('GET', '/users/abc'), undefined, 'int convertor');
    assert.equal(matcher.match('POST', '/api/ping'), 'GET|POST /api/ping');
    assert.equal(matcher.match('DELETE', '/items/x'), undefined, 'only another method matches: a 405, no handler');
    assert.equal(matcher.match(undefined, '/items/x'), 'GET /items/{item_id}', 'without a method, the first path match');
    assert.equal(matcher.match('get', '/'), 'GET /');
  });

  it('tries a catch-all last, whatever order detection found it in', () => {
    const matcher = new RouteMatcher([route('GET', '/{rest:path}'), route('GET', '/health')]);
    assert.equal(matcher.match('GET', '/health'), 'GET /health');
    assert.equal(matcher.match('GET', '/anything/else'), 'GET /{rest:path}');
  });

  it('keeps the given order between routes with a literal first segment and routes with a parameter there', () => {
    const matcher = new RouteMatcher([route('GET', '/{x}/a'), route('GET', '/items/a'), route('GET', '/items/{id}'), route('GET', '/{x}/b'),
      route('GET', '/')]);
    assert.equal(matcher.match('GET', '/items/a'), 'GET /{x}/a', 'the open route came first');
    assert.equal(matcher.match('GET', '/items/b'), 'GET /items/{id}', 'the segment route came first');
    assert.equal(matcher.match('GET', '/other/b'), 'GET /{x}/b');
    assert.equal(matcher.match('GET', '/'), 'GET /');
    assert.equal(matcher.match('GET', '/items/a?x=1'), 'GET /{x}/a', 'the query does not matter');
  });

  it('gives the same answer from its memo as from the first lookup', () => {
    const matcher = new RouteMatcher([route('GET', '/a/{x}')]);
    for (let i = 0; i < 3; i++) {
      assert.equal(matcher.match('GET', '/a/1'), 'GET /a/{x}');
      assert.equal(matcher.match('GET', '/b/1'), undefined);
    }
  });
});

describe('the tail filter for one route', () => {
  const target = { project: 'p', region: 'us-central1', service: 'svc' };
  const entry = (method: string, url: string) => ({
    logName: 'projects/p/logs/run.googleapis.com%2Frequests',
    resource: { type: 'cloud_run_revision', labels: { service_name: 'svc', location: 'us-central1', revision_name: 'svc-00001-abc' } },
    httpRequest: { requestMethod: method, requestUrl: url, status: 200 },
  });

  it('selects only that route\'s requests, as Cloud Logging evaluates it (the emulator\'s filter engine)', () => {
    const filter = buildFilter(target, { route: { path: '/items/{item_id}', methods: ['GET'] } });
    const matches = compileFilter(filter);
    assert.equal(matches(entry('GET', 'http://127.0.0.1:9000/items/plumbus')), true);
    assert.equal(matches(entry('GET', 'https://svc-abc.a.run.app/items/plumbus?x=1')), true);
    assert.equal(matches(entry('PUT', 'http://127.0.0.1:9000/items/plumbus')), false);
    assert.equal(matches(entry('GET', 'http://127.0.0.1:9000/items/plumbus/extra')), false);
    assert.equal(matches(entry('GET', 'http://127.0.0.1:9000/items')), false);
    assert.equal(matches({ ...entry('GET', 'http://h/items/a'), httpRequest: undefined, textPayload: '/items/a' } as never), false,
      'container lines have no requestUrl');
    assert.match(describeFilter({ route: { path: '/items/{item_id}', methods: ['GET'] } }), /route GET \/items\/\{item_id\}/);
  });

  it('escapes the template: a dot in a path is literal in the RE2 pattern', () => {
    const re = new RegExp(requestUrlPattern('/v1.0/{id}'));
    assert.equal(re.test('https://h/v1.0/7'), true);
    assert.equal(re.test('https://h/v1x0/7'), false);
  });
});

describe('route detection for the CodeLens (every method)', () => {
  it('finds POST/PUT/DELETE decorators, api_route methods and add_api_route, with prefixes', async () => {
    const project = files({
      'main.py': 'from fastapi import FastAPI\nfrom routers import items\napp = FastAPI()\napp.include_router(items.router, prefix="/v1")\n' +
        '@app.get("/")\ndef root():\n    return {}\n' +
        '@app.api_route("/both", methods=["GET", "POST"])\ndef both():\n    ...\n' +
        'def hook():\n    ...\napp.add_api_route("/hook", hook, methods=["POST"])\n',
      'routers/__init__.py': '',
      'routers/items.py': 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/items")\n\n' +
        '@router.post("/")\ndef create():\n    ...\n\n@router.put("/{item_id}")\ndef update(item_id: str):\n    ...\n\n' +
        '@router.delete("/{item_id}")\nasync def delete(item_id: str):\n    ...\n',
    });
    const all = await detectRoutes(project, 'main.py', 'app', { methods: 'all' });
    const seen = all.routes.map((r) => `${(r.methods ?? []).join('|')} ${r.path} ${r.file}:${r.line}`).sort();
    assert.deepEqual(seen, [
      'DELETE /v1/items/{item_id} routers/items.py:12', 'GET / main.py:5', 'GET|POST /both main.py:8', 'POST /hook main.py:13',
      'POST /v1/items/ routers/items.py:4', 'PUT /v1/items/{item_id} routers/items.py:8',
    ]);
    // The health check still sees GET routes only.
    const get = await detectRoutes(project, 'main.py', 'app');
    assert.deepEqual(get.routes.map((r) => r.path).sort(), ['/', '/both']);
  });
});
