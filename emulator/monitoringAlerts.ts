// Alerts (incidents): the evaluator that opens and closes them, and the REST-only `projects.alerts` surface
// that lists them (GET /v3/projects/P/alerts[?filter&orderBy&pageSize&pageToken], GET /v3/projects/P/alerts/ID;
// the Node client has no proto for it). Every `intervalMs` each enabled policy's conditions are evaluated
// (monitoringAlertEval.ts); a series violating a condition for the condition's `duration` opens an alert
// (state OPEN, openTime, a snapshot of the policy, the series' resource and metric) and notifies the policy's
// channels; an open alert whose series no longer violates is CLOSED and notified again. Notifications use
// Google's incident schema version 1.2: email → the outbox, pubsub → a publish to the Pub/Sub emulator
// (pubsubHost, like Cloud Build's notices), webhook_tokenauth → a POST to its URL; unverified channels get
// nothing (Google calls them non-functioning).
import { randomBytes } from 'node:crypto';
import { invalidArgument, notFound } from './apiError';
import { conditionViolations, toMs, type MetricSource, type Violation } from './monitoringAlertEval';
import { durationSeconds } from './monitoringAlertPolicies';
import { emptyMonitoring, type AlertJson, type MonitoringData, type ProtoJson } from './monitoringAlertTypes';
import type { MonitoringOutbox } from './monitoringChannelsOutbox';
import { paginate } from './pagination';
import type { RestHandler } from './restTypes';
import type { StateStore } from './stateStore';

export const DEFAULT_ALERT_EVALUATION_MS = 5000;
/** A 0 (or tiny) interval must not spin the event loop. */
const MIN_EVALUATION_MS = 50;
const NOTIFY_TIMEOUT_MS = 5000;
/** Closed alerts kept (oldest dropped first), so a long-running emulator's state.json stays small. */
const MAX_CLOSED_ALERTS = 500;

export interface AlertEvaluatorOptions {
  state: StateStore;
  outbox: MonitoringOutbox;
  /** The MetricService's store; unset until it exists, then nothing is evaluated. */
  metrics: () => MetricSource | undefined;
  intervalMs?: number;
  /** "HOST:PORT" of the Pub/Sub (emulator) REST endpoint; unset = pubsub channels get nothing. */
  pubsubHost?: string;
}

export interface NotificationCounts {
  email: number;
  pubsub: number;
  webhook: number;
  failed: number;
}

function alertKey(policy: string, condition: string, seriesKey: string): string {
  return `${policy}|${condition}|${seriesKey}`;
}

