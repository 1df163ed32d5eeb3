// A subset of the Cloud Logging query language, enough for what a user types in a logs view:
// comparisons (= != < <= > >= : =~ !~, :* exists), AND/OR/NOT/-, parentheses, adjacency as AND, bare
// words as a global search. Precedence as in Logging: NOT, then OR, then AND.
import { invalidArgument } from './apiError';
import type { LogEntry } from './apiTypes';
import { timestampKey } from './timestamps';

export type EntryPredicate = (entry: LogEntry) => boolean;

export const SEVERITY: Record<string, number> = {
  DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800,
};

const MAX_FILTER_LENGTH = 20000;
const OPERATORS = ['<=', '>=', '!=', '=~', '!~', '=', '<', '>', ':'];

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: string }
  | { kind: '(' | ')' };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let afterOperator = false;
  const fail = (why: string) => invalidArgument(`Unparseable filter: ${why} at position ${i}: ${filter}`);
  while (i < filter.length) {
    const ch = filter[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '(' || ch === ')') { tokens.push({ kind: ch }); i++; afterOperator = false; continue; }
    if (ch === '"') {
      let text = '';
      i++;
      while (i < filter.length && filter[i] !== '"') {
        if (filter[i] === '\\' && i + 1 < filter.length) i++;
        text += filter[i++];
      }
      if (i >= filter.length) throw fail('unterminated string');
      i++;
      tokens.push({ kind: 'string', text });
      afterOperator = false;
      continue;
    }
    const op = afterOperator ? undefined : OPERATORS.find((o) => filter.startsWith(o, i));
    if (op) { tokens.push({ kind: 'op', text: op }); i += op.length; afterOperator = true; continue; }
    // A value right after an operator may contain ':' (bare timestamps); field names stop at operators.
    let j = i;
    while (j < filter.length && !/[\s()"]/.test(filter[j]) &&
      (afterOperator || !OPERATORS.some((o) => filter.startsWith(o, j)))) j++;
    if (j === i) throw fail(`unexpected '${ch}'`);
    tokens.push({ kind: 'word', text: filter.slice(i, j) });
    i = j;
    afterOperator = false;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): EntryPredicate {
    const predicate = this.andExpr();
    if (this.pos < this.tokens.length) throw this.error('unexpected input');
    return predicate;
  }

  private error(why: string) {
    return invalidArgument(`Unparseable filter: ${why} (token ${this.pos + 1}): ${this.source}`);
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.pos];
    return t?.kind === 'word' && t.text === word;
  }

  private andExpr(): EntryPredicate {
    const parts = [this.orExpr()];
    while (this.pos < this.tokens.length && this.tokens[this.pos].kind !== ')') {
      if (this.peekWord('AND')) this.pos++;
      parts.push(this.orExpr());
    }
    return parts.length === 1 ? parts[0] : (e) => parts.every((p) => p(e));
  }

  private orExpr(): EntryPredicate {
    const parts = [this.notExpr()];
    while (this.peekWord('OR')) {
      this.pos++;
      parts.push(this.notExpr());
    }
    return parts.length === 1 ? parts[0] : (e) => parts.some((p) => p(e));
  }

  private notExpr(): EntryPredicate {
    const t = this.tokens[this.pos];
    if (this.peekWord('NOT')) {
      this.pos++;
      const inner = this.notExpr();
      return (e) => !inner(e);
    }
    if (t?.kind === 'word' && t.text.startsWith('-') && t.text.length > 1) {
      this.tokens[this.pos] = { kind: 'word', text: t.text.slice(1) };
      const inner = this.notExpr();
      return (e) => !inner(e);
    }
    return this.primary();
  }

  private primary(): EntryPredicate {
    const t = this.tokens[this.pos++];
    if (!t) throw this.error('unexpected end of filter');
    if (t.kind === '(') {
      const inner = this.andExpr();
      if (this.tokens[this.pos++]?.kind !== ')') throw this.error("missing ')'");
      return inner;
    }
    if (t.kind === 'string' || t.kind === 'word') {
      const next = this.tokens[this.pos];
      if (t.kind === 'word' && next?.kind === 'op') {
        this.pos++;
        const value = this.tokens[this.pos++];
        if (!value || (value.kind !== 'word' && value.kind !== 'string')) throw this.error(`missing value after ${next.text}`);
        return comparison(t.text, next.text, value.text, value.kind === 'string');
      }
      const needle = t.text.toLowerCase();
      return (e) => searchableText(e).some((s) => s.toLowerCase().includes(needle));
    }
    throw this.error(`unexpected '${t.kind === 'op' ? t.text : t.kind}'`);
  }
}

export function compileFilter(filter: string | undefined): EntryPredicate {
  if (!filter || !filter.trim()) return () => true;
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidArgument(`The filter is ${filter.length} characters long; at most ${MAX_FILTER_LENGTH} are allowed.`);
  }
  return new Parser(tokenize(filter), filter).parse();
}

type FieldValue = string | number | boolean | undefined;

