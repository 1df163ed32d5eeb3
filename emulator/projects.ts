// Project ids and numbers. Google APIs accept either in resource names; Service Usage and Secret Manager
// answer with the number. The emulator has no resource manager: numbers are derived from ids
// (projectNumber) and mapped back through the projects its state knows about.
import { projectNumber } from './cloudRunRules';
import type { EmulatorData } from './stateStore';

/** Every project id the state mentions, plus `extra`. */
export function knownProjects(data: EmulatorData, extra: readonly string[] = []): Set<string> {
  const ids = new Set<string>(extra);
  const add = (name: string) => {
    const m = /^projects\/([^/]+)/.exec(name);
    if (m) ids.add(m[1]);
  };
  Object.keys(data.services).forEach(add);
  Object.keys(data.secrets).forEach(add);
  Object.keys(data.repositories).forEach(add);
  Object.keys(data.apiStates).forEach((id) => ids.add(id));
  Object.keys(data.projects ?? {}).forEach((id) => ids.add(id));
  // Cloud Build names builds by project number (projects/NUMBER/locations/L/builds/ID).
  const cb = data.cloudBuild;
  if (cb) [cb.builds, cb.triggers, cb.connections].forEach((records) => Object.keys(records).forEach(add));
  return ids;
}

/** The project id behind `ref` (an id, or the number of a known project); unknown numbers stay as they are. */
export function resolveProject(data: EmulatorData, ref: string, extra: readonly string[] = []): string {
  if (!/^\d+$/.test(ref)) return ref;
  for (const id of knownProjects(data, extra)) if (projectNumber(id) === ref) return id;
  return ref;
}

/** The number Google shows for a project id (a numeric "id" is already a number). */
export function numberOf(projectId: string): string {
  return /^\d+$/.test(projectId) ? projectId : projectNumber(projectId);
}

/** The project named by the first `projects/P/…` string among the usual request fields, if any. */
export function projectOfRequest(request: unknown): string | undefined {
  const r = (request ?? {}) as Record<string, unknown>;
  const candidates: unknown[] = [
    r.name, r.parent, r.resource, (r.service as { name?: unknown } | undefined)?.name,
    (r.connection as { name?: unknown } | undefined)?.name ?? r.connection, r.repository,
    (r.trigger as { resourceName?: unknown } | undefined)?.resourceName,
    (r.resourceNames as unknown[] | undefined)?.[0], r.logName,
    (r.entries as { logName?: unknown }[] | undefined)?.[0]?.logName,
  ];
  for (const c of candidates) {
    const m = typeof c === 'string' ? /^projects\/([^/]+)/.exec(c) : null;
    if (m) return m[1];
  }
  // Cloud Build v1's project-scoped methods name the project in a field of its own.
  return typeof r.projectId === 'string' && r.projectId ? r.projectId : undefined;
}
