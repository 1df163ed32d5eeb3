// Polite polling of ListBuilds when no Pub/Sub subscription tells us about builds: every 5 s while a build
// we care about runs, backing off (×2) to once a minute when nothing happens, and not at all while the
// window is not focused (the first focus polls at once if the last poll is stale). The clock is injected
// so tests drive the schedule without waiting.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PollSchedule {
  /** While a build is queued or running. */
  activeMs: number;
  /** The first idle delay; each idle poll doubles it up to maxIdleMs. */
  firstIdleMs: number;
  maxIdleMs: number;
}

export const DEFAULT_SCHEDULE: PollSchedule = { activeMs: 5_000, firstIdleMs: 10_000, maxIdleMs: 60_000 };

/** What one poll found: `active` = some build of interest is not finished. */
export interface PollResult {
  active: boolean;
}

export class BuildPoller {
  private timer: unknown;
  private idleMs: number;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private focused = true;
  private lastPollAt = -Infinity;
  /** The delay the last schedule used (tests and the log read it). */
  lastDelayMs: number | undefined;
  polls = 0;

  constructor(
    private readonly poll: () => Promise<PollResult>,
    private readonly clock: Clock = systemClock,
    private readonly schedule: PollSchedule = DEFAULT_SCHEDULE,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.idleMs = schedule.firstIdleMs;
  }

  get paused(): boolean {
    return this.running && !this.focused;
  }

  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** Polls now, then on the schedule. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.runOnce();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer();
  }

  /** Window focus: unfocused pauses; focus again polls at once when the last poll is older than activeMs. */
  setFocused(focused: boolean): void {
    if (this.focused === focused) return;
    this.focused = focused;
    if (!this.running) return;
    if (!focused) return this.cancelTimer();
    if (this.clock.now() - this.lastPollAt >= this.schedule.activeMs) void this.runOnce();
    else this.arm(this.schedule.activeMs - (this.clock.now() - this.lastPollAt));
  }

  /** Something happened (HEAD moved, a command started a build): poll now and restart the backoff. */
  pokeNow(): void {
    this.idleMs = this.schedule.firstIdleMs;
    if (this.running && this.focused) void this.runOnce();
  }

  private async runOnce(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.cancelTimer();
    this.inFlight = (async () => {
      let active = false;
      try {
        this.polls++;
        active = (await this.poll()).active;
      } catch (error) {
        this.onError(error);
      } finally {
        this.lastPollAt = this.clock.now();
        this.inFlight = undefined;
      }
      if (!this.running || !this.focused) return;
      if (active) {
        this.idleMs = this.schedule.firstIdleMs;
        this.arm(this.schedule.activeMs);
      } else {
        this.arm(this.idleMs);
        this.idleMs = Math.min(this.schedule.maxIdleMs, this.idleMs * 2);
      }
    })();
    return this.inFlight;
  }

  private arm(ms: number): void {
    this.cancelTimer();
    this.lastDelayMs = ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
