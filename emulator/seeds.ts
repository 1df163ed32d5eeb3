// Ready-made states: "demo" (a small realistic project to click through), "scale:SxR" (S services
// with R revisions each, for benchmarks), "metrics:RxDd" (one service, scale-00001, with R revisions each
// serving an equal share for D days of metric history, for the metrics bench) and "projects:N" (N Resource
// Manager projects, for paging), alone or added up ("demo+projects:3000"). Built directly in the state with the same builders the API
// handlers use, so seeded resources look exactly like deployed ones.
import { autoRevisionName } from '../src/core/cloudRunNames';
import { invalidArgument } from './apiError';
import type { LogEntry, RevisionTemplate, TrafficTarget } from './apiTypes';
import { LATEST, REVISION, defaultStartFailureMessage, normalizeTraffic, serviceUri, templateFingerprint } from './cloudRunRules';
import { MAX_HISTORY_DAYS, benchHistory, type MetricHistorySpec } from './monitoringSynthetic';
import { seedDemoPlatform, seedManyProjects } from './platformSeeds';
import { beginReconcile, finishFailed, finishServing, newRevision, newServiceRecord, type ServiceAddress } from './resourceBuilders';
import { validatedSpec } from './serviceSpec';
import type { EmulatorData } from './stateStore';
import { timestampFromMs } from './timestamps';

export const DEMO_PROJECT = 'mentor-demo';
export const DEMO_LOCATION = 'us-central1';
const SEED_USER = 'developer@example.com';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IMAGE_REPO = `${DEMO_LOCATION}-docker.pkg.dev/${DEMO_PROJECT}/mentor`;

/** Names of the demo seed's revisions, newest last; tests and docs can rely on them. */
export const DEMO_REVISIONS = {
  'mentor-ai-backend': ['mentor-ai-backend-00001-kaj', 'mentor-ai-backend-00002-wuv', 'mentor-ai-backend-00003-pel'],
  'payments-api': ['payments-api-00001-mib', 'payments-api-00002-zod'],
  'broken-worker': ['broken-worker-00001-hox', 'broken-worker-00002-rut'],
} as const;

interface Version {
  template: RevisionTemplate;
  /** Revision suffix (3 letters) for stable demo names. */
  suffix: string;
  agoMs: number;
  failure?: string;
}

export function applySeed(data: EmulatorData, seed: string | undefined): void {
  if (!seed) return;
  // Seeds add up: "demo+projects:3000" is the demo project among thousands of others (a test's big organisation).
  if (seed.includes('+')) {
    for (const part of seed.split('+')) applySeed(data, part);
    return;
  }
  if (seed === 'demo') return seedDemo(data, Date.now());
  const scale = /^scale:(\d+)x(\d+)$/.exec(seed);
  if (scale) return seedScale(data, Number(scale[1]), Number(scale[2]), Date.now());
  const metrics = /^metrics:(\d+)x(\d+)d$/.exec(seed);
  if (metrics) return seedMetrics(data, Number(metrics[1]), Number(metrics[2]), Date.now());
  const projects = /^projects:(\d+)$/.exec(seed);
  if (projects && Number(projects[1]) >= 1 && Number(projects[1]) <= 99_999) return seedManyProjects(data, Number(projects[1]), Date.now());
  throw invalidArgument(`Unknown seed '${seed}': use "demo", "scale:SERVICESxREVISIONS" (e.g. scale:200x50), ` +
    '"metrics:REVISIONSxDAYSd" (e.g. metrics:50x7d) or "projects:N" (1 ≤ N ≤ 99999), or several joined by "+" (e.g. demo+projects:3000).');
}

function secretEnv(name: string, secret: string, version = 'latest') {
  return { name, valueSource: { secretKeyRef: { secret, version } } };
}

function backendTemplate(tag: string): RevisionTemplate {
  return {
    labels: { app: 'mentor', tier: 'backend' },
    scaling: { minInstanceCount: 1, maxInstanceCount: 10 },
    serviceAccount: `mentor-runtime@${DEMO_PROJECT}.iam.gserviceaccount.com`,
    timeout: { seconds: '300' },
    maxInstanceRequestConcurrency: 80,
    volumes: [{ name: 'firebase-credentials', secret: { secret: 'firebase-credentials', items: [{ path: 'firebase.json', version: 'latest' }] } }],
    containers: [{
      name: 'mentor-ai-backend-1',
      image: `${IMAGE_REPO}/mentor-ai-backend:${tag}`,
      env: [
        { name: 'ENVIRONMENT', value: 'production' },
        { name: 'FIREBASE_CREDENTIALS', value: '/secrets/firebase.json' },
        secretEnv('GEMINI_API_KEY', 'gemini-api-key'),
        secretEnv('RAZORPAY_KEY_ID', 'razorpay-key-id'),
        secretEnv('RAZORPAY_KEY_SECRET', 'razorpay-key-secret'),
      ],
      resources: { limits: { memory: '2Gi', cpu: '2' }, cpuIdle: true, startupCpuBoost: true },
      ports: [{ name: 'http1', containerPort: 8080 }],
      volumeMounts: [{ name: 'firebase-credentials', mountPath: '/secrets' }],
      startupProbe: { timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 3, httpGet: { path: '/health', port: 8080 } },
      livenessProbe: { timeoutSeconds: 5, periodSeconds: 30, failureThreshold: 3, httpGet: { path: '/health', port: 8080 } },
    }],
  };
}

