// The emulator's stand-in for GitHub's push webhook: the repositories linked to Cloud Build (v2 Repository
// remoteUri) that are git repositories on this machine are polled with `git for-each-ref` about once a second;
// a branch or tag that appeared or moved is a push. Polling instead of fs.watch because `git push` updates
// refs by lock-file renames and packs them into packed-refs, which watchers see as anything from zero to many
// events; one for-each-ref per repository and second is cheap and always right. The refs seen last are kept
// in the emulator's state, so a restarted emulator fires for pushes made while it was down, and only those.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_POLL_MS = 1000;
const GIT_TIMEOUT_MS = 15_000;

/** The local path behind a remoteUri (an absolute path or a file:// URL), or undefined for anything remote. */
export function localRepoPath(remoteUri: string | undefined): string | undefined {
  if (!remoteUri) return undefined;
  if (remoteUri.startsWith('file://')) {
    try {
      return fileURLToPath(remoteUri);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(remoteUri) ? remoteUri : undefined;
}

/** Runs git in `repo` (bare or not); rejects with git's stderr. */
export function git(repo: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', repo, ...args], { timeout: GIT_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

/** refs/heads/* and refs/tags/* → the commit each points to (annotated tags peeled). */
export async function listRefs(repo: string): Promise<Record<string, string>> {
  const out = await git(repo, ['for-each-ref', '--format=%(refname) %(objectname) %(*objectname)', 'refs/heads', 'refs/tags']);
  const refs: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const [ref, object, peeled] = line.trim().split(' ');
    if (ref && object) refs[ref] = peeled || object;
  }
  return refs;
}

/** The file's text at the commit, or undefined when the commit has no such file. */
export async function readFileAt(repo: string, commit: string, file: string): Promise<string | undefined> {
  try {
    return await git(repo, ['show', `${commit}:${file.replace(/^\.?\//, '')}`]);
  } catch (err) {
    if (/does not exist|exists on disk, but not in|bad revision|invalid object name|path .* not in/i.test(String(err))) return undefined;
    throw err;
  }
}

/** The files a push changed: from `before` to `commit`, or the commit's own files for a new ref. */
export async function changedFiles(repo: string, commit: string, before: string | undefined): Promise<string[]> {
  const out = before
    ? await git(repo, ['diff', '--name-only', '--no-renames', before, commit])
    : await git(repo, ['show', '--name-only', '--no-renames', '--format=', commit]);
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** A trigger's includedFiles/ignoredFiles glob: `**` spans directories, `*` and `?` stay within one. */
export function globRegex(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The commit a ref or sha names, or undefined. */
export async function resolveCommit(repo: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The branch HEAD points to (the repository's default branch), e.g. "main". */
export async function defaultBranch(repo: string): Promise<string | undefined> {
  try {
    return (await git(repo, ['symbolic-ref', '--short', 'HEAD'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface PushWatcherDeps {
  /** The local repository paths to watch right now. */
  repositories(): string[];
  /** Last seen refs per repository path (persisted by the caller). */
  seen(): Record<string, Record<string, string>>;
  changed(): void;
  /** A ref appeared (`before` undefined) or moved. */
  pushed(repo: string, ref: string, commit: string, before: string | undefined): void;
  intervalMs?: number;
}

export class GitPushWatcher {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly deps: PushWatcherDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.deps.intervalMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** Records the refs a repository has now, so only later pushes fire (called when it is linked). */
  async baseline(repo: string): Promise<void> {
    if (this.deps.seen()[repo]) return;
    try {
      this.deps.seen()[repo] = await listRefs(repo);
      this.deps.changed();
    } catch {
      // not a repository (yet): the first poll that can read it takes the baseline
    }
  }

  /** One round over every watched repository; overlapping calls share the round in progress. */
  poll(): Promise<void> {
    this.polling ??= this.round().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  private async round(): Promise<void> {
    for (const repo of new Set(this.deps.repositories())) {
      if (!fs.existsSync(repo)) continue;
      let refs: Record<string, string>;
      try {
        refs = await listRefs(repo);
      } catch {
        continue; // e.g. mid-push lock contention: next round
      }
      const before = this.deps.seen()[repo];
      if (before && JSON.stringify(before) === JSON.stringify(refs)) continue;
      this.deps.seen()[repo] = refs;
      this.deps.changed();
      if (!before) continue; // first sight: a baseline, not a push
      for (const [ref, commit] of Object.entries(refs)) {
        if (before[ref] !== commit) this.deps.pushed(repo, ref, commit, before[ref]);
      }
    }
  }
}
