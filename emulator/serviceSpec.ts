// The user-settable part of a Service ("spec"): separating it from output fields, applying update
// masks, validating it, and deciding whether an update changes anything.
import { serviceIdProblem } from '../src/core/cloudRunNames';
import { invalidArgument } from './apiError';
import type { Service } from './apiTypes';
import { canonicalJson, checkUserKeys, normalizeTraffic, withTemplateDefaults } from './cloudRunRules';

/** Fields Cloud Run computes; whatever a client sends in them is ignored. */
const OUTPUT_ONLY = [
  'name', 'uid', 'generation', 'createTime', 'updateTime', 'deleteTime', 'expireTime', 'creator', 'lastModifier',
  'urls', 'observedGeneration', 'terminalCondition', 'conditions', 'latestReadyRevision', 'latestCreatedRevision',
  'trafficStatuses', 'uri', 'satisfiesPzs', 'threatDetectionEnabled', 'reconciling', 'etag',
] as const;

/** The settable fields the emulator reads; any other settable field is carried along untouched. */
export type ServiceSpec = Pick<Service, 'description' | 'labels' | 'annotations' | 'template' | 'traffic'> &
  Record<string, unknown>;

/** Maps of user data: their values are kept verbatim even when they look like defaults. */
const USER_MAPS = new Set(['labels', 'annotations', 'limits']);
/** protobufjs encodes explicitly set enum zeros, so a client echoing a read back sends "…_UNSPECIFIED". */
const ENUM_ZERO = /^[A-Z][A-Z0-9_]*_(UNSPECIFIED|UNDEFINED)$/;

function isDefault(key: string, v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (key === 'seconds' && v === '0') return true; // int64 zero of a Duration
  return typeof v === 'string' && key !== 'value' && ENUM_ZERO.test(v);
}

/**
 * Drops proto3 default values (empty strings/lists/maps, 0, false, enum zeros) so equal configurations
 * compare equal however a client spelled them.
 */
export function pruneDefaults<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => pruneDefaults(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (USER_MAPS.has(key) && v && typeof v === 'object' && !Array.isArray(v)) {
        if (Object.keys(v).length) out[key] = { ...v };
        continue;
      }
      const pruned = pruneDefaults(v);
      if (isDefault(key, pruned)) continue;
      if (Array.isArray(pruned) && pruned.length === 0) continue;
      if (typeof pruned === 'object' && !Array.isArray(pruned) && Object.keys(pruned as object).length === 0) continue;
      out[key] = pruned;
    }
    return out as T;
  }
  return value;
}

export function specOf(service: Service): ServiceSpec {
  const spec: Record<string, unknown> = { ...service };
  for (const key of OUTPUT_ONLY) delete spec[key];
  return spec as ServiceSpec;
}

function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The spec an UpdateService asks for. Without a mask the request replaces the whole spec (Cloud Run v2
 * is declarative); with one, only the masked paths are taken from the request.
 */
export function mergeWithMask(current: ServiceSpec, requested: ServiceSpec, maskPaths: string[] | undefined): ServiceSpec {
  if (!maskPaths || maskPaths.length === 0 || maskPaths.includes('*')) return structuredClone(requested);
  const merged = structuredClone(current) as Record<string, unknown>;
  for (const rawPath of maskPaths) {
    const parts = rawPath.split('.').map(camel);
    let from: unknown = requested;
    let to = merged;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i];
      from = from && typeof from === 'object' ? (from as Record<string, unknown>)[key] : undefined;
      if (i === parts.length - 1) {
        if (from === undefined) delete to[key];
        else to[key] = structuredClone(from);
      } else {
        if (!to[key] || typeof to[key] !== 'object') to[key] = {};
        to = to[key] as Record<string, unknown>;
      }
    }
  }
  return merged as ServiceSpec;
}

/**
 * Validates a requested spec the way Cloud Run does and returns it normalized: defaults filled in,
 * proto defaults dropped, traffic made explicit. `where` names the request in messages.
 */
export function validatedSpec(where: string, project: string, serviceId: string, requested: ServiceSpec): ServiceSpec {
  const idProblem = serviceIdProblem(serviceId);
  if (idProblem) throw invalidArgument(`Violation in ${where}.name: ${idProblem}`);
  const spec = pruneDefaults(structuredClone(requested));
  if (!spec.template) throw invalidArgument(`Violation in ${where}.template: required field not present.`);
  const containers = spec.template.containers ?? [];
  if (containers.length === 0) {
    throw invalidArgument(`Violation in ${where}.template.containers: at least one container is required.`);
  }
  containers.forEach((c, i) => {
    if (!c.image) throw invalidArgument(`Violation in ${where}.template.containers[${i}].image: required field not present.`);
  });
  if ((spec.description ?? '').length > 512) {
    throw invalidArgument(`Violation in ${where}.description: must be at most 512 characters.`);
  }
  checkUserKeys(`${where}.labels`, spec.labels);
  checkUserKeys(`${where}.annotations`, spec.annotations);
  checkUserKeys(`${where}.template.labels`, spec.template.labels);
  checkUserKeys(`${where}.template.annotations`, spec.template.annotations);
  spec.template = pruneDefaults(withTemplateDefaults(spec.template, project));
  spec.traffic = normalizeTraffic(serviceId, spec.traffic);
  spec.labels ??= {};
  spec.annotations ??= {};
  return spec;
}

export function specsEqual(a: ServiceSpec, b: ServiceSpec): boolean {
  return canonicalJson(pruneDefaults(a)) === canonicalJson(pruneDefaults(b));
}