export class AlertEvaluator {
  readonly counts: NotificationCounts = { email: 0, pubsub: 0, webhook: 0, failed: 0 };
  /** REST base of this emulator, for the incident's url (no console here); set once the port is known. */
  publicBase = '';
  private timer: NodeJS.Timeout | undefined;
  /** alertKey → when its series started violating (ms), for `duration`. In memory: a restart re-waits. */
  private readonly since = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: AlertEvaluatorOptions) {}

  private get data(): MonitoringData {
    return (this.opts.state.data.monitoring ??= emptyMonitoring());
  }

  start(): void {
    this.timer ??= setInterval(() => {
      try {
        this.evaluate();
      } catch {
        // a policy the store cannot answer for must not stop evaluating the others
      }
    }, Math.max(MIN_EVALUATION_MS, this.opts.intervalMs ?? DEFAULT_ALERT_EVALUATION_MS));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves when every notification sent so far got its answer. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Forgets `duration` clocks (Control/Reset replaced the state). */
  dropAll(): void {
    this.since.clear();
  }

  /** One evaluation round at `nowMs`; returns the alerts it opened and closed. */
  evaluate(nowMs = Date.now()): { opened: AlertJson[]; closed: AlertJson[] } {
    const metrics = this.opts.metrics();
    const opened: AlertJson[] = [];
    const closed: AlertJson[] = [];
    const holding = new Set<string>();
    const openByKey = new Map<string, AlertJson>();
    for (const a of Object.values(this.data.alerts)) {
      if (a.state === 'OPEN') openByKey.set(alertKey(a.policy.name, a.conditionName, keyOfAlert(a)), a);
    }
    if (metrics) {
      for (const policy of Object.values(this.data.alertPolicies)) {
        if ((policy.enabled as { value?: boolean } | undefined)?.value === false) continue;
        const project = String(policy.name).split('/')[1];
        const conditions = (policy.conditions as ProtoJson[] | undefined) ?? [];
        const perCondition = conditions.map((c) => ({ c, violations: this.holdingFor(policy, c, conditionViolations(metrics, project, c, nowMs), nowMs) }));
        const combined = combine(String(policy.combiner ?? 'OR'), perCondition.map((p) => p.violations));
        perCondition.forEach(({ c }, i) => {
          for (const v of combined[i]) {
            const key = alertKey(String(policy.name), String(c.name), v.key);
            holding.add(key);
            if (openByKey.has(key)) continue;
            const alert = this.open(policy, c, v, project, nowMs);
            openByKey.set(key, alert);
            opened.push(alert);
          }
        });
      }
    }
    for (const [key, alert] of openByKey) {
      if (holding.has(key)) continue;
      // Nothing violates any more (or the policy went away, or was disabled): the incident closes.
      alert.state = 'CLOSED';
      alert.closeTime = new Date(nowMs).toISOString();
      closed.push(alert);
      const policy = this.data.alertPolicies[alert.policy.name];
      if (policy) this.notify(policy, alert);
    }
    if (closed.length) this.dropOldClosed();
    if (opened.length || closed.length) this.opts.state.changed();
    return { opened, closed };
  }

  private dropOldClosed(): void {
    const closed = Object.values(this.data.alerts).filter((a) => a.state === 'CLOSED')
      .sort((a, b) => toMs(a.closeTime) - toMs(b.closeTime));
    for (const a of closed.slice(0, Math.max(0, closed.length - MAX_CLOSED_ALERTS))) delete this.data.alerts[a.name];
  }

  /** The violations that have lasted the condition's duration; updates the clocks of the others. */
  private holdingFor(policy: ProtoJson, c: ProtoJson, violations: Violation[], nowMs: number): Violation[] {
    const body = (c.conditionThreshold ?? c.conditionAbsent) as ProtoJson;
    // An absence condition's duration is the silence itself, already measured by the query.
    const durationMs = c.conditionAbsent ? 0 : (durationSeconds(body.duration as never) ?? 0) * 1000;
    const prefix = `${String(policy.name)}|${String(c.name)}|`;
    const current = new Set(violations.map((v) => prefix + v.key));
    for (const key of [...this.since.keys()]) if (key.startsWith(prefix) && !current.has(key)) this.since.delete(key);
    return violations.filter((v) => {
      const key = prefix + v.key;
      if (!this.since.has(key)) this.since.set(key, nowMs);
      return nowMs - (this.since.get(key) ?? nowMs) >= durationMs;
    });
  }

  private open(policy: ProtoJson, c: ProtoJson, v: Violation, project: string, nowMs: number): AlertJson {
    const id = `0.${randomBytes(9).toString('hex')}`;
    const alert: AlertJson = {
      name: `projects/${project}/alerts/${id}`,
      state: 'OPEN',
      openTime: new Date(nowMs).toISOString(),
      policy: {
        name: String(policy.name), displayName: String(policy.displayName ?? ''),
        ...(policy.severity && policy.severity !== 'SEVERITY_UNSPECIFIED' ? { severity: String(policy.severity) } : {}),
        userLabels: { ...(policy.userLabels as Record<string, string> | undefined) },
      },
      resource: v.resource,
      metric: v.metric,
      conditionName: String(c.name),
      ...(v.value !== undefined ? { observedValue: v.value } : {}),
    };
    this.data.alerts[alert.name] = alert;
    this.notify(policy, alert);
    return alert;
  }

  /** Google's notification JSON (schema version 1.2) for an alert opening or closing. */
  notification(policy: ProtoJson, alert: AlertJson): ProtoJson {
    const condition = ((policy.conditions as ProtoJson[] | undefined) ?? []).find((c) => c.name === alert.conditionName);
    const threshold = (condition?.conditionThreshold as ProtoJson | undefined)?.thresholdValue;
    const conditionName = String(condition?.displayName ?? alert.conditionName);
    const service = alert.resource.labels.service_name;
    const state = alert.state === 'OPEN' ? 'open' : 'closed';
    const observed = alert.observedValue !== undefined ? ` (observed ${formatValue(alert.observedValue)}${threshold !== undefined ? `, threshold ${String(threshold)}` : ''})` : '';
    const summary = alert.state === 'OPEN'
      ? `${conditionName} for ${service ? `${alert.resource.type} ${service}` : alert.resource.type} is violated${observed}.`
      : `${conditionName} for ${service ? `${alert.resource.type} ${service}` : alert.resource.type} returned to normal.`;
    return {
      incident: {
        incident_id: alert.name.split('/').pop(),
        scoping_project_id: alert.name.split('/')[1],
        url: `${this.publicBase}/v3/${alert.name}`,
        started_at: Math.floor(toMs(alert.openTime) / 1000),
        ended_at: alert.closeTime ? Math.floor(toMs(alert.closeTime) / 1000) : null,
        state,
        summary,
        resource: alert.resource,
        resource_name: service ? `${alert.resource.labels.project_id} ${service}` : alert.resource.type,
        metric: { type: alert.metric.type, displayName: alert.metric.type.split('/').pop(), labels: alert.metric.labels },
        policy_name: alert.policy.displayName,
        policy_user_labels: alert.policy.userLabels,
        condition_name: conditionName,
        ...(threshold !== undefined ? { threshold_value: String(threshold) } : {}),
        ...(alert.observedValue !== undefined ? { observed_value: formatValue(alert.observedValue) } : {}),
        documentation: policy.documentation ?? {},
      },
      version: '1.2',
    };
  }

  private notify(policy: ProtoJson, alert: AlertJson): void {
    const payload = this.notification(policy, alert);
    for (const name of (policy.notificationChannels as string[] | undefined) ?? []) {
      const channel = this.data.notificationChannels[name];
      if (!channel || (channel.enabled as { value?: boolean } | undefined)?.value === false) continue;
      if (channel.verificationStatus === 'UNVERIFIED') continue;
      const labels = (channel.labels ?? {}) as Record<string, string>;
      const incident = payload.incident as Record<string, unknown>;
      if (channel.type === 'email') {
        this.counts.email += 1;
        this.opts.outbox.deliver({
          kind: 'incident', to: labels.email_address, channel: name, alert: alert.name,
          subject: `[ALERT - ${alert.state === 'OPEN' ? 'Open' : 'Closed'}] ${alert.policy.displayName}`,
          body: `${String(incident.summary)}\n\nPolicy: ${alert.policy.displayName}\nIncident: ${String(incident.url)}\n\n${JSON.stringify(payload)}`,
        });
      } else if (channel.type === 'pubsub' && this.opts.pubsubHost) {
        const message = { data: Buffer.from(JSON.stringify(payload)).toString('base64') };
        this.send(`http://${this.opts.pubsubHost}/v1/${labels.topic}:publish`, { messages: [message] }, 'pubsub');
      } else if (channel.type === 'webhook_tokenauth' && labels.url) {
        this.send(labels.url, payload, 'webhook');
      }
    }
  }

  private send(url: string, body: object, kind: 'pubsub' | 'webhook'): void {
    const done = (async () => {
      try {
        const res = await fetch(url, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
          signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.counts[kind] += 1;
        else this.counts.failed += 1;
      } catch {
        this.counts.failed += 1; // nobody listening there: the incident stands regardless
      }
    })();
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** The REST surface: GET /v3/projects/P/alerts and /v3/projects/P/alerts/ID. */
  readonly rest: RestHandler = async (request) => {
    const m = /^\/v3\/projects\/([^/]+)\/alerts(?:\/([^/]+))?$/.exec(request.path);
    if (!m) return undefined;
    if (request.method.toUpperCase() !== 'GET') throw invalidArgument(`${request.method} is not allowed on ${request.path}; alerts are read-only.`);
    const [, project, id] = m;
    if (id) {
      const alert = this.data.alerts[`projects/${project}/alerts/${id}`];
      if (!alert) throw notFound(`Could not find alert projects/${project}/alerts/${id}.`);
      return { status: 200, json: publicAlert(alert) };
    }
    const q = request.query;
    const filter = q.get('filter') ?? '';
    const orderBy = q.get('orderBy') ?? q.get('order_by') ?? '';
    const matches = alertFilter(filter);
    const all = Object.values(this.data.alerts).filter((a) => a.name.startsWith(`projects/${project}/alerts/`) && matches(a));
    all.sort(alertOrder(orderBy));
    const pageSize = Number(q.get('pageSize') ?? q.get('page_size') ?? 0);
    const page = paginate(all, { pageSize, pageToken: q.get('pageToken') ?? q.get('page_token') ?? undefined }, `alerts ${project} ${filter} ${orderBy}`, { defaultSize: 100, maxSize: 1000 });
    return { status: 200, json: { alerts: page.items.map(publicAlert), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}), totalSize: all.length } };
  };
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

function keyOfAlert(a: AlertJson): string {
  const sorted = (o: Record<string, string>) => Object.entries(o).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify([sorted(a.resource.labels), sorted(a.metric.labels)]);
}

/** OR: each condition stands alone; AND: all must have violations; AND_WITH_MATCHING_RESOURCE: on one resource. */
function combine(combiner: string, lists: Violation[][]): Violation[][] {
  if (lists.length < 2 || combiner === 'OR' || combiner === 'COMBINE_UNSPECIFIED') return lists;
  if (lists.some((l) => !l.length)) return lists.map(() => []);
  if (combiner !== 'AND_WITH_MATCHING_RESOURCE') return lists;
  const resourceKey = (v: Violation) => JSON.stringify(Object.entries(v.resource.labels).sort(([a], [b]) => a.localeCompare(b)));
  const common = lists.map((l) => new Set(l.map(resourceKey))).reduce((a, b) => new Set([...a].filter((k) => b.has(k))));
  return lists.map((l) => l.filter((v) => common.has(resourceKey(v))));
}

/** The alert as the REST API shows it (the evaluator's bookkeeping fields stay inside). */
function publicAlert(a: AlertJson): ProtoJson {
  const { conditionName: _c, observedValue: _v, ...rest } = a;
  return rest;
}

function fieldOf(a: AlertJson, path: string): string | undefined {
  const p = path.replace(/([a-z])([A-Z])/g, (_m, x: string, y: string) => `${x}_${y.toLowerCase()}`);
  const label = /^(policy\.user_labels|resource\.labels|metric\.labels)\.(.+)$/.exec(p);
  if (label) {
    const source = label[1] === 'policy.user_labels' ? a.policy.userLabels : label[1] === 'resource.labels' ? a.resource.labels : a.metric.labels;
    return source[label[2]];
  }
  switch (p) {
    case 'state': return a.state;
    case 'name': return a.name;
    case 'policy.name': return a.policy.name;
    case 'policy.display_name': return a.policy.displayName;
    case 'policy.severity': return a.policy.severity;
    case 'resource.type': return a.resource.type;
    case 'metric.type': return a.metric.type;
    default: throw invalidArgument(`Invalid filter: unknown field "${path}". Filter on state, policy.name, policy.display_name, policy.user_labels.KEY, resource.type, resource.labels.KEY, metric.type or metric.labels.KEY.`);
  }
}

/** `state="OPEN" AND policy.user_labels.team="web"` — ANDed equality terms (quotes optional). */
function alertFilter(filter: string): (a: AlertJson) => boolean {
  if (!filter.trim()) return () => true;
  const terms = filter.split(/\s+AND\s+/).map((term) => {
    const m = /^\s*([\w.-]+)\s*(=|!=)\s*(?:"([^"]*)"|'([^']*)'|([\w.:/-]+))\s*$/.exec(term);
    if (!m) throw invalidArgument(`Invalid filter "${filter}": expected terms like state="OPEN" joined by AND.`);
    return { path: m[1], negate: m[2] === '!=', value: m[3] ?? m[4] ?? m[5] };
  });
  // An unknown field is refused even when there is nothing to filter (as Google parses filters first).
  const probe: AlertJson = { name: '', state: 'OPEN', openTime: '', policy: { name: '', displayName: '', userLabels: {} }, resource: { type: '', labels: {} }, metric: { type: '', labels: {} }, conditionName: '' };
  for (const { path } of terms) fieldOf(probe, path);
  return (a) => terms.every(({ path, negate, value }) => (fieldOf(a, path) === value) !== negate);
}

