// A FastAPI route template as a regular expression, the way Starlette compiles it: the matcher's patterns
// and the tail's route filter (`httpRequest.requestUrl=~`). Apart from routeMatch.ts because the tail's
// filter builder is loaded at activation and needs only this.

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** Starlette's convertors (starlette/convertors.py); an unknown one is treated as `str`. */
const CONVERTORS: Record<string, string> = { str: '[^/]+', path: '.*', int: '[0-9]+', float: '[0-9]+(?:\\.[0-9]+)?', uuid: UUID };
const PARAM = /\{([A-Za-z_]\w*)(?::([A-Za-z_]\w*))?\}/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The body of the regular expression for a template (no anchors), e.g. `/items/[^/]+`. */
export function routePattern(template: string): string {
  let pattern = '';
  let last = 0;
  for (const match of template.matchAll(PARAM)) {
    pattern += escapeRegex(template.slice(last, match.index)) + (CONVERTORS[match[2] ?? 'str'] ?? CONVERTORS.str);
    last = match.index + match[0].length;
  }
  return pattern + escapeRegex(template.slice(last));
}

/**
 * An RE2 expression for Cloud Logging's `httpRequest.requestUrl=~` that selects the requests of a route:
 * requestUrl is absolute (`https://HOST/path?query`), so the scheme and host are skipped and a query allowed.
 */
export function requestUrlPattern(template: string): string {
  return `^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+${routePattern(template)}(?:[?#].*)?$`;
}