function simpleTemplate(image: string, extra: Partial<RevisionTemplate> = {}): RevisionTemplate {
  return {
    containers: [{ image, resources: { limits: { memory: '512Mi', cpu: '1' } }, ports: [{ name: 'http1', containerPort: 8080 }] }],
    ...extra,
  };
}

/** Deploys `versions` one after another (each a new revision), then applies `traffic` if given. */
function seedService(
  data: EmulatorData, a: ServiceAddress, now: number, versions: Version[], traffic?: TrafficTarget[],
  publicInvoker = false,
): void {
  const record = newServiceRecord(a, timestampFromMs(now - versions[0].agoMs), SEED_USER);
  for (const version of versions) {
    const at = timestampFromMs(now - version.agoMs);
    const spec = validatedSpec('seed', a.project, a.service, { template: version.template });
    const shortName = autoRevisionName(a.service, record.revisionCounter + 1, version.suffix);
    const revision = newRevision(a, shortName, spec.template!, at, SEED_USER);
    record.revisionCounter += 1;
    record.revisionFingerprints[shortName] = templateFingerprint(spec.template!);
    record.revisions.unshift(revision);
    Object.assign(record.service, spec, { latestCreatedRevision: revision.name });
    beginReconcile(record, at, SEED_USER, true);
    if (version.failure) finishFailed(record, version.failure.replace('{revision}', shortName), at, revision);
    else finishServing(record, a, at, revision);
  }
  if (traffic) {
    const at = timestampFromMs(now - versions[versions.length - 1].agoMs + HOUR);
    record.service.traffic = normalizeTraffic(a.service, traffic);
    beginReconcile(record, at, SEED_USER, true);
    finishServing(record, a, at);
  }
  if (publicInvoker) record.iamPolicy.bindings = [{ role: 'roles/run.invoker', members: ['allUsers'] }];
  data.services[record.service.name!] = record;
}

function seedDemo(data: EmulatorData, now: number): void {
  const at = (service: string): ServiceAddress => ({ project: DEMO_PROJECT, location: DEMO_LOCATION, service });
  seedService(data, at('mentor-ai-backend'), now, [
    { template: backendTemplate('3f9c2a1'), suffix: 'kaj', agoMs: 6 * DAY },
    { template: backendTemplate('8b41d07'), suffix: 'wuv', agoMs: 3 * DAY },
    { template: backendTemplate('c7e9f52'), suffix: 'pel', agoMs: 5 * HOUR },
  ], [
    { type: LATEST, percent: 90 },
    { type: REVISION, revision: DEMO_REVISIONS['mentor-ai-backend'][1], percent: 10, tag: 'canary' },
  ], true);
  const payments = (tag: string) => simpleTemplate(`${IMAGE_REPO}/payments-api:${tag}`, {
    containers: [{
      image: `${IMAGE_REPO}/payments-api:${tag}`,
      env: [secretEnv('RAZORPAY_KEY_ID', 'razorpay-key-id'), secretEnv('RAZORPAY_KEY_SECRET', 'razorpay-key-secret', '3')],
      resources: { limits: { memory: '512Mi', cpu: '1' } },
    }],
    scaling: { maxInstanceCount: 5 },
  });
  seedService(data, at('payments-api'), now, [
    { template: payments('v1.4.0'), suffix: 'mib', agoMs: 9 * DAY },
    { template: payments('v1.5.2'), suffix: 'zod', agoMs: 2 * DAY },
  ]);
  const worker = (tag: string) => simpleTemplate(`${IMAGE_REPO}/broken-worker:${tag}`);
  seedService(data, at('broken-worker'), now, [
    { template: worker('2024-06-01'), suffix: 'hox', agoMs: 4 * DAY },
    { template: worker('2024-06-07'), suffix: 'rut', agoMs: HOUR, failure: defaultStartFailureMessage('{revision}') },
  ]);
  seedDemoLogs(data, now);
  seedDemoPlatform(data, DEMO_PROJECT, DEMO_LOCATION, now);
  data.monitoringHistory = demoHistory(now);
}

