import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { detectRoutes, requiredParameters } from '../../src/core/fastapiRoutes';
import { bestHealthRoute, chooseHealthChecks, healthCheckSteps, PORT_CHECK } from '../../src/core/healthCheck';
import { cloudChecks, runHealthChecks } from '../../src/docker/healthCheckProbe';
import { files } from './memoryProject';

describe('FastAPI route detection', () => {
  it('follows include_router prefixes across modules with relative imports', async () => {
    const routes = await detectRoutes(files({
      'app/__init__.py': '',
      'app/main.py': 'from fastapi import FastAPI\nfrom .routers import items, status\n\napp = FastAPI()\n' +
        'app.include_router(items.router)\napp.include_router(status.router, prefix="/api")\n\n@app.get("/")\ndef root():\n    return {}\n',
      'app/routers/__init__.py': '',
      'app/routers/items.py': 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/items", tags=["items"])\n\n' +
        '@router.get("/{item_id}")\nasync def item(item_id: int):\n    ...\n\n@router.get("")\nasync def items(limit: int = 10):\n    ...\n',
      'app/routers/status.py': 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/ping")\nasync def ping():\n    return {"ok": True}\n',
    }), 'app/main.py', 'app');
    const byPath = Object.fromEntries(routes.routes.map((r) => [r.path, r]));
    assert.deepEqual(Object.keys(byPath).sort(), ['/', '/api/ping', '/items', '/items/{item_id}']);
    assert.equal(byPath['/api/ping'].file, 'app/routers/status.py');
    assert.equal(byPath['/api/ping'].line, 6);
    assert.equal(byPath['/items/{item_id}'].needsParameters, true);
    assert.equal(byPath['/items'].needsParameters, false);
    assert.equal(routes.openapiPath, '/openapi.json');
  });

  it('resolves absolute imports of a src/ package, aliases, add_api_route and api_route methods', async () => {
    const routes = await detectRoutes(files({
      'src/shop/__init__.py': '',
      'src/shop/main.py': 'import fastapi\nfrom shop.routes import router as book_router\nfrom shop import admin\n' +
        'app = fastapi.FastAPI(openapi_url="/api/schema.json")\napp.include_router(book_router, prefix="/v1")\n' +
        'app.include_router(admin.router, dependencies=[Depends(admin_only)])\n' +
        'def live():\n    return "ok"\napp.add_api_route("/livez", live, methods=["GET"])\napp.add_api_route("/hook", live, methods=["POST"])\n',
      'src/shop/routes.py': 'router = APIRouter(prefix="/books")\n@router.api_route("/health", methods=["GET", "HEAD"])\ndef h(): ...\n' +
        '@router.api_route("/sync", methods=["POST"])\ndef s(): ...\n',
      'src/shop/admin.py': 'router = APIRouter(prefix="/admin")\n@router.get("/status")\ndef st(): ...\n',
    }), 'src/shop/main.py', 'app');
    const paths = routes.routes.map((r) => `${r.path}${r.guarded ? ' guarded' : ''}`).sort();
    assert.deepEqual(paths, ['/admin/status guarded', '/livez', '/v1/books/health']);
    assert.equal(routes.openapiPath, '/api/schema.json');
  });

  it('sees global dependencies, a disabled schema and parameters a bare GET cannot fill', async () => {
    const routes = await detectRoutes(files({
      'main.py': 'app = FastAPI(\n    dependencies=[Depends(verify_token)],\n    openapi_url=None,\n)\n' +
        '@app.get("/health")\ndef health(request: Request, q: str = Query(...)):\n    ...\n@app.get("/ready")\ndef ready(db: Session = Depends(get_db)):\n    ...\n',
    }), 'main.py', 'app');
    assert.equal(routes.openapiPath, null);
    assert.deepEqual(routes.routes.map((r) => [r.path, r.needsParameters, r.guarded]), [['/health', true, true], ['/ready', false, true]]);
    assert.deepEqual(requiredParameters('request: Request, x_token: Annotated[str, Header()], page: int = 1, *, db=Depends(db)'), ['x_token']);
  });
});

