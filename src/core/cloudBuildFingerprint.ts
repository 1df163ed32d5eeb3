// The fingerprint line of a generated cloudbuild.yaml: a hash of the rest of the file, so a later
// regeneration can tell "untouched since Mentor wrote it" (safe to replace) from "the user edited it"
// (show a diff, never overwrite blindly). Line endings do not count: a checkout with CRLF is not an edit.
import { createHash } from 'node:crypto';

export const FINGERPRINT_PREFIX = '# mentor-fingerprint: ';
const FINGERPRINT_LINE = /^# mentor-fingerprint: ([0-9a-f]{16})[ \t]*$/m;

function normalised(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The fingerprint of `text` without its fingerprint line (if it has one). */
export function generatedFingerprint(text: string): string {
  const body = normalised(text).split('\n').filter((line) => !FINGERPRINT_LINE.test(line)).join('\n');
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** The fingerprint the file records, or undefined when it has none (not generated, or the line was removed). */
export function recordedFingerprint(text: string): string | undefined {
  return FINGERPRINT_LINE.exec(normalised(text))?.[1];
}

/** True when the file carries a fingerprint line and nothing else in it changed since it was generated. */
export function isUnchangedSinceGenerated(text: string): boolean {
  const recorded = recordedFingerprint(text);
  return recorded !== undefined && recorded === generatedFingerprint(text);
}

/** `text` with its placeholder fingerprint line (FINGERPRINT_PREFIX + 16 zeros) replaced by the real one. */
export function withFingerprint(text: string): string {
  const placeholder = `${FINGERPRINT_PREFIX}${'0'.repeat(16)}`;
  if (!text.includes(placeholder)) throw new Error('The generated text has no fingerprint placeholder.');
  return text.replace(placeholder, `${FINGERPRINT_PREFIX}${generatedFingerprint(text)}`);
}
