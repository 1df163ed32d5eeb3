// Cloud Build substitutions (cloud.google.com/build/docs/configuring-builds/substitute-variable-values), applied
// when a build is created, so GetBuild shows the steps as they run: `$NAME` and `${NAME}` are replaced, `$$` is
// a literal `$`. User keys match ^_[A-Z0-9_]+$; the built-ins are PROJECT_ID, BUILD_ID, PROJECT_NUMBER, LOCATION
// plus, for triggered builds, the commit's (COMMIT_SHA, SHORT_SHA, BRANCH_NAME …). A built-in the build has no
// value for (COMMIT_SHA of a manual build) becomes "". With the default MUST_MATCH, a template key that is
// neither given nor built in, and a given user key the template never uses, fail the build request;
// ALLOW_LOOSE lets both pass (the unknown ones become ""). With options.dynamicSubstitutions (always on for
// triggered builds) the values of user substitutions are expanded too, with bash's ${NAME:offset:length}.
import { invalidArgument } from './apiError';
import type { BuildMessage } from './buildExecution';

export const USER_KEY = /^_[A-Z0-9_]+$/;
export const DEFAULT_BUILT_INS = ['PROJECT_ID', 'BUILD_ID', 'PROJECT_NUMBER', 'LOCATION'] as const;
export const TRIGGER_BUILT_INS = [
  'TRIGGER_NAME', 'COMMIT_SHA', 'REVISION_ID', 'SHORT_SHA', 'REPO_NAME', 'REPO_FULL_NAME', 'BRANCH_NAME', 'TAG_NAME',
  'REF_NAME', 'TRIGGER_BUILD_CONFIG_PATH', 'SERVICE_ACCOUNT_EMAIL', 'SERVICE_ACCOUNT',
] as const;
const BUILT_IN = new Set<string>([...DEFAULT_BUILT_INS, ...TRIGGER_BUILT_INS]);
/** Limits the substitutions documentation states for keys and values. */
const MAX_KEY_BYTES = 100;
const MAX_VALUE_BYTES = 4000;

/** `$$`, `${NAME}` (optionally `${NAME:offset[:length]}`) or `$NAME`. */
const TEMPLATE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?::(-?\d+)(?::(\d+))?)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function isBuiltIn(key: string): boolean {
  return BUILT_IN.has(key);
}

/** The keys a request may set: user keys, and built-ins (a manual build may supply COMMIT_SHA etc. itself). */
export function checkSubstitutionKeys(substitutions: Record<string, string> | undefined, where = 'build.substitutions'): void {
  for (const [key, value] of Object.entries(substitutions ?? {})) {
    if (!USER_KEY.test(key) && !isBuiltIn(key)) {
      throw invalidArgument(`invalid value for '${where}': substitution key "${key}" does not respect format "^_[A-Z0-9_]+$" and is not a built-in substitution`);
    }
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw invalidArgument(`invalid value for '${where}': substitution key "${key}" is longer than ${MAX_KEY_BYTES} bytes`);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw invalidArgument(`invalid value for '${where}': the value of "${key}" is longer than ${MAX_VALUE_BYTES} bytes`);
  }
}

interface Expansion {
  values: Record<string, string>;
  used: Set<string>;
  loose: boolean;
  dynamic: boolean;
}

function expand(text: string, x: Expansion): string {
  return text.replace(TEMPLATE, (whole, dollar: string | undefined, braced: string | undefined, offset: string | undefined, length: string | undefined, bare: string | undefined) => {
    if (dollar) return '$';
    const key = (braced ?? bare) as string;
    if (offset !== undefined && !x.dynamic) {
      // Without dynamic substitutions Cloud Build knows no bash operators: the key is the whole text.
      if (x.loose) return '';
      throw invalidArgument(`invalid build: key in the template "${whole.slice(2, -1)}" is not a valid built-in substitution`);
    }
    let value: string;
    if (key in x.values) {
      x.used.add(key);
      value = x.values[key];
    } else if (USER_KEY.test(key)) {
      if (!x.loose) throw invalidArgument(`invalid build: key in the template "${key}" is not matched in the substitution list`);
      value = '';
    } else if (isBuiltIn(key)) {
      value = ''; // a built-in this build has no value for (no trigger, no commit)
    } else {
      if (!x.loose) throw invalidArgument(`invalid build: key in the template "${key}" is not a valid built-in substitution`);
      value = '';
    }
    if (offset === undefined) return value;
    const start = Number(offset) < 0 ? Math.max(0, value.length + Number(offset)) : Number(offset);
    return length === undefined ? value.slice(start) : value.slice(start, start + Number(length));
  });
}

