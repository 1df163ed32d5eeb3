// Traffic plans: what a split looks like, how to describe it to a person, and how to move it.
// Pure functions so the rules are unit-tested without VS Code or a cloud.
import { TrafficTarget } from './model';

export interface TrafficPlan {
  /** Targets to send in UpdateService. */
  targets: TrafficTarget[];
  /** Human summary of the change, e.g. "api-00002-abc 10% → 100%, api-00003-xyz 90% → 0%". */
  description: string;
}

/** Sums percent per revision, folding the 'latest' entries into the revision they resolved to. */
export function percentByRevision(statuses: readonly TrafficTarget[]): Map<string, number> {
  const byRevision = new Map<string, number>();
  for (const status of statuses) {
    const key = status.revision ?? 'LATEST';
    byRevision.set(key, (byRevision.get(key) ?? 0) + status.percent);
  }
  return byRevision;
}

/** "api-00003-xyz 90% (latest) · api-00002-abc 10%" — serving revisions only, largest share first. */
export function describeSplit(statuses: readonly TrafficTarget[]): string {
  const serving = statuses.filter((s) => s.percent > 0);
  if (serving.length === 0) return 'no traffic';
  return [...serving]
    .sort((a, b) => b.percent - a.percent)
    .map((s) => `${s.revision ?? 'latest'} ${s.percent}%${s.kind === 'latest' ? ' (latest)' : ''}`)
    .join(' · ');
}

/** Short summary for a service row: "100% latest", "90% / 10%". */
export function summarizeSplit(statuses: readonly TrafficTarget[]): string {
  const serving = statuses.filter((s) => s.percent > 0).sort((a, b) => b.percent - a.percent);
  if (serving.length === 0) return 'no traffic';
  if (serving.length === 1) return `100% ${serving[0].kind === 'latest' ? 'latest' : serving[0].revision}`;
  return serving.map((s) => `${s.percent}%`).join(' / ');
}

/** What one revision gets: "100% · latest", "10% · canary", "0% · canary" or "" when it gets nothing. */
export function revisionTrafficLabel(revision: string, statuses: readonly TrafficTarget[]): string {
  const mine = statuses.filter((s) => s.revision === revision);
  const percent = mine.reduce((sum, s) => sum + s.percent, 0);
  const notes = [...mine.filter((s) => s.kind === 'latest' && s.percent > 0).map(() => 'latest'),
    ...mine.map((s) => s.tag).filter((t): t is string => !!t)];
  if (percent === 0 && notes.length === 0) return '';
  return [`${percent}%`, ...new Set(notes)].join(' · ');
}

export function isServing(revision: string, statuses: readonly TrafficTarget[]): boolean {
  return statuses.some((s) => s.revision === revision && s.percent > 0);
}

/** Returns why a set of targets would be rejected by Cloud Run, or undefined when it is valid. */
export function trafficProblem(targets: readonly TrafficTarget[]): string | undefined {
  const total = targets.reduce((sum, t) => sum + t.percent, 0);
  if (targets.some((t) => !Number.isInteger(t.percent) || t.percent < 0 || t.percent > 100)) {
    return 'Each traffic percent must be a whole number from 0 to 100.';
  }
  if (total !== 100) return `Traffic percents must add up to 100, not ${total}.`;
  if (targets.some((t) => t.kind === 'revision' && !t.revision)) return 'A revision target needs a revision name.';
  const tags = targets.map((t) => t.tag).filter((t): t is string => !!t);
  const duplicate = tags.find((t, i) => tags.indexOf(t) !== i);
  if (duplicate) return `Traffic tag "${duplicate}" is used more than once.`;
  return undefined;
}

/**
 * Route all traffic to one revision, keeping every tag where it points (tags are how people reach old
 * revisions for testing and rollback) with 0% each.
 */
export function routeAllTraffic(revision: string, current: readonly TrafficTarget[]): TrafficPlan {
  const targets: TrafficTarget[] = [{ kind: 'revision', revision, percent: 100 }];
  for (const status of current) {
    if (!status.tag) continue;
    if (status.revision === revision) targets[0].tag = status.tag;
    else targets.push({ kind: 'revision', revision: status.revision, percent: 0, tag: status.tag });
  }
  return { targets, description: describeChange(current, targets) };
}

/**
 * The targets that restore a previous desired split exactly (for Undo). An empty split is Cloud Run's
 * "100% to the latest ready revision".
 */
export function restoreSplit(previous: readonly TrafficTarget[]): TrafficPlan {
  if (previous.length === 0) {
    return { targets: [{ kind: 'latest', percent: 100 }], description: 'restore 100% latest' };
  }
  const targets = previous.map((s) => ({
    kind: s.kind,
    revision: s.kind === 'latest' ? undefined : s.revision,
    percent: s.percent,
    tag: s.tag,
  }));
  return { targets, description: `restore ${describeSplit(previous)}` };
}

function describeChange(before: readonly TrafficTarget[], after: readonly TrafficTarget[]): string {
  const was = percentByRevision(before);
  const will = percentByRevision(after);
  const revisions = new Set([...was.keys(), ...will.keys()]);
  const changes: string[] = [];
  for (const revision of revisions) {
    const from = was.get(revision) ?? 0;
    const to = will.get(revision) ?? 0;
    if (from !== to) changes.push(`${revision} ${from}% → ${to}%`);
  }
  return changes.length ? changes.join(', ') : 'no change';
}
