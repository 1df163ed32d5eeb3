// ListBuilds' `filter` ("Filtering build results using queries", cloud.google.com/build/docs/view-build-results):
// comparisons `field OP value` with = != < <= > >= (and `:` as =), joined by AND / OR (AND binds tighter; two
// comparisons side by side mean AND), NOT or "-" before one, parentheses. Values are "quoted" or bare words.
// Fields: status, build_id (id), trigger_id, project_id, tags, images, create_time / start_time / finish_time
// (RFC 3339), substitutions.KEY (e.g. substitutions.BRANCH_NAME, substitutions.COMMIT_SHA, substitutions._SERVICE).
import { invalidArgument } from './apiError';
import type { BuildMessage } from './buildExecution';
import { parseRfc3339Nanos } from './logFilter';
import { timestampKey } from './timestamps';

export type BuildPredicate = (build: BuildMessage) => boolean;

type Token = { kind: 'op' | 'word' | 'string' | 'lparen' | 'rparen'; text: string };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(<=|>=|!=|=|<|>|:)|(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()<>=!:"]+))/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < filter.length && (m = re.exec(filter))) {
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'lparen', text: '(' });
    else if (m[3]) tokens.push({ kind: 'rparen', text: ')' });
    else if (m[4] !== undefined) tokens.push({ kind: 'string', text: m[4].replace(/\\(.)/g, '$1') });
    else if (m[5]) tokens.push({ kind: 'word', text: m[5] });
  }
  if (filter.slice(at).trim()) throw invalidArgument(`Invalid filter: cannot parse "${filter.slice(at).trim()}"`);
  return tokens;
}

const TIME_FIELDS: Record<string, 'createTime' | 'startTime' | 'finishTime'> = {
  create_time: 'createTime', start_time: 'startTime', finish_time: 'finishTime',
};

/** The values a field has on a build (a list for repeated fields, [] when unset). */
function valuesOf(build: BuildMessage, field: string): string[] | undefined {
  switch (field) {
    case 'status': return [build.status];
    case 'id': case 'build_id': return [build.id];
    case 'trigger_id': case 'build_trigger_id': return build.buildTriggerId ? [build.buildTriggerId] : [];
    case 'project_id': return [build.projectId];
    case 'tags': return build.tags ?? [];
    case 'images': return build.images ?? [];
    default:
      if (field.startsWith('substitutions.')) {
        const value = build.substitutions?.[field.slice('substitutions.'.length)];
        return value === undefined ? [] : [value];
      }
      return undefined;
  }
}

function compare(op: string, a: string | bigint, b: string | bigint): boolean {
  switch (op) {
    case '=': case ':': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}

function comparison(field: string, op: string, value: string): BuildPredicate {
  const time = TIME_FIELDS[field];
  if (time) {
    const bound = parseRfc3339Nanos(value);
    if (bound === undefined) throw invalidArgument(`Invalid filter: ${field} needs an RFC 3339 time, got "${value}"`);
    return (b) => b[time] !== undefined && compare(op, timestampKey(b[time] as never), bound);
  }
  if (!valuesOf({ id: '', projectId: '', status: '', steps: [] }, field)) {
    throw invalidArgument(`Invalid filter: unknown field "${field}" (known: status, build_id, trigger_id, project_id, tags, images, create_time, start_time, finish_time, substitutions.KEY)`);
  }
  // A repeated field matches "=" when any value does and "!=" when none does.
  if (op === '!=') return (b) => !(valuesOf(b, field) ?? []).includes(value);
  return (b) => (valuesOf(b, field) ?? []).some((v) => compare(op, v, value));
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly text: string) {}

  parse(): BuildPredicate {
    const p = this.or();
    if (this.i < this.tokens.length) throw this.error(`unexpected "${this.tokens[this.i].text}"`);
    return p;
  }

  private or(): BuildPredicate {
    const parts = [this.and()];
    while (this.isWord('OR')) {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : (b) => parts.some((p) => p(b));
  }

  private and(): BuildPredicate {
    const parts = [this.unary()];
    while (this.i < this.tokens.length && this.tokens[this.i].kind !== 'rparen' && !this.isWord('OR')) {
      if (this.isWord('AND')) this.i++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0] : (b) => parts.every((p) => p(b));
  }

  private unary(): BuildPredicate {
    const t = this.tokens[this.i];
    if (!t) throw this.error('the filter ends too early');
    if (this.isWord('NOT') || (t.kind === 'word' && t.text === '-')) {
      this.i++;
      const inner = this.unary();
      return (b) => !inner(b);
    }
    if (t.kind === 'lparen') {
      this.i++;
      const inner = this.or();
      if (this.tokens[this.i]?.kind !== 'rparen') throw this.error('missing ")"');
      this.i++;
      return inner;
    }
    if (t.kind !== 'word') throw this.error(`expected a field name, got "${t.text}"`);
    let field = t.text;
    let negate = false;
    if (field.startsWith('-')) {
      negate = true;
      field = field.slice(1);
    }
    const op = this.tokens[this.i + 1];
    const value = this.tokens[this.i + 2];
    if (op?.kind !== 'op' || !value || (value.kind !== 'word' && value.kind !== 'string')) throw this.error(`expected "${field} = VALUE"`);
    this.i += 3;
    const p = comparison(field, op.text, value.text);
    return negate ? (b) => !p(b) : p;
  }

  private isWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'word' && t.text === word;
  }

  private error(reason: string): Error {
    return invalidArgument(`Invalid filter "${this.text}": ${reason}`);
  }
}

export function compileBuildFilter(filter: string | undefined): BuildPredicate {
  if (!filter?.trim()) return () => true;
  return new Parser(tokenize(filter), filter).parse();
}
