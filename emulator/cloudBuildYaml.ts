// A build config file (cloudbuild.yaml / .json, cloud.google.com/build/docs/build-config-file-schema) → the
// google.devtools.cloudbuild.v1.Build it describes, read the way Cloud Build reads it for a trigger: YAML or
// JSON of the Build message's fields (camelCase or snake_case), strictly — an unknown field fails the build
// and the message names it, with the message type it is not part of.
import { protobuf } from 'google-gax';
import { parse as parseYaml } from 'yaml';
import { ApiError, invalidArgument } from './apiError';
import type { BuildMessage } from './buildExecution';
import { checkRequestJson, requestFromJson } from './jsonRequest';
import { findField, isMessageType, lookupType, type JsonObject } from './protoJson';

const BUILD_TYPE = 'google.devtools.cloudbuild.v1.Build';
const OPAQUE = /^\.google\.protobuf\./;

/** Cloud Build's error names the Go type of the message: google_devtools_cloudbuild_v1.BuildStep. */
function goTypeName(type: protobuf.Type): string {
  const full = type.fullName.replace(/^\./, '');
  const at = full.lastIndexOf('.');
  return `${full.slice(0, at).replace(/\./g, '_')}.${full.slice(at + 1)}`;
}

function checkKnownFields(type: protobuf.Type, value: unknown, file: string): void {
  if (OPAQUE.test(type.fullName) || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, nested] of Object.entries(value as JsonObject)) {
    const field = findField(type, key);
    if (!field) throw invalidArgument(`failed unmarshalling build config ${file}: unknown field "${key}" in ${goTypeName(type)}`);
    const t = field.resolvedType;
    if (!isMessageType(t) || nested === null) continue;
    if (field.map && typeof nested === 'object') for (const v of Object.values(nested as JsonObject)) checkKnownFields(t, v, file);
    else if (field.repeated && Array.isArray(nested)) for (const v of nested) checkKnownFields(t, v, file);
    else checkKnownFields(t, nested, file);
  }
}

/** Parses the config file's text; `file` is its path in the repository (".json" = JSON, anything else YAML). */
export function parseBuildConfig(text: string, file: string): BuildMessage {
  let doc: unknown;
  try {
    doc = file.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalidArgument(`failed unmarshalling build config ${file}: ${reason}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalidArgument(`failed unmarshalling build config ${file}: the file must hold a mapping of build fields (steps, images, options …)`);
  }
  const type = lookupType(BUILD_TYPE);
  checkKnownFields(type, doc, file);
  try {
    checkRequestJson(type, doc, 'build');
    return requestFromJson(type, doc as JsonObject) as BuildMessage;
  } catch (err) {
    if (err instanceof ApiError) throw invalidArgument(`failed unmarshalling build config ${file}: ${err.message.replace(/^Invalid JSON payload received\. /, '')}`);
    throw err;
  }
}
