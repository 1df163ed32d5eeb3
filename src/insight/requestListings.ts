// One listing of a service's request logs for the last hour, shared by every lens of every file: paged,
// capped, kept for a minute, and never two at once for the same service. No vscode import (the bench drives
// it against the emulator). "Not deployed" is asked of Cloud Run only when the listing is empty.
import { ErrorKind, UserFacingError } from '../core/errors';
import type { TailTarget } from '../core/logEntries';
import { RequestListing, RequestSample, requestLogFilter, toSample } from '../core/routeStats';
import type { CloudLoggingApi } from '../gcp/cloudLogging';

export type ListingResult =
  | { kind: 'listing'; listing: RequestListing; listedAtMs: number }
  | { kind: 'notDeployed'; listedAtMs: number }
  | { kind: 'unavailable'; message: string; reason?: ErrorKind; listedAtMs: number };

export interface ListingDeps {
  logging(target: TailTarget): Promise<CloudLoggingApi>;
  /** False when Cloud Run has no such service (NOT_FOUND); errors propagate. */
  serviceExists(target: TailTarget): Promise<boolean>;
}

export interface ListingOptions {
  ttlMs: number;
  windowMs: number;
  /** Most entries one listing reads (pages of 1000); more means the counts are lower bounds. */
  maxEntries: number;
}

export const DEFAULT_LISTING_OPTIONS: ListingOptions = { ttlMs: 60_000, windowMs: 3_600_000, maxEntries: 10_000 };

const keyOf = (t: TailTarget) => `${t.project}/${t.region}/${t.service}`;

export class RequestListings {
  private readonly results = new Map<string, ListingResult>();
  private readonly inFlight = new Map<string, Promise<ListingResult>>();
  private readonly options: ListingOptions;
  /** Listings made (for tests and the bench: one per service per minute, whatever the number of lenses). */
  listingsMade = 0;

  constructor(private readonly deps: ListingDeps, options: Partial<ListingOptions> = {}, private readonly now = () => Date.now()) {
    this.options = { ...DEFAULT_LISTING_OPTIONS, ...options };
  }

  /** The last result, even if stale; undefined before the first listing. */
  peek(target: TailTarget): ListingResult | undefined {
    return this.results.get(keyOf(target));
  }

  isFresh(target: TailTarget): boolean {
    const result = this.peek(target);
    return !!result && this.now() - result.listedAtMs < this.options.ttlMs;
  }

  /** A fresh result: the cached one, the listing already running, or a new listing. */
  get(target: TailTarget): Promise<ListingResult> {
    const key = keyOf(target);
    const cached = this.results.get(key);
    if (cached && this.now() - cached.listedAtMs < this.options.ttlMs) return Promise.resolve(cached);
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.list(target).then((result) => {
        this.results.set(key, result);
        return result;
      }).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  /** Forget everything (settings changed, or the user asked to refresh). */
  clear(): void {
    this.results.clear();
  }

  private async list(target: TailTarget): Promise<ListingResult> {
    this.listingsMade++;
    const toMs = this.now();
    const fromMs = toMs - this.options.windowMs;
    try {
      const api = await this.deps.logging(target);
      const entries = await api.listEntries({
        filter: requestLogFilter(target, fromMs), orderBy: 'timestamp desc', pageSize: 1000, maxEntries: this.options.maxEntries,
      });
      if (entries.length === 0 && !(await this.deps.serviceExists(target))) return { kind: 'notDeployed', listedAtMs: toMs };
      const samples: RequestSample[] = [];
      for (const entry of entries) {
        const sample = toSample(entry);
        if (sample) samples.push(sample);
      }
      return { kind: 'listing', listing: { samples, fromMs, toMs, capped: entries.length >= this.options.maxEntries }, listedAtMs: toMs };
    } catch (error) {
      return { kind: 'unavailable', message: describe(error), ...(error instanceof UserFacingError ? { reason: error.kind } : {}), listedAtMs: toMs };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof UserFacingError) return error.message;
  return (error as Error)?.message ?? String(error);
}
