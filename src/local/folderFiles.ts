// ProjectFiles over a folder on this machine (the deploy pipeline and the headless CLI work on paths, not
// on VS Code's file system). The listing skips what never holds the app's code, and is capped.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProjectFiles } from '../core/pythonProject';

const SKIPPED = new Set(['.git', '.venv', 'venv', 'node_modules', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache']);
const MAX_FILES = 5000;

export function folderProjectFiles(folder: string): ProjectFiles {
  let listing: Promise<string[]> | undefined;
  return {
    list: () => (listing ??= listFiles(folder)),
    read: (path) => readFile(join(folder, path), 'utf8').catch(() => undefined),
  };
}

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const pending = [''];
  while (pending.length && files.length < MAX_FILES) {
    const dir = pending.shift()!;
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) pending.push(path);
      } else if (entry.isFile()) {
        files.push(path);
      }
    }
  }
  return files.slice(0, MAX_FILES);
}