/** One service with R revisions, each with D days of metric history (monitoringSynthetic.ts). */
function seedMetrics(data: EmulatorData, revisions: number, days: number, now: number): void {
  if (revisions < 1 || revisions > 100 || days < 1 || days > MAX_HISTORY_DAYS) {
    throw invalidArgument(`metrics:${revisions}x${days}d is out of range (1 ≤ revisions ≤ 100, 1 ≤ days ≤ ${MAX_HISTORY_DAYS}).`);
  }
  seedScale(data, 1, revisions, now);
  const record = Object.values(data.services)[0];
  const refs = record.revisions.map((r) => ({ project: DEMO_PROJECT, location: DEMO_LOCATION, service: record.service.name!.split('/').pop()!, revision: r.name!.split('/').pop()! }));
  data.monitoringHistory = benchHistory(refs.reverse(), days, now);
}

/**
 * State saved before metric history existed (e.g. npm start's .cache/emulator-data): the demo project's
 * services get their history too, so the metrics panel has something to show without --fresh-data.
 */
export function addMissingDemoHistory(data: EmulatorData, now = Date.now()): void {
  if (data.monitoringHistory) return;
  const demoServices = Object.keys(DEMO_REVISIONS).map((s) => `projects/${DEMO_PROJECT}/locations/${DEMO_LOCATION}/services/${s}`);
  if (demoServices.every((name) => data.services[name])) data.monitoringHistory = demoHistory(now);
}

/** The demo services' traffic: which revision served when (as their traffic says), and how it behaved. */
function demoHistory(now: number): MetricHistorySpec[] {
  const ref = (service: keyof typeof DEMO_REVISIONS, i: number) => ({ project: DEMO_PROJECT, location: DEMO_LOCATION, service, revision: DEMO_REVISIONS[service][i] });
  return [
    { revision: ref('mentor-ai-backend', 0), fromMs: now - 6 * DAY, toMs: now - 3 * DAY, peakRpm: 40, errorRate: 0.004, medianMs: 180, minInstances: 1 },
    { revision: ref('mentor-ai-backend', 1), fromMs: now - 3 * DAY, toMs: now - 5 * HOUR, peakRpm: 40, errorRate: 0.01, medianMs: 210, minInstances: 1 },
    // Since the 90/10 split: the canary keeps a tenth of the traffic, the new latest the rest (and more errors).
    { revision: ref('mentor-ai-backend', 1), fromMs: now - 5 * HOUR, peakRpm: 4, errorRate: 0.01, medianMs: 210, minInstances: 1 },
    { revision: ref('mentor-ai-backend', 2), fromMs: now - 5 * HOUR, peakRpm: 36, errorRate: 0.03, medianMs: 260, minInstances: 1 },
    { revision: ref('payments-api', 0), fromMs: now - 7 * DAY, toMs: now - 2 * DAY, peakRpm: 15, errorRate: 0.002, medianMs: 60 },
    { revision: ref('payments-api', 1), fromMs: now - 2 * DAY, peakRpm: 15, errorRate: 0.002, medianMs: 55 },
    { revision: ref('broken-worker', 0), fromMs: now - 4 * DAY, peakRpm: 6, errorRate: 0.08, medianMs: 900 },
  ];
}

function logEntry(service: string, revision: string, log: string, agoMs: number, now: number, fields: Partial<LogEntry>): LogEntry {
  const ts = timestampFromMs(now - agoMs);
  return {
    logName: `projects/${DEMO_PROJECT}/logs/${encodeURIComponent(log)}`,
    resource: {
      type: 'cloud_run_revision',
      labels: { project_id: DEMO_PROJECT, service_name: service, revision_name: revision, location: DEMO_LOCATION, configuration_name: service },
    },
    timestamp: ts,
    receiveTimestamp: ts,
    insertId: `seed${String(agoMs).padStart(10, '0')}${service.length}`,
    labels: { instanceId: '0069c7a988a7d1bb7e4e1c8bd0c2e9e2f0d5d2b1c0' },
    ...fields,
  };
}

