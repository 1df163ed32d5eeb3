// Cloud Monitoring from REAL traffic (runtime mode: a real engine and registry): requests sent through a
// running revision's service URL and a tag URL, including 404s and 5xx from the app, are counted exactly by
// request_count (per revision and response class, 403s of the IAM check excluded as on Google), with one
// latency sample each, the serving instance shows as active, and its CPU/memory come from the engine's stats. Read with the real MetricServiceClient over
// gRPC and over REST. Env: DOCKER_HOST, REGISTRY_OPEN (npm test provides both).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServicesClient, type protos } from '@google-cloud/run';
import { MetricServiceClient } from '@google-cloud/monitoring';
import { PassThroughClient } from 'google-auth-library';
import { connectDocker } from '../../src/docker/connect';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { clientOptions, PARENT, PROJECT, serviceName } from '../emulator/fixture';
import { buildAndPushBusyboxApp, get } from './busyboxApp';

const RUN = randomBytes(3).toString('hex');
const REGISTRY = process.env.REGISTRY_OPEN ?? '';
const APP = `${REGISTRY}/mentor-metrics-${RUN}/app`;
const AUTH = { authorization: 'Bearer any-token' };

// busybox httpd: /health answers 200, /cgi-bin/fail 500 (a CGI "Status:" line, CRLF as Node's parser wants), else 404.
const START_SH = `#!/bin/sh
mkdir -p /www/cgi-bin
echo ok > /www/health
cat > /www/cgi-bin/fail <<'CGI'
#!/bin/sh
printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nboom\n'
CGI
chmod +x /www/cgi-bin/fail
exec httpd -f -p "$PORT" -h /www
`;

const short = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);
const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: 0 });

