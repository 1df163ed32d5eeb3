// Paths that settings give relative to the workspace folder (mentor.localEnvFile). A repository's
// settings must not point Mentor at files elsewhere on the machine (~/.ssh, another project's .env):
// an absolute path, a home path or one that climbs out with ".." is refused, never silently resolved.

export type InsideFolder = { path: string } | { problem: string };

/** `value` as a normalised folder-relative path with forward slashes, or why it is not one. */
export function pathInsideFolder(value: string): InsideFolder {
  const raw = value.trim();
  if (!raw) return { problem: 'is empty' };
  const slashed = raw.replace(/\\/g, '/');
  // "/x", "C:/x", "C:x" (drive-relative on Windows), "//server/share" and "~/x" all name places outside the folder
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed) || slashed.startsWith('~')) {
    return { problem: `"${raw}" is not relative to the workspace folder: use a path inside it, like ".env"` };
  }
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { problem: `"${raw}" leads out of the workspace folder: use a path inside it, like ".env"` };
      parts.pop();
    } else parts.push(part);
  }
  if (parts.length === 0) return { problem: `"${raw}" is the workspace folder itself, not a file in it` };
  return { path: parts.join('/') };
}
