// Cloud Build's rules for a build config, as the tests check them: the google.devtools.cloudbuild.v1.Build
// message from the proto that @google-cloud/cloudbuild ships (YAML keys may be the proto's snake_case names or
// their camelCase JSON names, as with any proto JSON), and substitution as Cloud Build does it: `$$` is a
// literal `$`, `$KEY` / `${KEY}` (KEY = [A-Z_][A-Z0-9_]*) is replaced, and an unknown KEY fails the build.
import * as protobuf from 'protobufjs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = protobuf.Root.fromJSON(require('@google-cloud/cloudbuild/build/protos/protos.json'));
const BUILD = root.lookupType('google.devtools.cloudbuild.v1.Build');

/** The substitutions every build has, and those a trigger adds (cloud.google.com/build/docs/configuring-builds/substitute-variable-values). */
export const BUILT_IN_SUBSTITUTIONS = new Set(['PROJECT_ID', 'BUILD_ID', 'PROJECT_NUMBER', 'LOCATION', 'TRIGGER_NAME', 'COMMIT_SHA',
  'REVISION_ID', 'SHORT_SHA', 'REPO_NAME', 'REPO_FULL_NAME', 'BRANCH_NAME', 'TAG_NAME', 'REF_NAME', 'TRIGGER_BUILD_CONFIG_PATH',
  'SERVICE_ACCOUNT_EMAIL', 'SERVICE_ACCOUNT']);

const KEY = /^\$(?:\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*))/;

interface Token { at: number; length: number; key?: string }

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') { out.push({ at: i, length: 2 }); i++; continue; }
    const m = KEY.exec(text.slice(i));
    out.push(m ? { at: i, length: m[0].length, key: m[1] ?? m[2] } : { at: i, length: 1, key: '' });
    if (m) i += m[0].length - 1;
  }
  return out;
}

/** The substitution keys `text` references (a `$` that starts no key is reported as the key ""). */
export function templateKeys(text: string): Set<string> {
  return new Set(tokens(text).filter((t) => t.key !== undefined).map((t) => t.key!));
}

/** `text` as a build step gets it. Throws for a key without a value (Cloud Build refuses the build). */
export function substitute(text: string, values: Record<string, string>): string {
  let out = '';
  let last = 0;
  for (const t of tokens(text)) {
    out += text.slice(last, t.at);
    if (t.key === undefined) out += '$';
    else if (t.key === '') out += '$';
    else if (t.key in values) out += values[t.key];
    else throw new Error(`key in the template "${t.key}" is not a valid built-in substitution`);
    last = t.at + t.length;
  }
  return out + text.slice(last);
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every key or value of `build` that the Build message would not take, with its path. */
export function buildFieldProblems(build: unknown): string[] {
  const problems: string[] = [];
  checkMessage(BUILD, build, 'build', problems);
  return problems;
}

function checkMessage(type: protobuf.Type, value: unknown, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: a ${type.name} must be a mapping`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const field = Object.values(type.fields).find((f) => f.name === key || snake(f.name) === key);
    if (!field) { problems.push(`${path}.${key}: no such field in ${type.fullName.slice(1)}`); continue; }
    if (field.options?.['(google.api.field_behavior)'] === 'OUTPUT_ONLY') problems.push(`${path}.${key}: output only`);
    field.resolve();
    if (field.map) {
      if (typeof item !== 'object' || item === null) problems.push(`${path}.${key}: a map must be a mapping`);
      else for (const [k, v] of Object.entries(item)) checkValue(field, v, `${path}.${key}.${k}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(item)) problems.push(`${path}.${key}: must be a list`);
      else item.forEach((v, i) => checkValue(field, v, `${path}.${key}[${i}]`, problems));
    } else checkValue(field, item, `${path}.${key}`, problems);
  }
}

function checkValue(field: protobuf.Field, value: unknown, path: string, problems: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in resolved.values)) problems.push(`${path}: "${String(value)}" is not a ${resolved.name}`);
  } else if (resolved instanceof protobuf.Type) {
    if (resolved.fullName === '.google.protobuf.Duration') {
      if (typeof value !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(value)) problems.push(`${path}: a Duration is written like "600s"`);
    } else checkMessage(resolved, value, path, problems);
  } else if (field.type === 'string') {
    if (typeof value !== 'string') problems.push(`${path}: must be a string, not ${typeof value}`);
  } else if (field.type === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${path}: must be true or false`);
  } else if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+$/.test(value))) {
    problems.push(`${path}: must be a number (${field.type})`);
  }
}
