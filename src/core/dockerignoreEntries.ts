// Adding exact files to a .dockerignore ("Add to .dockerignore" on a secrets finding) without disturbing
// what the user wrote: their lines stay as they are, a file already listed is not listed twice.

/**
 * The .dockerignore line that excludes exactly `path` (relative to the context, forward slashes). Glob
 * characters are escaped with a backslash, and so is a leading `!` or `#`, which would otherwise make the
 * line an exception or a comment (both Docker's matcher and @balena/dockerignore read them this way).
 */
export function dockerignoreLineFor(path: string): string {
  const escaped = path.replace(/[\\*?[\]]/g, (ch) => `\\${ch}`);
  return /^[!#]/.test(escaped) ? `\\${escaped}` : escaped;
}

const WHY = '# secrets found by Mentor: pass them with mentor.secrets (Secret Manager), not in the image';

/** How two lines compare: a leading "/" means the same as none, and trailing spaces never count. */
function sameLine(line: string): string {
  return line.trim().replace(/^\/+/, '');
}

/**
 * `existing` (undefined: no .dockerignore yet) with a line for each path it does not list yet, at the end,
 * under one comment that says why they are there. `added` are the paths that got a line.
 */
export function appendToDockerignore(existing: string | undefined, paths: readonly string[]): { text: string; added: string[] } {
  const text = existing ?? '';
  const listed = new Set(text.split(/\r?\n/).map(sameLine));
  const added: string[] = [];
  const lines: string[] = [];
  for (const path of paths) {
    const line = dockerignoreLineFor(path);
    if (listed.has(sameLine(line))) continue;
    listed.add(sameLine(line));
    added.push(path);
    lines.push(line);
  }
  if (lines.length === 0) return { text, added };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  // the comment heads the first paths Mentor adds, not each batch
  const block = listed.has(WHY) ? lines : [WHY, ...lines];
  return { text: `${text}${separator}${block.join(eol)}${eol}`, added };
}
