// page_size / page_token for every List call. Tokens are opaque to clients (base64url JSON) and bound
// to the query they came from, so a token reused with another parent or filter is rejected like Google does.
import { createHash } from 'node:crypto';
import { invalidArgument } from './apiError';

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

interface TokenBody {
  o: number;
  q: string;
}

function queryKey(query: string): string {
  return createHash('sha256').update(query).digest('hex').slice(0, 12);
}

export function paginate<T>(
  all: readonly T[],
  req: { pageSize?: number; pageToken?: string },
  query: string,
  limits: { defaultSize: number; maxSize: number },
): Page<T> {
  let offset = 0;
  if (req.pageToken) {
    let body: TokenBody | undefined;
    try {
      body = JSON.parse(Buffer.from(req.pageToken, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      body = undefined;
    }
    if (!body || typeof body.o !== 'number' || body.o < 0 || body.q !== queryKey(query)) {
      throw invalidArgument(`Invalid page token: "${req.pageToken}".`);
    }
    offset = body.o;
  }
  const size = !req.pageSize || req.pageSize <= 0 ? limits.defaultSize : Math.min(req.pageSize, limits.maxSize);
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  const nextPageToken = next < all.length
    ? Buffer.from(JSON.stringify({ o: next, q: queryKey(query) } satisfies TokenBody)).toString('base64url')
    : '';
  return { items, nextPageToken };
}
