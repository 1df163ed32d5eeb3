// Resource Manager v3 Projects: search (Google's query syntax, paginated, only projects the caller may get),
// get, create as a long-running operation, and the project IAM policy with etags. Projects have no
// organization or folder parent here. Numbers come from projectNumber(id), as everywhere in the emulator.
import { randomBytes } from 'node:crypto';
import { alreadyExists, invalidArgument, permissionDenied } from './apiError';
import type { IamPolicy, Operation } from './apiTypes';
import { projectNumber } from './cloudRunRules';
import { emptyPolicy, policiesGrant, replacePolicy } from './iamAccess';
import type { OperationStore } from './operations';
import { paginate } from './pagination';
import type { Project, ProjectRecord } from './platformRecords';
import type { AnyMessage } from './protos';
import { DEFAULT_NEW_PROJECT_APIS, API_TITLES } from './serviceUsageBackend';
import type { StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

/** 6–30 characters: lowercase letters, digits, hyphens; starts with a letter, does not end with a hyphen. */
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const RESTRICTED = ['google', 'ssl'];
const SEARCH_LIMITS = { defaultSize: 100, maxSize: 500 };
const PROJECT_TYPE = 'google.cloud.resourcemanager.v3.Project';
const CREATE_METADATA_TYPE = 'google.cloud.resourcemanager.v3.CreateProjectMetadata';
/** Google's answer for a project that does not exist as well as for one the caller may not see. */
const NO_PERMISSION = 'The caller does not have permission';

/** The principal the emulator treats as the caller of every request ("user:…", "serviceAccount:…"). */
export interface CallerIdentity {
  member: string;
}

export interface ResourceManagerDeps {
  state: StateStore;
  operations: OperationStore;
  /** protos.pack: the Project and CreateProjectMetadata messages inside the operation. */
  pack(typeName: string, message: object): AnyMessage;
  caller: CallerIdentity;
}

export function projectIdProblem(id: string): string | undefined {
  if (!PROJECT_ID.test(id)) {
    return `Project id '${id}' is invalid: it must be 6 to 30 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen.`;
  }
  const restricted = RESTRICTED.find((word) => id.includes(word));
  return restricted ? `Project id '${id}' is invalid: it must not contain the restricted string '${restricted}'.` : undefined;
}

/** A project as the Resource Manager answers for it, with `owner` as its only owner. */
export function newProjectRecord(projectId: string, displayName: string, owner: string, at = nowTimestamp(), labels: Record<string, string> = {}): ProjectRecord {
  const project: Project = {
    name: `projects/${projectNumber(projectId)}`, parent: '', projectId, state: 'ACTIVE', displayName,
    createTime: at, updateTime: at, etag: projectEtag(), labels: { ...labels },
  };
  return { project, iamPolicy: { ...emptyPolicy(), bindings: [{ role: 'roles/owner', members: [owner] }] } };
}

export class ResourceManagerBackend {
  /** Ids of projects whose create operation is still running: taken, but not gettable yet. */
  private readonly pending = new Set<string>();

  constructor(private readonly deps: ResourceManagerDeps) {}

  private get projects(): Record<string, ProjectRecord> {
    return this.deps.state.data.projects;
  }

  searchProjects(req: { query?: string; pageSize?: number; pageToken?: string }): { projects: Project[]; nextPageToken: string } {
    const query = (req.query ?? '').trim();
    const terms = parseQuery(query);
    const caller = this.deps.caller.member;
    // Sorted by id so pages are stable; Google only promises "unspecified order".
    const visible = Object.keys(this.projects).sort().map((id) => this.projects[id])
      .filter((r) => policiesGrant([r.iamPolicy], caller, 'resourcemanager.projects.get'))
      .map((r) => r.project)
      .filter((p) => terms.length === 0 || terms.some((t) => t(p)));
    const page = paginate(visible, req, `projects:${query}`, SEARCH_LIMITS);
    return { projects: structuredClone(page.items), nextPageToken: page.nextPageToken };
  }

  getProject(req: { name?: string }): Project {
    return structuredClone(this.readable(req.name, 'resourcemanager.projects.get').project);
  }

  createProject(req: { project?: Partial<Project> }): Operation {
    const wanted = req.project ?? {};
    const id = wanted.projectId ?? '';
    if (!id) throw invalidArgument('Violation in CreateProjectRequest.project.project_id: required field not present.');
    const problem = projectIdProblem(id);
    if (problem) throw invalidArgument(problem);
    const displayName = wanted.displayName ?? '';
    if (displayName && !/^[A-Za-z0-9'"! -]{4,30}$/.test(displayName)) {
      throw invalidArgument(`Display name '${displayName}' is invalid: it must be 4 to 30 letters, digits, quotes, hyphens, spaces or exclamation marks.`);
    }
    // Project ids are global and never reused: taken at the request, not when the operation ends.
    if (this.projects[id] || this.pending.has(id)) throw alreadyExists('Requested entity already exists');
    this.pending.add(id);
    const at = nowTimestamp();
    const { operations, pack, caller } = this.deps;
    const record = newProjectRecord(id, displayName, caller.member, at, wanted.labels ?? {});
    return operations.start('', pack(CREATE_METADATA_TYPE, { createTime: at, gettable: false, ready: false }), () => {
      this.pending.delete(id);
      this.projects[id] = record;
      // A new project has Google's default APIs on and the rest off (the wizard enables what Cloud Run needs).
      this.deps.state.data.apiStates[id] = Object.fromEntries(Object.keys(API_TITLES).map((api) => [api, DEFAULT_NEW_PROJECT_APIS.includes(api)]));
      this.deps.state.changed();
      return { response: pack(PROJECT_TYPE, record.project) };
    });
  }

  getIamPolicy(req: { resource?: string }): IamPolicy {
    return structuredClone(this.readable(req.resource, 'resourcemanager.projects.getIamPolicy').iamPolicy);
  }

  setIamPolicy(req: { resource?: string; policy?: IamPolicy }): IamPolicy {
    const record = this.readable(req.resource, 'resourcemanager.projects.setIamPolicy');
    record.iamPolicy = replacePolicy(record.iamPolicy, req.policy, this.deps.state.data);
    record.project.etag = projectEtag();
    this.deps.state.changed();
    return structuredClone(record.iamPolicy);
  }

  testIamPermissions(req: { resource?: string; permissions?: string[] }): { permissions: string[] } {
    const record = this.record(req.resource);
    const caller = this.deps.caller.member;
    return { permissions: (req.permissions ?? []).filter((p) => policiesGrant([record.iamPolicy], caller, p)) };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** projects/ID or projects/NUMBER; an unknown project is PERMISSION_DENIED, as on Google. */
  private record(name: string | undefined): ProjectRecord {
    const m = /^projects\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid resource name '${name ?? ''}': expected projects/PROJECT_ID_OR_NUMBER.`);
    const record = this.projects[m[1]] ?? Object.values(this.projects).find((r) => r.project.name === name);
    if (!record) throw permissionDenied(NO_PERMISSION);
    return record;
  }

  private readable(name: string | undefined, permission: string): ProjectRecord {
    const record = this.record(name);
    if (!policiesGrant([record.iamPolicy], this.deps.caller.member, permission)) throw permissionDenied(NO_PERMISSION);
    return record;
  }
}

function projectEtag(): string {
  return `W/"${randomBytes(8).toString('hex')}"`;
}

type Term = (p: Project) => boolean;

/**
 * Google's project query: whitespace-separated `field:value` terms, any of which may match; values are
 * case-insensitive, `*` at the end matches a prefix and `labels.KEY:*` means the label exists.
 */
export function parseQuery(query: string): Term[] {
  if (!query) return [];
  const tokens = query.match(/[^\s"]+(?:"[^"]*")?|"[^"]*"/g) ?? [];
  return tokens.map((token) => {
    const m = /^([A-Za-z.\-_]+?)(?::|=)(.*)$/.exec(token);
    if (!m) throw invalidArgument(`Invalid query '${query}': expected FIELD:VALUE terms (for example name:my-app* or id:my-project).`);
    const field = m[1].toLowerCase();
    const value = m[2].replace(/^"|"$/g, '').toLowerCase();
    const like = (actual: string | undefined) => {
      const a = (actual ?? '').toLowerCase();
      if (value === '*') return a !== '';
      return value.endsWith('*') ? a.startsWith(value.slice(0, -1)) : a === value;
    };
    if (field === 'name' || field === 'displayname') return (p: Project) => like(p.displayName);
    if (field === 'id' || field === 'projectid') return (p: Project) => like(p.projectId);
    if (field === 'state' || field === 'lifecyclestate') return (p: Project) => like(p.state);
    if (field === 'parent') return (p: Project) => like(p.parent);
    // parent "folders/123": type "folder", id "123".
    if (field === 'parent.type') return (p: Project) => like(p.parent.split('/')[0].replace(/s$/, ''));
    if (field === 'parent.id') return (p: Project) => like(p.parent.split('/')[1]);
    if (field === 'labels') return (p: Project) => Object.entries(p.labels).some(([k, v]) => like(k) || like(v));
    if (field.startsWith('labels.')) {
      const key = m[1].slice('labels.'.length);
      return (p: Project) => key in p.labels && (value === '*' || like(p.labels[key]));
    }
    throw invalidArgument(`Invalid query '${query}': unknown field '${m[1]}' (the emulator understands displayName/name, id/projectId, state/lifecycleState, parent, parent.type, parent.id, labels, labels.KEY).`);
  });
}
