// Finds a FastAPI app's GET routes (or, for the route CodeLens, routes of every method) statically, the way
// FastAPI assembles them: `@app.get(...)` / `@router.get(...)` / `api_route` / `add_api_route`, router
// prefixes, `include_router(..., prefix=...)` across modules (absolute and relative imports), and global
// dependencies on the app or a router, which may make every route answer 4xx to a bare GET. Regular
// expressions over the source, not a Python parser: good enough to choose a health check and to place a
// lens, and wrong guesses are caught by the probe's 4xx fallback.
import { ProjectFiles } from './pythonProject';

export interface DetectedRoute {
  /** Full path as served, e.g. "/api/ping". */
  path: string;
  /** Workspace-relative file and 1-based line of the decorator or add_api_route call. */
  file: string;
  line: number;
  /** The handler has parameters a bare GET cannot fill (required query/header/body, or a path parameter). */
  needsParameters: boolean;
  /** The app or a router above it declares dependencies=[...] (often a token check). */
  guarded: boolean;
  /** HTTP methods the route answers, upper case ("GET"; api_route/add_api_route may list several). Always set by detectRoutes. */
  methods?: string[];
}

export interface DetectOptions {
  /** 'get' (default): only routes a bare GET reaches, for the health check; 'all': every route, any method. */
  methods?: 'get' | 'all';
}

export interface AppRoutes {
  routes: DetectedRoute[];
  /** Where FastAPI serves its schema: "/openapi.json" unless the app moves or disables it (null). */
  openapiPath: string | null;
}

interface RouterRef {
  file: string;
  name: string;
}

interface RouterInfo {
  prefix: string;
  guarded: boolean;
  routes: DetectedRoute[];
  includes: { target: RouterRef; prefix: string; guarded: boolean }[];
}