/** orderBy: "open_time desc", "close_time", comma-separated; default newest open first. */
function alertOrder(orderBy: string): (x: AlertJson, y: AlertJson) => number {
  const keys = (orderBy.trim() ? orderBy.split(',') : ['open_time desc']).map((part) => {
    const [field, dir] = part.trim().split(/\s+/);
    const f = field.replace(/([a-z])([A-Z])/g, (_m, x: string, y: string) => `${x}_${y.toLowerCase()}`);
    if (f !== 'open_time' && f !== 'close_time') throw invalidArgument(`Invalid orderBy "${orderBy}": alerts sort by open_time or close_time.`);
    if (dir && dir.toLowerCase() !== 'desc' && dir.toLowerCase() !== 'asc') throw invalidArgument(`Invalid orderBy "${orderBy}": the direction is asc or desc.`);
    return { f, desc: dir?.toLowerCase() === 'desc' };
  });
  return (x, y) => {
    for (const { f, desc } of keys) {
      const vx = toMs(f === 'open_time' ? x.openTime : x.closeTime) || 0;
      const vy = toMs(f === 'open_time' ? y.openTime : y.closeTime) || 0;
      if (vx !== vy) return desc ? vy - vx : vx - vy;
    }
    return x.name.localeCompare(y.name);
  };
}
