// Request JSON → the plain object a gRPC handler receives (PROTO_LOADER_OPTIONS), checked the way Google's
// front ends check it before anything runs: unknown field names, enum names and scalar values that do not
// fit the field are 400 INVALID_ARGUMENT ("Invalid value at 'service.ingress' (…), "BOGUS""), where the
// serializer alone would silently drop or zero them.
import { protobuf } from 'google-gax';
import { fromProto3JSON } from 'proto3-json-serializer';
import { invalidArgument } from './apiError';
import { findField, isMessageType, protoName, type JsonObject } from './protoJson';
import { PROTO_LOADER_OPTIONS } from './protos';

/** Types whose JSON is not an object of their fields: the serializer checks those whole. */
const OPAQUE_JSON = /^\.google\.protobuf\.(Any|Struct|Value|ListValue|Timestamp|Duration|FieldMask|Empty|\w+Value)$/;
const INTEGER = /^(u?int|sint|s?fixed)(32|64)$/;

/**
 * A FieldMask's JSON form names fields in lowerCamelCase ("template.maxInstanceRequestConcurrency"); the
 * message carries proto names, which is what a gRPC handler receives from a gRPC client.
 */
export function fieldMaskFromJson(text: string): string {
  return text.split(',').map((p) => protoName(p.trim())).join(',');
}

function invalidValue(at: string, kind: string, value: unknown): Error {
  return invalidArgument(`Invalid value at '${at}' (${kind}), ${JSON.stringify(value)}`);
}

/** One scalar or enum value against its field; `at` is the proto-name path for the message. */
export function checkScalar(field: protobuf.Field, value: unknown, at: string): void {
  if (value === null) return; // proto3 JSON: null = the default
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) {
    const known = typeof value === 'string' ? value in t.values : Number.isInteger(value);
    if (!known) throw invalidValue(at, `type.googleapis.com/${t.fullName.replace(/^\./, '')}`, value);
    return;
  }
  const kind = `TYPE_${field.type.toUpperCase()}`;
  const ok = field.type === 'string' ? typeof value === 'string'
    : field.type === 'bool' ? typeof value === 'boolean'
    : field.type === 'bytes' ? typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)
    : INTEGER.test(field.type) ? (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value))
    : typeof value === 'number' || (typeof value === 'string' && (/^(NaN|-?Infinity)$/.test(value) || (value.trim() !== '' && !Number.isNaN(Number(value)))));
  if (!ok) throw invalidValue(at, kind, value);
}

/**
 * Checks `json` against `type` in place: unknown names are refused (a typo must not be dropped), proto names
 * ("service_id") are renamed to the JSON names the serializer reads, FieldMask paths become proto paths.
 * `at` is where `json` sits in the request, for the messages ("service.template").
 */
export function checkRequestJson(type: protobuf.Type, json: unknown, at: string): void {
  if (OPAQUE_JSON.test(type.fullName)) return;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return; // the serializer reports it
  const object = json as JsonObject;
  for (const key of Object.keys(object)) {
    const field = findField(type, key);
    if (!field) throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ''}: Cannot find field.`);
    if (field.name !== key) {
      object[field.name] = object[key];
      delete object[key];
    }
    const value = object[field.name];
    const here = at ? `${at}.${protoName(field.name)}` : protoName(field.name);
    if (value === null) continue;
    if (field.resolvedType?.fullName === '.google.protobuf.FieldMask' && typeof value === 'string') {
      object[field.name] = fieldMaskFromJson(value);
      continue;
    }
    const each = (check: (v: unknown, where: string) => void) => {
      if (field.map && value && typeof value === 'object') for (const [k, v] of Object.entries(value)) check(v, `${here}[${k}]`);
      else if (field.repeated && Array.isArray(value)) value.forEach((v, i) => check(v, `${here}[${i}]`));
      else if (!field.map && !field.repeated) check(value, here);
    };
    const nested = field.resolvedType;
    if (isMessageType(nested)) each((v, where) => checkRequestJson(nested, v, where));
    else each((v, where) => checkScalar(field, v, where));
  }
}

/** The JSON of a whole request (already checked) → what the gRPC handler of the method would have received. */
export function requestFromJson(type: protobuf.Type, json: JsonObject): unknown {
  let message: protobuf.Message | null;
  try {
    message = fromProto3JSON(type, json as never);
  } catch (err) {
    throw invalidArgument(`Invalid JSON payload received. ${err instanceof Error ? err.message.replace(/^\w+: /, '') : String(err)}`);
  }
  return type.toObject(message ?? type.create(), PROTO_LOADER_OPTIONS as protobuf.IConversionOptions);
}