function camel(segment: string): string {
  return segment.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** google.protobuf.Value (as decoded) → plain JSON. */
function plainValue(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const value = v as Record<string, unknown>;
  if ('stringValue' in value) return value.stringValue;
  if ('numberValue' in value) return value.numberValue;
  if ('boolValue' in value) return value.boolValue;
  if ('structValue' in value) return plainStruct(value.structValue);
  if ('listValue' in value) return ((value.listValue as { values?: unknown[] })?.values ?? []).map(plainValue);
  return null;
}

export function plainStruct(s: unknown): Record<string, unknown> {
  const fields = (s as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plainValue(v)]));
}

function fieldValue(entry: LogEntry, path: string): FieldValue {
  const segments = path.split('.');
  const head = camel(segments[0]);
  let current: unknown;
  let rest = segments.slice(1);
  if (head === 'severity') return entry.severity ?? 'DEFAULT';
  if (head === 'timestamp' || head === 'receiveTimestamp') {
    const ts = entry[head];
    return ts ? formatNanos(timestampKey(ts)) : undefined;
  }
  if (head === 'jsonPayload') current = entry.jsonPayload ? plainStruct(entry.jsonPayload) : undefined;
  else {
    current = entry[head];
    // labels and resource.labels keep their keys as written; other nested fields are camelCase.
    rest = rest.map((s, i) => (head === 'labels' || (head === 'resource' && i > 0) ? s : camel(s)));
  }
  for (const segment of rest) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  if (typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean') return current;
  return current === undefined || current === null ? undefined : JSON.stringify(current);
}

function searchableText(entry: LogEntry): string[] {
  const texts: string[] = [];
  if (entry.textPayload) texts.push(entry.textPayload);
  if (entry.jsonPayload) texts.push(JSON.stringify(plainStruct(entry.jsonPayload)));
  if (entry.httpRequest) texts.push(JSON.stringify(entry.httpRequest));
  if (entry.logName) texts.push(entry.logName);
  // A global restriction looks at every field, resource labels included (a service name finds its entries).
  if (entry.resource?.type) texts.push(entry.resource.type);
  for (const v of Object.values(entry.resource?.labels ?? {})) texts.push(v);
  for (const v of Object.values(entry.labels ?? {})) texts.push(v);
  return texts;
}

function comparison(field: string, op: string, raw: string, quoted: boolean): EntryPredicate {
  const key = camel(field.split('.')[0]);
  if (op === ':' && raw === '*' && !quoted) return (e) => fieldValue(e, field) !== undefined;
  if (op === '=~' || op === '!~') {
    let re: RegExp;
    try {
      re = new RegExp(raw);
    } catch {
      throw invalidArgument(`Invalid regular expression in filter: ${raw}`);
    }
    return (e) => {
      const v = fieldValue(e, field);
      if (v === undefined) return false;
      return re.test(String(v)) === (op === '=~');
    };
  }
  const order = orderingFor(key, raw);
  return (e) => {
    const v = fieldValue(e, field);
    if (v === undefined) return false;
    if (op === ':') return String(v).toLowerCase().includes(raw.toLowerCase());
    const cmp = order(v);
    if (cmp === undefined) return false;
    switch (op) {
      case '=': return cmp === 0;
      case '!=': return cmp !== 0;
      case '<': return cmp < 0;
      case '<=': return cmp <= 0;
      case '>': return cmp > 0;
      default: return cmp >= 0;
    }
  };
}

/** Compares an entry's value with the filter's: by severity rank, by time, numerically, or as text. */
function orderingFor(key: string, raw: string): (v: Exclude<FieldValue, undefined>) => number | undefined {
  if (key === 'severity') {
    const want = SEVERITY[raw.toUpperCase()] ?? (Number.isFinite(Number(raw)) ? Number(raw) : undefined);
    if (want === undefined) throw invalidArgument(`Unknown severity '${raw}' in filter.`);
    return (v) => (SEVERITY[String(v)] ?? 0) - want;
  }
  if (key === 'timestamp' || key === 'receiveTimestamp') {
    // Nanosecond precision, as Logging compares: a resume at the last entry's exact time must not
    // re-match entries a few microseconds older.
    const want = parseRfc3339Nanos(raw);
    if (want === undefined) throw invalidArgument(`Invalid timestamp '${raw}' in filter.`);
    return (v) => {
      const have = parseRfc3339Nanos(String(v));
      return have === undefined ? undefined : have < want ? -1 : have > want ? 1 : 0;
    };
  }
  return (v) => {
    if (typeof v === 'number' && Number.isFinite(Number(raw))) return Math.sign(v - Number(raw));
    if (typeof v === 'boolean') return String(v) === raw.toLowerCase() ? 0 : 1;
    const s = String(v);
    return s === raw ? 0 : s < raw ? -1 : 1;
  };
}

/** "2026-01-01T00:00:00.123456789Z" / "…+02:00" / a date alone → nanoseconds since the epoch. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\d)(?:[Tt ](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?)?([Zz]|[+-]\d\d:\d\d)?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${(m[4] ?? 'Z').toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
}

function formatNanos(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
