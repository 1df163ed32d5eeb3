// The emulator's whole state, and its optional persistence to DIR/state.json. Writes are debounced and
// atomic (write to a temp file, then rename) so a crash never leaves a half-written file behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IamPolicy, LogEntry, Revision, Service } from './apiTypes';

export interface ServiceRecord {
  service: Service;
  /** Newest first, the order ListRevisions answers in. */
  revisions: Revision[];
  /** The last number used in an auto-generated revision name. */
  revisionCounter: number;
  iamPolicy: IamPolicy;
  /** Template fingerprint per revision short name: reusing a name needs the same configuration. */
  revisionFingerprints: Record<string, string>;
}

export interface EmulatorData {
  version: 1;
  /** Keyed by full service name, projects/P/locations/L/services/S. */
  services: Record<string, ServiceRecord>;
  /** Ascending by timestamp, then insertId. */
  logEntries: LogEntry[];
}

export function emptyData(): EmulatorData {
  return { version: 1, services: {}, logEntries: [] };
}

const SAVE_DEBOUNCE_MS = 50;

export class StateStore {
  data: EmulatorData = emptyData();
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir ? path.join(dataDir, 'state.json') : undefined;
  }

  /** True when a saved state was found and loaded. */
  load(): boolean {
    if (!this.file || !fs.existsSync(this.file)) return false;
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as EmulatorData;
    if (parsed.version !== 1) throw new Error(`${this.file}: unsupported state version ${String(parsed.version)}`);
    // Operations are not persisted, so nothing can still be reconciling after a restart.
    for (const record of Object.values(parsed.services)) {
      record.service.reconciling = false;
      for (const revision of record.revisions) revision.reconciling = false;
    }
    this.data = parsed;
    return true;
  }

  /** Call after every change; the file is written shortly after, once per burst of changes. */
  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, SAVE_DEBOUNCE_MS);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writeNow();
  }

  private writeNow(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.file);
  }
}
