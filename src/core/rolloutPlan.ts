// Traffic for a health-gated rollout: the candidate revision starts at 0% with a tag, moves through the
// configured steps, and any failure restores exactly the split that served before.
import { TrafficTarget } from './model';

export const CANDIDATE_TAG = 'candidate';

/**
 * The serving split with 'latest' replaced by the revision it resolves to, so a new revision gets nothing.
 * Every tag stays its own entry (a revision may carry several); untagged shares of a revision are merged.
 */
export function pinnedSplit(statuses: readonly TrafficTarget[]): TrafficTarget[] {
  const entries = new Map<string, TrafficTarget>();
  for (const status of statuses) {
    if (!status.revision) continue;
    const key = `${status.revision}\u0000${status.tag ?? ''}`;
    const existing = entries.get(key);
    if (existing) existing.percent += status.percent;
    else entries.set(key, { kind: 'revision', revision: status.revision, percent: status.percent, ...(status.tag ? { tag: status.tag } : {}) });
  }
  return [...entries.values()].filter((t) => t.percent > 0 || t.tag);
}

/**
 * `percent` to the candidate, the rest shared by the previous revisions in their current proportions
 * (whole percents that still sum to 100). Tags other than the candidate's stay where they are.
 */
export function candidateSplit(previous: readonly TrafficTarget[], candidate: string, percent: number): TrafficTarget[] {
  // A "candidate" tag left on an older revision (an interrupted deploy) moves to the new candidate; the
  // traffic it carried stays on its revision, untagged, so nothing that served is lost.
  const others = previous.filter((t) => t.revision !== candidate && (t.tag !== CANDIDATE_TAG || t.percent > 0))
    .map((t) => (t.tag === CANDIDATE_TAG ? { kind: t.kind, revision: t.revision, percent: t.percent } : t));
  const total = others.reduce((sum, t) => sum + t.percent, 0);
  const remaining = 100 - percent;
  let assigned = 0;
  const scaled = others.map((t, i) => {
    const share = total === 0 ? 0 : i === others.length - 1 ? remaining - assigned : Math.floor((t.percent * remaining) / total);
    assigned += share;
    return { ...t, percent: share };
  });
  if (total === 0 && remaining > 0) throw new Error('No previous revision serves traffic to keep the rest.');
  const tag = percent < 100 ? { tag: CANDIDATE_TAG } : {};
  return [{ kind: 'revision', revision: candidate, percent, ...tag }, ...scaled.filter((t) => t.percent > 0 || t.tag)];
}

/** Cloud Run naming for a revision we name ourselves: SERVICE-NNNNN-xyz after the latest created one. */
export function nextRevisionName(service: string, latestCreated: string | undefined, random: () => number = Math.random): string {
  const counter = Number(/-(\d{5})-[a-z0-9]+$/.exec(latestCreated ?? '')?.[1] ?? 0) + 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const suffix = Array.from({ length: 3 }, () => letters[Math.floor(random() * letters.length)]).join('');
  return `${service}-${String(counter).padStart(5, '0')}-${suffix}`;
}

/** Error rate in percent from request-log statuses (5xx count as errors); undefined without requests. */
export function errorRatePercent(statuses: readonly number[]): number | undefined {
  if (statuses.length === 0) return undefined;
  return (100 * statuses.filter((s) => s >= 500).length) / statuses.length;
}