describe('health check choice', () => {
  const route = (path: string, extra: Partial<{ needsParameters: boolean; guarded: boolean }> = {}) =>
    ({ path, file: 'main.py', line: 1, needsParameters: false, guarded: false, ...extra });

  it('an explicit mentor.healthPath wins and has no fallback', () => {
    assert.deepEqual(healthCheckSteps('status', { routes: [route('/healthz')], openapiPath: '/openapi.json' }),
      [{ path: '/status', accept: 'ok', source: 'setting', reason: 'mentor.healthPath' }]);
  });

  it('prefers an unguarded health-like route, then the schema, then Cloud Run\'s port rule', () => {
    const steps = healthCheckSteps(undefined, { routes: [route('/'), route('/api/status'), route('/healthz', { guarded: true }), route('/ping')], openapiPath: '/openapi.json' });
    assert.deepEqual(steps.map((s) => `${s.source} ${s.path} ${s.accept}`), ['route /ping ok', 'openapi /openapi.json ok', 'port / answers']);
    assert.equal(bestHealthRoute([route('/health/{id}', { needsParameters: true }), route('/about')]), undefined);
    assert.deepEqual(healthCheckSteps(undefined, { routes: [route('/')], openapiPath: null }), [PORT_CHECK]);
  });

  it('is chosen from the files of the app', async () => {
    const steps = await chooseHealthChecks(files({ 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/")\ndef r(): ...\n' }), undefined);
    assert.deepEqual(steps.map((s) => s.path), ['/openapi.json', '/']);
    assert.deepEqual((await chooseHealthChecks(files({ 'README.md': '' }), undefined)).map((s) => s.source), ['port']);
  });
});

describe('running the health checks', function () {
  this.timeout(20000);
  let server: http.Server;
  let base: string;
  const answers: Record<string, number> = {};
  before(async () => {
    server = http.createServer((req, res) => { res.statusCode = answers[req.url ?? ''] ?? 404; res.end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const steps = healthCheckSteps(undefined, { routes: [{ path: '/health', file: 'main.py', line: 3, needsParameters: false, guarded: true }], openapiPath: '/openapi.json' });

  it('a route answering 4xx hands over to the next check, with a note', async () => {
    Object.assign(answers, { '/health': 401, '/openapi.json': 200 });
    const outcome = await runHealthChecks({ baseUrl: base, steps, timeoutMs: 5000, intervalMs: 20 });
    assert.ok(outcome.ok);
    assert.equal(outcome.step.path, '/openapi.json');
    assert.deepEqual(outcome.notes, ['GET /health answered 401, so it was not used']);
  });

  it('the port rule accepts any answer below 500, and waits through 5xx until the deadline', async () => {
    Object.assign(answers, { '/health': 404, '/openapi.json': 404, '/': 404 });
    const passed = await runHealthChecks({ baseUrl: base, steps, timeoutMs: 5000, intervalMs: 20 });
    assert.ok(passed.ok && passed.step.source === 'port' && passed.status === 404);
    answers['/'] = 503;
    const failed = await runHealthChecks({ baseUrl: base, steps, timeoutMs: 600, intervalMs: 20 });
    assert.ok(!failed.ok && failed.probe.reason === 'timeout' && failed.probe.lastStatus === 503 && failed.step.source === 'port');
  });

  it('on Cloud Run, an IAM 401/403 neither passes nor refuses a check unless the app gave it locally', async () => {
    Object.assign(answers, { '/health': 403, '/openapi.json': 403, '/': 403 });
    const port = cloudChecks({ step: PORT_CHECK, status: 404, notes: [] }, steps);
    const blocked = await runHealthChecks({ baseUrl: base, ...port, timeoutMs: 400, intervalMs: 20 });
    assert.ok(!blocked.ok && blocked.probe.lastStatus === 403);
    const same = cloudChecks({ step: PORT_CHECK, status: 403, notes: [] }, steps);
    assert.ok((await runHealthChecks({ baseUrl: base, ...same, timeoutMs: 2000, intervalMs: 20 })).ok);
    const unresolved = await runHealthChecks({ baseUrl: base, ...cloudChecks(undefined, steps), timeoutMs: 400, intervalMs: 20 });
    assert.ok(!unresolved.ok && unresolved.step.path === '/health', 'a 403 does not move past the route check');
  });
});
