// Which HTTP check says "the app has started", chosen from the app instead of assumed: never stricter
// than Cloud Run, whose default startup probe only needs the port to accept connections.
//   1. mentor.healthPath when the user set it (2xx, no fallback);
//   2. a health-like GET route of the app that needs no parameters (2xx);
//   3. FastAPI's own schema, /openapi.json, unless the app disables it (2xx);
//   4. Cloud Run's behaviour: the port accepts connections and any answer below 500 counts.
// A 4xx from 2 or 3 (a route behind a token, a schema behind a proxy) moves on to the next check.
import { AppRoutes, DetectedRoute, detectRoutes } from './fastapiRoutes';
import { detectPythonProject, ProjectFiles } from './pythonProject';

export type HealthCheckSource = 'setting' | 'route' | 'openapi' | 'port';

export interface HealthCheckStep {
  path: string;
  /** 'ok': a 2xx answer; 'answers': any answer below 500. */
  accept: 'ok' | 'answers';
  source: HealthCheckSource;
  /** Why this check, in words shown wherever the check runs. */
  reason: string;
}

/** A check that passed: the step, and the status the app gave (the cloud must give the same kind). */
export interface ResolvedHealthCheck {
  step: HealthCheckStep;
  status: number;
  /** Checks tried before this one, and why they were passed over. */
  notes: string[];
}

/** Last path segments that name a health endpoint, best first. */
const HEALTH_NAMES = ['health', 'healthz', 'healthcheck', 'health-check', 'health_check', 'livez', 'live', 'liveness', 'alive',
  'ping', 'readyz', 'ready', 'readiness', 'status', 'up'];

export const PORT_CHECK: HealthCheckStep = {
  path: '/', accept: 'answers', source: 'port',
  reason: "Cloud Run's default: the port accepts connections; any answer below 500 counts as started",
};

export function healthCheckSteps(explicitPath: string | undefined, app: AppRoutes | undefined): HealthCheckStep[] {
  if (explicitPath) return [{ path: normalisePath(explicitPath), accept: 'ok', source: 'setting', reason: 'mentor.healthPath' }];
  const steps: HealthCheckStep[] = [];
  const route = app && bestHealthRoute(app.routes);
  if (route) {
    steps.push({ path: route.path, accept: 'ok', source: 'route',
      reason: `health route in ${route.file}:${route.line}${route.guarded ? ' (behind dependencies=[...], may need a token)' : ''}` });
  }
  if (app?.openapiPath) {
    steps.push({ path: app.openapiPath, accept: 'ok', source: 'openapi',
      reason: `${route ? '' : 'no health route found; '}FastAPI serves its schema at ${app.openapiPath}` });
  }
  steps.push(PORT_CHECK);
  return steps;
}

export function bestHealthRoute(routes: readonly DetectedRoute[]): DetectedRoute | undefined {
  const scored = routes.filter((r) => !r.needsParameters)
    .map((r) => ({ route: r, rank: HEALTH_NAMES.indexOf(lastSegment(r.path)) }))
    .filter((r) => r.rank >= 0)
    .sort((a, b) => Number(a.route.guarded) - Number(b.route.guarded) || a.rank - b.rank || a.route.path.length - b.route.path.length);
  return scored[0]?.route;
}

export function accepts(step: HealthCheckStep, status: number): boolean {
  return step.accept === 'ok' ? status >= 200 && status < 300 : status > 0 && status < 500;
}

/** The app is up but refuses this check (a 4xx other than a throttle): try the next one. */
export function refuses(step: HealthCheckStep, status: number): boolean {
  return step.accept === 'ok' && step.source !== 'setting' && status >= 400 && status < 500 && status !== 429;
}

/** "GET /healthz (health route in app/main.py:12)" */
export function describeCheck(step: HealthCheckStep): string {
  return `GET ${step.path}${step.accept === 'answers' ? ' (any answer below 500)' : ''} — ${step.reason}`;
}

/** One line for plans and logs: what the check is, and what was passed over to get there. */
export function describeResolved(resolved: ResolvedHealthCheck): string {
  return `Health check: ${describeCheck(resolved.step)}; it answered ${resolved.status}` +
    (resolved.notes.length ? ` (${resolved.notes.join('; ')})` : '') + '.';
}

function lastSegment(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop()!.toLowerCase();
}

function normalisePath(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The checks for the app in `files`, best first; only mentor.healthPath when it is set. */
export async function chooseHealthChecks(files: ProjectFiles, explicitPath: string | undefined): Promise<HealthCheckStep[]> {
  if (explicitPath) return healthCheckSteps(explicitPath, undefined);
  const project = await detectPythonProject(files);
  if (!project) return healthCheckSteps(undefined, undefined);
  return healthCheckSteps(undefined, await detectRoutes(files, project.appFile, project.appModule.split(':')[1]));
}
