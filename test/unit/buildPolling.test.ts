// The polling schedule on a fake clock: 5 s while a build runs, doubling to 60 s when idle, nothing while
// the window is unfocused, an immediate poll on focus when the last one is stale, a poke restarting the backoff.
import * as assert from 'node:assert/strict';
import { BuildPoller, Clock } from '../../src/core/buildPolling';

class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now(): number { return this.time; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers = this.timers.filter((t) => t.id !== handle); }
  get pending(): number { return this.timers.length; }
  /** Runs timers due within `ms`, letting the poll promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
    await settle();
  }
}

const settle = async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

function poller(active: () => boolean, clock: FakeClock) {
  const at: number[] = [];
  const p = new BuildPoller(async () => { at.push(clock.now()); return { active: active() }; }, clock,
    { activeMs: 5_000, firstIdleMs: 10_000, maxIdleMs: 60_000 });
  return { p, at };
}

describe('build polling', () => {
  it('polls every 5 s while a build runs, then backs off 10 → 20 → 40 → 60 → 60 s when idle', async () => {
    const clock = new FakeClock();
    let running = true;
    const { p, at } = poller(() => running, clock);
    p.start();
    await clock.advance(15_000);
    assert.deepEqual(at, [0, 5_000, 10_000, 15_000]);
    running = false;
    await clock.advance(20_000 + 10_000 + 20_000 + 40_000 + 60_000 + 60_000);
    const gaps = at.slice(3).map((t, i, a) => (i ? t - a[i - 1] : 0)).slice(1);
    assert.deepEqual(gaps, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    p.stop();
    assert.equal(clock.pending, 0);
  });

  it('pauses while the window is not focused and polls at once on focus when the last poll is stale', async () => {
    const clock = new FakeClock();
    const { p, at } = poller(() => false, clock);
    p.start();
    await clock.advance(1_000);
    p.setFocused(false);
    assert.ok(p.paused);
    assert.equal(clock.pending, 0, 'no timer while unfocused');
    await clock.advance(10 * 60_000);
    assert.deepEqual(at, [0], 'no polls while unfocused');
    p.setFocused(true);
    await clock.advance(0);
    assert.deepEqual(at, [0, 601_000], 'focus polls immediately');
    assert.ok(!p.paused);
  });

  it('a quick refocus does not poll early: it waits out the 5 s since the last poll', async () => {
    const clock = new FakeClock();
    const { p, at } = poller(() => true, clock);
    p.start();
    await clock.advance(1_000);
    p.setFocused(false);
    p.setFocused(true);
    await clock.advance(3_000);
    assert.deepEqual(at, [0]);
    await clock.advance(1_000);
    assert.deepEqual(at, [0, 5_000]);
  });

  it('a poke polls now and restarts the idle backoff; a failing poll still reschedules', async () => {
    const clock = new FakeClock();
    let fail = false;
    const errors: unknown[] = [];
    const at: number[] = [];
    const p = new BuildPoller(async () => {
      at.push(clock.now());
      if (fail) throw new Error('UNAVAILABLE');
      return { active: false };
    }, clock, { activeMs: 5_000, firstIdleMs: 10_000, maxIdleMs: 60_000 }, (e) => errors.push(e));
    p.start();
    await clock.advance(10_000 + 20_000 + 1_000); // polls at 0, 10 s, 30 s; next due at 70 s
    assert.deepEqual(at, [0, 10_000, 30_000]);
    p.pokeNow();
    await clock.advance(0);
    assert.equal(at.at(-1), 31_000);
    assert.equal(p.lastDelayMs, 10_000, 'backoff restarted');
    fail = true;
    await clock.advance(10_000);
    assert.equal(errors.length, 1);
    assert.ok(p.scheduled, 'still scheduled after a failure');
  });
});
