// Parses .env files the way python-dotenv and Docker Compose read them (KEY=VALUE, optional `export`,
// quotes, # comments). Values are secrets: callers must never log them.

export interface DotenvResult {
  values: Record<string, string>;
  /** Lines that are not KEY=VALUE, as "line N: reason" — shown to the user, without the line's content. */
  problems: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string): DotenvResult {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).replace(/^export\s+/, '').trim();
    if (eq < 0 || !ENV_NAME.test(key)) {
      problems.push(`line ${index + 1}: expected NAME=value`);
      return;
    }
    values[key] = unquote(line.slice(eq + 1).trim());
  });
  return { values, problems };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
    const inner = value.slice(1, value.lastIndexOf(quote));
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
  }
  // Unquoted: an inline comment starts at " #".
  const comment = value.search(/\s#/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}