function seedDemoLogs(data: EmulatorData, now: number): void {
  const backend = DEMO_REVISIONS['mentor-ai-backend'][2];
  const worker = DEMO_REVISIONS['broken-worker'][1];
  const min = 60_000;
  const request = (agoMs: number, url: string, status: number, latency: number) =>
    logEntry('mentor-ai-backend', backend, 'run.googleapis.com/requests', agoMs, now, {
      severity: status >= 500 ? 'ERROR' : 'INFO',
      httpRequest: {
        requestMethod: 'GET', requestUrl: `${serviceUri(DEMO_PROJECT, DEMO_LOCATION, 'mentor-ai-backend')}${url}`, status,
        responseSize: '312', userAgent: 'curl/8.5.0', remoteIp: '203.0.113.7', protocol: 'HTTP/1.1',
        latency: { seconds: String(Math.floor(latency)), nanos: Math.round((latency % 1) * 1e9) },
      },
      trace: `projects/${DEMO_PROJECT}/traces/4bf92f3577b34da6a3ce929d0e0e${agoMs % 10000}`,
    });
  const entries: LogEntry[] = [
    logEntry('mentor-ai-backend', backend, 'run.googleapis.com/stdout', 50 * min, now, { severity: 'INFO', textPayload: 'INFO:     Started server process [1]' }),
    logEntry('mentor-ai-backend', backend, 'run.googleapis.com/stdout', 50 * min - 900, now, { severity: 'INFO', textPayload: 'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)' }),
    request(45 * min, '/health', 200, 0.003),
    request(30 * min, '/api/test/diagnostic', 200, 0.412),
    logEntry('mentor-ai-backend', backend, 'run.googleapis.com/stdout', 20 * min, now, {
      severity: 'WARNING',
      jsonPayload: { fields: { message: { stringValue: 'Gemini response slow' }, latency_ms: { numberValue: 2480 } } },
    }),
    request(12 * min, '/api/test/diagnostic', 500, 1.905),
    logEntry('mentor-ai-backend', backend, 'run.googleapis.com/stderr', 12 * min - 100, now, {
      severity: 'ERROR',
      textPayload: 'Traceback (most recent call last):\n  File "/app/main.py", line 88, in diagnostic\n    result = await gemini.generate(prompt)\n' +
        'google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for aiplatform.googleapis.com',
    }),
    logEntry('broken-worker', worker, 'run.googleapis.com/stderr', 58 * min, now, {
      severity: 'ERROR', textPayload: "ModuleNotFoundError: No module named 'redis'",
    }),
    logEntry('broken-worker', worker, 'run.googleapis.com/varlog/system', 58 * min - 200, now, { severity: 'WARNING', textPayload: 'Container called exit(1).' }),
    logEntry('broken-worker', worker, 'run.googleapis.com/varlog/system', 57 * min, now, {
      severity: 'ERROR',
      textPayload: 'Default STARTUP TCP probe failed 1 time consecutively for container "broken-worker-1" on port 8080. The instance was not started.',
    }),
  ];
  data.logEntries.push(...entries);
  data.logEntries.sort((a, b) => Number(a.timestamp!.seconds) - Number(b.timestamp!.seconds) || (a.timestamp!.nanos ?? 0) - (b.timestamp!.nanos ?? 0));
}

/** S services × R revisions, all 100 % LATEST; names scale-00001 … so listings sort naturally. */
function seedScale(data: EmulatorData, services: number, revisions: number, now: number): void {
  if (services < 1 || revisions < 1 || services * revisions > 1_000_000) {
    throw invalidArgument(`scale:${services}x${revisions} is out of range (1 ≤ S, R and S×R ≤ 1,000,000).`);
  }
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let s = 1; s <= services; s++) {
    const a = { project: DEMO_PROJECT, location: DEMO_LOCATION, service: `scale-${String(s).padStart(5, '0')}` };
    const record = newServiceRecord(a, timestampFromMs(now - (revisions + 1) * HOUR), SEED_USER);
    let last;
    for (let r = 1; r <= revisions; r++) {
      const at = timestampFromMs(now - (revisions - r + 1) * HOUR + s * 1000);
      const template = validatedSpec('seed', a.project, a.service, {
        template: simpleTemplate(`${IMAGE_REPO}/${a.service}:r${r}`),
      }).template!;
      const suffix = letters[s % 26] + letters[r % 26] + letters[(s * 7 + r) % 26];
      const revision = newRevision(a, autoRevisionName(a.service, r, suffix), template, at, SEED_USER);
      record.revisionFingerprints[autoRevisionName(a.service, r, suffix)] = templateFingerprint(template);
      record.revisions.unshift(revision);
      record.service.template = template;
      record.service.traffic = [{ type: LATEST, percent: 100 }];
      record.service.generation = String(r);
      record.service.latestCreatedRevision = revision.name;
      finishServing(record, a, at, revision);
      last = at;
    }
    record.revisionCounter = revisions;
    record.service.updateTime = last;
    beginReconcile(record, last!, SEED_USER, false);
    finishServing(record, a, last!);
    data.services[record.service.name!] = record;
  }
}