describe('emulator runtime mode: Cloud Monitoring metrics from the traffic the proxy serves', function () {
  this.timeout(120_000);
  let engine: DockerodeEngine;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let rev1 = '';
  let rev2 = '';
  let startedMs = 0;

  async function deploy(id: string, service: protos.google.cloud.run.v2.IService, create = false) {
    const [op] = create
      ? await services.createService({ parent: PARENT, serviceId: id, service })
      : await services.updateService({ service: { ...service, name: serviceName(id) } });
    const [done] = await op.promise();
    return done;
  }

  before(async function () {
    assert.ok(process.env.DOCKER_HOST, 'DOCKER_HOST is not set: run through npm test, or `source /tmp/mentor-engine/env`');
    assert.ok(REGISTRY, 'REGISTRY_OPEN is not set: run through npm test, which starts the local registries');
    engine = (await connectDocker({ host: process.env.DOCKER_HOST })) as DockerodeEngine;
    await buildAndPushBusyboxApp(engine, APP, START_SH);
    emulator = await startEmulator({ dockerHost: process.env.DOCKER_HOST, startupTimeoutMs: 5000, operationDelayMs: 10 });
    services = new ServicesClient(clientOptions(emulator.port));
    startedMs = Date.now();
    rev1 = short((await deploy('mt-shop', { template: { containers: [{ image: `${APP}:v1` }] } }, true)).latestReadyRevision);
    const svc = await deploy('mt-shop', {
      template: { containers: [{ image: `${APP}:v2` }] },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }, { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: rev1, percent: 0, tag: 'old' }],
    });
    rev2 = short(svc.latestReadyRevision);
    const tagUri = svc.trafficStatuses?.find((t) => t.tag === 'old')?.uri ?? '';
    const send = async (url: string, n: number, status: number, headers: Record<string, string> = AUTH) => {
      for (let i = 0; i < n; i++) assert.equal((await get(url, headers)).status, status, url);
    };
    await send(`${svc.uri}/health`, 20, 200);
    await send(`${svc.uri}/cgi-bin/fail`, 5, 500);
    await send(`${svc.uri}/missing`, 3, 404);
    await send(`${svc.uri}/health`, 2, 403, {}); // refused by the IAM check: never reaches an instance
    await send(`${tagUri}/health`, 4, 200);
    await send(`${tagUri}/cgi-bin/fail`, 2, 500);
  });

  after(async () => {
    await services?.close();
    await emulator?.stop();
    for (const v of ['v1', 'v2']) await engine?.docker.getImage(`${APP}:${v}`).remove({ force: true }).catch(() => undefined);
    await engine?.close();
  });

  for (const transport of ['grpc', 'rest'] as const) {
    const client = () => new MetricServiceClient(transport === 'grpc'
      ? clientOptions(emulator.port)
      : { apiEndpoint: '127.0.0.1', port: emulator.restPort, protocol: 'http', fallback: 'rest', authClient: new PassThroughClient(), projectId: PROJECT });

    it(`counts every request exactly per revision and response class, tag URL included, 403s excluded (${transport})`, async () => {
      const c = client();
      try {
        const [series] = await c.listTimeSeries({
          name: `projects/${PROJECT}`,
          filter: 'metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.service_name = "mt-shop"',
          interval: { startTime: ts(startedMs - 60_000), endTime: ts(Date.now() + 1000) },
          aggregation: {
            alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM',
            groupByFields: ['resource.label.revision_name', 'metric.label.response_code_class'],
          },
        });
        const counts: Record<string, number> = {};
        for (const s of series) {
          const key = `${s.resource?.labels?.revision_name} ${s.metric?.labels?.response_code_class}`;
          counts[key] = (s.points ?? []).reduce((a, p) => a + Number(p.value?.int64Value), 0);
        }
        assert.deepEqual(counts, { [`${rev1} 2xx`]: 4, [`${rev1} 5xx`]: 2, [`${rev2} 2xx`]: 20, [`${rev2} 4xx`]: 3, [`${rev2} 5xx`]: 5 });
      } finally {
        await c.close();
      }
    });

    it(`records one latency sample per request, the serving instance as active, its CPU and memory (${transport})`, async () => {
      const c = client();
      const interval = { startTime: ts(startedMs - 60_000), endTime: ts(Date.now() + 1000) };
      const revisionFilter = `resource.labels.revision_name = "${rev2}"`;
      try {
        const [latencies] = await c.listTimeSeries({
          name: `projects/${PROJECT}`, filter: `metric.type = "run.googleapis.com/request_latencies" AND ${revisionFilter}`, interval,
          aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' },
        });
        const dist = latencies[0]?.points?.[0]?.value?.distributionValue;
        assert.equal(Number(dist?.count), 28);
        assert.ok(Number(dist?.mean) > 0, 'the proxy measured how long each request took');
        const [active] = await c.listTimeSeries({
          name: `projects/${PROJECT}`, filter: `metric.type = "run.googleapis.com/container/instance_count" AND metric.labels.state = "active" AND ${revisionFilter}`, interval,
          aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_MAX' },
        });
        assert.equal(Number(active[0]?.points?.[0]?.value?.int64Value), 1);
        const [cpu] = await c.listTimeSeries({
          name: `projects/${PROJECT}`, filter: `metric.type = "run.googleapis.com/container/cpu/utilizations" AND ${revisionFilter}`, interval,
          aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_PERCENTILE_99' },
        });
        const p99 = Number(cpu[0]?.points?.[0]?.value?.doubleValue);
        assert.ok(p99 > 0 && p99 <= 1.2, `CPU utilization is a fraction, got ${p99}`);
        const [memory] = await c.listTimeSeries({
          name: `projects/${PROJECT}`, filter: `metric.type = "run.googleapis.com/container/memory/utilizations" AND ${revisionFilter}`, interval,
          aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: 'ALIGN_MEAN' },
        });
        const mean = Number(memory[0]?.points?.[0]?.value?.doubleValue);
        // busybox httpd uses a few hundred KiB of the 512 MiB default: the engine's number, not the model's 25 %.
        assert.ok(mean > 0 && mean < 0.05, `memory utilization from the engine's stats, got ${mean}`);
      } finally {
        await c.close();
      }
    });
  }
});
