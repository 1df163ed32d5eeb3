// Errors the emulator answers with: a gRPC status code plus the message a user would see, and optionally
// the google.rpc.Status details (ErrorInfo, Help…) Google sends in the grpc-status-details-bin trailer.
import { grpc } from 'google-gax';

export class ApiError extends Error {
  constructor(readonly code: grpc.status, message: string, readonly statusDetails?: Buffer) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidArgument = (message: string) => new ApiError(grpc.status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new ApiError(grpc.status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new ApiError(grpc.status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) => new ApiError(grpc.status.FAILED_PRECONDITION, message);
export const aborted = (message: string) => new ApiError(grpc.status.ABORTED, message);
export const permissionDenied = (message: string) => new ApiError(grpc.status.PERMISSION_DENIED, message);

/** Anything thrown inside a handler becomes a gRPC status; unexpected errors are INTERNAL. */
export function toGrpcStatus(err: unknown): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  if (err instanceof ApiError) {
    if (!err.statusDetails) return { code: err.code, details: err.message };
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', err.statusDetails);
    return { code: err.code, details: err.message, metadata };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: grpc.status.INTERNAL, details: `Internal emulator error: ${message}` };
}
