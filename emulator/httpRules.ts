// google.api.http rules (google/api/http.proto, AIP-127): the HTTP verb, the path template with its
// `{field=pattern}` variables and optional `:verb`, and which part of the request is the body. Read from the
// `(google.api.http)` option that @grpc/proto-loader keeps on each method definition.

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One binding of an HttpRule (the rule itself or one of its additional_bindings). */
export interface HttpBinding {
  verb: HttpVerb;
  template: string;
  /** "*" = the whole request; a field path = that field; undefined = no body (query parameters instead). */
  body?: string;
}

/** The option as proto-loader decodes it: snake_case keys, additional_bindings an object or an array. */
export interface HttpRuleOption {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind?: string; path?: string };
  body?: string;
  additional_bindings?: HttpRuleOption | HttpRuleOption[];
}

const VERB_KEYS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The rule's own binding first, then its additional bindings, as http.proto orders them. */
export function bindingsOf(rule: HttpRuleOption | undefined): HttpBinding[] {
  if (!rule) return [];
  const own: HttpBinding[] = [];
  for (const key of VERB_KEYS) {
    const template = rule[key];
    if (template) own.push({ verb: key.toUpperCase() as HttpVerb, template, body: rule.body || undefined });
  }
  if (rule.custom?.path && rule.custom.kind) {
    own.push({ verb: rule.custom.kind.toUpperCase() as HttpVerb, template: rule.custom.path, body: rule.body || undefined });
  }
  const extra = rule.additional_bindings;
  const more = extra === undefined ? [] : Array.isArray(extra) ? extra : [extra];
  // additional_bindings may not nest (http.proto), so one level is all there is.
  return [...own, ...more.flatMap((b) => bindingsOf({ ...b, additional_bindings: undefined }))];
}

/**
 * The google.longrunning.Operations bindings that each API's service configuration declares (run_v2.yaml,
 * artifactregistry_v1.yaml, serviceusage_v1.yaml, cloudresourcemanager_v3.yaml): the proto itself only has
 * the generic `/v1/{name=operations/**}`, so Google's front ends serve these instead, and the generated Node
 * clients carry the same rules (`lroOptions.httpRules`) to poll their operations over REST. All APIs share
 * the emulator's one port.
 */
export const OPERATIONS_SERVICE_CONFIG_RULES: Readonly<Record<string, readonly HttpRuleOption[]>> = {
  GetOperation: [
    { get: '/v2/{name=projects/*/locations/*/operations/*}' }, // Cloud Run Admin v2
    { get: '/v1/{name=projects/*/locations/*/operations/*}' }, // Artifact Registry v1
    { get: '/v1/{name=operations/*}' }, // Service Usage v1
    { get: '/v3/{name=operations/**}' }, // Resource Manager v3
  ],
  ListOperations: [
    { get: '/v2/{name=projects/*/locations/*}/operations' },
    { get: '/v1/operations' },
  ],
  DeleteOperation: [{ delete: '/v2/{name=projects/*/locations/*/operations/*}' }],
  WaitOperation: [{ post: '/v2/{name=projects/*/locations/*/operations/*}:wait', body: '*' }],
};

export interface CompiledTemplate {
  template: string;
  /** Field paths of the variables, in the order of the regex's capture groups ("service.name"). */
  variables: string[];
  regex: RegExp;
  /** Custom-method suffix (":getIamPolicy"), if any: such routes are tried before plain ones. */
  verbSuffix?: string;
  /** Literal segments: with equal verbs, the more literal template is the more specific one. */
  literals: number;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `*` = one segment, `**` = the rest (one or more segments), anything else literal. */
function segmentsRegex(segments: string): { source: string; literals: number } {
  let literals = 0;
  const parts = segments.split('/').map((segment) => {
    if (segment === '*') return '[^/]+';
    if (segment === '**') return '.+';
    literals += 1;
    return escapeRegex(segment);
  });
  return { source: parts.join('/'), literals };
}

/** Compiles "/v2/{name=projects/*\/locations/*\/services/*}:getIamPolicy" into a matcher over decoded paths. */
export function compileTemplate(template: string): CompiledTemplate {
  if (!template.startsWith('/')) throw new Error(`HTTP template must start with "/": ${template}`);
  // The verb is a ":" after the last "/" and outside any variable.
  let depth = 0;
  let verbAt = -1;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{') depth += 1;
    else if (c === '}') depth -= 1;
    else if (c === '/' && depth === 0) verbAt = -1;
    else if (c === ':' && depth === 0) verbAt = i;
  }
  const path = verbAt >= 0 ? template.slice(0, verbAt) : template;
  const verbSuffix = verbAt >= 0 ? template.slice(verbAt) : undefined;
  const variables: string[] = [];
  let literals = 0;
  let source = '';
  const token = /\{([^}=]+)(?:=([^}]*))?\}|([^{]+)/g;
  for (const m of path.matchAll(token)) {
    if (m[1] !== undefined) {
      variables.push(m[1].trim());
      const inner = segmentsRegex(m[2] ?? '*');
      literals += inner.literals;
      source += `(${inner.source})`;
    } else {
      // Literal text between variables: "/v2/" or "/services"; its own * and ** are wildcards too.
      const text = m[3];
      const pieces = text.split('/');
      source += pieces.map((p) => (p === '*' ? '[^/]+' : p === '**' ? '.+' : escapeRegex(p))).join('/');
      literals += pieces.filter((p) => p && p !== '*' && p !== '**').length;
    }
  }
  if (verbSuffix) source += escapeRegex(verbSuffix);
  return { template, variables, regex: new RegExp(`^${source}$`), verbSuffix, literals };
}

/** The variables' values if `path` (percent-decoded, "%2F" kept) matches; undefined otherwise. */
export function matchTemplate(compiled: CompiledTemplate, path: string): Map<string, string> | undefined {
  const m = compiled.regex.exec(path);
  if (!m) return undefined;
  return new Map(compiled.variables.map((field, i) => [field, m[i + 1]]));
}

/** Route order: custom methods (":verb") before plain ones, then the more literal segments first. */
export function bySpecificity(a: CompiledTemplate, b: CompiledTemplate): number {
  return Number(Boolean(b.verbSuffix)) - Number(Boolean(a.verbSuffix)) || b.literals - a.literals;
}
