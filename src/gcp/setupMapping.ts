// Conversions the setup client needs, kept pure for unit tests: IAM policies between gRPC (etag as bytes) and
// SetupApi (etag as base64), and REST errors (HTTP status) to the gRPC codes the rest of Mentor maps.
import { Code } from './errorMapping';
import { IamPolicy } from './setupApi';

interface GrpcPolicy {
  version?: number | null;
  etag?: Uint8Array | string | null;
  bindings?: { role?: string | null; members?: string[] | null; condition?: { expression?: string | null; title?: string | null; description?: string | null } | null }[] | null;
}

export function fromGrpcPolicy(policy: GrpcPolicy): IamPolicy {
  const etag = policy.etag;
  return {
    version: policy.version ?? undefined,
    etag: etag === undefined || etag === null ? undefined : typeof etag === 'string' ? etag : Buffer.from(etag).toString('base64'),
    bindings: (policy.bindings ?? []).map((b) => ({
      role: b.role ?? '',
      members: [...(b.members ?? [])],
      ...(b.condition ? { condition: { expression: b.condition.expression ?? undefined, title: b.condition.title ?? undefined,
        description: b.condition.description ?? undefined } } : {}),
    })),
  };
}

export function toGrpcPolicy(policy: IamPolicy): GrpcPolicy & { etag?: Uint8Array } {
  // A policy with conditions must be written as version 3, or the set is refused.
  const version = policy.bindings.some((b) => b.condition) ? 3 : (policy.version ?? 1);
  return {
    version,
    ...(policy.etag ? { etag: Buffer.from(policy.etag, 'base64') } : {}),
    bindings: policy.bindings.map((b) => ({ role: b.role, members: b.members, ...(b.condition ? { condition: b.condition } : {}) })),
  };
}

const HTTP_TO_GRPC: Record<number, number> = {
  400: Code.INVALID_ARGUMENT, 401: Code.UNAUTHENTICATED, 403: Code.PERMISSION_DENIED, 404: Code.NOT_FOUND,
  409: Code.ALREADY_EXISTS, 412: Code.FAILED_PRECONDITION, 429: Code.RESOURCE_EXHAUSTED, 500: Code.INTERNAL, 503: Code.UNAVAILABLE,
};

/** A googleapis (gaxios) error as a gRPC-shaped one: `code`, `details`, and `reason` from the ErrorInfo detail. */
export function restToGrpcError(error: unknown): Error & { code?: number; details?: string; reason?: string } {
  const e = (error ?? {}) as { status?: number; code?: unknown; message?: string; response?: { status?: number; data?: unknown } };
  const status = e.status ?? e.response?.status ?? (typeof e.code === 'number' ? e.code : undefined);
  const body = (e.response?.data ?? {}) as { error?: { message?: string; status?: string; details?: { reason?: string }[] } };
  const mapped = new Error(body.error?.message || e.message || 'request failed') as Error & { code?: number; details?: string; reason?: string };
  mapped.code = status !== undefined ? (HTTP_TO_GRPC[status] ?? Code.UNKNOWN) : (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(String(e.code ?? e.message)) ? Code.UNAVAILABLE : Code.UNKNOWN);
  if (body.error?.status === 'ABORTED') mapped.code = Code.ABORTED;
  mapped.details = mapped.message;
  mapped.reason = body.error?.details?.find((d) => d.reason)?.reason;
  return mapped;
}
