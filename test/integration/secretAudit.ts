// Where a test's fake secret values must never turn up: it names the files that hold one, never the value.
import * as fs from 'fs';
import * as path from 'path';

/** Every text file under `dir` holding one of the values (pictures and archives skipped). */
export function filesHolding(dir: string | undefined, values: string | string[]): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  const wanted = typeof values === 'string' ? [values] : values;
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.(png|jpe?g|vsix|tar|gz)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    let text: string;
    try { text = fs.readFileSync(file, 'latin1'); } catch { continue; }
    if (wanted.some((v) => text.includes(v))) found.push(file);
  }
  return found;
}
