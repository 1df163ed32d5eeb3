// Python tracebacks in Cloud Run logs → places in the workspace. A traceback arrives either as one
// multi-line entry (structured logging, exc_info) or, from plain stderr, one entry per line; both are
// assembled here, the container paths in its frames mapped to workspace files, and occurrences
// aggregated per (file, line, exception) so a crash loop becomes one diagnostic with a count.
import * as path from 'node:path';
import type { CloudLogEntry } from './logEntries';

export interface TracebackFrame {
  /** The path as the container saw it, e.g. /app/main.py. */
  file: string;
  /** 1-based. */
  line: number;
  function?: string;
  code?: string;
}

export interface ParsedTraceback {
  frames: TracebackFrame[];
  exceptionType: string;
  exceptionMessage: string;
  /** The traceback's own lines, for "Show log entries". */
  text: string;
}

export interface TracebackOccurrence extends ParsedTraceback {
  /** The entry that completed the traceback (its time, revision and service). */
  entry: CloudLogEntry;
}

const START = /^\s*Traceback \(most recent call last\):\s*$/;
const FRAME = /^\s+File "(.+)", line (\d+)(?:, in (.+))?\s*$/;
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

/** Every complete traceback in a block of text (chained exceptions give one each). */
export function parseTracebacks(text: string): ParsedTraceback[] {
  const found: ParsedTraceback[] = [];
  let current: { frames: TracebackFrame[]; lines: string[] } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (START.test(line)) {
      current = { frames: [], lines: [line] };
      continue;
    }
    if (!current) continue;
    const frame = FRAME.exec(line);
    if (frame) {
      current.frames.push({ file: frame[1], line: Number(frame[2]), function: frame[3] });
      current.lines.push(line);
      continue;
    }
    if (/^\s/.test(line) || line === '') {
      // The source line under a frame (and 3.11+'s ^^^^ markers, "[Previous line repeated …]").
      const last = current.frames[current.frames.length - 1];
      if (last && last.code === undefined && line.trim() && !/^[\s^~]+$/.test(line)) last.code = line.trim();
      if (line) current.lines.push(line);
      continue;
    }
    const exception = EXCEPTION.exec(line);
    if (exception && current.frames.length) {
      current.lines.push(line);
      found.push({ frames: current.frames, exceptionType: exception[1], exceptionMessage: exception[2] ?? '',
        text: current.lines.join('\n') });
    }
    current = undefined;
  }
  return found;
}

interface Pending {
  lines: string[];
  entries: number;
  startedMs: number;
}

/**
 * Feeds entries in arrival order; returns the tracebacks they complete. One-line entries are joined per
 * (revision, instance, stream) — Cloud Run interleaves instances, and a traceback never spans two.
 */
export class TracebackAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly maxLines = 400, private readonly maxAgeMs = 30_000) {}

  feed(entry: CloudLogEntry, now = Date.now()): TracebackOccurrence[] {
    if (entry.request || entry.stream === 'system') return [];
    const text = entry.text;
    if (text.includes('\n')) {
      return START.test(text.split('\n', 1)[0]) || text.includes('Traceback (most recent call last):')
        ? parseTracebacks(text).map((t) => ({ ...t, entry })) : [];
    }
    const key = `${entry.revision ?? ''}|${entry.instanceId ?? ''}|${entry.stream}`;
    const pending = this.pending.get(key);
    if (START.test(text)) {
      this.pending.set(key, { lines: [text], entries: 1, startedMs: now });
      return [];
    }
    if (!pending) return [];
    if (now - pending.startedMs > this.maxAgeMs || pending.entries >= this.maxLines) {
      this.pending.delete(key);
      return [];
    }
    pending.lines.push(text);
    pending.entries++;
    if (/^\s/.test(text) || text === '') return [];
    // The first unindented line ends the traceback: the exception (or something unrelated).
    this.pending.delete(key);
    return parseTracebacks(pending.lines.join('\n')).map((t) => ({ ...t, entry }));
  }
}

// ---- container paths → workspace --------------------------------------------------------------

export interface PathMapping {
  /** Container prefix, e.g. /app (no trailing slash). */
  container: string;
  /** Absolute local folder. */
  local: string;
}

export interface WorkspaceFolderRef {
  name: string;
  path: string;
}

/**
 * mentor.containerPathMappings → mappings, longest container prefix first. Values may use
 * ${workspaceFolder} (the first folder) or ${workspaceFolder:name}; relative values are under the first folder.
 */
