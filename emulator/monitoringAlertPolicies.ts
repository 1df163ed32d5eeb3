// Cloud Monitoring's AlertPolicyService: CRUD of alerting policies with the checks Google makes on write
// (alert.proto's documented rules: a display name, one to six conditions each of one kind, a combiner when
// there are several, threshold durations in whole minutes, absence durations of at least 120 s, alignment
// periods of 60 s to 25 h, ratio numerator/denominator with the same period, only GT/LT comparisons,
// user labels in lowercase, notification channels that exist). The server names policies and conditions
// (projects/P/alertPolicies/ID, …/conditions/ID) and keeps creationRecord / mutationRecord.
import { randomInt } from 'node:crypto';
import { invalidArgument, notFound } from './apiError';
import type { Duration } from './apiTypes';
import { emptyMonitoring, type MonitoringData, type ProtoJson } from './monitoringAlertTypes';
import { paginate } from './pagination';
import type { StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

const MAX_CONDITIONS = 6;
const MAX_ALIGNMENT_S = 90_000;
const COMBINERS = ['AND', 'OR', 'AND_WITH_MATCHING_RESOURCE'];
const CONDITION_KINDS = [
  'conditionThreshold', 'conditionAbsent', 'conditionMatchedLog', 'conditionMonitoringQueryLanguage',
  'conditionPrometheusQueryLanguage', 'conditionSql',
];
const LABEL_RE = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;

export function durationSeconds(d: Duration | string | undefined): number | undefined {
  if (d === undefined || d === null) return undefined;
  if (typeof d === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(d);
    return m ? Number(m[1]) : NaN;
  }
  return Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9;
}

function newId(): string {
  return String(randomInt(1, 2 ** 47)) + String(randomInt(0, 1e6)).padStart(6, '0');
}

export class AlertPolicies {
  constructor(private readonly state: StateStore, private readonly user: string) {}

  private get data(): MonitoringData {
    return (this.state.data.monitoring ??= emptyMonitoring());
  }

  createAlertPolicy(req: { name?: string; alertPolicy?: ProtoJson }) {
    const project = parentProject(req.name ?? '');
    const body = { ...(req.alertPolicy ?? {}) };
    if (body.name) throw invalidArgument('Field alert_policy.name must be empty on create: the server assigns it.');
    const name = `projects/${project}/alertPolicies/${newId()}`;
    const record = { mutateTime: nowTimestamp(), mutatedBy: this.user };
    const policy: ProtoJson = {
      ...body, name, conditions: this.checkPolicy(project, body, name, []),
      enabled: body.enabled ?? { value: true }, userLabels: { ...(body.userLabels as object) },
      creationRecord: record, mutationRecord: record,
    };
    this.data.alertPolicies[name] = policy;
    this.state.changed();
    return policy;
  }

  getAlertPolicy(req: { name?: string }) {
    return this.find(req.name ?? '');
  }

  listAlertPolicies(req: { name?: string; filter?: string; orderBy?: string; pageSize?: number; pageToken?: string }) {
    const project = parentProject(req.name ?? '');
    const prefix = `projects/${project}/alertPolicies/`;
    const matches = policyFilter(req.filter ?? '');
    const all = Object.values(this.data.alertPolicies)
      .filter((p) => String(p.name).startsWith(prefix) && matches(p))
      .sort((a, b) => String(a.displayName).localeCompare(String(b.displayName)) || String(a.name).localeCompare(String(b.name)));
    const page = paginate(all, req, `policies ${project} ${req.filter ?? ''}`, { defaultSize: 100, maxSize: 1000 });
    return { alertPolicies: page.items, nextPageToken: page.nextPageToken, totalSize: all.length };
  }

  updateAlertPolicy(req: { updateMask?: { paths?: string[] }; alertPolicy?: ProtoJson }) {
    const body = req.alertPolicy ?? {};
    const existing = this.find(String(body.name ?? ''));
    const project = String(existing.name).split('/')[1];
    // Without a mask the policy is replaced by the one sent (alert_service.proto).
    let next: ProtoJson;
    if (req.updateMask?.paths?.length) {
      next = { ...existing };
      for (const path of req.updateMask.paths) {
        const [head, ...rest] = path.split('.');
        const key = head.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (key === 'userLabels' && rest.length) {
          next.userLabels = { ...(next.userLabels as object), [rest.join('.')]: (body.userLabels as Record<string, string> | undefined)?.[rest.join('.')] };
        } else if (['name', 'creationRecord', 'mutationRecord'].includes(key)) {
          throw invalidArgument(`Field ${path} in update_mask cannot be updated.`);
        } else {
          next[key] = body[key];
        }
      }
    } else {
      next = { ...body, name: existing.name, creationRecord: existing.creationRecord };
    }
    next.conditions = this.checkPolicy(project, next, String(existing.name), (existing.conditions as ProtoJson[]) ?? []);
    next.enabled ??= { value: true };
    next.userLabels ??= {};
    next.mutationRecord = { mutateTime: nowTimestamp(), mutatedBy: this.user };
    this.data.alertPolicies[String(existing.name)] = next;
    this.state.changed();
    return next;
  }

  deleteAlertPolicy(req: { name?: string }) {
    const policy = this.find(req.name ?? '');
    delete this.data.alertPolicies[String(policy.name)];
    this.state.changed();
    return {};
  }

  find(name: string): ProtoJson {
    const policy = this.data.alertPolicies[name];
    if (policy) return policy;
    if (!/^projects\/[^/]+\/alertPolicies\/[^/]+$/.test(name)) {
      throw invalidArgument(`Field name had an invalid value of "${name}": must be projects/[PROJECT_ID_OR_NUMBER]/alertPolicies/[ALERT_POLICY_ID].`);
    }
    throw notFound(`Could not find alert policy ${name}.`);
  }

  /** Throws INVALID_ARGUMENT like Google; returns the conditions with server-assigned names. */
  private checkPolicy(project: string, p: ProtoJson, policyName: string, previous: ProtoJson[]): ProtoJson[] {
    if (!String(p.displayName ?? '').trim()) throw invalidArgument('Field alert_policy.display_name is required.');
    const conditions = (p.conditions as ProtoJson[] | undefined) ?? [];
    if (!conditions.length) throw invalidArgument('Field alert_policy.conditions must contain at least one condition.');
    if (conditions.length > MAX_CONDITIONS) throw invalidArgument(`Field alert_policy.conditions has ${conditions.length} conditions; a policy can have at most ${MAX_CONDITIONS}.`);
    const combiner = p.combiner as string | undefined;
    if (combiner && combiner !== 'COMBINE_UNSPECIFIED' && !COMBINERS.includes(combiner)) {
      throw invalidArgument(`Field alert_policy.combiner had an invalid value of "${combiner}".`);
    }
    if (conditions.length > 1 && (!combiner || combiner === 'COMBINE_UNSPECIFIED')) {
      throw invalidArgument('Field alert_policy.combiner must be specified (AND, OR or AND_WITH_MATCHING_RESOURCE) when a policy has more than one condition.');
    }
    for (const [key, value] of Object.entries((p.userLabels as Record<string, string> | undefined) ?? {})) {
      if (!LABEL_RE.test(key)) throw invalidArgument(`Field alert_policy.user_labels has an invalid key "${key}": keys start with a lowercase letter and contain only lowercase letters, digits, "_" and "-" (at most 63).`);
      if (!LABEL_VALUE_RE.test(value)) throw invalidArgument(`Field alert_policy.user_labels["${key}"] has an invalid value "${value}": values contain only lowercase letters, digits, "_" and "-" (at most 63).`);
    }
    for (const channel of (p.notificationChannels as string[] | undefined) ?? []) {
      if (!this.data.notificationChannels[channel]) {
        throw invalidArgument(`Field alert_policy.notification_channels had an invalid value of "${channel}": notification channel not found in project ${project}.`);
      }
    }
    if (p.severity && !['SEVERITY_UNSPECIFIED', 'CRITICAL', 'ERROR', 'WARNING'].includes(String(p.severity))) {
      throw invalidArgument(`Field alert_policy.severity had an invalid value of "${String(p.severity)}".`);
    }
    const known = new Set(previous.map((c) => String(c.name)));
    return conditions.map((c, i) => {
      checkCondition(c, `alert_policy.conditions[${i}]`);
      // A condition keeps its name on update when the caller sends it back; new ones get one.
      const name = c.name && known.has(String(c.name)) ? String(c.name) : `${policyName}/conditions/${newId()}`;
      return { ...c, name };
    });
  }
}

function parentProject(name: string): string {
  const m = /^projects\/([^/]+)$/.exec(name);
  if (!m) throw invalidArgument(`Field name had an invalid value of "${name}": must be projects/[PROJECT_ID_OR_NUMBER].`);
  return m[1];
}

function checkCondition(c: ProtoJson, field: string): void {
  if (!String(c.displayName ?? '').trim()) throw invalidArgument(`Field ${field}.display_name is required.`);
  const kinds = CONDITION_KINDS.filter((k) => c[k] !== undefined && c[k] !== null);
  if (kinds.length !== 1) throw invalidArgument(`Field ${field} must have exactly one condition type (condition_threshold, condition_absent, …); it has ${kinds.length}.`);
  const kind = kinds[0];
  const body = c[kind] as ProtoJson;
  if (kind === 'conditionThreshold') {
    checkFilter(body.filter, `${field}.condition_threshold.filter`);
    const comparison = String(body.comparison ?? 'COMPARISON_UNSPECIFIED');
    if (comparison !== 'COMPARISON_GT' && comparison !== 'COMPARISON_LT') {
      throw invalidArgument(`Field ${field}.condition_threshold.comparison had an invalid value of "${comparison}": only COMPARISON_GT and COMPARISON_LT are supported.`);
    }
    checkDuration(body.duration as Duration | undefined, `${field}.condition_threshold.duration`, 0);
    const numerator = checkAggregations(body.aggregations, `${field}.condition_threshold.aggregations`);
    if (body.denominatorFilter) {
      checkFilter(body.denominatorFilter, `${field}.condition_threshold.denominator_filter`);
      const denominator = checkAggregations(body.denominatorAggregations, `${field}.condition_threshold.denominator_aggregations`);
      if (numerator !== denominator) {
        throw invalidArgument(`Field ${field}.condition_threshold: aggregations and denominator_aggregations must use the same alignment period (${String(numerator)}s vs ${String(denominator)}s).`);
      }
    } else if ((body.denominatorAggregations as unknown[] | undefined)?.length) {
      throw invalidArgument(`Field ${field}.condition_threshold.denominator_aggregations is set without a denominator_filter.`);
    }
    checkTrigger(body.trigger as ProtoJson | undefined, `${field}.condition_threshold.trigger`);
  } else if (kind === 'conditionAbsent') {
    checkFilter(body.filter, `${field}.condition_absent.filter`);
    checkDuration(body.duration as Duration | undefined, `${field}.condition_absent.duration`, 120);
    checkAggregations(body.aggregations, `${field}.condition_absent.aggregations`);
    checkTrigger(body.trigger as ProtoJson | undefined, `${field}.condition_absent.trigger`);
  } else {
    throw invalidArgument(`Field ${field}: the emulator evaluates only condition_threshold and condition_absent, not ${kind}.`);
  }
}

function checkFilter(filter: unknown, field: string): void {
  const text = String(filter ?? '');
  if (!text.trim()) throw invalidArgument(`Field ${field} is required.`);
  if (text.length > 2048) throw invalidArgument(`Field ${field} must not exceed 2048 characters.`);
  if (!/metric\.type\s*=\s*"[^"]+"/.test(text)) throw invalidArgument(`Field ${field} had an invalid value of "${text}": the filter must specify a metric type (metric.type = "…").`);
}

function checkDuration(d: Duration | undefined, field: string, minimum: number): void {
  const s = durationSeconds(d);
  if (s === undefined) {
    if (minimum > 0) throw invalidArgument(`Field ${field} is required and must be at least ${minimum}s.`);
    throw invalidArgument(`Field ${field} is required (e.g. "0s" or "60s").`);
  }
  if (!Number.isFinite(s) || s < minimum || Math.round(s) % 60 !== 0) {
    throw invalidArgument(`Field ${field} had an invalid value of ${String(s)}s: it must be a whole number of minutes${minimum ? ` and at least ${minimum}s` : ''}.`);
  }
}

/** Returns the alignment period in seconds (undefined = no aggregation). */
function checkAggregations(aggs: unknown, field: string): number | undefined {
  const list = (aggs as ProtoJson[] | undefined) ?? [];
  let period: number | undefined;
  list.forEach((a, i) => {
    const aligner = String(a.perSeriesAligner ?? 'ALIGN_NONE');
    const s = durationSeconds(a.alignmentPeriod as Duration | undefined);
    if (aligner !== 'ALIGN_NONE') {
      if (s === undefined) throw invalidArgument(`Field ${field}[${i}].alignment_period is required with per_series_aligner ${aligner}.`);
      if (!Number.isFinite(s) || s < 60 || s > MAX_ALIGNMENT_S) {
        throw invalidArgument(`Field ${field}[${i}].alignment_period had an invalid value of ${String(s)}s: it must be between 60s and ${MAX_ALIGNMENT_S}s for alerting policies.`);
      }
      period = s;
    }
    const reducer = String(a.crossSeriesReducer ?? 'REDUCE_NONE');
    if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE') {
      throw invalidArgument(`Field ${field}[${i}]: cross_series_reducer ${reducer} needs a per_series_aligner other than ALIGN_NONE.`);
    }
  });
  return period;
}

