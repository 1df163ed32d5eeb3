// The built extension (dist/, from out/bundle-meta.json, the metafile `npm run build` writes): activation
// loads only Mentor's own code; every Google client, google-gax/grpc, dockerode and ssh2 arrive on first use.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface OutputMeta {
  imports: { path: string; kind: string; external?: boolean }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

function meta(): Record<string, OutputMeta> {
  const file = path.join(ROOT, 'out', 'bundle-meta.json');
  assert.ok(fs.existsSync(file), 'out/bundle-meta.json is missing: run npm run build');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The output files an entry loads before its code runs (itself and its static imports). */
function startupFiles(outputs: Record<string, OutputMeta>, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return seen;
}

const startupInputs = (outputs: Record<string, OutputMeta>, entry: string) => [...startupFiles(outputs, entry)].flatMap((f) => Object.keys(outputs[f].inputs));

describe('bundle graph', () => {
  it('activation loads no Google client, google-gax, grpc, protobufjs, dockerode or ssh2', () => {
    const outputs = meta();
    const inputs = startupInputs(outputs, 'dist/extension.mjs');
    assert.ok(inputs.includes('src/extension.ts'));
    const heavy = inputs.filter((i) => /node_modules\/(@google-cloud|google-gax|@grpc|protobufjs|google-auth-library|dockerode|docker-modem|ssh2|tar-fs)\//.test(i));
    assert.deepEqual(heavy, []);
  });

  it('each Google client family is its own lazily loaded chunk, sharing one google-gax', () => {
    const outputs = meta();
    const holders = (pattern: RegExp) => Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => pattern.test(i))).map(([f]) => f);
    const startup = startupFiles(outputs, 'dist/extension.mjs');
    for (const client of [/@google-cloud\/run\//, /@google-cloud\/logging-api\//, /@google-cloud\/secret-manager\//]) {
      const files = holders(client);
      assert.equal(files.length, 1, `${client} is in ${files.join(', ')}`);
      assert.ok(!startup.has(files[0]), `${files[0]} is loaded at activation`);
    }
    assert.equal(holders(/node_modules\/google-gax\/build\/src\/grpc\.js$/).length, 1, 'one copy of google-gax');
  });

  it('build status loads on demand: the Cloud Build v1 client, the Pub/Sub subscriber and the watcher are not in the activation bundle', () => {
    const outputs = meta();
    const startup = startupInputs(outputs, 'dist/extension.mjs');
    // BuildsFeature is the one part activation holds (it only waits for a cloudbuild.yaml).
    assert.ok(startup.includes('src/builds/buildsFeature.ts'), 'buildsFeature.ts is wired into activation');
    const lazy = [
      'node_modules/@google-cloud/cloudbuild/build/src/v1/cloud_build_client.js',
      'node_modules/@google-cloud/pubsub-api/build/src/v1/subscriber_client.js',
      'src/gcp/cloudBuildClient.ts', 'src/gcp/buildEventsClient.ts', 'src/builds/buildSession.ts', 'src/builds/buildWatcher.ts',
    ];
    // Inputs of node_modules may be named through a symlinked node_modules (../../x/node_modules/...): match the tail.
    const named = (input: string) => (i: string) => i === input || i.endsWith(`/${input}`);
    for (const input of lazy) {
      const holders = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some(named(input))).map(([f]) => f);
      assert.ok(holders.length >= 1, `${input} is in no output file`);
      assert.ok(!startup.some(named(input)), `${input} is loaded at activation`);
    }
    // The deep import keeps the v2 (repositories) client and the package index out of the build status chunk.
    const clientChunk = Object.entries(outputs).find(([, o]) => Object.keys(o.inputs).some(named(lazy[0])))!;
    assert.ok(!Object.keys(clientChunk[1].inputs).some((i) => /cloudbuild\/build\/src\/(v2\/|index\.js)/.test(i)),
      `${clientChunk[0]} also holds the v2 client or the package index`);
  });

  it('metrics load on demand: the Monitoring client, the panel and the series maths are not in the activation bundle', () => {
    const outputs = meta();
    const startup = startupInputs(outputs, 'dist/extension.mjs');
    const named = (input: string) => (i: string) => i === input || i.endsWith(`/${input}`);
    // The sparkline cache is the one part activation holds (it queries only when a service is expanded).
    assert.ok(startup.includes('src/metrics/revisionSparklines.ts'), 'revisionSparklines.ts is wired into activation');
    const lazy = ['node_modules/@google-cloud/monitoring/build/src/v3/metric_service_client.js', 'src/gcp/monitoringClient.ts',
      'src/webview/metricsPanel.ts', 'src/metrics/metricsView.ts', 'src/core/metricSeries.ts', 'src/core/metricQueries.ts'];
    for (const input of lazy) {
      assert.ok(Object.values(outputs).some((o) => Object.keys(o.inputs).some(named(input))), `${input} is in no output file`);
      assert.ok(!startup.some(named(input)), `${input} is loaded at activation`);
    }
    // The deep import leaves the alert, uptime, group and SLO clients out of the metrics chunk.
    const holders = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some(named(lazy[0])));
    assert.equal(holders.length, 1, 'one chunk holds the MetricServiceClient');
    assert.ok(!Object.keys(holders[0][1].inputs).some((i) => /monitoring\/build\/src\/(index\.js|v3\/(alert|uptime|group|service_monitoring))/.test(i)),
      `${holders[0][0]} also holds other Monitoring clients`);
    const css = fs.readFileSync(path.join(ROOT, 'dist', 'metrics.css'), 'utf8');
    assert.match(css, /\.uplot/, "uPlot's stylesheet ships as dist/metrics.css");
  });

  it('ssh2 is only in dist/ssh.cjs, which the Docker chunk requires on demand', () => {
    const outputs = meta();
    const withSsh2 = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node_modules/ssh2/'))).map(([f]) => f);
    assert.deepEqual(withSsh2, []);
    const ssh = fs.readFileSync(path.join(ROOT, 'dist', 'ssh.cjs'), 'utf8');
    assert.match(ssh, /SSH-2\.0/);
  });

  it('route insight loads on demand: activation holds only the watcher, not the CodeLens, the listings or the decorations', () => {
    const outputs = meta();
    const startup = startupInputs(outputs, 'dist/extension.mjs');
    assert.ok(startup.includes('src/insight/insightActivation.ts'), 'the insight watcher is wired into activation');
    for (const input of ['src/insight/insightFeature.ts', 'src/insight/routeLensProvider.ts', 'src/insight/appRoutes.ts',
      'src/insight/requestListings.ts', 'src/insight/errorDecorations.ts', 'src/core/routeStats.ts', 'src/core/routeLenses.ts',
      'src/core/fastapiRoutes.ts', 'src/core/routeMatch.ts']) {
      assert.ok(Object.values(outputs).some((o) => input in o.inputs), `${input} is in no output file`);
      assert.ok(!startup.includes(input), `${input} is loaded at activation`);
    }
  });
});
