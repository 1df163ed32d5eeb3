// What the emulator's Monitoring "mails": verification codes and incident notifications of email channels.
// Nothing leaves the machine; tests (and a developer at `npm start`) read the outbox the way a user reads their
// inbox: in process (`RunningEmulator.alerting.outbox`) or on the REST port at GET /_emulator/outbox
// (JSON; `?to=ADDRESS` narrows it). It lives in memory only: mail is not part of the emulated Google state.
import type { RestHandler } from './restTypes';

export interface OutboxMessage {
  /** Ascending from 1, so a reader can ask only for what is new (`?after=ID`). */
  id: number;
  kind: 'verification' | 'incident';
  to: string;
  channel: string;
  subject: string;
  body: string;
  /** Set for kind verification: the code the mail carries. */
  code?: string;
  /** Set for kind incident: projects/P/alerts/ID. */
  alert?: string;
  sentTime: string;
}

const MAX_MESSAGES = 1000;

export class MonitoringOutbox {
  private readonly messages: OutboxMessage[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();

  deliver(message: Omit<OutboxMessage, 'id' | 'sentTime'>): OutboxMessage {
    const full: OutboxMessage = { ...message, id: this.nextId++, sentTime: new Date().toISOString() };
    this.messages.push(full);
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
    for (const wake of [...this.waiters]) wake();
    return full;
  }

  list(filter: { to?: string; after?: number; kind?: string } = {}): OutboxMessage[] {
    return this.messages.filter((m) => (!filter.to || m.to === filter.to) && (!filter.after || m.id > filter.after)
      && (!filter.kind || m.kind === filter.kind));
  }

  /** Resolves with the first message matching `test` (already there or still to come); rejects after `timeoutMs`. */
  waitFor(test: (m: OutboxMessage) => boolean, timeoutMs: number): Promise<OutboxMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(test);
        if (!found) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No outbox message arrived within ${timeoutMs} ms (outbox has ${this.messages.length}).`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  clear(): void {
    this.messages.length = 0;
  }

  /** GET /_emulator/outbox[?to=ADDRESS&after=ID&kind=verification|incident] → {messages:[…]} newest last. */
  readonly page: RestHandler = async (request) => {
    if (request.path !== '/_emulator/outbox') return undefined;
    if (request.method.toUpperCase() !== 'GET') return { status: 405, json: { error: { code: 405, message: 'Only GET reads the outbox.' } } };
    const after = Number(request.query.get('after') ?? 0);
    const messages = this.list({ to: request.query.get('to') ?? undefined, after: Number.isFinite(after) ? after : 0, kind: request.query.get('kind') ?? undefined });
    return { status: 200, json: { messages } };
  };
}
