// Cloud Logging v2 behaviour: writing entries, listing them with filters/order/pages, listing log names,
// and live tails that batch matching entries per buffer window. Transport-free like CloudRunBackend.
import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument } from './apiError';
import type { Duration, LogEntry, MonitoredResource } from './apiTypes';
import { compileFilter, type EntryPredicate } from './logFilter';
import { paginate } from './pagination';
import type { StateStore } from './stateStore';
import { nowTimestamp, timestampKey } from './timestamps';

const LOG_NAME = /^(projects|organizations|folders|billingAccounts)\/[^/]+\/logs\/[^/]+$/;
const MAX_RESOURCE_NAMES = 100;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_BUFFER_WINDOW_MS = 2000;
const MAX_BUFFER_WINDOW_MS = 60000;
/** Oldest entries are dropped beyond this, so a long-running emulator stays small. */
const MAX_STORED_ENTRIES = 100_000;

export interface WriteRequest {
  logName?: string;
  resource?: MonitoredResource;
  labels?: Record<string, string>;
  entries?: LogEntry[];
  dryRun?: boolean;
}

export interface ListRequest {
  resourceNames?: string[];
  filter?: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface TailRequest {
  resourceNames?: string[];
  filter?: string;
  bufferWindow?: Duration;
}

interface TailSession {
  matches: EntryPredicate;
  bufferMs: number;
  buffer: LogEntry[];
  timer?: NodeJS.Timeout;
  push: (entries: LogEntry[]) => void;
}

export interface TailHandle {
  close(): void;
}

function sortKey(e: LogEntry): [bigint, string] {
  return [timestampKey(e.timestamp), e.insertId ?? ''];
}

function compareAscending(a: LogEntry, b: LogEntry): number {
  const [ta, ia] = sortKey(a);
  const [tb, ib] = sortKey(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** `projects/P` (or a bucket view under it) selects the entries whose logName is under projects/P. */
function resourceMatcher(resourceNames: string[] | undefined, field: string): EntryPredicate {
  const names = resourceNames ?? [];
  if (names.length === 0) throw invalidArgument(`Violation in ${field}: at least one resource name is required.`);
  if (names.length > MAX_RESOURCE_NAMES) {
    throw invalidArgument(`Violation in ${field}: at most ${MAX_RESOURCE_NAMES} resource names are allowed, got ${names.length}.`);
  }
  const prefixes = names.map((n) => {
    const m = /^(projects|organizations|folders|billingAccounts)\/([^/]+)/.exec(n);
    if (!m) throw invalidArgument(`Invalid resource name '${n}' in ${field}.`);
    return `${m[1]}/${m[2]}/logs/`;
  });
  return (e) => prefixes.some((p) => (e.logName ?? '').startsWith(p));
}

export class LoggingBackend {
  private readonly tails = new Set<TailSession>();
  private insertCounter = 0;
  private readonly insertSuffix = randomBytes(3).toString('hex');

  constructor(private readonly state: StateStore) {}

  private get entries(): LogEntry[] {
    return this.state.data.logEntries;
  }

  write(req: WriteRequest): Record<string, never> {
    const entries = req.entries ?? [];
    if (entries.length === 0) throw invalidArgument('Violation in WriteLogEntriesRequest.entries: at least one entry is required.');
    const received = nowTimestamp();
    const accepted = entries.map((entry, i) => {
      const logName = entry.logName || req.logName;
      if (!logName || !LOG_NAME.test(logName)) {
        throw invalidArgument(`Violation in WriteLogEntriesRequest.entries[${i}].log_name: '${logName ?? ''}' is not a valid log name (projects/PROJECT/logs/LOG_ID).`);
      }
      const resource = entry.resource?.type ? entry.resource : req.resource;
      if (!resource?.type) throw invalidArgument(`Violation in WriteLogEntriesRequest.entries[${i}].resource: required field not present.`);
      const stored: LogEntry = {
        ...entry,
        logName,
        resource,
        labels: { ...(req.labels ?? {}), ...(entry.labels ?? {}) },
        timestamp: entry.timestamp?.seconds ? entry.timestamp : received,
        receiveTimestamp: received,
        insertId: entry.insertId || this.nextInsertId(),
      };
      return stored;
    });
    if (req.dryRun) return {};
    for (const entry of accepted) this.insert(entry);
    if (this.entries.length > MAX_STORED_ENTRIES) this.entries.splice(0, this.entries.length - MAX_STORED_ENTRIES);
    this.state.changed();
    for (const session of this.tails) {
      const matching = accepted.filter(session.matches);
      if (matching.length) this.enqueue(session, matching);
    }
    return {};
  }

  /**
   * Generated insertIds sort in write order: entries with the same timestamp (lines a container printed
   * within one millisecond) then list and tail in the order they were written, not shuffled by a random id.
   */
  private nextInsertId(): string {
    return `${Date.now().toString(36).padStart(9, '0')}${(++this.insertCounter).toString(36).padStart(7, '0')}${this.insertSuffix}`;
  }

  /** Inserts keeping ascending order; entries usually arrive in order, so look from the end. */
  insert(entry: LogEntry): void {
    const list = this.entries;
    let i = list.length;
    while (i > 0 && compareAscending(list[i - 1], entry) > 0) i--;
    list.splice(i, 0, entry);
  }

  list(req: ListRequest): { entries: LogEntry[]; nextPageToken: string } {
    const inResources = resourceMatcher(req.resourceNames, 'ListLogEntriesRequest.resource_names');
    const matches = compileFilter(req.filter);
    const order = (req.orderBy ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
    if (order && order !== 'timestamp asc' && order !== 'timestamp desc' && order !== 'timestamp') {
      throw invalidArgument(`Invalid order_by '${req.orderBy}': only "timestamp asc" and "timestamp desc" are supported.`);
    }
    const descending = order === 'timestamp desc';
    const pageSize = req.pageSize ?? 0;
    if (pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
      throw invalidArgument(`Invalid page_size ${pageSize}: it must be between 0 and ${MAX_PAGE_SIZE}.`);
    }
    const size = pageSize || DEFAULT_PAGE_SIZE;
    const query = createHash('sha256').update(JSON.stringify([req.resourceNames, req.filter ?? '', descending])).digest('hex').slice(0, 12);
    // The token is a cursor (the last entry's sort key), so entries written between pages never shift pages.
    const after = req.pageToken ? decodeCursor(req.pageToken, query) : undefined;
    const ordered = descending ? [...this.entries].reverse() : this.entries;
    const page: LogEntry[] = [];
    let more = false;
    for (const entry of ordered) {
      if (after && !isPast(entry, after, descending)) continue;
      if (!inResources(entry) || !matches(entry)) continue;
      if (page.length === size) { more = true; break; }
      page.push(entry);
    }
    const last = page[page.length - 1];
    const nextPageToken = more && last ? encodeCursor(last, query) : '';
    return { entries: structuredClone(page), nextPageToken };
  }

  listLogs(req: { parent?: string; resourceNames?: string[]; pageSize?: number; pageToken?: string }): { logNames: string[]; nextPageToken: string } {
    const names = req.resourceNames?.length ? req.resourceNames : req.parent ? [req.parent] : [];
    const inResources = resourceMatcher(names, 'ListLogsRequest.parent');
    const logNames = [...new Set(this.entries.filter(inResources).map((e) => e.logName ?? ''))].sort();
    const page = paginate(logNames, req, `logs:${names.join(',')}`, { defaultSize: 100, maxSize: 1000 });
    return { logNames: page.items, nextPageToken: page.nextPageToken };
  }

  /** Starts a tail: `push` receives batches of matching entries written from now on, oldest first. */
  openTail(req: TailRequest, push: (entries: LogEntry[]) => void): TailHandle {
    const inResources = resourceMatcher(req.resourceNames, 'TailLogEntriesRequest.resource_names');
    const matches = compileFilter(req.filter);
    const window = req.bufferWindow;
    const bufferMs = window ? Number(window.seconds ?? 0) * 1000 + Math.floor((window.nanos ?? 0) / 1e6) : DEFAULT_BUFFER_WINDOW_MS;
    if (bufferMs < 0 || bufferMs > MAX_BUFFER_WINDOW_MS) {
      throw invalidArgument(`Invalid buffer_window: ${bufferMs} ms is outside 0–${MAX_BUFFER_WINDOW_MS} ms.`);
    }
    const session: TailSession = { matches: (e) => inResources(e) && matches(e), bufferMs, buffer: [], push };
    this.tails.add(session);
    return {
      close: () => {
        if (session.timer) clearTimeout(session.timer);
        this.tails.delete(session);
      },
    };
  }

  get openTails(): number {
    return this.tails.size;
  }

  private enqueue(session: TailSession, entries: LogEntry[]): void {
    session.buffer.push(...structuredClone(entries));
    if (session.timer) return;
    session.timer = setTimeout(() => {
      session.timer = undefined;
      const batch = session.buffer.sort(compareAscending);
      session.buffer = [];
      if (this.tails.has(session) && batch.length) session.push(batch);
    }, session.bufferMs);
  }
}

interface Cursor {
  t: string;
  i: string;
  q: string;
}

function encodeCursor(entry: LogEntry, query: string): string {
  const [t, i] = sortKey(entry);
  return Buffer.from(JSON.stringify({ t: String(t), i, q: query } satisfies Cursor)).toString('base64url');
}

function decodeCursor(token: string, query: string): [bigint, string] {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (c.q === query && typeof c.i === 'string') return [BigInt(c.t), c.i];
  } catch {
    // fall through to the error below
  }
  throw invalidArgument(`Invalid page token: "${token}".`);
}

function isPast(entry: LogEntry, [t, i]: [bigint, string], descending: boolean): boolean {
  const [et, ei] = sortKey(entry);
  const cmp = et !== t ? (et < t ? -1 : 1) : ei < i ? -1 : ei > i ? 1 : 0;
  return descending ? cmp < 0 : cmp > 0;
}
