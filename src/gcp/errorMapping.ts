// Maps what the Google clients throw (gRPC status codes plus google.rpc.ErrorInfo details, surfaced by
// google-gax as `reason`/`errorInfoMetadata`) to UserFacingErrors with a next step.
import { ErrorAction, UserFacingError } from '../core/errors';

/** gRPC status codes (google.rpc.Code). */
export const Code = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

interface GrpcLikeError {
  code?: number | string;
  details?: string;
  message?: string;
  reason?: string;
  errorInfoMetadata?: Record<string, string>;
}

export interface CallContext {
  /** What was being done, e.g. "list Cloud Run services in mentor-demo/us-central1". */
  action: string;
  /** "127.0.0.1:8090" when talking to an emulator, undefined for Google. */
  endpoint?: string;
  project: string;
  /** Which API was called, when not Cloud Run Admin (the messages name it, its role and where to enable it). */
  api?: { title: string; service: string; role: string };
}

const RETRY: ErrorAction = { kind: 'retry', label: 'Retry' };

export function toUserFacingError(error: unknown, context: CallContext): UserFacingError {
  if (error instanceof UserFacingError) return error;
  const e = (error ?? {}) as GrpcLikeError;
  const detail = cleanDetail(e);
  const code = typeof e.code === 'number' ? e.code : undefined;
  const where = context.endpoint ? `the Cloud Run emulator at ${context.endpoint}` : 'Google Cloud';
  const api = context.api ?? { title: 'Cloud Run Admin API', service: 'run.googleapis.com', role: 'Cloud Run Developer (roles/run.developer)' };
  const endpointSetting: ErrorAction = { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.apiEndpoint' };

  if (e.reason === 'SERVICE_DISABLED' || /has not been used in project|is disabled/i.test(detail)) {
    const url = e.errorInfoMetadata?.activationUrl ??
      `https://console.cloud.google.com/apis/library/${api.service}?project=${context.project}`;
    return new UserFacingError(`Cannot ${context.action}: the ${api.title} is not enabled in project ` +
      `${context.project}.`, 'apiDisabled', [{ kind: 'openUrl', label: 'Enable API', url }, RETRY], detail);
  }
  if (code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(detail)) {
    const hint = context.endpoint
      ? 'Is the emulator running? Start it with "npm run emulator", or clear mentor.apiEndpoint to use Google Cloud.'
      : 'Check your network connection.';
    return new UserFacingError(`Cannot reach ${where} to ${context.action}. ${hint}`, 'unreachable',
      [RETRY, ...(context.endpoint ? [endpointSetting] : [])], detail);
  }
  if (code === Code.UNAUTHENTICATED) {
    return new UserFacingError(`Google Cloud rejected your credentials while trying to ${context.action}. ` +
      'Sign in again with "gcloud auth application-default login".', 'noCredentials',
      [{ kind: 'copyText', label: 'Copy Login Command', text: 'gcloud auth application-default login' }, RETRY], detail);
  }
  if (code === Code.PERMISSION_DENIED) {
    return new UserFacingError(`Permission denied to ${context.action} in project ${context.project}. ` +
      `You need a role such as ${api.role}. ${detail}`.trim(), 'permissionDenied',
      [{ kind: 'openUrl', label: 'Open IAM', url: `https://console.cloud.google.com/iam-admin/iam?project=${context.project}` },
        { kind: 'openSettings', label: 'Change Project', setting: 'mentor.project' }], detail);
  }
  if (code === Code.NOT_FOUND) {
    return new UserFacingError(`Not found while trying to ${context.action}: ${detail}`, 'notFound',
      [{ kind: 'openSettings', label: 'Check Project', setting: 'mentor.project' }, RETRY], detail);
  }
  if (code === Code.INVALID_ARGUMENT || code === Code.FAILED_PRECONDITION) {
    return new UserFacingError(`Cloud Run refused to ${context.action}: ${detail}`, 'invalidArgument', [], detail);
  }
  if (code === Code.ALREADY_EXISTS || code === Code.ABORTED) {
    return new UserFacingError(`Cloud Run refused to ${context.action}: ${detail}`, 'conflict', [RETRY], detail);
  }
  return new UserFacingError(`Failed to ${context.action}: ${detail || 'unknown error'}`, 'unknown', [RETRY], detail);
}

/** gax prefixes messages with "14 UNAVAILABLE: "; people need only the sentence after it. */
function cleanDetail(e: GrpcLikeError): string {
  const text = e.details || e.message || '';
  return text.replace(/^\d+ [A-Z_]+: /, '').trim();
}
