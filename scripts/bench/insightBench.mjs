// Route insight (CodeLens) benchmark for `npm run bench insight`: what one file's lenses cost, in plain Node
// through the extension's own modules (no VS Code: the editor adds its own drawing on top).
//   parse     a generated FastAPI app (one file with ROUTES handlers of every method + included routers):
//             detectPythonProject + detectRoutes(all), median of 20
//   lenses    one listing of ENTRIES request entries: route matching + per-route stats (once per listing,
//             shared by every file) and the lens lines of the big file (per file), medians of 20
//   listing   the same ENTRIES entries written into the emulator with the real Logging client, then the
//             extension's RequestListings (GoogleCloudLogging, pages of 1000, cap 10,000): cold and cached
import path from 'node:path';
import { createRequire } from 'node:module';

const PROJECT = 'mentor-demo';
const REGION = 'us-central1';
const SERVICE = 'bench-insight';
const ROUTES = 200;
const ENTRIES = 10_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (ms) => Math.round(ms * 100) / 100;

/** main.py with ROUTES handlers (GET/POST/PUT/DELETE, path parameters) and two included routers. */
function generatedApp() {
  const methods = ['get', 'post', 'put', 'delete'];
  const handlers = Array.from({ length: ROUTES }, (_, i) => {
    const method = methods[i % methods.length];
    const path = i % 3 === 0 ? `/r${i}/{item_id}` : i % 3 === 1 ? `/r${i}/items/{item_id:int}/detail` : `/r${i}`;
    return `@app.${method}("${path}")\nasync def handler_${i}(item_id: str = "") -> dict:\n    return {"i": ${i}}\n\n`;
  }).join('');
  const router = (name) => `from fastapi import APIRouter\nrouter = APIRouter(prefix="/${name}")\n\n` +
    Array.from({ length: 20 }, (_, i) => `@router.get("/{x}/${i}")\ndef ${name}_${i}(x: str):\n    ...\n\n`).join('');
  return {
    'requirements.txt': 'fastapi\nuvicorn\n',
    'main.py': 'from fastapi import FastAPI\nfrom routers import users, orders\n\napp = FastAPI()\n' +
      'app.include_router(users.router, prefix="/api")\napp.include_router(orders.router, prefix="/api")\n\n' + handlers,
    'routers/__init__.py': '',
    'routers/users.py': router('users'),
    'routers/orders.py': router('orders'),
  };
}

/**
 * ENTRIES requests over the last 50 minutes (writing them takes a while: all must still be in the hour when
 * listed), spread over the big file's routes (10% 5xx) and some unknown paths.
 */
function requestSamples(nowMs) {
  return Array.from({ length: ENTRIES }, (_, i) => {
    const r = i % (ROUTES + 10);
    const url = r >= ROUTES ? `/unknown/${i}` : r % 3 === 0 ? `/r${r}/abc${i}` : r % 3 === 1 ? `/r${r}/items/${i}/detail` : `/r${r}`;
    return { timeMs: nowMs - Math.floor((i / ENTRIES) * 3_000_000), method: ['GET', 'POST', 'PUT', 'DELETE'][r % 4], url: `${url}?q=${i % 7}`,
      status: i % 10 === 0 ? 500 : 200, latencyMs: 5 + (i % 200) };
  });
}

export async function benchInsight(ROOT) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(path.join(ROOT, 'out', p));
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { detectPythonProject } = out('src/core/pythonProject.js');
  const { detectRoutes } = out('src/core/fastapiRoutes.js');
  const { RouteMatcher } = out('src/core/routeMatch.js');
  const { routeStats } = out('src/core/routeStats.js');
  const { lensesForFile, routeSpecs } = out('src/core/routeLenses.js');

  const app = generatedApp();
  const files = { list: async () => Object.keys(app), read: async (p) => app[p] };
  const parse = async () => {
    const project = await detectPythonProject(files);
    const { routes } = await detectRoutes(files, project.appFile, 'app', { methods: 'all' });
    return { routes, matcher: new RouteMatcher(routeSpecs(routes)) };
  };
  const parseTimes = [];
  let parsed;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    parsed = await parse();
    parseTimes.push(performance.now() - t);
  }
  const now = Date.now();
  const listing = { samples: requestSamples(now), fromMs: now - 3_600_000, toMs: now, capped: false };
  const statsTimes = [];
  const lensTimes = [];
  let stats;
  let lenses;
  for (let i = 0; i < 20; i++) {
    // A fresh matcher each round: its memo would otherwise make every round after the first a cache hit.
    const matcher = new RouteMatcher(routeSpecs(parsed.routes));
    let t = performance.now();
    stats = routeStats(matcher, listing);
    statsTimes.push(performance.now() - t);
    t = performance.now();
    lenses = lensesForFile(parsed.routes, 'main.py', { kind: 'stats', stats, listedAtMs: now, capped: false }, SERVICE, now);
    lensTimes.push(performance.now() - t);
  }
  const result = {
    routes: parsed.routes.length, routesInFile: lenses.length, entries: ENTRIES, routesWithTraffic: stats.size,
    parseMedianMs: round(median(parseTimes)), statsMedianMs: round(median(statsTimes)), lensesMedianMs: round(median(lensTimes)),
    perFileMs: round(median(parseTimes) + median(statsTimes) + median(lensTimes)),
  };
  result.listing = await benchListing(ROOT, require, out).catch((error) => ({ error: error.message }));
  return result;
}

