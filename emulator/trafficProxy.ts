// A service's URLs in runtime mode: one HTTP listener on 127.0.0.1 for the service and one per traffic
// tag. The service listener splits requests over the revisions by their percentages with a smooth
// weighted round-robin (exact over every 100 requests, so tests can count), a tag listener always reaches
// its revision. Every request that reaches the service is written to run.googleapis.com/requests, and every
// one handed to an instance is recorded as Cloud Monitoring metrics (monitoringRecorder.ts).
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogEntry } from './apiTypes';
import type { Instance } from './revisionInstance';
import { type RevisionRef, requestEntry } from './runtimeLogs';
import { nowTimestamp } from './timestamps';

export interface Route {
  /** Revisions with a share of the service URL's traffic (percent > 0). */
  split: { revision: string; percent: number }[];
  /** tag → revision */
  tags: Record<string, string>;
}

export interface ProxyDeps {
  /** The running instance of a revision, started on demand; undefined when it cannot serve. */
  instanceFor(serviceName: string, revision: string): Promise<Instance | undefined>;
  writeLogs(entries: LogEntry[]): void;
  /** allUsers/allAuthenticatedUsers hold roles/run.invoker, or invokerIamDisabled. */
  isPublic(serviceName: string): boolean;
  /** The revision's request timeout (template.timeout, default 300 s). */
  requestTimeoutMs(serviceName: string, revision: string): number;
  /** A request that reached an instance ended (Cloud Monitoring's request_count / request_latencies). */
  recordRequest?(ref: RevisionRef, status: number, latencyMs: number, instanceId: string): void;
}

const FORBIDDEN_TEXT = 'The request was not authenticated. Either allow unauthenticated invocations or set the proper Authorization ' +
  'header. Read more at https://cloud.google.com/run/docs/securing/authenticating Additional troubleshooting documentation can be ' +
  'found at: https://cloud.google.com/run/docs/troubleshooting#unauthorized-client';
const TIMEOUT_TEXT = 'The request has been terminated because it has reached the maximum request timeout. To change this limit, see ' +
  'https://cloud.google.com/run/docs/configuring/request-timeout';
const UNAVAILABLE_TEXT = 'The request failed because either the HTTP response was malformed or connection to the instance had an error.';

function forbiddenPage(path: string): string {
  return '<html><head>\n<meta http-equiv="content-type" content="text/html;charset=utf-8">\n<title>403 Forbidden</title>\n</head>\n' +
    '<body text=#000000 bgcolor=#ffffff>\n<h1>Error: Forbidden</h1>\n' +
    `<h2>Your client does not have permission to get URL <code>${path.replace(/[<>&]/g, '')}</code> from this server.</h2>\n<h2></h2>\n</body></html>\n`;
}

/** Nginx's smooth weighted round-robin: 50/50 alternates, 90/10 gives exactly 90 and 10 per 100. */
export class WeightedRoundRobin {
  private readonly current: number[];
  constructor(private readonly entries: { revision: string; percent: number }[]) {
    this.current = entries.map(() => 0);
  }

  next(): string | undefined {
    if (this.entries.length === 0) return undefined;
    const total = this.entries.reduce((sum, e) => sum + e.percent, 0);
    let best = 0;
    this.entries.forEach((e, i) => {
      this.current[i] += e.percent;
      if (this.current[i] > this.current[best]) best = i;
    });
    this.current[best] -= total;
    return this.entries[best].revision;
  }
}

type Target = { kind: 'service' } | { kind: 'tag'; tag: string };

interface Listener {
  server: http.Server;
  port: number;
}

export class ServiceProxy {
  private main?: Listener;
  private readonly tagListeners = new Map<string, Listener>();
  private route: Route = { split: [], tags: {} };
  private routeKey = '';
  private wrr = new WeightedRoundRobin([]);

  constructor(private readonly deps: ProxyDeps, readonly serviceName: string, private readonly base: Omit<RevisionRef, 'revision'>) {}

  /** Applies a new route; opens/closes listeners. Returns the URLs (ports reused from `ports` when free). */
  async apply(route: Route, ports: Record<string, number>): Promise<{ uri: string; tagUris: Record<string, string>; ports: Record<string, number> }> {
    const key = JSON.stringify(route.split);
    if (key !== this.routeKey) {
      this.routeKey = key;
      this.wrr = new WeightedRoundRobin(route.split);
    }
    this.route = route;
    this.main ??= await this.listen({ kind: 'service' }, ports[''] ?? 0);
    for (const [tag, listener] of this.tagListeners) {
      if (!(tag in route.tags)) {
        this.tagListeners.delete(tag);
        await close(listener);
      }
    }
    for (const tag of Object.keys(route.tags)) {
      if (!this.tagListeners.has(tag)) this.tagListeners.set(tag, await this.listen({ kind: 'tag', tag }, ports[tag] ?? 0));
    }
    const url = (l: Listener) => `http://127.0.0.1:${l.port}`;
    const tagUris = Object.fromEntries([...this.tagListeners].map(([tag, l]) => [tag, url(l)]));
    const usedPorts = { '': this.main.port, ...Object.fromEntries([...this.tagListeners].map(([tag, l]) => [tag, l.port])) };
    return { uri: url(this.main), tagUris, ports: usedPorts };
  }

