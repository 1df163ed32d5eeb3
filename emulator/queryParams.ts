// Query parameters of a transcoded call. Per google/api/http.proto, request fields bound neither by the path
// nor by the body come from the query: `a.b=` for nested fields, one `k=` per element of a repeated field,
// primitives only (plus the well-known types whose JSON is a string, e.g. `updateMask=a,b`). System
// parameters ($alt, $prettyPrint, key, …) belong to the front end, never to the request.
import { protobuf } from 'google-gax';
import { invalidArgument } from './apiError';
import { checkScalar, fieldMaskFromJson } from './jsonRequest';
import { findField, protoName, type JsonObject } from './protoJson';

const SYSTEM_PARAMETERS = new Set([
  '$alt', 'alt', '$prettyPrint', 'prettyPrint', '$fields', 'fields', '$callback', 'callback', '$.xgafv',
  'key', 'access_token', 'oauth_token', 'quotaUser', 'userIp', 'upload_protocol', 'uploadType',
]);
const STRING_JSON_TYPES = new Set(['.google.protobuf.Timestamp', '.google.protobuf.Duration']);
const NUMBERS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'float', 'double']);

export interface SystemParameters {
  /** `$alt=json;enum-encoding=int` (what google-gax sends): enums as numbers in the response. */
  numericEnums: boolean;
}

export function systemParameters(query: URLSearchParams): SystemParameters {
  const alt = query.get('$alt') ?? query.get('alt') ?? 'json';
  if (!/^json(;|$)/.test(alt)) throw invalidArgument(`The emulator answers JSON only; $alt=${alt} is not supported.`);
  return { numericEnums: /enum-encoding=int/.test(alt) };
}

/** Google pretty-prints JSON unless `prettyPrint=false` / `$prettyPrint=0` (google-gax sends the latter). */
export function prettyPrintWanted(query: URLSearchParams): boolean {
  const value = query.get('$prettyPrint') ?? query.get('prettyPrint');
  return value === null || !/^(0|false)$/i.test(value);
}

function cannotBind(key: string, why: string): Error {
  return invalidArgument(`Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. ${why}`);
}

/** A query string as the JSON value of `type` would be; checkScalar then says whether it fits. */
function jsonScalar(type: string, raw: string): unknown {
  if (type === 'bool') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (NUMBERS.has(type) && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw; // strings, bytes (base64), int64 (a string in proto3 JSON), enum names
}

function valueOf(field: protobuf.Field, raw: string, key: string, at: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) {
    if (t.fullName === '.google.protobuf.FieldMask') return fieldMaskFromJson(raw);
    if (STRING_JSON_TYPES.has(t.fullName)) return raw;
    const wrapped = /^\.google\.protobuf\.\w+Value$/.test(t.fullName) ? t.fields.value : undefined;
    if (!wrapped) throw cannotBind(key, `'${key}' is a message type. Parameters can only be bound to primitive types.`);
    const value = jsonScalar(wrapped.type, raw);
    checkScalar(wrapped, value, at);
    return value;
  }
  const value = t instanceof protobuf.Enum && /^-?\d+$/.test(raw) ? Number(raw) : jsonScalar(field.type, raw);
  checkScalar(field, value, at);
  return value;
}

/** Sets each non-system query parameter into `json`, the request's JSON (lowerCamelCase keys). */
export function applyQuery(type: protobuf.Type, json: JsonObject, query: URLSearchParams): void {
  for (const [key, raw] of query) {
    if (SYSTEM_PARAMETERS.has(key)) continue;
    const names = key.split('.');
    let messageType = type;
    let target = json;
    const at: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const field = findField(messageType, names[i]);
      if (!field) throw cannotBind(key, `Field '${key}' could not be found in request message.`);
      at.push(protoName(field.name));
      const last = i === names.length - 1;
      if (!last) {
        if (!(field.resolvedType instanceof protobuf.Type) || field.repeated || field.map) {
          throw cannotBind(key, `Field '${key}' could not be found in request message.`);
        }
        target = (target[field.name] ??= {}) as JsonObject;
        messageType = field.resolvedType;
        continue;
      }
      if (field.map) throw cannotBind(key, `'${key}' is a map field. Parameters can only be bound to primitive types.`);
      const value = valueOf(field, raw, key, at.join('.'));
      if (field.repeated) ((target[field.name] ??= []) as unknown[]).push(value);
      else target[field.name] = value;
    }
  }
}
