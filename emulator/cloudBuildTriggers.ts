// Cloud Build v1 triggers: Create / Get / List / Update / Delete / Run, and firing on a push to a linked
// repository (gitPushWatcher.ts). A trigger names its repository (2nd gen: repositoryEventConfig.repository,
// a v2 Repository, regional), the branch or tag regex, the build config (`filename` read from the commit, or
// an inline `build`) and, as projects created since the 2024 service-account change must, a serviceAccount.
// A fired build gets the commit's built-in substitutions and the trigger's own; if its config cannot be read
// at that commit, the build exists and FAILS with the reason, as Cloud Build shows it in the build history.
import { randomUUID } from 'node:crypto';
import { ApiError, alreadyExists, invalidArgument, notFound } from './apiError';
import type { Operation } from './apiTypes';
import type { BuildMessage } from './buildExecution';
import type { CloudBuildBackend } from './cloudBuildBackend';
import type { CloudBuildConnections } from './cloudBuildConnections';
import { checkBuildRequest } from './cloudBuildRules';
import { USER_KEY, triggerBuiltIns } from './cloudBuildSubstitutions';
import { parseBuildConfig } from './cloudBuildYaml';
import { changedFiles, defaultBranch, globRegex, localRepoPath, readFileAt, resolveCommit } from './gitPushWatcher';
import { paginate } from './pagination';
import type { CloudBuildData, StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

export type Trigger = Record<string, unknown> & {
  id: string; name: string; resourceName: string; serviceAccount?: string; filename?: string; disabled?: boolean;
  build?: BuildMessage; substitutions?: Record<string, string>; tags?: string[]; includedFiles?: string[]; ignoredFiles?: string[];
  repositoryEventConfig?: { repository?: string; repositoryType?: string; push?: PushFilter; pullRequest?: unknown };
};
interface PushFilter { branch?: string; tag?: string; invertRegex?: boolean }
interface TriggerRequest { projectId?: string; parent?: string; name?: string; triggerId?: string }

const TRIGGER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
const SERVICE_ACCOUNT = /^projects\/[^/]+\/serviceAccounts\/[^/]+$/;
const EVENT_SOURCES = ['github', 'repositoryEventConfig', 'triggerTemplate', 'pubsubConfig', 'webhookConfig', 'sourceToBuild', 'gitlabEnterpriseEventsConfig', 'bitbucketServerTriggerConfig'];
const LIST_LIMITS = { defaultSize: 50, maxSize: 1000 };

function regex(pattern: string, what: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw invalidArgument(`invalid ${what} regex "${pattern}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Does a push of `ref` match the trigger's push filter (branch names and tag names, not full refs)? */
export function pushMatches(push: PushFilter | undefined, ref: string): boolean {
  if (!push) return false;
  let name: string | undefined;
  let pattern: string | undefined;
  if (ref.startsWith('refs/heads/') && push.branch) [name, pattern] = [ref.slice(11), push.branch];
  else if (ref.startsWith('refs/tags/') && push.tag) [name, pattern] = [ref.slice(10), push.tag];
  if (name === undefined || pattern === undefined) return false;
  return new RegExp(pattern).test(name) !== Boolean(push.invertRegex);
}

/** Copies one update_mask path ("repository_event_config.push.branch") from `from` to `to`; unset there = cleared. */
function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, path: string): void {
  const names = path.split('.').map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  let source: unknown = from;
  let target = to;
  for (const name of names.slice(0, -1)) {
    source = (source as Record<string, unknown> | undefined)?.[name];
    const next = target[name];
    target = (next && typeof next === 'object' ? next : (target[name] = {})) as Record<string, unknown>;
  }
  const last = names[names.length - 1];
  const value = (source as Record<string, unknown> | undefined)?.[last];
  if (value === undefined) delete target[last];
  else target[last] = structuredClone(value);
}

/**
 * Cloud Build's file filters: files matching an ignoredFiles glob do not count; with includedFiles, one of the
 * rest must match one of those. No file left = no build.
 */
export function filesMatch(trigger: Pick<Trigger, 'includedFiles' | 'ignoredFiles'>, files: string[]): boolean {
  const ignored = (trigger.ignoredFiles ?? []).map(globRegex);
  const included = (trigger.includedFiles ?? []).map(globRegex);
  const counted = files.filter((f) => !ignored.some((r) => r.test(f)));
  if (!counted.length) return !ignored.length && !included.length;
  return !included.length || counted.some((f) => included.some((r) => r.test(f)));
}

export class CloudBuildTriggers {
  constructor(private readonly deps: { state: StateStore; builds: CloudBuildBackend; connections: CloudBuildConnections }) {}

  private get data(): CloudBuildData {
    return this.deps.state.data.cloudBuild;
  }

  private find(req: TriggerRequest): { key: string; trigger: Trigger } {
    const { project, location } = this.deps.builds.scope(req);
    const ref = req.name ? req.name.split('/').pop() : req.triggerId;
    if (!ref) throw invalidArgument('Request contains an invalid argument: trigger_id is required.');
    const prefix = `projects/${project}/locations/${location}/triggers/`;
    // trigger_id takes the id or the name of the trigger.
    const key = this.data.triggers[prefix + ref] ? prefix + ref
      : Object.keys(this.data.triggers).find((k) => k.startsWith(prefix) && this.data.triggers[k].name === ref);
    if (!key) throw notFound(`trigger (${project}, ${ref}) not found`);
    return { key, trigger: this.data.triggers[key] as Trigger };
  }

  private validate(trigger: Trigger, project: string, location: string, selfKey?: string): void {
    if (!TRIGGER_NAME.test(trigger.name ?? '')) {
      throw invalidArgument(`invalid trigger name "${trigger.name ?? ''}": 1-64 characters, letters, digits and dashes, beginning and ending with a letter or digit`);
    }
    const prefix = `projects/${project}/locations/${location}/triggers/`;
    const clash = Object.keys(this.data.triggers).find((k) => k !== selfKey && k.startsWith(prefix) && this.data.triggers[k].name === trigger.name);
    if (clash) throw alreadyExists(`trigger (${project}, ${trigger.name}) already exists`);
    const sources = EVENT_SOURCES.filter((f) => trigger[f] !== undefined && trigger[f] !== null);
    if (sources.length !== 1) throw invalidArgument(`a trigger needs exactly one event source (repository_event_config, github, trigger_template, pubsub_config, webhook_config, source_to_build), this one has ${sources.length ? sources.join(', ') : 'none'}`);
    if (!trigger.serviceAccount) {
      throw invalidArgument('trigger.service_account is required: this project has no legacy Cloud Build service account (projects that started using Cloud Build after the 2024 change); set it to projects/PROJECT_ID/serviceAccounts/EMAIL');
    }
    if (!SERVICE_ACCOUNT.test(trigger.serviceAccount)) throw invalidArgument(`invalid trigger.service_account "${trigger.serviceAccount}": expected projects/PROJECT_ID/serviceAccounts/EMAIL`);
    if (!trigger.filename && !trigger.build && !trigger.autodetect && !trigger.gitFileSource) {
      throw invalidArgument('a trigger needs a build config: filename (e.g. cloudbuild.yaml), build or autodetect');
    }
    if (trigger.build) checkBuildRequest(trigger.build);
    for (const key of Object.keys(trigger.substitutions ?? {})) {
      if (!USER_KEY.test(key)) throw invalidArgument(`invalid trigger substitution key "${key}": user substitutions must match ^_[A-Z0-9_]+$`);
    }
    const event = trigger.repositoryEventConfig;
    if (event) {
      if (location === 'global') throw invalidArgument('triggers on 2nd gen repositories (repository_event_config) must be created in the region of their connection, not in global');
      const repository = this.deps.connections.repository(event.repository);
      const repoLocation = (repository.name).split('/')[3];
      if (repoLocation !== location) throw invalidArgument(`repository ${repository.name} is in ${repoLocation}; the trigger must be created there (it is in ${location})`);
      event.repository = repository.name;
      event.repositoryType = 'GITHUB';
      if (!event.push && !event.pullRequest) throw invalidArgument('repository_event_config needs push or pull_request');
      if (event.push) {
        if (!event.push.branch === !event.push.tag) throw invalidArgument('repository_event_config.push needs exactly one of branch or tag');
        regex(event.push.branch ?? event.push.tag ?? '', event.push.branch ? 'branch' : 'tag');
      }
    }
  }

  createBuildTrigger(req: TriggerRequest & { trigger?: Trigger }): Trigger {
    if (!req.trigger) throw invalidArgument('Request contains an invalid argument: trigger is required.');
    const { project, location } = this.deps.builds.scope(req);
    const id = randomUUID();
    const trigger: Trigger = {
      ...structuredClone(req.trigger), id, createTime: nowTimestamp(), resourceName: `projects/${project}/locations/${location}/triggers/${id}`,
    };
    this.validate(trigger, project, location);
    this.data.triggers[trigger.resourceName] = trigger;
    this.deps.state.changed();
    return structuredClone(trigger);
  }

  getBuildTrigger(req: TriggerRequest): Trigger {
    return structuredClone(this.find(req).trigger);
  }

  listBuildTriggers(req: TriggerRequest & { pageSize?: number; pageToken?: string }): { triggers: Trigger[]; nextPageToken: string } {
    const { project, location } = this.deps.builds.scope(req);
    const prefix = `projects/${project}/locations/${location}/triggers/`;
    const keys = Object.keys(this.data.triggers).filter((k) => k.startsWith(prefix))
      .sort((a, b) => String(this.data.triggers[a].name).localeCompare(String(this.data.triggers[b].name)));
    const page = paginate(keys, req, `triggers:${prefix}`, LIST_LIMITS);
    return { triggers: page.items.map((k) => structuredClone(this.data.triggers[k]) as Trigger), nextPageToken: page.nextPageToken };
  }

  updateBuildTrigger(req: TriggerRequest & { trigger?: Trigger; updateMask?: { paths?: string[] } }): Trigger {
    const name = req.trigger?.resourceName as string | undefined;
    const { key, trigger: current } = this.find(name ? { name } : req);
    if (!req.trigger) throw invalidArgument('Request contains an invalid argument: trigger is required.');
    const { project, location } = this.deps.builds.scope({ name: key });
    let updated: Trigger;
    if (req.updateMask?.paths?.length) {
      updated = structuredClone(current);
      for (const path of req.updateMask.paths) copyPath(req.trigger, updated, path);
    } else {
      updated = structuredClone(req.trigger); // without a mask the trigger is replaced whole
    }
    Object.assign(updated, { id: current.id, resourceName: current.resourceName, createTime: current.createTime });
    this.validate(updated, project, location, key);
    this.data.triggers[key] = updated;
    this.deps.state.changed();
    return structuredClone(updated);
  }

  deleteBuildTrigger(req: TriggerRequest): Record<string, never> {
    const { key } = this.find(req);
    delete this.data.triggers[key];
    this.deps.state.changed();
    return {};
  }

  /** RunBuildTrigger: a build of the branch, tag or commit asked for (the default branch when none is). */
  async runBuildTrigger(req: TriggerRequest & { source?: { branchName?: string; tagName?: string; commitSha?: string } }): Promise<Operation> {
    const { trigger } = this.find(req);
    const repo = this.localRepository(trigger);
    if (!repo) throw invalidArgument(`trigger "${trigger.name}" has no repository on this machine to build from (repository_event_config.repository with a local remoteUri)`);
    const s = req.source ?? {};
    const branch = s.branchName ?? (s.tagName || s.commitSha ? undefined : await defaultBranch(repo.path));
    const ref = branch ? `refs/heads/${branch}` : s.tagName ? `refs/tags/${s.tagName}` : '';
    const commit = await resolveCommit(repo.path, s.commitSha ?? ref);
    if (!commit) throw notFound(`${s.commitSha ?? ref} was not found in ${repo.remoteUri}`);
    return (await this.fire(trigger, repo, ref, commit)).operation;
  }

  /** The push watcher saw `ref` move to `commit` in the repository at `repoPath`: fire every matching trigger. */
  async pushed(repoPath: string, ref: string, commit: string, before?: string): Promise<void> {
    let changed: Promise<string[]> | undefined;
    for (const trigger of Object.values(this.data.triggers) as Trigger[]) {
      if (trigger.disabled) continue;
      const repo = this.localRepository(trigger);
      if (repo?.path !== repoPath || !pushMatches(trigger.repositoryEventConfig?.push, ref)) continue;
      if (trigger.includedFiles?.length || trigger.ignoredFiles?.length) {
        changed ??= changedFiles(repoPath, commit, before);
        if (!filesMatch(trigger, await changed)) continue;
      }
      await this.fire(trigger, repo, ref, commit);
    }
  }

  /** The local repository paths that some trigger builds from (what the push watcher polls). */
  watchedRepositories(): string[] {
    const paths = (Object.values(this.data.triggers) as Trigger[]).map((t) => this.localRepository(t)?.path);
    return paths.filter((p): p is string => Boolean(p));
  }

  private localRepository(trigger: Trigger): { path: string; remoteUri: string; name: string } | undefined {
    const name = trigger.repositoryEventConfig?.repository;
    const repository = name ? this.data.repositories[name] : undefined;
    const remoteUri = repository?.remoteUri as string | undefined;
    const path = localRepoPath(remoteUri);
    return path && remoteUri && name ? { path, remoteUri, name } : undefined;
  }

  private async fire(trigger: Trigger, repo: { path: string; remoteUri: string; name: string }, ref: string, commit: string) {
    const [, project, , location] = trigger.resourceName.split('/');
    const repoName = repo.name.split('/').pop() as string;
    const owner = /[:/]([^/:]+)\/[^/]+?(?:\.git)?\/?$/.exec(repo.remoteUri)?.[1] ?? 'local';
    const configPath = trigger.filename ?? '';
    const builtIns = triggerBuiltIns({
      triggerName: trigger.name, commitSha: commit, ref, repoName, repoFullName: `${owner}/${repoName}`, configPath,
      serviceAccount: trigger.serviceAccount,
    });
    const base = {
      buildTriggerId: trigger.id, serviceAccount: trigger.serviceAccount, substitutions: { ...(trigger.substitutions ?? {}) },
      tags: [`event-${randomUUID()}`, `trigger-${trigger.id}`, ...(trigger.tags ?? [])],
    };
    const source = { repository: repo.path, commitSha: commit, branch: ref.startsWith('refs/heads/') ? ref.slice(11) : undefined };
    let config: BuildMessage;
    try {
      if (trigger.build) config = structuredClone(trigger.build);
      else {
        const text = await readFileAt(repo.path, commit, configPath);
        if (text === undefined) {
          return this.failed(project, location, base, builtIns, source, 'FETCH_SOURCE_FAILED', `failed to find build config file "${configPath}" at commit ${commit} of ${repo.remoteUri}`);
        }
        config = parseBuildConfig(text, configPath);
      }
      checkBuildRequest(config);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return this.failed(project, location, base, builtIns, source, 'FAILURE_TYPE_UNSPECIFIED', err.message);
    }
    const fields: BuildMessage = {
      ...config, ...base, serviceAccount: config.serviceAccount || trigger.serviceAccount,
      substitutions: { ...(config.substitutions ?? {}), ...base.substitutions },
      tags: [...base.tags, ...(config.tags ?? [])],
      // Builds started by triggers always expand substitutions dynamically.
      options: { ...(config.options ?? {}), dynamicSubstitutions: true } as BuildMessage['options'],
    };
    try {
      return this.deps.builds.start(project, location, fields, { builtIns, source });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return this.failed(project, location, fields, builtIns, source, 'FAILURE_TYPE_UNSPECIFIED', err.message);
    }
  }

  private failed(project: string, location: string, base: Partial<BuildMessage>, builtIns: Record<string, string>, source: { repository: string; commitSha: string }, type: string, detail: string) {
    const fields = { ...base, steps: base.steps ?? [], substitutions: { ...builtIns, ...(base.substitutions ?? {}) } } as BuildMessage;
    return this.deps.builds.start(project, location, fields, { substituted: true, source }, { type, detail });
  }
}