  async close(): Promise<void> {
    const all = [...this.tagListeners.values(), ...(this.main ? [this.main] : [])];
    this.tagListeners.clear();
    this.main = undefined;
    await Promise.all(all.map(close));
  }

  private async listen(target: Target, preferred: number): Promise<Listener> {
    const server = http.createServer((req, res) => void this.handle(target, req, res));
    server.keepAliveTimeout = 5000;
    const bind = (port: number) => new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
    let port: number;
    try {
      port = await bind(preferred);
    } catch {
      port = await bind(0);
    }
    return { server, port };
  }

  private async handle(target: Target, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const startedAt = nowTimestamp();
    const { traceId, spanId } = traceOf(req.headers['x-cloud-trace-context']);
    const revision = target.kind === 'tag' ? this.route.tags[target.tag] : this.wrr.next();
    let requestSize = 0;
    let responseSize = 0;
    req.on('data', (chunk: Buffer) => { requestSize += chunk.length; });
    // A 'data' listener starts the flow: paused, the body waits for pipe() below instead of being read (and
    // lost) while the instance is looked up or started — a POST/PUT body would never reach the container.
    req.pause();
    const reached: { instance?: Instance } = {}; // set once the request is handed to an instance: only those count as metrics
    const log = (status: number, instance?: Instance, text?: string) => {
      if (!revision) return;
      const ref = { ...this.base, revision };
      if (reached.instance) this.deps.recordRequest?.(ref, status, Date.now() - started, reached.instance.id);
      this.deps.writeLogs([requestEntry(ref, {
        method: req.method ?? 'GET', url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, status, requestSize, responseSize,
        userAgent: header(req, 'user-agent'), remoteIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), referer: header(req, 'referer'),
        protocol: `HTTP/${req.httpVersion}`, startedAt, latencyMs: Date.now() - started, traceId, spanId, instanceId: instance?.id, text,
      })]);
    };
    const answer = (status: number, body: string, text?: string, type = 'text/plain; charset=utf-8') => {
      req.resume();
      if (!res.headersSent) res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      responseSize = Buffer.byteLength(body);
      log(status, undefined, text);
    };
    if (!revision) return answer(503, 'Service Unavailable: no revision of this service is serving traffic.\n');
    if (!this.deps.isPublic(this.serviceName) && !/^bearer\s+\S/i.test(header(req, 'authorization') ?? '')) {
      req.resume();
      return answer(403, forbiddenPage(req.url ?? '/'), FORBIDDEN_TEXT, 'text/html; charset=UTF-8');
    }
    const instance = await this.deps.instanceFor(this.serviceName, revision).catch(() => undefined);
    if (!instance?.alive || !instance.hostPort) return answer(503, 'Service Unavailable\n', UNAVAILABLE_TEXT);
    reached.instance = instance;
    const headers = { ...req.headers };
    headers['x-forwarded-for'] = [header(req, 'x-forwarded-for'), (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = 'http';
    headers['x-cloud-trace-context'] = `${traceId}/${BigInt(`0x${spanId}`).toString()};o=1`;
    headers.traceparent = `00-${traceId}-${spanId}-01`;
    const upstream = http.request({ host: '127.0.0.1', port: instance.hostPort, method: req.method, path: req.url, headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.on('data', (chunk: Buffer) => { responseSize += chunk.length; });
      up.pipe(res);
      up.on('end', () => log(up.statusCode ?? 502, instance));
      up.on('error', () => res.destroy());
    });
    const timer = setTimeout(() => {
      upstream.destroy();
      answer(504, 'upstream request timeout', TIMEOUT_TEXT);
    }, this.deps.requestTimeoutMs(this.serviceName, revision));
    upstream.on('close', () => clearTimeout(timer));
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!res.writableEnded) answer(503, 'Service Unavailable\n', UNAVAILABLE_TEXT);
    });
    req.pipe(upstream);
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** TRACE_ID/SPAN_ID;o=1 from the header when a caller sent one, else new ids (32 / 16 hex digits). */
function traceOf(headerValue: string | string[] | undefined): { traceId: string; spanId: string } {
  const m = /^([0-9a-f]{32})(?:\/(\d+))?/i.exec(Array.isArray(headerValue) ? headerValue[0] : headerValue ?? '');
  const spanId = randomBytes(8).toString('hex');
  return { traceId: m ? m[1].toLowerCase() : randomBytes(16).toString('hex'), spanId };
}

function close(listener: Listener): Promise<void> {
  return new Promise((resolve) => {
    listener.server.close(() => resolve());
    listener.server.closeAllConnections();
  });
}
