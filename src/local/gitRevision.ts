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
