// Cloud Monitoring's filter language (cloud.google.com/monitoring/api/v3/filters) as ListTimeSeries clients
// write it: `metric.type = "…"`, `resource.type`, `resource.labels.KEY` / `metric.labels.KEY` (also `.label.`),
// `project`, with =, !=, : (has substring) and the functions starts_with, ends_with, has_substring, one_of and
// monitoring.regex.full_match; AND (or juxtaposition), OR, NOT and parentheses. Errors read like Google's:
// `Field filter had an invalid value of "…": …`.
import { invalidArgument } from './apiError';

export interface FilterSubject {
  metricType: string;
  resourceType: string;
  metricLabels: Record<string, string>;
  resourceLabels: Record<string, string>;
  project: string;
}

export interface ParsedFilter {
  matches(subject: FilterSubject): boolean;
  /** The metric type a top-level `metric.type = "…"` names (ListTimeSeries requires exactly one). */
  metricType?: string;
}

interface Cmp { kind: 'cmp'; selector: string[]; op: '=' | '!=' | ':'; value: Value }

type Node =
  | { kind: 'and'; parts: Node[] }
  | { kind: 'or'; parts: Node[] }
  | { kind: 'not'; part: Node }
  | Cmp;

type Value = { kind: 'str'; text: string } | { kind: 'fn'; name: string; args: string[] };

interface Token {
  type: 'str' | 'word' | 'punct';
  text: string;
  column: number;
}

const FUNCTIONS = new Set(['starts_with', 'ends_with', 'has_substring', 'one_of', 'monitoring.regex.full_match']);

