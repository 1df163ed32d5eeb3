// The Google Cloud roles a Python app's runtime service account needs for the Google services the app itself
// calls (Firestore, Vertex AI, Cloud Storage, …), found in its imports and declared dependencies. A dedicated
// runtime account starts with no access at all, so without these the first request that touches Firestore
// fails with PERMISSION_DENIED in production. Each role is the narrowest predefined one for ordinary use;
// the wizard names why it grants it. Secret access is not here: it is granted per secret.
import type { SourceFile } from './appEnvVars';

export interface AppRole {
  role: string;
  /** What the app uses, e.g. "Firestore". */
  service: string;
  /** Where it was seen, e.g. "app/db.py:3" or "requirements.txt". */
  foundIn: string[];
}

interface RoleRule {
  service: string;
  roles: string[];
  /** Python modules whose import means the app calls the service with its runtime identity. */
  modules: RegExp;
  /** Distribution names in requirements / pyproject (lower-case, `_` and `.` read as `-`). */
  packages: string[];
}

const RULES: RoleRule[] = [
  { service: 'Firestore', roles: ['roles/datastore.user'], modules: /^(google\.cloud\.firestore(_v1)?|firebase_admin\.firestore)(\.|$)/, packages: ['google-cloud-firestore'] },
  { service: 'Datastore', roles: ['roles/datastore.user'], modules: /^google\.cloud\.datastore(\.|$)/, packages: ['google-cloud-datastore'] },
  { service: 'Vertex AI', roles: ['roles/aiplatform.user'], modules: /^(vertexai|google\.cloud\.aiplatform|langchain_google_vertexai)(\.|$)/, packages: ['google-cloud-aiplatform', 'langchain-google-vertexai'] },
  { service: 'Cloud Storage', roles: ['roles/storage.objectUser'], modules: /^(google\.cloud\.storage|firebase_admin\.storage)(\.|$)/, packages: ['google-cloud-storage'] },
  { service: 'Pub/Sub', roles: ['roles/pubsub.publisher', 'roles/pubsub.subscriber'], modules: /^google\.cloud\.pubsub(_v1)?(\.|$)/, packages: ['google-cloud-pubsub'] },
  { service: 'BigQuery', roles: ['roles/bigquery.dataEditor', 'roles/bigquery.jobUser'], modules: /^google\.cloud\.bigquery(\.|$)/, packages: ['google-cloud-bigquery'] },
  { service: 'Cloud Tasks', roles: ['roles/cloudtasks.enqueuer'], modules: /^google\.cloud\.tasks(_v2)?(\.|$)/, packages: ['google-cloud-tasks'] },
  { service: 'Cloud Trace', roles: ['roles/cloudtrace.agent'], modules: /^(google\.cloud\.trace|opentelemetry\.exporter\.cloud_trace)(\.|$)/, packages: ['google-cloud-trace', 'opentelemetry-exporter-gcp-trace'] },
];

// `import a.b as c, d` and `from a.b import c, d` (the imported names count as submodules: `from
// firebase_admin import firestore` imports firebase_admin.firestore).
const IMPORT = /^\s*import\s+([\w., \t]+)$/;
const FROM_IMPORT = /^\s*from\s+([\w.]+)\s+import\s+\(?([\w, \t]+)\)?/;

function importedModules(text: string): { module: string; line: number }[] {
  const out: { module: string; line: number }[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '');
    const plain = IMPORT.exec(line);
    if (plain) for (const part of plain[1].split(',')) out.push({ module: part.trim().split(/\s+as\s+/)[0].trim(), line: index + 1 });
    const from = FROM_IMPORT.exec(line);
    if (from) {
      out.push({ module: from[1], line: index + 1 });
      for (const name of from[2].split(',')) {
        const imported = name.trim().split(/\s+as\s+/)[0].trim();
        if (imported && imported !== '*') out.push({ module: `${from[1]}.${imported}`, line: index + 1 });
      }
    }
  });
  return out;
}

const normalise = (name: string) => name.toLowerCase().replace(/[_.]/g, '-');

/** Distribution names a requirements file or pyproject.toml declares (roughly: a name at a line's or a quoted string's start). */
function declaredPackages(file: SourceFile): string[] {
  const names = new Set<string>();
  const isRequirements = /(^|\/)requirements[^/]*\.txt$/.test(file.path);
  for (const raw of file.text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (isRequirements) {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
      if (m) names.add(normalise(m[1]));
    } else {
      for (const m of line.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:[<>=!~;,\s][^"']*)?["']/g)) names.add(normalise(m[1]));
      const poetry = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=/.exec(line);
      if (poetry) names.add(normalise(poetry[1]));
    }
  }
  return [...names];
}

const isDependencyFile = (path: string) => /(^|\/)(requirements[^/]*\.txt|pyproject\.toml)$/.test(path);

export function findAppRoles(files: readonly SourceFile[]): AppRole[] {
  const found = new Map<string, AppRole>();
  const add = (rule: RoleRule, where: string) => {
    for (const role of rule.roles) {
      const entry = found.get(role) ?? { role, service: rule.service, foundIn: [] };
      if (!entry.foundIn.includes(where)) entry.foundIn.push(where);
      found.set(role, entry);
    }
  };
  for (const file of files) {
    if (file.path.endsWith('.py')) {
      for (const { module, line } of importedModules(file.text)) {
        for (const rule of RULES) if (rule.modules.test(module)) add(rule, `${file.path}:${line}`);
      }
    } else if (isDependencyFile(file.path)) {
      const declared = declaredPackages(file);
      for (const rule of RULES) if (rule.packages.some((p) => declared.includes(p))) add(rule, file.path);
    }
  }
  return [...found.values()].sort((a, b) => a.role.localeCompare(b.role));
}

/** "roles/datastore.user (Firestore: app/db.py:3)" for plans and summaries. */
export function describeAppRole(role: AppRole): string {
  return `${role.role} (${role.service}: ${role.foundIn.slice(0, 2).join(', ')}${role.foundIn.length > 2 ? ', …' : ''})`;
}