/** The listing as the editor makes it: real client, emulator, pages of 1000. */
async function benchListing(ROOT, require, out) {
  const { startEmulator } = out('emulator/server.js');
  const { GoogleCloudLogging } = out('src/gcp/cloudLoggingClient.js');
  const { RequestListings } = out('src/insight/requestListings.js');
  const { LoggingServiceV2Client } = require(require.resolve('@google-cloud/logging-api/build/src/v2/logging_service_v2_client', { paths: [ROOT] }));
  const { grpc } = require(require.resolve('google-gax', { paths: [ROOT] }));
  const { PassThroughClient } = require(require.resolve('google-auth-library', { paths: [ROOT] }));
  const emulator = await startEmulator({ port: 0, operationDelayMs: 0 });
  const writer = new LoggingServiceV2Client({ apiEndpoint: '127.0.0.1', port: emulator.port, sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
  const target = { project: PROJECT, region: REGION, apiEndpoint: emulator.address };
  const api = await GoogleCloudLogging.connect(target);
  try {
    const now = Date.now();
    const samples = requestSamples(now);
    for (let start = 0; start < samples.length; start += 1000) {
      await writer.writeLogEntries({ entries: samples.slice(start, start + 1000).map((s, i) => ({
        logName: `projects/${PROJECT}/logs/run.googleapis.com%2Frequests`, severity: s.status >= 500 ? 'ERROR' : 'INFO', insertId: `b${start + i}`,
        timestamp: { seconds: Math.floor(s.timeMs / 1000), nanos: (s.timeMs % 1000) * 1e6 },
        resource: { type: 'cloud_run_revision', labels: { project_id: PROJECT, service_name: SERVICE, revision_name: `${SERVICE}-00001-abc`, location: REGION } },
        httpRequest: { requestMethod: s.method, requestUrl: `https://${SERVICE}-abc-uc.a.run.app${s.url}`, status: s.status,
          latency: { seconds: 0, nanos: s.latencyMs * 1e6 } },
      })) });
    }
    const listings = new RequestListings({ logging: async () => api, serviceExists: async () => true });
    const t = { service: SERVICE, project: PROJECT, region: REGION };
    let started = performance.now();
    const cold = await listings.get(t);
    const coldMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 100; i++) await listings.get(t);
    const cachedMs = (performance.now() - started) / 100;
    if (cold.kind !== 'listing') throw new Error(`listing: ${cold.kind} ${cold.message ?? ''}`);
    return { entries: cold.listing.samples.length, capped: cold.listing.capped, coldMs: Math.round(coldMs), cachedMs: round(cachedMs),
      listingsMade: listings.listingsMade };
  } finally {
    await api.close();
    await writer.close();
    await emulator.stop();
  }
}

export function printInsight(r) {
  if (r.error) return console.log(`insight: ${r.error}`);
  console.log(`insight (CodeLens, a file with ${r.routesInFile} route handlers of ${r.routes} in the app, ${r.entries} request entries): ` +
    `parse ${r.parseMedianMs} ms, stats once per listing ${r.statsMedianMs} ms (${r.routesWithTraffic} routes with traffic), ` +
    `lenses of the file ${r.lensesMedianMs} ms; per file ${r.perFileMs} ms`);
  const l = r.listing;
  if (l?.error) console.log(`insight listing: ${l.error}`);
  else if (l) console.log(`insight listing (real client → emulator): ${l.entries} entries${l.capped ? ' (capped)' : ''} cold ${l.coldMs} ms, ` +
    `cached ${l.cachedMs} ms, ${l.listingsMade} listing for 101 asks`);
}
