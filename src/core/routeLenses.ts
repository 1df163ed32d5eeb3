// What the route CodeLens shows in one file: for each route handler the file defines, the line above its
// decorator and the text — live numbers, "no traffic in the last hour", or (once per file) why there are
// none. No vscode import: the editor's provider, the tests and the bench all call lensesForFile.
import type { ErrorKind } from './errors';
import type { DetectedRoute } from './fastapiRoutes';
import { RouteFilter, routeLabel, timestampMs } from './logEntries';
import type { RouteSpec } from './routeMatch';
import { RouteStats, formatAgo, lensText } from './routeStats';
import type { CloudProblem } from './traceback';

/** Where the numbers stand for a service. */
export type ServiceInsight =
  | { kind: 'stats'; stats: ReadonlyMap<string, RouteStats>; listedAtMs: number; capped: boolean }
  | { kind: 'notDeployed'; service: string }
  /** Not signed in, a bad setting, an API refusing: the message says what to do. */
  | { kind: 'unavailable'; message: string; reason?: ErrorKind };

export interface LensLine {
  /** 1-based line of the route's decorator: the lens sits above it. */
  line: number;
  title: string;
  tooltip: string;
  /** The route, for "Show logs for this route"; absent on a state line. */
  route?: RouteFilter;
}

/** Why there are no numbers, in a few words (the tooltip has the whole message). */
const UNAVAILABLE_TITLES: Partial<Record<ErrorKind, string>> = {
  noCredentials: 'sign in to Google Cloud for production numbers',
  permissionDenied: 'no permission to read the request logs',
  apiDisabled: 'the Cloud Logging API is off in this project',
  configuration: 'check the mentor.* settings for production numbers',
  unreachable: 'production numbers unavailable (endpoint unreachable)',
  unknown: 'no production numbers',
};

/** The note after a line where production raised: "⚠ 3× in production, last 2 min ago (RuntimeError)". */
export function productionErrorNote(problems: readonly Pick<CloudProblem, 'count' | 'lastSeen' | 'exceptionType'>[], nowMs: number): string {
  const count = problems.reduce((sum, p) => sum + p.count, 0);
  const last = Math.max(...problems.map((p) => timestampMs(p.lastSeen)));
  const types = [...new Set(problems.map((p) => p.exceptionType))].join(', ');
  return `⚠ ${count}× in production, last ${formatAgo(last, nowMs)} (${types})`;
}

/** "GET /items/{item_id}": one key per (methods, path), as the lens and the matcher share it. */
export function routeId(route: Pick<DetectedRoute, 'path' | 'methods'>): string {
  return routeLabel({ path: route.path, methods: route.methods ?? ['GET'] });
}

/** The matcher's input: every route of the app once, in the order detection found them. */
export function routeSpecs(routes: readonly DetectedRoute[]): RouteSpec[] {
  const seen = new Set<string>();
  const specs: RouteSpec[] = [];
  for (const route of routes) {
    const id = routeId(route);
    if (seen.has(id)) continue;
    seen.add(id);
    specs.push({ id, path: route.path, methods: route.methods ?? ['GET'] });
  }
  return specs;
}

/**
 * The lenses of `file` (workspace-relative): one per route handler with its numbers. When there are no
 * numbers (not deployed, not signed in) only the file's first route says so, once: a quiet state, not a
 * banner on every handler.
 */
export function lensesForFile(routes: readonly DetectedRoute[], file: string, insight: ServiceInsight, service: string, nowMs: number): LensLine[] {
  const inFile = routes.filter((r) => r.file === file).sort((a, b) => a.line - b.line);
  if (inFile.length === 0) return [];
  if (insight.kind === 'notDeployed') {
    return [{ line: inFile[0].line, title: `Cloud Run: ${service} is not deployed`, tooltip: `No Cloud Run service named ${service}: ` +
      'production numbers appear here once it is deployed (mentor.service names the service).' }];
  }
  if (insight.kind === 'unavailable') {
    return [{ line: inFile[0].line, title: `Cloud Run: ${UNAVAILABLE_TITLES[insight.reason ?? 'unknown'] ?? UNAVAILABLE_TITLES.unknown}`, tooltip: insight.message }];
  }
  const asOf = new Date(insight.listedAtMs).toISOString().slice(11, 19);
  return inFile.map((route) => {
    const id = routeId(route);
    const stats = insight.stats.get(id);
    return {
      line: route.line,
      title: lensText(stats, nowMs),
      tooltip: `${id} on ${service}, last hour, from its request logs as of ${asOf} UTC` +
        `${insight.capped ? ' (the listing was capped: counts are lower bounds)' : ''}`,
      route: { path: route.path, methods: route.methods ?? ['GET'] },
    };
  });
}