export function filterError(filter: string, why: string): Error {
  return invalidArgument(`Field filter had an invalid value of "${filter}": ${why}`);
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const syntax = (column: number, token: string) =>
    filterError(filter, `Could not parse filter "${filter}"; syntax error at line 1, column ${column}, token '${token}'`);
  while (i < filter.length) {
    const c = filter[i];
    if (/\s/.test(c)) { i++; continue; }
    const column = i + 1;
    if (c === '"' || c === "'") {
      let text = '';
      let j = i + 1;
      while (j < filter.length && filter[j] !== c) {
        if (filter[j] === '\\' && j + 1 < filter.length) j++;
        text += filter[j++];
      }
      if (j >= filter.length) throw syntax(column, filter.slice(i));
      tokens.push({ type: 'str', text, column });
      i = j + 1;
    } else if (filter.startsWith('!=', i)) {
      tokens.push({ type: 'punct', text: '!=', column });
      i += 2;
    } else if ('=:(),.'.includes(c)) {
      tokens.push({ type: 'punct', text: c, column });
      i++;
    } else if (/[\w\-/*]/.test(c)) {
      let j = i;
      while (j < filter.length && /[\w\-/*]/.test(filter[j])) j++;
      tokens.push({ type: 'word', text: filter.slice(i, j), column });
      i = j;
    } else {
      throw syntax(column, c);
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly filter: string, private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    if (this.at < this.tokens.length) throw this.syntax();
    return node;
  }

  private syntax(): Error {
    const t = this.tokens[this.at];
    const column = t?.column ?? this.filter.length + 1;
    return filterError(this.filter, `Could not parse filter "${this.filter}"; syntax error at line 1, column ${column}, token '${t?.text ?? '<EOF>'}'`);
  }

  private peek(text?: string): Token | undefined {
    const t = this.tokens[this.at];
    return text === undefined || t?.text === text ? t : undefined;
  }

  private take(text: string): void {
    if (!this.peek(text)) throw this.syntax();
    this.at++;
  }

  private or(): Node {
    const parts = [this.and()];
    while (this.peek('OR')) {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  }

  private and(): Node {
    const parts = [this.unary()];
    for (;;) {
      if (this.peek('AND')) {
        this.at++;
        parts.push(this.unary());
      } else if (this.peek() && !this.peek(')') && !this.peek('OR')) {
        parts.push(this.unary()); // juxtaposition means AND
      } else {
        break;
      }
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  }

  private unary(): Node {
    if (this.peek('NOT')) {
      this.at++;
      return { kind: 'not', part: this.unary() };
    }
    if (this.peek('(')) {
      this.at++;
      const inner = this.or();
      this.take(')');
      return inner;
    }
    const selector = this.selector();
    const op = this.peek()?.text;
    if (op !== '=' && op !== '!=' && op !== ':') throw this.syntax();
    this.at++;
    return { kind: 'cmp', selector, op, value: this.value() };
  }

  private selector(): string[] {
    const parts: string[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.type === 'punct') throw this.syntax();
      parts.push(t.text);
      this.at++;
      if (!this.peek('.')) return parts;
      this.at++;
    }
  }

  private value(): Value {
    const t = this.peek();
    if (!t || t.type === 'punct') throw this.syntax();
    this.at++;
    if (t.type === 'str') return { kind: 'str', text: t.text };
    let name = t.text;
    while (this.peek('.') && this.tokens[this.at + 1]?.type === 'word') {
      name += `.${this.tokens[this.at + 1].text}`;
      this.at += 2;
    }
    if (!this.peek('(')) return { kind: 'str', text: name };
    if (!FUNCTIONS.has(name)) throw filterError(this.filter, `The function ${name} is not supported.`);
    this.at++;
    const args: string[] = [];
    while (!this.peek(')')) {
      const arg = this.peek();
      if (!arg || arg.type === 'punct') throw this.syntax();
      args.push(arg.text);
      this.at++;
      if (this.peek(',')) this.at++;
      else if (!this.peek(')')) throw this.syntax();
    }
    this.at++;
    if (args.length === 0 || (name !== 'one_of' && args.length !== 1)) throw filterError(this.filter, `Wrong number of arguments to ${name}.`);
    return { kind: 'fn', name, args };
  }
}

type Getter = (s: FilterSubject) => string | undefined;

function getter(filter: string, selector: string[]): Getter {
  const [head, second, ...rest] = selector;
  const path = selector.join('.');
  if (head === 'project' && selector.length === 1) return (s) => s.project;
  if ((head === 'metric' || head === 'resource') && second === 'type' && rest.length === 0) {
    return head === 'metric' ? (s) => s.metricType : (s) => s.resourceType;
  }
  if ((head === 'metric' || head === 'resource') && (second === 'labels' || second === 'label') && rest.length === 1) {
    const key = rest[0];
    return head === 'metric' ? (s) => s.metricLabels[key] : (s) => s.resourceLabels[key];
  }
  throw filterError(filter, `The selector ${path} is not supported; use metric.type, resource.type, metric.labels.KEY, resource.labels.KEY or project.`);
}

function valueTest(value: Value): (actual: string) => boolean {
  if (value.kind === 'str') return (a) => a === value.text;
  const [arg] = value.args;
  switch (value.name) {
    case 'starts_with': return (a) => a.startsWith(arg);
    case 'ends_with': return (a) => a.endsWith(arg);
    case 'has_substring': return (a) => a.includes(arg);
    case 'one_of': return (a) => value.args.includes(a);
    default: {
      const re = new RegExp(`^(?:${arg})$`);
      return (a) => re.test(a);
    }
  }
}

function compile(filter: string, node: Node): (s: FilterSubject) => boolean {
  if (node.kind === 'and' || node.kind === 'or') {
    const parts = node.parts.map((p) => compile(filter, p));
    return node.kind === 'and' ? (s) => parts.every((p) => p(s)) : (s) => parts.some((p) => p(s));
  }
  if (node.kind === 'not') {
    const part = compile(filter, node.part);
    return (s) => !part(s);
  }
  const cmp = node;
  const get = getter(filter, cmp.selector);
  const { value } = cmp;
  const test = cmp.op === ':' && value.kind === 'str' ? (a: string) => a.includes(value.text) : valueTest(value);
  // A label the series lacks matches nothing, not even `!=` (Google treats it as absent).
  if (cmp.op === '!=') return (s) => { const a = get(s); return a !== undefined && !test(a); };
  return (s) => { const a = get(s); return a !== undefined && test(a); };
}

function topLevelMetricTypes(node: Node): string[] {
  const conjuncts = node.kind === 'and' ? node.parts : [node];
  return conjuncts.flatMap((n) => n.kind === 'cmp' && n.op === '=' && n.value.kind === 'str' && n.selector.join('.') === 'metric.type' ? [n.value.text] : []);
}

export function parseFilter(filter: string): ParsedFilter {
  if (!filter.trim()) throw filterError(filter, 'The filter is empty; it must specify a metric type, e.g. metric.type = "run.googleapis.com/request_count".');
  const node = new Parser(filter, tokenize(filter)).parse();
  const matches = compile(filter, node);
  const types = [...new Set(topLevelMetricTypes(node))];
  return { matches, metricType: types.length === 1 ? types[0] : undefined };
}
