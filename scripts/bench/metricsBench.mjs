/* global window, document, requestAnimationFrame -- the paint measurement runs inside the page (tab.evaluate) */
// Metrics panel benchmark for `npm run bench metrics`: one service with 50 revisions and 7 days of history
// (the emulator's seed "metrics:50x7d"), read the way the panel reads it (the real MonitoringApi over gRPC →
// loadMetricsView: eight ListTimeSeries calls + the series maths), then drawn by the panel's own bundle
// (dist/metrics.js with uPlot and dist/metrics.css) in headless Chromium.
//   queries   per range (1h, 6h, 1d, 7d): cold (connect + first refresh) and the median of 5 warm refreshes,
//             the points that came back and the series
//   paint     7 days: first paint (message posted → the panel said it drew + two animation frames) and the
//             median repaint of the same view (what a refresh costs the webview)
//   sparklines the explorer's one query for all 50 revisions
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const PROJECT = 'mentor-demo';
const REGION = 'us-central1';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => Math.round(x * 10) / 10;

export async function benchMetrics(ROOT) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(path.join(ROOT, 'out', p));
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { startEmulator } = out('emulator/server.js');
  const { GoogleCloudRun } = out('src/gcp/cloudRunClient.js');
  const { GoogleMonitoring } = out('src/gcp/monitoringClient.js');
  const { loadMetricsView } = out('src/metrics/metricsView.js');
  const { sparklineQuery } = out('src/core/metricQueries.js');

  let started = performance.now();
  const emulator = await startEmulator({ port: 0, seed: 'metrics:50x7d', operationDelayMs: 0 });
  const seedMs = performance.now() - started;
  const target = { project: PROJECT, region: REGION, apiEndpoint: emulator.address };
  const cloudRun = await GoogleCloudRun.connect(target);
  try {
    const [service] = await cloudRun.listServices();
    if (!service) throw new Error('the metrics:50x7d seed made no service');
    const revisions = (await cloudRun.listRevisions(service.name)).map((r) => r.id);
    const input = (range) => ({ service, revisions, range, rolloutRunning: false, now: new Date() });
    const points = (view) => view.charts.reduce((n, c) => n + c.lines.reduce((m, l) => m + l.values.filter((v) => v !== null).length, 0), 0);

    const queries = {};
    let view7d;
    for (const range of ['1h', '6h', '1d', '7d']) {
      started = performance.now();
      const api = await GoogleMonitoring.connect(target);
      const first = await loadMetricsView(api, input(range));
      const coldMs = performance.now() - started;
      const warm = [];
      let view = first;
      for (let i = 0; i < 5; i++) {
        started = performance.now();
        view = await loadMetricsView(api, input(range));
        warm.push(performance.now() - started);
      }
      await api.close();
      queries[range] = { coldMs: ms(coldMs), warmMedianMs: ms(median(warm)), chartPoints: points(view), summaryRows: view.summary.length,
        requestsInRange: view.summary.reduce((n, r) => n + r.requests, 0) };
      if (range === '7d') view7d = view;
    }

    const api = await GoogleMonitoring.connect(target);
    const sparkTimes = [];
    let sparkSeries = 0;
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      sparkSeries = (await api.listTimeSeries(sparklineQuery({ project: PROJECT, region: REGION, service: service.id }, new Date()))).length;
      sparkTimes.push(performance.now() - started);
    }
    await api.close();

    const paint = await benchPaint(ROOT, view7d).catch((error) => ({ error: error.message }));
    return { seedMs: Math.round(seedMs), revisions: revisions.length, queries, paint,
      sparklines: { medianMs: ms(median(sparkTimes)), series: sparkSeries } };
  } finally {
    await cloudRun.close();
    await emulator.stop();
  }
}

/** Serves dist/ and a page that stands in for VS Code's webview host (acquireVsCodeApi records the posts). */
async function benchPaint(ROOT, view) {
  const require = createRequire(import.meta.url);
  const { chromium } = require(require.resolve('playwright-core', { paths: [ROOT] }));
  const dist = path.join(ROOT, 'dist');
  const page = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="/metrics.css">
<script>window.__posts = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posts.push(m) });</script></head>
<body><main id="app">Loading…</main><script type="module" src="/metrics.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const file = req.url === '/' ? undefined : path.join(dist, path.basename(req.url));
    if (!file) { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(page); }
    if (!fs.existsSync(file)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__posts.some((p) => p.type === 'ready'), undefined, { timeout: 20_000 });
    const draw = () => tab.evaluate(async (v) => {
      const before = window.__posts.length;
      const t0 = performance.now();
      window.postMessage({ type: 'show', view: v }, '*');
      const painted = await new Promise((resolve) => {
        const check = () => { const p = window.__posts.slice(before).find((m) => m.type === 'painted'); if (p) resolve(p); else setTimeout(check, 0); };
        check();
      });
      // Two frames: layout and the canvases on screen.
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return { totalMs: performance.now() - t0, renderMs: painted.ms, canvases: document.querySelectorAll('canvas').length,
        rows: document.querySelectorAll('vscode-table-row[data-revision]').length };
    }, view);
    const first = await draw();
    const repaints = [];
    for (let i = 0; i < 5; i++) repaints.push((await draw()).totalMs);
    return { firstPaintMs: ms(first.totalMs), firstRenderMs: ms(first.renderMs), repaintMedianMs: ms(median(repaints)),
      canvases: first.canvases, summaryRows: first.rows };
  } finally {
    await browser.close();
    server.close();
  }
}

export function printMetrics(m) {
  if (m.error) return console.log(`metrics: ${m.error}`);
  const q = Object.entries(m.queries).map(([range, r]) => `${range} cold ${r.coldMs} ms / warm ${r.warmMedianMs} ms (${r.chartPoints} points)`).join(', ');
  console.log(`metrics (${m.revisions} revisions × 7 days, seeded in ${m.seedMs} ms): refresh queries ${q}; ` +
    `sparklines one query ${m.sparklines.medianMs} ms (${m.sparklines.series} series)`);
  const p = m.paint;
  console.log(p.error ? `metrics paint: ${p.error}` : `metrics paint (7 days, ${p.summaryRows} rows, ${p.canvases} charts): first paint ${p.firstPaintMs} ms ` +
    `(render ${p.firstRenderMs} ms), repaint median ${p.repaintMedianMs} ms`);
}