function checkTrigger(trigger: ProtoJson | undefined, field: string): void {
  if (!trigger) return;
  if (trigger.count !== undefined && Number(trigger.count) < 0) throw invalidArgument(`Field ${field}.count must not be negative.`);
  if (trigger.percent !== undefined && (Number(trigger.percent) < 0 || Number(trigger.percent) > 100)) {
    throw invalidArgument(`Field ${field}.percent must be between 0 and 100.`);
  }
}

/** ListAlertPolicies' filter, as far as clients use it: ANDed `field = "value"` terms on names and labels. */
function policyFilter(filter: string): (p: ProtoJson) => boolean {
  if (!filter.trim()) return () => true;
  const terms = filter.split(/\s+AND\s+/).map((term) => {
    const m = /^\s*([\w.-]+)\s*(=|:)\s*"?([^"]*)"?\s*$/.exec(term);
    if (!m) throw invalidArgument(`Invalid filter "${filter}": expected terms like user_labels.team = "web" joined by AND.`);
    return { path: m[1], value: m[3] };
  });
  return (p) => terms.every(({ path, value }) => {
    const label = /^(?:user_labels?|userLabels)\.(.+)$/.exec(path);
    if (label) return (p.userLabels as Record<string, string> | undefined)?.[label[1]] === value;
    if (path === 'display_name' || path === 'displayName') return p.displayName === value;
    if (path === 'name') return p.name === value;
    if (path === 'enabled') return String((p.enabled as { value?: boolean } | undefined)?.value ?? true) === value;
    throw invalidArgument(`Invalid filter "${filter}": the emulator filters policies by user_labels.KEY, display_name, name or enabled.`);
  });
}
