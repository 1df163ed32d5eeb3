// The tails the user started: one TailSession and one LogOutputChannel per service, the status bar, and
// the feed from log entries to cloud diagnostics. Commands ask this; nothing else holds tail state.
import * as vscode from 'vscode';
import { CloudLogEntry, TailFilter, TailTarget, formatEntry, severityLevel } from '../core/logEntries';
import { MentorTarget } from '../core/settings';
import { TracebackAssembler } from '../core/traceback';
import { CloudLoggingApi, connectCloudLogging } from '../gcp/cloudLogging';
import { CloudDiagnostics } from './cloudDiagnostics';
import { LineBatcher, OutputLine } from './lineBatcher';
import { TailSession, TailSessionOptions, TailStatus } from './tailSession';
import { TailStatusBar } from './tailStatusBar';

export interface Tail {
  readonly key: string;
  readonly target: TailTarget;
  readonly session: TailSession;
  readonly channel: vscode.LogOutputChannel;
  readonly batcher: LineBatcher;
  readonly assembler: TracebackAssembler;
}

export function tailKey(target: TailTarget): string {
  return `${target.project}/${target.region}/${target.service}`;
}

export function channelName(service: string): string {
  return `Mentor: ${service} (cloud)`;
}

function readSessionOptions(): Partial<TailSessionOptions> {
  const config = vscode.workspace.getConfiguration('mentor');
  return { backfill: Math.max(0, Math.min(1000, config.get<number>('tail.backfillEntries', 100))) };
}

export class TailManager implements vscode.Disposable {
  private readonly tails = new Map<string, Tail>();
  private readonly statusBar = new TailStatusBar();
  private readonly changed = new vscode.EventEmitter<Tail>();
  /** Fires when a tail's state, error count or filter changes (tests wait on it). */
  readonly onDidChange = this.changed.event;
  private logging: { key: string; api: Promise<CloudLoggingApi> } | undefined;
  private readonly configListener: vscode.Disposable;

  constructor(
    private readonly readTarget: () => MentorTarget,
    private readonly log: vscode.LogOutputChannel,
    private readonly diagnostics: CloudDiagnostics,
    private readonly sessionOptions: () => Partial<TailSessionOptions> = readSessionOptions,
  ) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('mentor.apiEndpoint')) return;
      // Running tails move to the new endpoint, resuming where they were.
      this.resetConnection();
      for (const tail of this.tails.values()) if (tail.session.running) tail.session.setFilter(tail.session.filter);
    });
  }

  get all(): Tail[] {
    return [...this.tails.values()];
  }

  find(service: string): Tail | undefined {
    return this.all.find((t) => t.target.service === service || t.key === service);
  }

  /** Starts (or re-filters and shows) the tail of a service. */
  start(target: TailTarget, filter?: TailFilter): Tail {
    const key = tailKey(target);
    let tail = this.tails.get(key);
    if (!tail) {
      tail = this.create(key, target);
      this.tails.set(key, tail);
    }
    tail.channel.show(true);
    if (tail.session.running) {
      // Asking again for the same tail only shows it: a restart would cost a reconnect for nothing.
      if (filter && !sameFilter(filter, tail.session.filter)) this.setFilter(tail, filter);
    } else {
      tail.batcher.push({ level: 'info', text: `[mentor] Tailing ${target.service} in ${target.project}/${target.region}` });
      tail.session.start(filter ?? tail.session.filter);
    }
    this.update(tail);
    return tail;
  }

  setFilter(tail: Tail, filter: TailFilter): void {
    tail.session.setFilter(filter);
    this.update(tail);
  }

  async stop(tail: Tail): Promise<void> {
    await tail.session.stop();
    tail.batcher.push({ level: 'info', text: '[mentor] Tail stopped.' });
    tail.batcher.flushAll();
    this.update(tail);
  }

  showChannel(service: string): boolean {
    const tail = this.find(service);
    tail?.channel.show(true);
    return tail !== undefined;
  }

  dispose(): void {
    this.configListener.dispose();
    for (const tail of this.tails.values()) {
      void tail.session.stop();
      tail.batcher.dispose();
      tail.channel.dispose();
    }
    this.tails.clear();
    this.statusBar.dispose();
    this.changed.dispose();
    this.resetConnection();
  }

  private create(key: string, target: TailTarget): Tail {
    const channel = vscode.window.createOutputChannel(channelName(target.service), { log: true });
    const batcher = new LineBatcher((lines) => writeLines(channel, lines));
    const assembler = new TracebackAssembler();
    // The session's events need the Tail that holds the session.
    const self: { tail?: Tail } = {};
    const session = new TailSession(target, () => this.api(target), {
      entries: (entries) => this.received(self.tail!, entries),
      notice: (level, text) => {
        batcher.push({ level, text: `[mentor] ${text}` });
        if (level !== 'info') this.log[level === 'error' ? 'error' : 'warn'](`${target.service} tail: ${text}`);
      },
      status: () => { if (self.tail) this.update(self.tail); },
    }, this.sessionOptions());
    const tail: Tail = { key, target, session, channel, batcher, assembler };
    self.tail = tail;
    return tail;
  }

  private received(tail: Tail, entries: CloudLogEntry[]): void {
    const occurrences = [];
    for (const entry of entries) {
      tail.batcher.push({ level: severityLevel(entry.severity), text: formatEntry(entry) });
      occurrences.push(...tail.assembler.feed(entry));
    }
    if (occurrences.length) this.diagnostics.add(occurrences);
  }

  private api(target: TailTarget): Promise<CloudLoggingApi> {
    const current = this.readTarget();
    const connectionTarget: MentorTarget = { ...current, project: target.project, region: target.region };
    const key = `${connectionTarget.apiEndpoint}|${connectionTarget.project}`;
    if (this.logging?.key !== key) {
      this.resetConnection();
      const api = connectCloudLogging(connectionTarget);
      this.logging = { key, api };
      // A failed connect (no credentials yet) must not stick: the next reconnect tries again.
      api.catch(() => { if (this.logging?.api === api) this.logging = undefined; });
    }
    return this.logging!.api;
  }

  private resetConnection(): void {
    const previous = this.logging;
    this.logging = undefined;
    void previous?.api.then((api) => setTimeout(() => void api.close(), 30_000).unref(), () => undefined);
  }

  private update(tail: Tail): void {
    // Running tails; when none runs, the one that changed last (so "stopped" stays visible).
    const running = this.all.filter((t) => t.session.status.state !== 'stopped');
    const shown = running.length ? running : this.tails.has(tail.key) ? [tail] : [];
    this.statusBar.update(shown.map((t) => ({ service: t.target.service, status: t.session.status })));
    this.changed.fire(tail);
  }

  /** For tests and the status bar tooltip: the current state of one tail. */
  statusOf(service: string): TailStatus | undefined {
    return this.find(service)?.session.status;
  }
}

function sameFilter(a: TailFilter, b: TailFilter): boolean {
  return (a.minSeverity ?? 'DEFAULT') === (b.minSeverity ?? 'DEFAULT') && (a.text?.trim() || '') === (b.text?.trim() || '') &&
    (a.revision || '') === (b.revision || '') && JSON.stringify(a.route ?? null) === JSON.stringify(b.route ?? null);
}

function writeLines(channel: vscode.LogOutputChannel, lines: readonly OutputLine[]): void {
  for (const { level, text } of lines) channel[level](text);
}