const CONSTRUCTOR = /^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:fastapi\.)?(FastAPI|APIRouter)\s*\(/gm;
const DECORATOR = /^[ \t]*@(\w+)\.(get|api_route)\s*\(/gm;
const ANY_DECORATOR = /^[ \t]*@(\w+)\.(get|post|put|patch|delete|options|head|trace|api_route)\s*\(/gm;
const ADD_ROUTE = /^[ \t]*(\w+)\.add_api_route\s*\(/gm;
const INCLUDE = /^[ \t]*(\w+)\.include_router\s*\(/gm;
/** Annotations FastAPI fills itself: a parameter of these types needs nothing from the request. */
const INJECTED_TYPES = /^(Request|Response|BackgroundTasks|WebSocket|HTTPConnection|SecurityScopes)\b/;

export async function detectRoutes(files: ProjectFiles, appFile: string, appName: string, options: DetectOptions = {}): Promise<AppRoutes> {
  const allMethods = options.methods === 'all';
  const cache = new Map<string, Map<string, RouterInfo> | undefined>();
  const allFiles = await files.list();
  const parse = async (file: string) => {
    if (!cache.has(file)) {
      const text = await files.read(file);
      cache.set(file, text === undefined ? undefined : parseModule(file, text, allFiles, allMethods));
    }
    return cache.get(file);
  };
  const appText = (await files.read(appFile)) ?? '';
  const routes: DetectedRoute[] = [];
  const seen = new Set<string>();
  const walk = async (ref: RouterRef, prefix: string, guarded: boolean, depth: number): Promise<void> => {
    const key = `${ref.file}#${ref.name}`;
    if (depth > 8 || seen.has(key)) return;
    seen.add(key);
    const router = (await parse(ref.file))?.get(ref.name);
    if (!router) return;
    const base = joinPath(prefix, router.prefix);
    const isGuarded = guarded || router.guarded;
    for (const route of router.routes) routes.push({ ...route, path: joinPath(base, route.path), guarded: isGuarded || route.guarded });
    for (const include of router.includes) await walk(include.target, joinPath(base, include.prefix), isGuarded || include.guarded, depth + 1);
    seen.delete(key);
  };
  await walk({ file: appFile, name: appName }, '', false, 0);
  return { routes, openapiPath: openapiPath(appText, appName) };
}

function parseModule(file: string, text: string, allFiles: string[], allMethods: boolean): Map<string, RouterInfo> {
  const routers = new Map<string, RouterInfo>();
  for (const match of text.matchAll(CONSTRUCTOR)) {
    const args = callArguments(text, match.index + match[0].length);
    routers.set(match[1], { prefix: stringArgument(args, 'prefix') ?? '', guarded: hasDependencies(args), routes: [], includes: [] });
  }
  const imports = importedNames(file, text, allFiles);
  for (const match of text.matchAll(allMethods ? ANY_DECORATOR : DECORATOR)) {
    const router = routers.get(match[1]);
    if (!router) continue;
    const args = callArguments(text, match.index + match[0].length);
    const path = firstStringArgument(args);
    if (path === undefined) continue;
    const methods = match[2] === 'api_route' ? listedMethods(args) : [match[2].toUpperCase()];
    if (!allMethods && !methods.includes('GET')) continue;
    const handler = handlerParameters(text, match.index + match[0].length + args.length);
    router.routes.push(route(file, text, match.index, path, handler, hasDependencies(args), methods));
  }
  for (const match of text.matchAll(ADD_ROUTE)) {
    const router = routers.get(match[1]);
    const args = callArguments(text, match.index + match[0].length);
    const path = firstStringArgument(args);
    const methods = listedMethods(args);
    if (!router || path === undefined || (!allMethods && !methods.includes('GET'))) continue;
    const handlerName = /^\s*["'][^"']*["']\s*,\s*(?:endpoint\s*=\s*)?(\w+)/.exec(args)?.[1];
    const definition = handlerName ? new RegExp(`^[ \\t]*(?:async[ \\t]+)?def[ \\t]+${handlerName}[ \\t]*\\(`, 'm').exec(text) : null;
    const handler = definition ? callArguments(text, definition.index + definition[0].length) : '';
    router.routes.push(route(file, text, match.index, path, handler, hasDependencies(args), methods));
  }
  for (const match of text.matchAll(INCLUDE)) {
    const router = routers.get(match[1]);
    const args = callArguments(text, match.index + match[0].length);
    const target = /^\s*([\w.]+)/.exec(args)?.[1];
    const resolved = target && resolveRouter(file, target, routers, imports);
    if (router && resolved) router.includes.push({ target: resolved, prefix: stringArgument(args, 'prefix') ?? '', guarded: hasDependencies(args) });
  }
  return routers;
}

function route(file: string, text: string, index: number, path: string, handlerArgs: string, decoratorGuarded: boolean,
  methods: string[]): DetectedRoute {
  return {
    path, file, line: text.slice(0, index).split('\n').length,
    needsParameters: path.includes('{') || requiredParameters(handlerArgs).length > 0,
    guarded: decoratorGuarded, methods,
  };
}

/** `methods=["GET", "POST"]` of api_route / add_api_route; FastAPI's default is GET. */
function listedMethods(args: string): string[] {
  const listed = /\bmethods\s*=\s*[[({]([^\])}]*)[\])}]/.exec(args)?.[1];
  if (listed === undefined) return ['GET'];
  return [...listed.matchAll(/["'](\w+)["']/g)].map((m) => m[1].toUpperCase());
}

/** `name` or `module.name` in an include_router call, resolved to the file and variable that define it. */
function resolveRouter(file: string, target: string, local: Map<string, RouterInfo>, imports: Map<string, RouterRef>): RouterRef | undefined {
  const [head, ...rest] = target.split('.');
  if (rest.length === 0) return local.has(head) ? { file, name: head } : imports.get(head);
  const imported = imports.get(head);
  // `from .routers import status` then `status.router`: the import named a module, not a variable.
  if (imported?.name === '') return { file: imported.file, name: rest[rest.length - 1] };
  return undefined;
}

/**
 * Names a module brings in with `from X import a, b as c` or `import X.y as z`, resolved to files of the
 * project. A name that is itself a module maps to `{file, name: ''}`.
 */
function importedNames(file: string, text: string, allFiles: string[]): Map<string, RouterRef> {
  const names = new Map<string, RouterRef>();
  const fromImport = /^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)/gm;
  for (const match of text.matchAll(fromImport)) {
    const base = absoluteModule(file, match[1]);
    for (const part of match[2].replace(/[()\n]/g, ' ').split(',')) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (!name || name.startsWith('#')) continue;
      const asModule = moduleFile([...base, name], allFiles);
      const asName = moduleFile(base, allFiles);
      if (asModule) names.set(alias ?? name, { file: asModule, name: '' });
      else if (asName) names.set(alias ?? name, { file: asName, name });
    }
  }
  for (const match of text.matchAll(/^[ \t]*import[ \t]+([\w.]+)[ \t]+as[ \t]+(\w+)/gm)) {
    const target = moduleFile(match[1].split('.'), allFiles);
    if (target) names.set(match[2], { file: target, name: '' });
  }
  return names;
}

/** "app/main.py" + ".routers" → ["app", "routers"]; absolute modules stay as they are. */
function absoluteModule(file: string, module: string): string[] {
  const dots = /^\.*/.exec(module)![0].length;
  const parts = module.slice(dots).split('.').filter(Boolean);
  if (dots === 0) return parts;
  const packageDir = file.split('/').slice(0, -1);
  return [...packageDir.slice(0, packageDir.length - (dots - 1)), ...parts];
}

/** The file of a module, at the top or under src/ (a src layout imports its package without "src."). */
function moduleFile(parts: string[], allFiles: string[]): string | undefined {
  if (parts.length === 0) return undefined;
  const path = parts.join('/');
  return [`${path}.py`, `${path}/__init__.py`, `src/${path}.py`, `src/${path}/__init__.py`].find((f) => allFiles.includes(f));
}

/** The text between the parentheses of a call whose "(" ends just before `start`. */
export function callArguments(text: string, start: number): string {
  let depth = 1;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) return text.slice(start, i);
    }
  }
  return text.slice(start);
}

