// Which FastAPI route a request reached, from the URL a request log names: route templates compiled the way
// Starlette compiles them (`/items/{item_id}` → one path segment; `{p:path}` → the rest; `int`, `float`,
// `uuid` convertors), matched on the decoded path without the query, the method when the log has one (a GET
// route also answers HEAD, as in Starlette). No vscode import: the CodeLens, its tests and the bench share it.
import { routePattern } from './routePattern';

export { requestUrlPattern, routePattern } from './routePattern';

export interface RouteSpec {
  /** What a match returns (the caller's key for the route, e.g. "GET /items/{item_id}"). */
  id: string;
  /** The full path template as served, prefixes included. */
  path: string;
  /** Upper-case methods; empty = any. */
  methods: readonly string[];
}

interface CompiledRoute {
  id: string;
  regex: RegExp;
  methods: Set<string>;
  /** Position in matching order (catch-alls last). */
  order: number;
}

/** The path of a request log's URL (absolute or path-only), without query or fragment, percent-decoded. */
export function requestPath(url: string): string {
  let path = url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '');
  path = path.replace(/[?#].*$/s, '');
  if (!path.startsWith('/')) path = `/${path}`;
  try {
    return decodeURIComponent(path);
  } catch {
    // A malformed escape: Starlette would answer 400; keep the raw path so it simply matches nothing odd.
    return path;
  }
}

/**
 * Matches request paths to routes. Routes are tried in the given order (Starlette's: first full match wins),
 * except catch-alls (`{x:path}`) which go last: a statically detected order is only approximate, and a
 * catch-all tried early would swallow everything. A path that matches no route (or only with another method,
 * Starlette's 405) has no route.
 */
export class RouteMatcher {
  /** Routes whose first path segment is literal, by that segment; the others (a parameter there) in `open`. */
  private readonly bySegment = new Map<string, CompiledRoute[]>();
  private readonly open: CompiledRoute[] = [];
  /** method + path → route id: traffic repeats the same few URLs, so most lookups are one Map.get. */
  private readonly memo = new Map<string, string | null>();

  constructor(specs: readonly RouteSpec[]) {
    const compiled = specs.map((spec) => {
      const methods = new Set(spec.methods.map((m) => m.toUpperCase()));
      if (methods.has('GET')) methods.add('HEAD');
      return { spec, id: spec.id, regex: new RegExp(`^${routePattern(spec.path)}$`, 's'), methods, catchAll: /\{\w+:path\}/.test(spec.path) };
    });
    const ordered = [...compiled.filter((r) => !r.catchAll), ...compiled.filter((r) => r.catchAll)];
    ordered.forEach((route, order) => {
      const compiledRoute = { id: route.id, regex: route.regex, methods: route.methods, order };
      // "/items/{id}" → "items"; "/{x}/a", "/" or "/items{suffix}" → open (tried for every path).
      const first = /^\/([^/{}]*)(?:\/|$)/.exec(route.spec.path)?.[1];
      if (first === undefined || first === '') this.open.push(compiledRoute);
      else this.bySegment.set(first, [...(this.bySegment.get(first) ?? []), compiledRoute]);
    });
  }

  /** The route id a request reached; `method` undefined (a log without one) matches on the path alone. */
  match(method: string | undefined, url: string): string | undefined {
    const path = requestPath(url);
    const upper = method?.toUpperCase();
    const key = `${upper ?? ''} ${path}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known ?? undefined;
    const accepts = (r: CompiledRoute) => (!upper || r.methods.size === 0 || r.methods.has(upper)) && r.regex.test(path);
    // The first match in order among the routes this path's first segment can reach, and the open ones.
    const segment = /^\/([^/]*)/.exec(path)?.[1] ?? '';
    const inSegment = this.bySegment.get(segment)?.find(accepts);
    const inOpen = this.open.find((r) => (!inSegment || r.order < inSegment.order) && accepts(r));
    const found = inOpen ?? inSegment;
    // Bounded: a crawler hitting random URLs must not grow the memo without end.
    if (this.memo.size > 50_000) this.memo.clear();
    this.memo.set(key, found?.id ?? null);
    return found?.id;
  }
}
