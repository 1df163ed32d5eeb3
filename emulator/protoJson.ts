// Proto3 JSON (https://protobuf.dev/programming-guides/json/) for the REST transcoder, through the same
// proto3-json-serializer google-gax uses: what a gRPC handler returned → protobufjs message → JSON as
// Google's front ends print it (jsonRequest.ts goes the other way). protobufjs loads the same .proto files
// as the gRPC server, once, on the first REST call (~0.7 s), so a gRPC-only run never pays for it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { protobuf } from 'google-gax';
import { toProto3JSON, type JSONValue } from 'proto3-json-serializer';
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

export function isMessageType(t: protobuf.ReflectionObject | null): t is protobuf.Type {
  return t instanceof protobuf.Type;
}

/** The field a JSON key names: its lowerCamelCase name or, as Google's parsers also accept, its proto name. */
export function findField(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fields[protobuf.util.camelCase(key)];
}

/** The proto (snake_case) name of a lowerCamelCase field name: what Google's error messages show. */
export function protoName(jsonName: string): string {
  return jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
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
      // The serializer cannot print repeated bytes (Cloud Build's results.buildStepOutputs); base64 strings
      // it passes through as they are, which is their proto3 JSON form.
      else if (field.type === 'bytes') message[field.name] = (value as Uint8Array[]).map((v) => Buffer.from(v).toString('base64'));
    } else if (nested) {
      if (value) normalizeForJson(value as Message);
    } else if (!field.partOf && isDefaultScalar(value)) {
      delete message[field.name];
    }
  }
}

/**
 * An Any in JSON: "@type" first, then the packed message's own fields (or "value" for types whose JSON is
 * not an object). Done here rather than by the serializer so the packed message is normalized too.
 */
function anyToJson(any: Message, numericEnums: boolean): JSONValue {
  const typeUrl = String(any.type_url ?? '');
  const type = lookupType(typeUrl.replace(/^.*\//, ''));
  const json = messageToJson(type.decode((any.value as Uint8Array | undefined) ?? new Uint8Array()) as Message, numericEnums);
  if (SPECIAL_JSON.has(type.fullName) || WRAPPERS.has(type.fullName)) return { '@type': typeUrl, value: json };
  return { '@type': typeUrl, ...(json as Record<string, JSONValue>) };
}

/** Replaces the serializer's rendering of every Any inside `message` by anyToJson's. */
function patchAnys(message: Message, json: Record<string, JSONValue>, numericEnums: boolean, originals: Map<Message, Message>): void {
  const type = message.$type as protobuf.Type;
  if (SPECIAL_JSON.has(type.fullName) || WRAPPERS.has(type.fullName)) return;
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const out = json[field.name];
    if (!isMessageType(field.resolvedType) || value === null || value === undefined || out === undefined || out === null) continue;
    const convert = field.resolvedType.fullName === '.google.protobuf.Any'
      ? (v: Message) => anyToJson(originals.get(v) ?? v, numericEnums)
      : (v: Message, o: JSONValue) => {
        patchAnys(v, o as Record<string, JSONValue>, numericEnums, originals);
        return o;
      };
    if (field.map) {
      const entries = out as Record<string, JSONValue>;
      for (const key of Object.keys(entries)) entries[key] = convert((value as Record<string, Message>)[key], entries[key]);
    } else if (field.repeated) {
      json[field.name] = (out as JSONValue[]).map((o, i) => convert((value as Message[])[i], o));
    } else {
      json[field.name] = convert(value as Message, out);
    }
  }
}

/**
 * Swaps every Any inside `message` for an empty one before the serializer runs: its own Any rendering would
 * decode the packed message without normalizeForJson and fail on what it cannot print (repeated bytes, as in
 * a Cloud Build operation's Build). patchAnys renders the originals afterwards.
 */
function stubAnys(message: Message, originals: Map<Message, Message>): void {
  const type = message.$type as protobuf.Type;
  if (SPECIAL_JSON.has(type.fullName) || WRAPPERS.has(type.fullName)) return;
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (!isMessageType(field.resolvedType) || value === null || value === undefined) continue;
    const isAny = field.resolvedType.fullName === '.google.protobuf.Any';
    const swap = (v: Message): Message => {
      if (!isAny) {
        stubAnys(v, originals);
        return v;
      }
      const stub = lookupType('google.protobuf.Any').fromObject({ type_url: 'type.googleapis.com/google.protobuf.Empty', value: '' }) as Message;
      originals.set(stub, v);
      return stub;
    };
    if (field.map) {
      const entries = value as Record<string, Message>;
      for (const key of Object.keys(entries)) entries[key] = swap(entries[key]);
    } else if (field.repeated) {
      message[field.name] = (value as Message[]).map(swap);
    } else {
      message[field.name] = swap(value as Message);
    }
  }
}

function messageToJson(message: Message, numericEnums: boolean): JSONValue {
  normalizeForJson(message);
  const originals = new Map<Message, Message>();
  stubAnys(message, originals);
  const json = toProto3JSON(message, { numericEnums }) ?? {};
  if (json && typeof json === 'object' && !Array.isArray(json)) patchAnys(message, json, numericEnums, originals);
  return json;
}

/** What a handler returned for `type` → its proto3 JSON; `numericEnums` for `$alt=json;enum-encoding=int`. */
export function responseToJson(type: protobuf.Type, plain: unknown, numericEnums = false): JSONValue {
  return messageToJson(type.fromObject((plain ?? {}) as JsonObject) as Message, numericEnums);
}

/** The details of a google.rpc.Status (as ApiError carries it for grpc-status-details-bin) in JSON. */
export function statusDetailsToJson(statusDetails: Buffer): JSONValue[] {
  const status = lookupType('google.rpc.Status').decode(statusDetails) as Message;
  return (messageToJson(status, false) as { details?: JSONValue[] }).details ?? [];
}
