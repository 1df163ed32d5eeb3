// Reads how an existing project starts its server — a Dockerfile CMD/ENTRYPOINT or a Procfile `web:` line
// (`uvicorn main:app --port 80`, `gunicorn -k uvicorn.workers.UvicornWorker -b :8000 pkg.app:application`,
// `fastapi run main.py`) — and rewrites it to Cloud Run's contract: all interfaces, the port from $PORT.

export type ServerKind = 'uvicorn' | 'gunicorn' | 'hypercorn' | 'fastapi';

export interface StartCommand {
  server: ServerKind;
  /** "app.main:app", or the file for `fastapi run main.py`. */
  appModule?: string;
  /** The port the command listens on when it does not read $PORT (a written number or the server's default). */
  fixedPort?: number;
  readsPortEnv: boolean;
  /** The shell words of the command, from the server on (a leading `exec` / `python -m` dropped). */
  words: string[];
}

export interface CommandLocation {
  path: string;
  /** 1-based lines the instruction spans (a CMD continued with backslashes spans several). */
  line: number;
  endLine: number;
  text: string;
  command: StartCommand;
}

const DEFAULT_PORTS: Record<ServerKind, number> = { uvicorn: 8000, gunicorn: 8000, hypercorn: 8000, fastapi: 8000 };
const PORT_ENV = /\$\{?PORT\b/;

export function parseStartCommand(command: string): StartCommand | undefined {
  let words = shellWords(command);
  const start = words.findIndex((w, i) => /(^|\/)(uvicorn|gunicorn|hypercorn)$/.test(w) ||
    (/(^|\/)fastapi$/.test(w) && /^(run|dev)$/.test(words[i + 1] ?? '')) || (w === '-m' && /^(uvicorn|gunicorn|hypercorn)$/.test(words[i + 1] ?? '')));
  if (start < 0) return undefined;
  words = words.slice(words[start] === '-m' ? start + 1 : start);
  words[0] = words[0].split('/').pop()!;
  const server = words[0] as ServerKind;
  const readsPortEnv = words.some((w) => PORT_ENV.test(w));
  const portWord = optionValue(words, ['--port']) ?? bindPort(optionValue(words, ['-b', '--bind']));
  const written = portWord && /^\d+$/.test(portWord) ? Number(portWord) : undefined;
  const positional = positionals(words.slice(server === 'fastapi' ? 2 : 1));
  return {
    server, readsPortEnv, words,
    appModule: server === 'fastapi' ? positional[0] : positional.find((w) => /^[\w.]+:[\w.()]+$/.test(w)),
    fixedPort: readsPortEnv ? undefined : written ?? DEFAULT_PORTS[server],
  };
}

/** The Procfile's `web:` process (Heroku, Dokku and buildpacks use it). */
export function procfileCommand(text: string): StartCommand | undefined {
  const line = text.split('\n').find((l) => /^web\s*:/.test(l));
  return line ? parseStartCommand(line.replace(/^web\s*:/, '')) : undefined;
}

/** The instruction that starts the server: the last CMD, or the last ENTRYPOINT when it names the server. */
export function dockerfileCommand(path: string, text: string): CommandLocation | undefined {
  const lines = text.split('\n');
  let found: CommandLocation | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*(CMD|ENTRYPOINT)\b/i.test(lines[i])) continue;
    let end = i;
    while (/\\\s*$/.test(lines[end]) && end + 1 < lines.length) end++;
    const instruction = lines.slice(i, end + 1).map((l) => l.replace(/\\\s*$/, '')).join(' ');
    const command = parseStartCommand(commandText(instruction.replace(/^\s*(CMD|ENTRYPOINT)\s+/i, '')));
    if (command) found = { path, line: i + 1, endLine: end + 1, text: lines.slice(i, end + 1).join('\n'), command };
    i = end;
  }
  return found;
}

/** The command with Cloud Run's bind: 0.0.0.0 and ${PORT:-port}, every other option as written. */
export function cloudRunCommand(command: StartCommand, port: number): string {
  const env = `\${PORT:-${port}}`;
  const words = [...command.words];
  const drop = (names: string[]) => {
    for (let i = words.length - 1; i > 0; i--) {
      const [name] = words[i].split('=');
      if (names.includes(name)) words.splice(i, words[i].includes('=') ? 1 : 2);
    }
  };
  if (command.server === 'gunicorn' || command.server === 'hypercorn') {
    drop(['-b', '--bind']);
    words.splice(1, 0, '--bind', `0.0.0.0:${env}`);
  } else {
    drop(['--port', '--host']);
    words.splice(command.server === 'fastapi' ? 2 : 1, 0, '--host', '0.0.0.0', '--port', env);
  }
  return words.map(quoteWord).join(' ');
}

/** The replacement for a Dockerfile instruction: shell form with `exec`, so the server is PID 1 and gets SIGTERM. */
export function fixedInstruction(location: CommandLocation, port: number): string {
  const keyword = /^\s*(CMD|ENTRYPOINT)/i.exec(location.text)![1].toUpperCase();
  return `${keyword} exec ${cloudRunCommand(location.command, port)}`;
}

/** Why this command breaks on Cloud Run, or undefined when it reads $PORT or listens on the configured port. */
export function portProblem(location: CommandLocation, expectedPort: number): string | undefined {
  const { command } = location;
  if (command.readsPortEnv || command.fixedPort === undefined || command.fixedPort === expectedPort) return undefined;
  const how = command.words.some((w) => /^(--port|-b|--bind)(=|$)/.test(w)) ? `on port ${command.fixedPort}` : `on its default port ${command.fixedPort}`;
  return `${location.path} line ${location.line} starts ${command.server} ${how}, but Cloud Run sends requests to the port in $PORT ` +
    `(${expectedPort}), so the revision would never become ready.`;
}

function commandText(argument: string): string {
  const trimmed = argument.trim();
  if (!trimmed.startsWith('[')) return trimmed;
  try {
    const words = JSON.parse(trimmed) as string[];
    // ["sh", "-c", "exec uvicorn ..."]: the command is the script
    if (words.length >= 3 && /(^|\/)(ba)?sh$/.test(words[0]) && words[1] === '-c') return words[2];
    return words.map(quoteWord).join(' ');
  } catch {
    return trimmed;
  }
}

function optionValue(words: string[], names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const [name, inline] = words[i].split(/=(.*)/s);
    if (names.includes(name)) return inline ?? words[i + 1];
  }
  return undefined;
}

function bindPort(bind: string | undefined): string | undefined {
  return bind?.includes(':') ? bind.slice(bind.lastIndexOf(':') + 1) : undefined;
}

/** Words that are not options or option values (options that take no value are the flags listed). */
function positionals(words: string[]): string[] {
  const flags = /^--(reload|proxy-headers|no-access-log|access-log|use-colors|no-use-colors|factory|preload|reuse-port|daemon)$/;
  const result: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.startsWith('-')) {
      if (!word.includes('=') && !flags.test(word)) i++;
    } else {
      result.push(word);
    }
  }
  return result;
}

/** Splits like a POSIX shell (quotes and backslashes), keeping $VARIABLES as written. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words.filter((w, i) => !(i === 0 && w === 'exec'));
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
