// Google's JSON error shape (https://cloud.google.com/apis/design/errors#http_mapping):
// {"error": {"code": HTTP status, "message": "...", "status": "NOT_FOUND", "details": [Any as JSON, ...]}},
// with the HTTP status google.rpc.Code documents for each gRPC code, and the same details (ErrorInfo of
// SERVICE_DISABLED, …) the gRPC side sends in grpc-status-details-bin.
import { grpc } from 'google-gax';
import { ApiError } from './apiError';
import { statusDetailsToJson } from './protoJson';
import type { RestResponse } from './restTypes';

const HTTP_STATUS: Readonly<Record<number, number>> = {
  [grpc.status.OK]: 200,
  [grpc.status.CANCELLED]: 499,
  [grpc.status.UNKNOWN]: 500,
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.DEADLINE_EXCEEDED]: 504,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.ALREADY_EXISTS]: 409,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.FAILED_PRECONDITION]: 400,
  [grpc.status.ABORTED]: 409,
  [grpc.status.OUT_OF_RANGE]: 400,
  [grpc.status.UNIMPLEMENTED]: 501,
  [grpc.status.INTERNAL]: 500,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.DATA_LOSS]: 500,
  [grpc.status.UNAUTHENTICATED]: 401,
};

export function httpStatusOf(code: grpc.status): number {
  return HTTP_STATUS[code] ?? 500;
}

/** Anything a handler threw, as Google's error response; unexpected errors are INTERNAL (as on gRPC). */
export function errorResponse(err: unknown): RestResponse {
  const apiError = err instanceof ApiError
    ? err
    : new ApiError(grpc.status.INTERNAL, `Internal emulator error: ${err instanceof Error ? err.message : String(err)}`);
  const status = httpStatusOf(apiError.code);
  let details: unknown[] = [];
  if (apiError.statusDetails) {
    try {
      details = statusDetailsToJson(apiError.statusDetails);
    } catch {
      // details that do not decode are left out rather than turning the error into another one
    }
  }
  const error = { code: status, message: apiError.message, status: grpc.status[apiError.code] ?? 'UNKNOWN', ...(details.length ? { details } : {}) };
  return { status, json: { error } };
}
