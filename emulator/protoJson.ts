// Proto3 JSON (https://protobuf.dev/programming-guides/json/) for the REST transcoder, through the same
// proto3-json-serializer google-gax uses: JSON → protobufjs message → the plain object gRPC handlers get
// (PROTO_LOADER_OPTIONS), and back. protobufjs loads the same .proto files as the gRPC server, once, on
// the first REST call (~0.7 s), so a gRPC-only run never pays for it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { protobuf } from 'google-gax';
import { fromProto3JSON, toProto3JSON, type JSONValue } from 'proto3-json-serializer';
import { invalidArgument } from './apiError';
import { GOOGLE_PROTO_FILES, PROTO_LOADER_OPTIONS, protoIncludeDirs } from './protos';

type Message = protobuf.Message<Record<string, unknown>> & Record<string, unknown>;
export type JsonObject = Record<string, unknown>;

/** Types whose JSON is not an object of their fields; the serializer handles them whole. */
const SPECIAL_JSON = new Set([
  '.google.protobuf.Any', '.google.protobuf.Struct', '.google.protobuf.Value', '.google.protobuf.ListValue',
  '.google.protobuf.Timestamp', '.google.protobuf.Duration', '.google.protobuf.FieldMask', '.google.protobuf.Empty',
]);
const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes']
  .map((t) => `.google.protobuf.${t}Value`));

let root: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  if (root) return root;
  const dirs = protoIncludeDirs();
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    return dirs.map((dir) => path.join(dir, target)).find((file) => fs.existsSync(file)) ?? target;
  };
  // keepCase:false like proto-loader: field names are the lowerCamelCase JSON names.
  loaded.loadSync([...GOOGLE_PROTO_FILES], { keepCase: PROTO_LOADER_OPTIONS.keepCase ?? false });
  loaded.resolveAll();
  root = loaded;
  return root;
}

export function lookupType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName.replace(/^\./, ''));
}

function isMessageType(t: protobuf.ReflectionObject | null): t is protobuf.Type {
  return t instanceof protobuf.Type;
}

/** The field a JSON key names: its lowerCamelCase name or, as Google's parsers also accept, its proto name. */
export function findField(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fields[protobuf.util.camelCase(key)];
}

/**
 * Google rejects JSON naming a field the message does not have (a typo must not be silently dropped, which the
 * serializer would do); proto names ("service_id") are renamed to the JSON names the serializer reads.
 */
export function checkFieldNames(type: protobuf.Type, json: unknown, at: string): void {
  if (SPECIAL_JSON.has(type.fullName) || WRAPPERS.has(type.fullName)) return;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return; // the serializer reports the type error
  const object = json as JsonObject;
  for (const key of Object.keys(object)) {
    const field = findField(type, key);
    if (!field) throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ''}: Cannot find field.`);
    if (field.name !== key) {
      object[field.name] = object[key];
      delete object[key];
    }
    const value = object[field.name];
    if (field.resolvedType?.fullName === '.google.protobuf.FieldMask' && typeof value === 'string') object[field.name] = fieldMaskFromJson(value);
    if (!isMessageType(field.resolvedType) || value === null) continue;
    const here = at ? `${at}.${field.name}` : field.name;
    if (field.map) for (const [k, v] of Object.entries(value as JsonObject)) checkFieldNames(field.resolvedType, v, `${here}[${k}]`);
    else if (field.repeated && Array.isArray(value)) value.forEach((v, i) => checkFieldNames(field.resolvedType as protobuf.Type, v, `${here}[${i}]`));
    else checkFieldNames(field.resolvedType, value, here);
  }
}

/**
 * A FieldMask's JSON form names fields in lowerCamelCase ("template.maxInstanceRequestConcurrency"); the
 * message carries proto names, which is what a gRPC handler receives from a gRPC client.
 */
export function fieldMaskFromJson(text: string): string {
  return text.split(',').map((p) => p.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(',');
}

/** JSON of a whole request → what the gRPC handler of the method would have received. */
export function requestFromJson(type: protobuf.Type, json: JsonObject): unknown {
  let message: protobuf.Message | null;
  try {
    message = fromProto3JSON(type, json as never);
  } catch (err) {
    throw invalidArgument(`Invalid JSON payload received. ${err instanceof Error ? err.message.replace(/^\w+: /, '') : String(err)}`);
  }
  return type.toObject(message ?? type.create(), PROTO_LOADER_OPTIONS as protobuf.IConversionOptions);
}

function isDefaultScalar(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (value === 0 || value === '' || value === false) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  const long = value as { isZero?: () => boolean }; // int64 fields hold Longs
  return typeof long.isZero === 'function' && long.isZero();
}

const byFieldNumber = new WeakMap<protobuf.Type, protobuf.Field[]>();

function fieldsInNumberOrder(type: protobuf.Type): protobuf.Field[] {
  let fields = byFieldNumber.get(type);
  if (!fields) byFieldNumber.set(type, (fields = [...type.fieldsArray].sort((a, b) => a.id - b.id)));
  return fields;
}

/**
 * Makes a message print as Google's front ends print it. proto3 JSON omits fields without presence that
 * hold their default (0, "", false, the first enum value) and empty maps; protobufjs keeps whatever was set
 * explicitly, so those go. Fields in a oneof (including proto3 `optional`) and message fields have presence
 * and stay. The rest are re-inserted in field-number order (the binary order Google converts from), which
 * is the order the serializer then writes them in.
 */
function normalizeForJson(message: Message): void {
  const type = message.$type as protobuf.Type;
  if (SPECIAL_JSON.has(type.fullName) || WRAPPERS.has(type.fullName)) return;
  for (const field of fieldsInNumberOrder(type)) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const value = message[field.name];
    delete message[field.name];
    message[field.name] = value;
    const nested = isMessageType(field.resolvedType);
    if (field.map) {
      const entries = Object.values(value as Record<string, unknown>);
      if (!entries.length) delete message[field.name];
      else if (nested) entries.forEach((v) => normalizeForJson(v as Message));
    } else if (field.repeated) {
      if (nested) (value as Message[]).forEach((v) => normalizeForJson(v));
    } else if (nested) {
      if (value) normalizeForJson(value as Message);
    } else if (!field.partOf && isDefaultScalar(value)) {
      delete message[field.name];
    }
  }
}

/** What a handler returned for `type` → its proto3 JSON; `numericEnums` for `$alt=json;enum-encoding=int`. */
export function responseToJson(type: protobuf.Type, plain: unknown, numericEnums = false): JSONValue {
  const message = type.fromObject((plain ?? {}) as JsonObject) as Message;
  normalizeForJson(message);
  return toProto3JSON(message, { numericEnums }) ?? {};
}

/** The details of a google.rpc.Status (as ApiError carries it for grpc-status-details-bin) in JSON. */
export function statusDetailsToJson(statusDetails: Buffer): JSONValue[] {
  const status = lookupType('google.rpc.Status').decode(statusDetails);
  return (toProto3JSON(status) as { details?: JSONValue[] } | null)?.details ?? [];
}
