// The commit an image is built from, for tags like SERVICE:3f2a9c1 or SERVICE:3f2a9c1-dirty.
import { execFile } from 'node:child_process';

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** "3f2a9c1", "3f2a9c1-dirty" with uncommitted changes, or undefined outside a git repository. */
export async function gitRevisionTag(folder: string): Promise<string | undefined> {
  const sha = await git(folder, ['rev-parse', '--short=7', 'HEAD']);
  if (!sha) return undefined;
  const status = await git(folder, ['status', '--porcelain', '--untracked-files=normal']);
  return status ? `${sha}-dirty` : sha;
}

/** HEAD's full commit and branch (undefined when detached or outside a repository), for the build of HEAD. */
export async function gitHead(folder: string): Promise<{ commit?: string; branch?: string }> {
  const [commit, branch] = await Promise.all([git(folder, ['rev-parse', 'HEAD']), git(folder, ['symbolic-ref', '--short', '-q', 'HEAD'])]);
  return { commit: commit || undefined, branch: branch || undefined };
}

/** Author names of the commits this clone has (Cloud Build records none), by full SHA; one git call. */
export async function gitAuthors(folder: string, commits: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(commits.filter((c) => /^[0-9a-f]{7,40}$/i.test(c)))];
  const authors = new Map<string, string>();
  if (!wanted.length) return authors;
  // --ignore-missing: a commit pushed from elsewhere and not fetched yet is skipped, not an error.
  const out = await git(folder, ['log', '--no-walk=unsorted', '--ignore-missing', '--format=%H%x09%an', ...wanted]);
  for (const line of (out ?? '').split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name) authors.set(sha, name);
  }
  return authors;
}
