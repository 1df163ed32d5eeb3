// The build context: which files of a folder go to the engine, and the tar stream that carries them.
//
// `.dockerignore` follows Docker's documented rules through @balena/dockerignore (a port of moby's matcher):
// comments, `!` exceptions (last matching line wins), `*`/`?`/`**`, a leading `/` is the same as none, and a
// pattern that matches a directory excludes everything below it. Matching is case-sensitive, like Docker.
// Directories that are excluded are not descended into unless an exception could re-include something
// below them (what BuildKit does; the classic docker CLI only looked at literal prefixes).
// The Dockerfile and .dockerignore are always sent, even when ignored (the docker CLI does the same).
// Symlinks are sent as links and never followed, so nothing outside the folder is read.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { UserFacingError } from '../core/errors';

export interface ContextEntry {
  /** Relative to the context folder, with forward slashes. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
}

export interface PackedContext {
  stream: Readable;
  /** The Dockerfile's path inside the tar (forward slashes), to pass as the build's `dockerfile`. */
  dockerfile: string;
  /** Files and symlinks in the tar (directories not counted). */
  files: number;
  /** Bytes of tar that went through `stream` so far; final once the stream ended. */
  bytes(): number;
}

interface Matcher {
  ignores(pathname: string): boolean;
}

/** The lines of `<contextDir>/.dockerignore` that are patterns (no comments, no blank lines). */
export async function readDockerignore(contextDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(contextDir, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Files and symlinks the engine would receive for this folder, sorted, with forward slashes. */
export async function contextFiles(contextDir: string, dockerfile = 'Dockerfile'): Promise<string[]> {
  const entries = await walkContext(contextDir, dockerfile);
  return entries.filter((e) => e.type !== 'directory').map((e) => e.path).sort();
}

/** Everything that goes into the tar, in walk order (a directory before its contents). */
export async function walkContext(contextDir: string, dockerfile = 'Dockerfile'): Promise<ContextEntry[]> {
  const root = path.resolve(contextDir);
  const patterns = await readDockerignore(root);
  const matcher = await createMatcher(patterns);
  const always = new Set(['.dockerignore']);
  const dockerfileRel = relativeInside(root, dockerfile);
  if (dockerfileRel) always.add(dockerfileRel);
  // the always-sent files act as exceptions too: an ignored folder holding the Dockerfile is descended into
  const exceptions = [...exceptionPatterns(patterns), ...[...always].map((file) => file.split('/'))];

  const entries: ContextEntry[] = [];
  const walk = async (dirRel: string): Promise<void> => {
    const dirents = await fs.readdir(dirRel ? path.join(root, ...dirRel.split('/')) : root, { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      const rel = dirRel ? `${dirRel}/${dirent.name}` : dirent.name;
      const ignored = !always.has(rel) && matcher.ignores(rel);
      if (dirent.isDirectory()) {
        if (!ignored) {
          entries.push({ path: rel, type: 'directory' });
          await walk(rel);
        } else if (exceptions.some((parts) => couldMatchBelow(parts, rel.split('/')))) {
          await walk(rel);
        }
      } else if (ignored) {
        continue;
      } else if (dirent.isSymbolicLink()) {
        entries.push({ path: rel, type: 'symlink' });
      } else if (dirent.isFile()) {
        entries.push({ path: rel, type: 'file' });
      }
      // sockets, FIFOs and devices are skipped (the docker CLI skips sockets and fails on the rest)
    }
  };
  await walk('');
  return entries;
}

/**
 * Packs the context into an uncompressed tar stream. `dockerfile` is relative to contextDir; one outside
 * the folder is added under a generated name, like `docker build -f ../Dockerfile .` does.
 */
export async function packContext(contextDir: string, dockerfile = 'Dockerfile'): Promise<PackedContext> {
  const root = path.resolve(contextDir);
  try {
    const stat = await fs.stat(root);
    if (!stat.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch {
    throw new UserFacingError(`The build folder ${root} does not exist or is not a folder.`, 'configuration');
  }
  const dockerfileAbs = path.resolve(root, dockerfile);
  const inside = relativeInside(root, dockerfile);
  let outsideDockerfile: Buffer | undefined;
  try {
    if (inside) await fs.access(dockerfileAbs);
    else outsideDockerfile = await fs.readFile(dockerfileAbs);
  } catch {
    throw new UserFacingError(
      `There is no Dockerfile at ${dockerfileAbs}. Add one to the folder, or choose the Dockerfile to build.`,
      'buildFailed',
    );
  }

  const entries = await walkContext(root, inside ?? '');
  const tarName = inside ?? `.dockerfile.${randomBytes(10).toString('hex')}`;
  const { pack: packTar } = await import('./contextLibraries');
  const pack = packTar(root, {
    // tar-fs recurses into directory entries by itself; the list is complete, so it must not.
    entries: entries.map((e) => e.path.split('/').join(path.sep)),
    ignore: () => true,
    // uid/gid 0 and no user names, like the docker CLI: builds do not depend on who runs them.
    // On Windows files have no Unix modes: 0755 like the docker CLI, so scripts stay executable.
    map: (header) => ({
      ...header,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mode: process.platform === 'win32' && header.mode !== undefined ? (header.mode & ~0o777) | 0o755 : header.mode,
    }),
    finalize: !outsideDockerfile,
    finish: outsideDockerfile
      ? (p) => {
          p.entry({ name: tarName, mode: 0o644, mtime: new Date(), uid: 0, gid: 0 }, outsideDockerfile);
          p.finalize();
        }
      : undefined,
  });

  let bytes = 0;
  const counter = new PassThrough({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const stream = pipeline(pack, counter, () => undefined);
  return {
    stream,
    dockerfile: tarName,
    files: entries.filter((e) => e.type !== 'directory').length + (outsideDockerfile ? 1 : 0),
    bytes: () => bytes,
  };
}

async function createMatcher(patterns: string[]): Promise<Matcher> {
  if (patterns.length === 0) return { ignores: () => false };
  const { dockerignore } = await import('./contextLibraries');
  return dockerignore({ ignorecase: false }).add(patterns);
}

/** The `!` patterns, cleaned the way moby cleans them, split into path segments. */
export function exceptionPatterns(patterns: string[]): string[][] {
  const out: string[][] = [];
  for (const line of patterns) {
    if (!line.startsWith('!')) continue;
    let pattern = path.posix.normalize(line.slice(1).trim());
    if (pattern.startsWith('/')) pattern = pattern.slice(1);
    pattern = pattern.replace(/\/+$/, '');
    if (pattern && pattern !== '.') out.push(pattern.split('/'));
  }
  return out;
}

/** Could an exception pattern (segments) match something inside the directory `dir` (segments)? */
export function couldMatchBelow(pattern: string[], dir: string[]): boolean {
  for (let i = 0; i < dir.length; i++) {
    if (i >= pattern.length) return true; // the pattern names an ancestor of dir: let the matcher decide
    if (pattern[i] === '**') return true;
    if (!segmentRegExp(pattern[i]).test(dir[i])) return false;
  }
  return true;
}

function segmentRegExp(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < segment.length) re += escapeRegExp(segment[++i]);
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += escapeRegExp(ch);
  }
  try {
    return new RegExp(`${re}$`);
  } catch {
    return /^/; // a malformed class: be permissive, the matcher decides per file
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `file` (relative to root or absolute) as a forward-slash path inside root, or undefined if outside. */
function relativeInside(root: string, file: string): string | undefined {
  const rel = path.relative(root, path.resolve(root, file));
  if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
