// Cloud Resource Manager v1 `GET /v1/projects/{projectId}`, the one v1 call gcloud makes here: `gcloud run
// services replace` (and other commands) turn the project id into its number with it. The emulator's Resource
// Manager is v3 (resourceManagerBackend.ts); this answers in v1's shape from the same projects, and for a
// project only other state knows of (a bare emulator without the seed), from the number the emulator derives.
import { permissionDenied } from './apiError';
import type { Timestamp } from './apiTypes';
import { knownProjects, numberOf } from './projects';
import type { RestHandler } from './restTypes';
import type { StateStore } from './stateStore';
import { timestampToMs } from './timestamps';

const PROJECT_PATH = /^\/v1\/projects\/([a-z][-a-z0-9]{4,28}[a-z0-9])$/;

function iso(ts: Timestamp | undefined): string | undefined {
  return ts ? new Date(timestampToMs(ts)).toISOString() : undefined;
}

export function createResourceManagerV1Handler(state: StateStore): RestHandler {
  return async (req) => {
    const m = PROJECT_PATH.exec(req.path);
    if (!m || req.method !== 'GET') return undefined;
    const id = m[1];
    const record = state.data.projects?.[id];
    if (record) {
      const p = record.project;
      return {
        status: 200,
        json: {
          projectNumber: p.name.replace(/^projects\//, ''),
          projectId: p.projectId,
          lifecycleState: p.state === 'ACTIVE' ? 'ACTIVE' : 'DELETE_REQUESTED',
          name: p.displayName || p.projectId,
          createTime: iso(p.createTime),
          labels: p.labels,
          ...(p.parent ? { parent: { type: p.parent.split('/')[0].replace(/s$/, ''), id: p.parent.split('/')[1] } } : {}),
        },
      };
    }
    if (knownProjects(state.data).has(id)) {
      return { status: 200, json: { projectNumber: numberOf(id), projectId: id, lifecycleState: 'ACTIVE', name: id } };
    }
    // What v1 answers for a project that does not exist, or that the caller may not see.
    throw permissionDenied(`The caller does not have permission`);
  };
}
