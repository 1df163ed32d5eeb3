// Errors meant for a person: a message that says what happened and what to do, plus actions the UI
// turns into buttons or links. Everything that can fail for a known reason is mapped to one of these.

export type ErrorAction =
  | { kind: 'openSettings'; label: string; setting: string }
  | { kind: 'openUrl'; label: string; url: string }
  | { kind: 'copyText'; label: string; text: string }
  | { kind: 'retry'; label: string }
  /** Opens a file (absolute path) at a 1-based line. */
  | { kind: 'openFile'; label: string; path: string; line: number }
  | { kind: 'command'; label: string; command: string; args?: readonly unknown[] };

export type ErrorKind =
  | 'configuration'
  | 'noCredentials'
  | 'unreachable'
  | 'permissionDenied'
  | 'apiDisabled'
  | 'notFound'
  | 'invalidArgument'
  | 'conflict'
  | 'operationFailed'
  | 'engineUnavailable'
  | 'buildFailed'
  /** A container registry rejected the credentials (HTTP 401) or none were sent. */
  | 'registryAuth'
  | 'unknown';

export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly actions: readonly ErrorAction[] = [],
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** Thrown (or mapped from) when the user dismisses a prompt: never shown as an error. */
export class UserCancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'UserCancelledError';
  }
}

export function isCancellation(error: unknown): boolean {
  return error instanceof UserCancelledError || (error instanceof Error && error.name === 'AbortError');
}
