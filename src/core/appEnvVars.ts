// The environment variables a Python app reads, found in its source text: os.environ[...] / .get,
// os.getenv, pydantic BaseSettings fields, and the keys of .env.example. The setup wizard offers a Secret
// Manager secret for each; nothing here reads a value (an .env.example holds placeholders, and only its
// keys are kept).

export interface SourceFile {
  /** Workspace-relative path, for "found in". */
  path: string;
  text: string;
}

export interface AppEnvVar {
  name: string;
  /** Where it was seen, e.g. "app/config.py:12" or ".env.example". */
  foundIn: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// os.environ["X"], os.environ.get("X"), environ.get('X'), os.getenv("X"), getenv('X'); also environ.setdefault.
const DIRECT_READS = [
  /\b(?:os\.)?environ\s*\[\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]/g,
  /\b(?:os\.)?environ\.(?:get|setdefault|pop)\s*\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1/g,
  /\b(?:os\.)?getenv\s*\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1/g,
];

/** Cloud Run sets these itself; offering a secret for them would be wrong. */
const PLATFORM_VARS = new Set(['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION', 'HOME', 'PATH', 'PYTHONPATH']);

export function findAppEnvVars(files: readonly SourceFile[]): AppEnvVar[] {
  const found = new Map<string, string[]>();
  const add = (name: string, where: string) => {
    if (!ENV_NAME.test(name) || PLATFORM_VARS.has(name)) return;
    const list = found.get(name) ?? [];
    if (!list.includes(where)) list.push(where);
    found.set(name, list);
  };
  for (const file of files) {
    if (isEnvExample(file.path)) {
      for (const key of envExampleKeys(file.text)) add(key, file.path);
    } else if (file.path.endsWith('.py')) {
      for (const { name, line } of pythonEnvReads(file.text)) add(name, `${file.path}:${line}`);
    }
  }
  return [...found].map(([name, foundIn]) => ({ name, foundIn })).sort((a, b) => a.name.localeCompare(b.name));
}

export function isEnvExample(path: string): boolean {
  return /(^|\/)\.env\.(example|sample|template)$/.test(path);
}

function envExampleKeys(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => line.slice(0, line.indexOf('=')).replace(/^export\s+/, '').trim());
}

function pythonEnvReads(text: string): { name: string; line: number }[] {
  const reads: { name: string; line: number }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const pattern of DIRECT_READS) {
    for (const match of text.matchAll(pattern)) reads.push({ name: match[2], line: lineOf(match.index ?? 0) });
  }
  reads.push(...settingsFields(text));
  return reads;
}

/**
 * pydantic BaseSettings: every annotated field of a class deriving from BaseSettings is read from the
 * environment, upper- or lower-case, with the model's env_prefix. Field(alias=/validation_alias=) and
 * pydantic v1's Field(env=) name the variable instead. Environment names are case-insensitive by default,
 * and apps write them upper-case, so that is how they are offered.
 */
function settingsFields(text: string): { name: string; line: number }[] {
  const lines = text.split(/\r?\n/);
  const fields: { name: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^class\s+\w+\s*\([^)]*\bBaseSettings\b[^)]*\)\s*:/.test(lines[i])) continue;
    const body: { text: string; line: number }[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      if (line.trim() && !/^\s/.test(line)) break;
      body.push({ text: line, line: j + 1 });
    }
    const indent = body.find((b) => b.text.trim())?.text.match(/^\s*/)?.[0] ?? '    ';
    const prefix = body.map((b) => b.text.match(/env_prefix\s*=\s*(['"])([^'"]*)\1/)?.[2]).find((p) => p !== undefined) ?? '';
    for (const { text: line, line: number } of body) {
      if (!line.startsWith(indent) || /^\s/.test(line.slice(indent.length))) continue; // nested blocks
      const field = line.slice(indent.length).match(/^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[^=]+(?:=(.*))?$/);
      if (!field || field[1] === 'model_config' || field[1].startsWith('_')) continue;
      if (/^\s*ClassVar\b/.test(line.slice(line.indexOf(':') + 1))) continue;
      const named = field[2]?.match(/\b(?:validation_alias|alias|env)\s*=\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1/)?.[2];
      fields.push({ name: named ?? `${prefix}${field[1]}`.toUpperCase(), line: number });
    }
  }
  return fields;
}
