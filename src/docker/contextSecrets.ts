// The secrets scan on a real folder: exactly the files the engine would receive (walkContext applies
// .dockerignore the way the build does), checked by core/secretFiles.ts.
import { lstat, open } from 'node:fs/promises';
import * as path from 'node:path';
import { findSecretFiles, MAX_SCAN_BYTES, type SecretFinding } from '../core/secretFiles';
import { secretsInImageError } from '../core/secretsInImage';
import { walkContext } from './buildContext';

/** Secret files in the build context of `contextDir`, except the `allowed` context paths. */
export async function secretFilesInContext(contextDir: string, dockerfile = 'Dockerfile', allowed: readonly string[] = []): Promise<SecretFinding[]> {
  const root = path.resolve(contextDir);
  const absolute = (rel: string) => path.join(root, ...rel.split('/'));
  // Symlinks go into the image as links, not as the file they point to: only regular files can carry a secret.
  const entries = (await walkContext(root, dockerfile)).filter((e) => e.type === 'file');
  const files = await Promise.all(entries.map(async (e) => ({ path: e.path, size: await lstat(absolute(e.path)).then((s) => s.size, () => 0) })));
  return findSecretFiles(files, (rel) => readHead(absolute(rel)), allowed);
}

/** Throws the deploy's refusal (naming each file and why) when the context holds secrets that are not allowed. */
export async function refuseSecretsInContext(contextDir: string, dockerfile: string, allowed: readonly string[] = []): Promise<void> {
  const findings = await secretFilesInContext(contextDir, dockerfile, allowed);
  if (findings.length) throw secretsInImageError(findings, contextDir);
}

/** The first MAX_SCAN_BYTES of a file as text, or undefined when it cannot be read. */
async function readHead(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(MAX_SCAN_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_SCAN_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