export function resolvePathMappings(setting: Record<string, string>, folders: readonly WorkspaceFolderRef[]): PathMapping[] {
  const first = folders[0]?.path;
  const mappings: PathMapping[] = [];
  for (const [container, value] of Object.entries(setting ?? {})) {
    if (typeof value !== 'string' || !container.startsWith('/')) continue;
    let unresolved = false;
    const substituted = value.replace(/\$\{workspaceFolder(?::([^}]+))?\}/g, (_m, name?: string) => {
      const folder = name ? folders.find((f) => f.name === name)?.path : first;
      if (!folder) unresolved = true;
      return folder ?? '';
    });
    if (unresolved) continue;
    const local = path.isAbsolute(substituted) ? substituted : first ? path.join(first, substituted) : undefined;
    if (!local) continue;
    mappings.push({ container: container.replace(/\/+$/, '') || '/', local: path.normalize(local) });
  }
  return mappings.sort((a, b) => b.container.length - a.container.length);
}

/** /app/api/main.py with {/app → /ws} → /ws/api/main.py; undefined outside every mapping. */
export function mapContainerPath(file: string, mappings: readonly PathMapping[]): string | undefined {
  const normalized = path.posix.normalize(file);
  for (const { container, local } of mappings) {
    const prefix = container === '/' ? '/' : `${container}/`;
    if (normalized.startsWith(prefix)) return path.join(local, ...normalized.slice(prefix.length).split('/'));
  }
  return undefined;
}

// ---- aggregation ------------------------------------------------------------------------------

export interface CloudProblem {
  key: string;
  /** Local file and 1-based line of the innermost frame in the workspace. */
  file: string;
  line: number;
  exceptionType: string;
  exceptionMessage: string;
  service?: string;
  /** Revision of the latest occurrence. */
  revision?: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Outer workspace frames of the latest occurrence (the call chain that led here). */
  callers: { file: string; line: number; function?: string }[];
  /** Latest occurrences' tracebacks with their entry time, newest last (bounded). */
  occurrences: { timestamp: string; revision?: string; insertId: string; text: string }[];
}

/** Counts tracebacks per (service, file, line, exception type). `localPath` maps a container path or says "not ours". */
export class TracebackAggregator {
  private readonly problems = new Map<string, CloudProblem>();

  constructor(private readonly localPath: (containerPath: string) => string | undefined, private readonly keepOccurrences = 10) {}

  /** Returns the problem the occurrence was counted in, or undefined when no frame is in the workspace. */
  add(occurrence: TracebackOccurrence): CloudProblem | undefined {
    const mapped = occurrence.frames
      .map((frame) => ({ frame, local: this.localPath(frame.file) }))
      .filter((m): m is { frame: TracebackFrame; local: string } => m.local !== undefined);
    const innermost = mapped[mapped.length - 1];
    if (!innermost) return undefined;
    const { entry } = occurrence;
    // Per service too: two services built from one repository crash independently.
    const key = `${entry.service ?? ''}|${innermost.local}:${innermost.frame.line}:${occurrence.exceptionType}`;
    const problem = this.problems.get(key) ?? {
      key, service: entry.service, file: innermost.local, line: innermost.frame.line, exceptionType: occurrence.exceptionType,
      exceptionMessage: '', count: 0, firstSeen: entry.timestamp, lastSeen: entry.timestamp, callers: [], occurrences: [],
    };
    problem.count++;
    if (entry.timestamp >= problem.lastSeen) {
      problem.lastSeen = entry.timestamp;
      problem.revision = entry.revision;
      problem.exceptionMessage = occurrence.exceptionMessage;
      problem.callers = mapped.slice(0, -1).map((m) => ({ file: m.local, line: m.frame.line, function: m.frame.function }));
    }
    if (entry.timestamp < problem.firstSeen) problem.firstSeen = entry.timestamp;
    problem.occurrences.push({ timestamp: entry.timestamp, revision: entry.revision, insertId: entry.insertId, text: occurrence.text });
    problem.occurrences.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    if (problem.occurrences.length > this.keepOccurrences) problem.occurrences.splice(0, problem.occurrences.length - this.keepOccurrences);
    this.problems.set(key, problem);
    return problem;
  }

  get all(): CloudProblem[] {
    return [...this.problems.values()];
  }

  get(key: string): CloudProblem | undefined {
    return this.problems.get(key);
  }

  /**
   * Forgets problems: all of them, or a service's whose latest occurrence is not in `keepRevision`
   * (after a new revision took all traffic, the old revisions' crashes are history).
   */
  clear(service?: string, keepRevision?: string): number {
    let removed = 0;
    for (const [key, problem] of this.problems) {
      if (service !== undefined && problem.service !== service) continue;
      if (keepRevision !== undefined && problem.revision === keepRevision) continue;
      this.problems.delete(key);
      removed++;
    }
    return removed;
  }
}