/** The parameters of the `def` that follows a decorator (skipping further decorators). */
function handlerParameters(text: string, from: number): string {
  const definition = /(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(/g;
  definition.lastIndex = from;
  const match = definition.exec(text);
  return match ? callArguments(text, match.index + match[0].length) : '';
}

/** Parameter names a bare GET cannot fill: no default, and not a type FastAPI injects. */
export function requiredParameters(args: string): string[] {
  return splitTopLevel(args).map((p) => p.trim()).filter((p) => p && p !== '*' && !p.startsWith('*') && p !== 'self')
    .filter((p) => {
      const [head, annotation = ''] = p.split('=')[0].split(':').map((s) => s.trim());
      const defaultValue = p.includes('=') ? p.slice(p.indexOf('=') + 1).trim() : undefined;
      if (INJECTED_TYPES.test(annotation)) return false;
      if (/^Annotated\[/.test(annotation) && /Depends\(/.test(annotation)) return false;
      if (defaultValue === undefined) return !!head;
      // Query(...) / Header(...) / Body(...) with an Ellipsis: required
      return /^(Query|Header|Body|Cookie|Form|File|Path)\(\s*(\.\.\.|default\s*=\s*\.\.\.)/.test(defaultValue);
    }).map((p) => p.split(/[:=]/)[0].trim());
}

function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  let quote: string | undefined;
  for (const c of args) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0 && !quote) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  return [...parts, current];
}

function firstStringArgument(args: string): string | undefined {
  const positional = /^\s*(?:path\s*=\s*)?[rfbu]?["']([^"']*)["']/.exec(args);
  return positional?.[1] ?? stringArgument(args, 'path');
}

function stringArgument(args: string, name: string): string | undefined {
  return new RegExp(`\\b${name}\\s*=\\s*[rfu]?["']([^"']*)["']`).exec(args)?.[1];
}

function hasDependencies(args: string): boolean {
  return /\bdependencies\s*=\s*\[\s*[^\]\s]/.test(args);
}

function openapiPath(text: string, appName: string): string | null {
  const constructor = new RegExp(`^${appName}\\s*(?::\\s*[\\w.]+\\s*)?=\\s*(?:fastapi\\.)?FastAPI\\s*\\(`, 'm').exec(text);
  const args = constructor ? callArguments(text, constructor.index + constructor[0].length) : '';
  if (/\bopenapi_url\s*=\s*(None|["']["'])/.test(args)) return null;
  return stringArgument(args, 'openapi_url') ?? '/openapi.json';
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${path === '' || path.startsWith('/') ? path : `/${path}`}`;
  return joined === '' ? '/' : joined;
}