const mapStrings = (list: string[] | undefined, x: Expansion) => list?.map((s) => expand(s, x));

/**
 * Applies the substitutions to `build` in place: the user keys of build.substitutions (already checked with
 * checkSubstitutionKeys) and `builtIns` (the default ones plus, for a triggered build, the commit's). Throws
 * INVALID_ARGUMENT for what MUST_MATCH refuses.
 */
export function applySubstitutions(build: BuildMessage, builtIns: Record<string, string>): void {
  const loose = build.options?.substitutionOption === 'ALLOW_LOOSE';
  const dynamic = (build.options as { dynamicSubstitutions?: boolean } | undefined)?.dynamicSubstitutions === true;
  const given = build.substitutions ?? {};
  // Given built-ins (a manual build's COMMIT_SHA) win over computed ones only where none was computed.
  const values: Record<string, string> = { ...given, ...dropEmpty(builtIns, given) };
  const used = new Set<string>();
  const x: Expansion = { values, used, loose, dynamic };
  if (dynamic) {
    // In the order given; a value may use built-ins and the keys before it (bash-style expansion).
    for (const key of Object.keys(given)) if (USER_KEY.test(key)) values[key] = expand(given[key], { ...x, loose: true });
  }
  for (const step of build.steps ?? []) {
    step.name = expand(step.name ?? '', x);
    step.args = mapStrings(step.args, x);
    step.env = mapStrings(step.env, x);
    if (step.dir !== undefined) step.dir = expand(step.dir, x);
    if (step.entrypoint !== undefined) step.entrypoint = expand(step.entrypoint, x);
    if (step.script !== undefined) step.script = expand(step.script, x);
  }
  if (build.images) build.images = mapStrings(build.images, x);
  if (build.tags) build.tags = mapStrings(build.tags, x);
  if (build.options?.env) build.options.env = mapStrings(build.options.env, x);
  if (loose) return;
  for (const key of Object.keys(given)) {
    if (USER_KEY.test(key) && !used.has(key)) {
      throw invalidArgument(`invalid build: key "${key}" in the substitution data is not matched in the template`);
    }
  }
}

function dropEmpty(builtIns: Record<string, string>, given: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(builtIns).filter(([k, v]) => v !== '' || !(k in given)));
}

/** The built-ins every build has. */
export function defaultBuiltIns(projectId: string, projectNumber: string, buildId: string, location: string): Record<string, string> {
  return { PROJECT_ID: projectId, BUILD_ID: buildId, PROJECT_NUMBER: projectNumber, LOCATION: location };
}

export interface CommitInfo {
  triggerName: string;
  commitSha: string;
  /** The full ref: refs/heads/main, refs/tags/v1. */
  ref: string;
  /** The repository's name (REPO_NAME) and owner/name (REPO_FULL_NAME). */
  repoName: string;
  repoFullName: string;
  configPath: string;
  /** projects/P/serviceAccounts/EMAIL, the trigger's. */
  serviceAccount?: string;
}

/** The built-ins of a build a trigger started for a commit, as Cloud Build sets them. */
export function triggerBuiltIns(c: CommitInfo): Record<string, string> {
  const branch = c.ref.startsWith('refs/heads/') ? c.ref.slice('refs/heads/'.length) : '';
  const tag = c.ref.startsWith('refs/tags/') ? c.ref.slice('refs/tags/'.length) : '';
  const values: Record<string, string> = {
    TRIGGER_NAME: c.triggerName, COMMIT_SHA: c.commitSha, REVISION_ID: c.commitSha, SHORT_SHA: c.commitSha.slice(0, 7),
    REPO_NAME: c.repoName, REPO_FULL_NAME: c.repoFullName, REF_NAME: branch || tag, TRIGGER_BUILD_CONFIG_PATH: c.configPath,
  };
  if (branch) values.BRANCH_NAME = branch;
  if (tag) values.TAG_NAME = tag;
  if (c.serviceAccount) {
    values.SERVICE_ACCOUNT = c.serviceAccount;
    values.SERVICE_ACCOUNT_EMAIL = c.serviceAccount.replace(/^projects\/[^/]+\/serviceAccounts\//, '');
  }
  return values;
}
