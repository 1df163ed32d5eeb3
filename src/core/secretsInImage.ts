// What Mentor says when secret files are in a build context: one wording for the deploy's refusal (VS Code
// and the CLI) and Build Container's warning, with the two ways out as actions: keep the files out of the
// image (.dockerignore), or accept them (mentor.allowedFilesInImage, remembered in the repository).
import { ErrorAction, UserFacingError } from './errors';
import type { SecretFinding } from './secretFiles';

export const IGNORE_FILES_BUTTON = 'Add to .dockerignore';
export const ALLOW_FILES_BUTTON = 'Allow in Image';
export const IGNORE_FILES_COMMAND = 'mentor.ignoreFilesInImage';
export const ALLOW_FILES_COMMAND = 'mentor.allowFilesInImage';
export const ALLOWED_FILES_SETTING = 'mentor.allowedFilesInImage';
/** A notification stays readable: the rest is counted, and the buttons still cover every file. */
const LISTED = 8;

/** "a: why; b: why; and 3 more" (a reason may hold parentheses and commas of its own) */
export function describeFindings(findings: readonly SecretFinding[]): string {
  const shown = findings.slice(0, LISTED).map((f) => `${f.path}: ${f.reason}`);
  const more = findings.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

const them = (findings: readonly SecretFinding[]) => (findings.length === 1 ? 'it' : 'them');

/** Both buttons carry the paths (and the context folder, for multi-root windows) to their command. */
export function secretFileActions(findings: readonly SecretFinding[], contextDir: string): ErrorAction[] {
  const paths = findings.map((f) => f.path);
  return [
    { kind: 'command', label: IGNORE_FILES_BUTTON, command: IGNORE_FILES_COMMAND, args: [paths, contextDir] },
    { kind: 'command', label: ALLOW_FILES_BUTTON, command: ALLOW_FILES_COMMAND, args: [paths, contextDir] },
  ];
}

/** The deploy's refusal: nothing is built, so nothing is pushed. The CLI prints the same message. */
export function secretsInImageError(findings: readonly SecretFinding[], contextDir: string): UserFacingError {
  const files = findings.length === 1 ? '1 file in the build context holds a secret' : `${findings.length} files in the build context hold secrets`;
  return new UserFacingError(
    `Deploy stopped before the build: ${files} that the image would carry to the registry — ` +
    `${describeFindings(findings)}. Keep ${them(findings)} out with .dockerignore (pass secrets with mentor.secrets), ` +
    `or list ${them(findings)} in ${ALLOWED_FILES_SETTING} to build ${them(findings)} in anyway.`,
    'configuration',
    secretFileActions(findings, contextDir),
  );
}

/** Build Container's warning: a local image is not pushed, so the build goes on. */
export function secretsInLocalImageWarning(findings: readonly SecretFinding[]): string {
  const files = findings.length === 1 ? 'a file that holds a secret' : `${findings.length} files that hold secrets`;
  return `This local image includes ${files} — ${describeFindings(findings)}. ` +
    `A deploy refuses ${them(findings)} until ${them(findings) === 'it' ? 'it is' : 'they are'} in .dockerignore or allowed in the image.`;
}
