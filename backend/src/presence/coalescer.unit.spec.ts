import { describe, expect, it } from 'vitest';
import { type CoalescingPolicy, type Decision, createPresenceCoalescer, toMaxIntervalMs, toQuietMs } from './coalescer.js';

const policy: CoalescingPolicy = { firstIntervalMs: 100, maxIntervalMs: 1_000, maxNames: 3 };
const joined = (userId: string) => ({ kind: 'joined' as const, userId });
const left = (userId: string) => ({ kind: 'left' as const, userId });
const quiet: Decision = { announce: null, wakeAt: null };

describe('presence coalescer', () => {
  it('tells a single arrival in a quiet room at once, and the room is quiet again after a window with nothing in it', () => {
    const c = createPresenceCoalescer(policy);
    expect(c.transition('r', joined('alice'), 0)).toEqual({ announce: { type: 'UserJoined', userId: 'alice' }, wakeAt: 100 });
    expect(c.windowEnded('r', 100)).toEqual(quiet);
    expect(c.openWindows).toBe(0);
    expect(c.transition('r', left('alice'), 500)).toEqual({ announce: { type: 'UserLeft', userId: 'alice' }, wakeAt: 600 });
  });

  it('gathers the changes of a window into one PresenceChanged, and doubles the window while the room stays busy', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('a'), 0);
    expect(c.transition('r', joined('b'), 10)).toEqual(quiet);
    c.transition('r', joined('c'), 20);
    c.transition('r', left('z'), 30);
    expect(c.windowEnded('r', 100)).toEqual({ announce: { type: 'PresenceChanged', joined: ['b', 'c'], left: ['z'] }, wakeAt: 300 });
    c.transition('r', joined('d'), 150);
    c.transition('r', joined('e'), 160);
    expect(c.windowEnded('r', 300)?.wakeAt).toBe(700);
  });

  it('tells even one gathered change as a PresenceChanged (its count is absolute; a UserJoined would be +1)', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('a'), 0);
    c.transition('r', joined('b'), 50);
    expect(c.windowEnded('r', 100).announce).toEqual({ type: 'PresenceChanged', joined: ['b'], left: [] });
  });

  it('cancels a join and a leave of one person within a window (nobody saw either)', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('a'), 0);
    c.transition('r', joined('b'), 10);
    c.transition('r', left('b'), 20);
    c.transition('r', left('a'), 30);
    c.transition('r', joined('a'), 40);
    expect(c.windowEnded('r', 100)).toEqual(quiet);
  });

  it('cuts the name lists short past maxNames', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('first'), 0);
    for (let i = 0; i < 10; i++) c.transition('r', joined(`j${i}`), 1);
    for (let i = 0; i < 5; i++) c.transition('r', left(`l${i}`), 2);
    expect(c.windowEnded('r', 100).announce).toEqual({ type: 'PresenceChanged', joined: ['j0', 'j1', 'j2'], left: ['l0', 'l1', 'l2'] });
  });

  it('keeps rooms apart', () => {
    const c = createPresenceCoalescer(policy);
    expect(c.transition('r1', joined('a'), 0).announce).toEqual({ type: 'UserJoined', userId: 'a' });
    expect(c.transition('r2', joined('a'), 0).announce).toEqual({ type: 'UserJoined', userId: 'a' });
    expect(c.openWindows).toBe(2);
  });

  it('tells the count again when it moved while an announcement was written (another instance was writing too)', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('a'), 0);
    expect(c.counted('r', 5, 5, 10)).toEqual(quiet);
    expect(c.counted('r', 5, 6, 20)).toEqual(quiet);
    expect(c.windowEnded('r', 100).announce).toEqual({ type: 'PresenceChanged', joined: [], left: [] });
    // The room went quiet before the recount came back: a window opens just to tell the count.
    expect(c.windowEnded('r', 300)).toEqual(quiet);
    expect(c.counted('r', 6, 7, 400)).toEqual({ announce: null, wakeAt: 500 });
    expect(c.windowEnded('r', 500).announce).toEqual({ type: 'PresenceChanged', joined: [], left: [] });
    expect(c.counted('r', 7, 7, 510)).toEqual(quiet);
  });

  it('tells the count again a window after an announcement could not be written', () => {
    const c = createPresenceCoalescer(policy);
    c.transition('r', joined('a'), 0);
    expect(c.windowEnded('r', 100)).toEqual(quiet);
    expect(c.lost('r', 150)).toEqual({ announce: null, wakeAt: 250 });
    expect(c.windowEnded('r', 250).announce).toEqual({ type: 'PresenceChanged', joined: [], left: [] });
  });

  it('caps the window by the room size and by maxIntervalMs', () => {
    expect(toMaxIntervalMs(policy, 0, 1)).toBe(400);
    expect(toMaxIntervalMs(policy, 700, 1)).toBe(700);
    expect(toMaxIntervalMs(policy, 5, 12)).toBe(600); // a storm in a small room
    expect(toMaxIntervalMs(policy, 50_000, 1)).toBe(1_000);
    const c = createPresenceCoalescer(policy);
    let wakeAt = c.transition('r', joined('x'), 0).wakeAt!;
    c.counted('r', 5_000, 5_000, 0);
    const windows: number[] = [];
    for (let i = 0; i < 6; i++) {
      c.transition('r', joined(`p${i}`), wakeAt - 1);
      c.transition('r', joined(`q${i}`), wakeAt - 1);
      const next = c.windowEnded('r', wakeAt).wakeAt!;
      windows.push(next - wakeAt);
      wakeAt = next;
    }
    expect(windows).toEqual([200, 400, 800, 1_000, 1_000, 1_000]);
    // A small room stops doubling at 4 × the first window.
    const small = createPresenceCoalescer(policy);
    wakeAt = small.transition('r', joined('x'), 0).wakeAt!;
    small.counted('r', 3, 3, 0);
    const smallWindows: number[] = [];
    for (let i = 0; i < 4; i++) {
      small.transition('r', joined(`p${i}`), wakeAt - 1);
      small.transition('r', joined(`q${i}`), wakeAt - 1);
      const next = small.windowEnded('r', wakeAt).wakeAt!;
      smallWindows.push(next - wakeAt);
      wakeAt = next;
    }
    expect(smallWindows).toEqual([200, 400, 400, 400]);
  });

  it('costs O(J) frames for a storm: a handful of announcements over 10 s, fewer the more people come', () => {
    const counts = [1_000, 10_000, 100_000].map((people) => {
      // The server's defaults: 250 ms first, 8 s at most.
      const c = createPresenceCoalescer({ firstIntervalMs: 250, maxIntervalMs: 8_000, maxNames: 20 });
      const announcements: number[] = [];
      let wakeAt: number | null = null;
      // People arrive evenly over 10 s; windows end when their timers say.
      for (let i = 0; i < people; i++) {
        const now = (i * 10_000) / people;
        while (wakeAt !== null && wakeAt <= now) {
          const d = c.windowEnded('r', wakeAt);
          if (d.announce) announcements.push(wakeAt);
          c.counted('r', i, i, wakeAt);
          wakeAt = d.wakeAt;
        }
        const d = c.transition('r', joined(`u${i}`), now);
        if (d.announce) announcements.push(now);
        if (d.wakeAt !== null) wakeAt = d.wakeAt;
      }
      while (wakeAt !== null) {
        const d = c.windowEnded('r', wakeAt);
        if (d.announce) announcements.push(wakeAt);
        wakeAt = d.wakeAt;
      }
      return announcements.length;
    });
    // However many people: the windows double to the ceiling (0, .25, .75, 1.75, 3.75, 7.75 s, then the tail at 15.75 s).
    expect(counts).toEqual([7, 7, 7]);
  });

  it('keeps a slow storm to about ten frames per client: a minute of 100 arrivals a second', () => {
    const c = createPresenceCoalescer({ firstIntervalMs: 250, maxIntervalMs: 8_000, maxNames: 20 });
    let announcements = 0;
    let wakeAt: number | null = null;
    for (let i = 0; i < 6_000; i++) {
      const now = i * 10;
      while (wakeAt !== null && wakeAt <= now) {
        const d = c.windowEnded('r', wakeAt);
        if (d.announce) announcements++;
        c.counted('r', i, i, wakeAt);
        wakeAt = d.wakeAt;
      }
      const d = c.transition('r', joined(`u${i}`), now);
      if (d.announce) announcements++;
      if (d.wakeAt !== null) wakeAt = d.wakeAt;
    }
    while (wakeAt !== null) {
      const d = c.windowEnded('r', wakeAt);
      if (d.announce) announcements++;
      wakeAt = d.wakeAt;
    }
    expect(announcements).toBeLessThanOrEqual(14);
  });

  /** Arrivals at the times given, each window's timer firing at its `wakeAt`: when the announcements went out. */
  const simulate = (c: ReturnType<typeof createPresenceCoalescer>, arrivals: number[]) => {
    const announcements: number[] = [];
    let wakeAt: number | null = null;
    const fire = (until: number) => {
      while (wakeAt !== null && wakeAt <= until) {
        const at: number = wakeAt;
        const d = c.windowEnded('r', at);
        if (d.announce) announcements.push(at);
        wakeAt = d.wakeAt;
      }
    };
    arrivals.forEach((now, i) => {
      fire(now);
      const d = c.transition('r', joined(`u${i}`), now);
      if (d.announce) announcements.push(now);
      if (d.wakeAt !== null) wakeAt = d.wakeAt;
    });
    fire(Number.POSITIVE_INFINITY);
    return announcements;
  };

  it("tells a storm's last news two first windows after it stops, not at the end of its long window", () => {
    const defaults = { firstIntervalMs: 250, maxIntervalMs: 8_000, maxNames: 20 };
    // 10,000 people over 9 s: the window open at the end runs from 7.75 s to 15.75 s.
    const storm = Array.from({ length: 10_000 }, (_, i) => (i * 9_000) / 10_000);
    const announcements = simulate(createPresenceCoalescer(defaults), storm);
    // Quiet for a quiet (500 ms), confirmed half a quiet later.
    expect(announcements.at(-1)).toBeGreaterThanOrEqual(storm.at(-1)! + toQuietMs(defaults));
    expect(announcements.at(-1)).toBeLessThanOrEqual(storm.at(-1)! + 1.5 * toQuietMs(defaults) + 1);
    // No more frames than the long window would have cost: 0, .25, .75, 1.75, 3.75, 7.75 s, and the tail.
    expect(announcements).toHaveLength(7);
  });

  it('does not end a window early while a storm goes on, nor for a trickle', () => {
    // The window from 300 to 700 (first 100 ms, then 200, 400); quiet after 200 ms.
    const windowFrom300 = (c: ReturnType<typeof createPresenceCoalescer>) => {
      c.transition('r', joined('a'), 0);
      c.transition('r', joined('b'), 50);
      c.windowEnded('r', 100);
      c.transition('r', joined('c'), 150);
      expect(c.windowEnded('r', 300).wakeAt).toBe(700);
    };
    // A storm with no pause of 200 ms: each check finds it still going, and the window ends at 700.
    const going = createPresenceCoalescer(policy);
    windowFrom300(going);
    expect(going.transition('r', joined('s0'), 310)).toEqual({ announce: null, wakeAt: 510 });
    for (let t = 320; t <= 480; t += 20) expect(going.transition('r', joined(`s${t}`), t)).toEqual(quiet);
    expect(going.windowEnded('r', 510)).toEqual({ announce: null, wakeAt: 680 });
    for (let t = 520; t <= 660; t += 20) expect(going.transition('r', joined(`s${t}`), t)).toEqual(quiet);
    expect(going.windowEnded('r', 680)).toEqual({ announce: null, wakeAt: 700 });
    expect(going.windowEnded('r', 700).announce?.type).toBe('PresenceChanged');
    // Two changes in 400 ms are no storm: quiet as it is after them, the window runs its course.
    const trickle = createPresenceCoalescer(policy);
    windowFrom300(trickle);
    expect(trickle.transition('r', joined('t1'), 310).wakeAt).toBe(510);
    expect(trickle.windowEnded('r', 510)).toEqual({ announce: null, wakeAt: 700 });
    expect(trickle.transition('r', joined('t2'), 450).wakeAt).toBe(650);
    expect(trickle.windowEnded('r', 650)).toEqual({ announce: null, wakeAt: 700 });
    expect(trickle.windowEnded('r', 700).announce).toEqual({ type: 'PresenceChanged', joined: ['t1', 't2'], left: [] });
  });

  describe('a long window of a storm (first 100 ms, quiet after 200 ms; the room big enough for long windows)', () => {
    const long = { firstIntervalMs: 100, maxIntervalMs: 10_000, maxNames: 3 };
    /** A room whose window runs from 700 to 1500, and a storm of 20 changes from 710 to 900 in it. */
    const stormIn700To1500 = () => {
      const c = createPresenceCoalescer(long);
      c.transition('r', joined('a'), 0);
      c.counted('r', 5_000, 5_000, 0);
      c.transition('r', joined('b'), 50);
      c.windowEnded('r', 100);
      c.transition('r', joined('c'), 150);
      c.windowEnded('r', 300);
      c.transition('r', joined('d'), 600);
      expect(c.windowEnded('r', 700).wakeAt).toBe(1_500);
      expect(c.transition('r', joined('s0'), 710)).toEqual({ announce: null, wakeAt: 910 });
      for (let i = 1; i < 20; i++) expect(c.transition('r', joined(`s${i}`), 700 + 10 * (i + 1))).toEqual(quiet);
      expect(c.windowEnded('r', 910)).toEqual({ announce: null, wakeAt: 1_100 });
      return c;
    };

    it('ends once quiet, confirmed half a quiet later, and the next window is still twice as long', () => {
      const c = stormIn700To1500();
      expect(c.windowEnded('r', 1_100)).toEqual({ announce: null, wakeAt: 1_200 });
      const ended = c.windowEnded('r', 1_200);
      expect(ended.announce?.type).toBe('PresenceChanged');
      expect(ended.wakeAt).toBe(1_200 + 1_600);
    });

    it('ends early once per storm: the next window runs its course', () => {
      const c = stormIn700To1500();
      c.windowEnded('r', 1_100);
      c.windowEnded('r', 1_200);
      for (let t = 1_210; t <= 1_400; t += 10) expect(c.transition('r', joined(`t${t}`), t)).toEqual(quiet);
      expect(c.windowEnded('r', 2_800).announce?.type).toBe('PresenceChanged');
    });

    it('does not end when a change comes before the confirmation', () => {
      const c = stormIn700To1500();
      c.windowEnded('r', 1_100);
      c.transition('r', joined('late'), 1_150);
      expect(c.windowEnded('r', 1_200)).toEqual({ announce: null, wakeAt: 1_350 });
    });

    it('trusts no quiet that a late timer saw (the event loop was busy): it looks again', () => {
      const c = stormIn700To1500();
      expect(c.windowEnded('r', 1_160)).toEqual({ announce: null, wakeAt: 1_360 });
      expect(c.windowEnded('r', 1_360)).toEqual({ announce: null, wakeAt: 1_460 });
      expect(c.windowEnded('r', 1_460).announce?.type).toBe('PresenceChanged');
    });
  });
});
