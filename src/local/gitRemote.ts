// What the trigger needs from the workspace's git: the `origin` remote it watches, and that remote's default
// branch (the trigger deploys pushes to main; a repository whose default is another branch is asked about).
import { execFile } from 'node:child_process';

function git(cwd: string, args: string[], timeout = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** `git remote get-url origin`, or undefined when there is no such remote (or no git). */
export function originUrl(folder: string): Promise<string | undefined> {
  return git(folder, ['remote', 'get-url', 'origin']).then((url) => url || undefined);
}

/**
 * origin's default branch: what origin's HEAD points at (asking the remote, bounded), else the local
 * refs/remotes/origin/HEAD a clone records; undefined when neither says.
 */
export async function originDefaultBranch(folder: string): Promise<string | undefined> {
  const remote = await git(folder, ['ls-remote', '--symref', 'origin', 'HEAD'], 10_000);
  const m = remote && /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(remote);
  if (m) return m[1];
  const local = await git(folder, ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']);
  return local?.replace(/^origin\//, '') || undefined;
}
