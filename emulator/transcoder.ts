// The REST/JSON face of every gRPC method the emulator serves, generated from the methods' own
// google.api.http rules (and, for Operations, the bindings of the APIs' service configs): no route is
// written by hand. A matched request becomes the request message the gRPC handler would have decoded
// (path variables + body + query parameters, proto3 JSON), goes through the same ApiMethods call (counts,
// faults, SERVICE_DISABLED), and the response message goes back as proto3 JSON.
import { grpc, type protobuf } from 'google-gax';
import { ApiError, invalidArgument } from './apiError';
import { fullMethodName, type ApiMethods } from './apiMethods';
import {
  OPERATIONS_SERVICE_CONFIG_RULES, bindingsOf, bySpecificity, compileTemplate, matchTemplate,
  type CompiledTemplate, type HttpBinding, type HttpRuleOption,
} from './httpRules';
import { checkRequestJson, requestFromJson } from './jsonRequest';
import { findField, protoRoot, responseToJson, type JsonObject } from './protoJson';
import { applyQuery, systemParameters } from './queryParams';
import type { RestHandler, RestRequest } from './restTypes';

export interface TranscodedRoute extends HttpBinding {
  /** The gRPC method it calls: "google.cloud.run.v2.Services/GetService". */
  method: string;
  compiled: CompiledTemplate;
  /** A streaming method keeps its route so a REST caller learns it needs gRPC rather than seeing a 404. */
  streaming: boolean;
}

interface RpcTypes {
  request: protobuf.Type;
  response: protobuf.Type;
}

/** Every binding of every method of the services the gRPC server registers, most specific first. */
export function transcodedRoutes(methods: ApiMethods): TranscodedRoute[] {
  const routes: TranscodedRoute[] = [];
  const seen = new Set<string>();
  for (const { definition } of methods.registrations) {
    for (const [method, def] of Object.entries(definition)) {
      const name = fullMethodName(definition, method);
      const options = (def as { options?: Record<string, unknown> }).options ?? {};
      const rules = [options['(google.api.http)'] as HttpRuleOption | undefined];
      if (name.startsWith('google.longrunning.Operations/')) rules.push(...(OPERATIONS_SERVICE_CONFIG_RULES[method] ?? []));
      for (const binding of rules.flatMap(bindingsOf)) {
        const key = `${binding.verb} ${binding.template}`;
        if (seen.has(key)) continue;
        seen.add(key);
        routes.push({ ...binding, method: name, compiled: compileTemplate(binding.template), streaming: def.requestStream || def.responseStream });
      }
    }
  }
  return routes.sort((a, b) => bySpecificity(a.compiled, b.compiled));
}

const rpcTypeCache = new Map<string, RpcTypes>();

function rpcTypes(method: string): RpcTypes {
  let types = rpcTypeCache.get(method);
  if (!types) {
    const [service, rpc] = method.split('/');
    const m = protoRoot().lookupService(service).methods[rpc];
    if (!m?.resolvedRequestType || !m.resolvedResponseType) throw new Error(`No protobuf types for ${method}`);
    types = { request: m.resolvedRequestType, response: m.resolvedResponseType };
    rpcTypeCache.set(method, types);
  }
  return types;
}

/** The lowerCamelCase field path of a rule's "service.name" / "log_name", checked against the message. */
function fieldPath(type: protobuf.Type, path: string): { names: string[]; last: protobuf.Field } {
  const names: string[] = [];
  let current: protobuf.Type = type;
  let last: protobuf.Field | undefined;
  for (const part of path.split('.')) {
    last = findField(current, part);
    if (!last) throw new Error(`${type.fullName} has no field ${path}`);
    names.push(last.name);
    if (last.resolvedType && 'fields' in last.resolvedType) current = last.resolvedType as protobuf.Type;
  }
  return { names, last: last as protobuf.Field };
}

function setAt(json: JsonObject, names: string[], value: unknown): void {
  let target = json;
  for (const name of names.slice(0, -1)) {
    const next = target[name];
    target = (next !== null && typeof next === 'object' ? next : (target[name] = {})) as JsonObject;
  }
  target[names[names.length - 1]] = value;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The request message's JSON: the body (all of it, or one field), else query parameters; path variables last. */
function requestJson(route: TranscodedRoute, variables: Map<string, string>, request: RestRequest, type: protobuf.Type): JsonObject {
  const json: JsonObject = {};
  if (route.body === '*') {
    // With body "*" every field not in the path is in the body, so there is no query to bind (http.proto).
    if (request.body !== undefined) {
      if (!isObject(request.body)) throw invalidArgument('Invalid JSON payload received. The request body must be a JSON object.');
      checkRequestJson(type, request.body, '');
      Object.assign(json, request.body);
    }
  } else {
    if (route.body && request.body !== undefined) {
      const { names, last } = fieldPath(type, route.body);
      if (last.resolvedType && 'fields' in last.resolvedType) checkRequestJson(last.resolvedType as protobuf.Type, request.body, route.body);
      setAt(json, names, request.body);
    }
    applyQuery(type, json, request.query);
  }
  for (const [field, value] of variables) setAt(json, fieldPath(type, field).names, value);
  return json;
}

function findRoute(routes: readonly TranscodedRoute[], request: RestRequest): { route: TranscodedRoute; variables: Map<string, string> } | undefined {
  const verb = request.method.toUpperCase();
  for (const route of routes) {
    if (route.verb !== verb) continue;
    const variables = matchTemplate(route.compiled, request.path);
    if (variables) return { route, variables };
  }
  return undefined;
}

/** The RestHandler for all transcoded methods; `routes` defaults to those of `methods`. */
export function transcodedHandler(methods: ApiMethods, routes = transcodedRoutes(methods)): RestHandler {
  return async (request) => {
    const found = findRoute(routes, request);
    if (!found) return undefined;
    const { route, variables } = found;
    const { numericEnums } = systemParameters(request.query);
    if (route.streaming) {
      throw new ApiError(grpc.status.UNIMPLEMENTED, `${route.method} is a streaming method; the emulator serves it over gRPC only.`);
    }
    // What grpc-js answers for a method of a registered service without a handler.
    if (!methods.implements(route.method)) throw new ApiError(grpc.status.UNIMPLEMENTED, `The server does not implement the method /${route.method}`);
    const types = rpcTypes(route.method);
    const message = requestFromJson(types.request, requestJson(route, variables, request, types.request));
    const response = await methods.call(route.method, message);
    return { status: 200, json: responseToJson(types.response, response, numericEnums) };
  };
}
