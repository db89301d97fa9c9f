import { describe, expect, it } from 'vitest';
import type { Clock } from './clock';
import {
  exponentialBackoff,
  delayTable,
  type Policy,
  type PolicyContext,
  type Trigger,
} from './policy';
import { ATTEMPT_TIMEOUT_MS, decide, GIVE_UP_GRACE_MS, RecoveryScheduler } from './recovery';

/** A manual clock: time moves only in `advance`, which runs due timers in time order. */
class FakeClock implements Clock {
  #now = 1_000_000;
  #nextHandle = 1;
  readonly #timers = new Map<number, { readonly at: number; readonly callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { at: this.#now + Math.max(0, delayMs), callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { readonly at: number; readonly callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    this.#now = end;
  }
}

type Event =
  | {
      readonly type: 'scheduled';
      readonly attempt: number;
      readonly delayMs: number;
      readonly trigger: Trigger;
    }
  | {
      readonly type: 'attempt';
      readonly attempt: number;
      readonly trigger: Trigger;
      readonly at: number;
    }
  | {
      readonly type: 'gaveUp';
      readonly attempts: number;
      readonly elapsedMs: number;
      readonly policyError: unknown;
    };

function setup(policy: Policy = delayTable([100, 200, 400])) {
  const clock = new FakeClock();
  const events: Event[] = [];
  const state = { online: true };
  const scheduler = new RecoveryScheduler(clock, policy, {
    isOnline: () => state.online,
    scheduled: (attempt, delayMs, trigger) => {
      events.push({ type: 'scheduled', attempt, delayMs, trigger });
    },
    attempt: (attempt, trigger) => {
      events.push({ type: 'attempt', attempt, trigger, at: clock.now() });
    },
    gaveUp: (attempts, elapsedMs, policyError) => {
      events.push({ type: 'gaveUp', attempts, elapsedMs, policyError });
    },
  });
  const start = clock.now();
  const of = <T extends Event['type']>(type: T) =>
    events.filter((event): event is Extract<Event, { type: T }> => event.type === type);
  return { clock, events, state, scheduler, start, of };
}

describe('decide', () => {
  const ctx: PolicyContext = { attempt: 2, elapsedMs: 10, trigger: 'stall', online: true };

  it('waits the delay the policy returns', () => {
    expect(decide(() => 250, ctx)).toEqual({ kind: 'wait', delayMs: 250 });
    expect(decide(() => 0, ctx)).toEqual({ kind: 'wait', delayMs: 0 });
  });

  it('gives up when the policy returns null', () => {
    expect(decide(() => null, ctx)).toEqual({ kind: 'give-up' });
  });

  it('passes a frozen copy of the context', () => {
    let seen: PolicyContext | undefined;
    decide((context) => {
      seen = context;
      return 1;
    }, ctx);
    expect(seen).toEqual(ctx);
    expect(seen).not.toBe(ctx);
    expect(Object.isFrozen(seen)).toBe(true);
  });

  it('reports a throwing policy with its error', () => {
    const error = new Error('boom');
    expect(
      decide(() => {
        throw error;
      }, ctx),
    ).toEqual({ kind: 'threw', error });
  });

  it.each([
    ['a string', 'soon', 'got string'],
    ['undefined', undefined, 'got undefined'],
    ['NaN', Number.NaN, 'got NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['a negative number', -1, 'got -1'],
  ])('treats %s as a policy error', (_name, value, detail) => {
    const decision = decide(() => value as unknown as number, ctx);
    expect(decision.kind).toBe('threw');
    const error = (decision as { readonly error: unknown }).error;
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toContain(
      'Expected the policy to return a non-negative number of milliseconds or null',
    );
    expect((error as TypeError).message).toContain(detail);
  });
});

describe('RecoveryScheduler', () => {
  it('opens one incident at a time', () => {
    const { scheduler, of } = setup();
    expect(scheduler.active).toBe(false);
    expect(scheduler.detect('failed')).toBe(true);
    expect(scheduler.active).toBe(true);
    expect(scheduler.detect('disconnected')).toBe(false);
    expect(scheduler.detect('stall')).toBe(false);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 100, trigger: 'failed' },
    ]);
  });

  it('schedules attempts with the delays of the policy', () => {
    const { clock, scheduler, start, of } = setup();
    scheduler.detect('disconnected');
    clock.advance(99);
    expect(of('attempt')).toEqual([]);
    clock.advance(1);
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'disconnected', at: start + 100 },
    ]);
    expect(scheduler.attempts).toBe(1);
    scheduler.settled();
    clock.advance(200);
    scheduler.settled();
    clock.advance(400);
    expect(of('attempt').map((event) => event.at - start)).toEqual([100, 300, 700]);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 100, trigger: 'disconnected' },
      { type: 'scheduled', attempt: 2, delayMs: 200, trigger: 'disconnected' },
      { type: 'scheduled', attempt: 3, delayMs: 400, trigger: 'disconnected' },
    ]);
  });

  it('tells the policy the attempt, elapsed time, trigger and online state', () => {
    const contexts: PolicyContext[] = [];
    const { clock, scheduler, state } = setup((context) => {
      contexts.push(context);
      return 1000;
    });
    scheduler.detect('stall');
    clock.advance(1000);
    scheduler.settled();
    state.online = false;
    clock.advance(1000);
    expect(contexts).toEqual([
      { attempt: 1, elapsedMs: 0, trigger: 'stall', online: true },
      { attempt: 2, elapsedMs: 1000, trigger: 'stall', online: true },
      { attempt: 2, elapsedMs: 2000, trigger: 'stall', online: false },
    ]);
  });

  it('starts no attempt while the one in flight is younger than ATTEMPT_TIMEOUT_MS', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    clock.advance(0);
    expect(of('attempt')).toHaveLength(1);
    // Attempt 2 came due at 100 but is held back; only the re-check timer is pending.
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(1);
    expect(scheduler.attempts).toBe(1);
    expect(scheduler.active).toBe(true);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, ATTEMPT_TIMEOUT_MS],
    ]);
  });

  it('reschedules a due attempt by the policy once the one in flight settles', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    // Attempt 2 comes due at 100 while attempt 1 is in flight; the re-check would fire at 5000.
    clock.advance(1000);
    expect(of('attempt')).toHaveLength(1);
    expect(of('scheduled')).toHaveLength(2);
    scheduler.settled();
    expect(of('attempt')).toHaveLength(1);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 0, trigger: 'failed' },
      { type: 'scheduled', attempt: 2, delayMs: 100, trigger: 'failed' },
      { type: 'scheduled', attempt: 2, delayMs: 100, trigger: 'failed' },
    ]);
    // The re-check timer is gone; only the rescheduled attempt's timer is pending.
    expect(clock.pendingTimers).toBe(1);
    clock.advance(100);
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, 1100],
    ]);
    // Nothing fires at 5000, where the cleared re-check was: attempt 3 waits for attempt 2.
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(2);
  });

  it('runs the next attempt on time when the previous one settled first', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    clock.advance(50);
    scheduler.settled();
    clock.advance(50);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 100]);
  });

  it('spends no attempt while offline and runs the due one when back online', () => {
    const { clock, scheduler, state, start, of } = setup();
    state.online = false;
    scheduler.detect('failed');
    clock.advance(60_000);
    expect(of('attempt')).toEqual([]);
    expect(scheduler.attempts).toBe(0);
    expect(scheduler.active).toBe(true);
    state.online = true;
    scheduler.online();
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'failed', at: start + 60_000 },
    ]);
  });

  it('does nothing on online() when no attempt is due', () => {
    const { clock, scheduler, of } = setup();
    scheduler.online();
    scheduler.detect('failed');
    scheduler.online();
    clock.advance(99);
    scheduler.online();
    expect(of('attempt')).toEqual([]);
  });

  it('does not run a due attempt on online() while another is in flight', () => {
    const { clock, scheduler, state, of } = setup(delayTable([0, 100]));
    scheduler.detect('failed');
    clock.advance(0);
    state.online = false;
    clock.advance(100);
    state.online = true;
    scheduler.online();
    expect(of('attempt')).toHaveLength(1);
  });

  it.each(['manual', 'network-change', 'signaling-restored'] as const)(
    'fires the first attempt at once for %s',
    (trigger) => {
      const { scheduler, start, of } = setup();
      expect(scheduler.detect(trigger)).toBe(true);
      expect(of('attempt')).toEqual([{ type: 'attempt', attempt: 1, trigger, at: start }]);
      expect(of('scheduled')).toEqual([{ type: 'scheduled', attempt: 2, delayMs: 200, trigger }]);
    },
  );

  it.each(['manual', 'network-change', 'signaling-restored'] as const)(
    'hurries the scheduled attempt on %s',
    (trigger) => {
      const { clock, scheduler, start, of } = setup(delayTable([1000, 2000]));
      scheduler.detect('stall');
      clock.advance(10);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(of('attempt')).toEqual([
        { type: 'attempt', attempt: 1, trigger: 'stall', at: start + 10 },
      ]);
      // The hurried attempt's timer is gone; only the next attempt's is pending.
      expect(clock.pendingTimers).toBe(1);
      scheduler.settled();
      clock.advance(2000);
      expect(of('attempt').map((event) => event.at - start)).toEqual([10, 2010]);
    },
  );

  it.each(['network-change', 'signaling-restored'] as const)(
    'ignores %s while an attempt is in flight',
    (trigger) => {
      const { clock, scheduler, start, of } = setup(delayTable([0, 1000]));
      scheduler.detect('failed');
      clock.advance(10);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(of('attempt')).toHaveLength(1);
      scheduler.settled();
      clock.advance(990);
      expect(of('attempt').map((event) => event.at - start)).toEqual([0, 1000]);
    },
  );

  it('starts an attempt at once on manual even while one is in flight', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 1000, 1000]));
    scheduler.detect('failed');
    clock.advance(10);
    expect(scheduler.detect('manual')).toBe(false);
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'failed', at: start },
      { type: 'attempt', attempt: 2, trigger: 'failed', at: start + 10 },
    ]);
    expect(scheduler.attempts).toBe(2);
    // The policy is asked afresh after the forced attempt; attempt 2's old timer is gone.
    expect(of('scheduled').at(-1)).toEqual({
      type: 'scheduled',
      attempt: 3,
      delayMs: 1000,
      trigger: 'failed',
    });
    expect(clock.pendingTimers).toBe(1);
    scheduler.settled();
    clock.advance(1000);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 10, 1010]);
  });

  it('forces a manual attempt while a due one is held back, dropping the re-check', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    // Attempt 2 came due at 100; its re-check is set for ATTEMPT_TIMEOUT_MS.
    clock.advance(200);
    expect(of('attempt')).toHaveLength(1);
    scheduler.detect('manual');
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, 200],
    ]);
    // Attempt 3 comes due at 300 and waits for attempt 2 to age out at 200 + ATTEMPT_TIMEOUT_MS.
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(2);
    clock.advance(1);
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, 200],
      [3, 200 + ATTEMPT_TIMEOUT_MS],
    ]);
  });

  it('abandons an unanswered attempt after ATTEMPT_TIMEOUT_MS and starts the next one', () => {
    expect(ATTEMPT_TIMEOUT_MS).toBe(5000);
    const contexts: PolicyContext[] = [];
    const { clock, scheduler, start, of } = setup((context) => {
      contexts.push(context);
      return context.attempt === 1 ? 0 : context.attempt <= 3 ? 3000 : null;
    });
    scheduler.detect('failed');
    // Attempt 2 is due at 3000; the re-check counts from attempt 1's start, not from then.
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(1);
    clock.advance(1);
    expect(of('attempt')).toHaveLength(2);
    // Attempt 2 is never answered either; attempt 3 is due at 8000 and starts at 10000.
    clock.advance(ATTEMPT_TIMEOUT_MS);
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, ATTEMPT_TIMEOUT_MS],
      [3, 2 * ATTEMPT_TIMEOUT_MS],
    ]);
    // The policy was asked when each attempt was scheduled and each time one was held back.
    expect(contexts.map(({ attempt, elapsedMs }) => [attempt, elapsedMs])).toEqual([
      [1, 0],
      [2, 0],
      [2, 3000],
      [3, 5000],
      [3, 8000],
      [4, 10_000],
    ]);
    // The policy stops after attempt 3; it still gets the grace period, then the incident ends.
    clock.advance(GIVE_UP_GRACE_MS);
    expect(of('gaveUp')).toEqual([
      {
        type: 'gaveUp',
        attempts: 3,
        elapsedMs: 2 * ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS,
        policyError: undefined,
      },
    ]);
  });

  it('re-checks offline after the policy delay, but no sooner than 1000 ms', () => {
    const contexts: PolicyContext[] = [];
    const { clock, scheduler, state } = setup((context) => {
      contexts.push(context);
      return context.elapsedMs < 2000 ? 0 : 2500;
    });
    state.online = false;
    scheduler.detect('stall');
    clock.advance(10_000);
    expect(contexts.map(({ elapsedMs, online }) => [elapsedMs, online])).toEqual([
      [0, false],
      [0, false],
      [1000, false],
      [2000, false],
      [4500, false],
      [7000, false],
      [9500, false],
    ]);
  });

  it('gives up after the policy returns null, leaving the last attempt a grace period', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0, 100]));
    scheduler.detect('failed');
    clock.advance(0);
    scheduler.settled();
    clock.advance(100);
    expect(of('attempt')).toHaveLength(2);
    clock.advance(GIVE_UP_GRACE_MS - 1);
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    clock.advance(1);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 2, elapsedMs: 100 + GIVE_UP_GRACE_MS, policyError: undefined },
    ]);
    expect(clock.now() - start).toBe(100 + GIVE_UP_GRACE_MS);
    expect(GIVE_UP_GRACE_MS).toBe(5000);
    expect(scheduler.active).toBe(false);
    expect(scheduler.gaveUp).toBe(true);
    expect(scheduler.attempts).toBe(0);
  });

  it('gives up after maxAttempts of an exponential policy', () => {
    const { clock, scheduler, of } = setup(exponentialBackoff({ maxAttempts: 3, random: () => 0 }));
    scheduler.detect('failed');
    for (let step = 0; step < 20; step++) {
      clock.advance(1000);
      scheduler.settled();
    }
    expect(of('attempt').map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(of('gaveUp')).toHaveLength(1);
    expect(of('gaveUp')[0]?.attempts).toBe(3);
  });

  it('gives up without grace when the policy stops before the first attempt', () => {
    const { clock, scheduler, of } = setup(() => null);
    scheduler.detect('failed');
    clock.advance(0);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 0, policyError: undefined },
    ]);
  });

  it('gives up and passes the error when the policy throws', () => {
    const error = new Error('policy bug');
    const { clock, scheduler, of } = setup(() => {
      throw error;
    });
    scheduler.detect('failed');
    clock.advance(0);
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 0, policyError: error },
    ]);
    expect(scheduler.gaveUp).toBe(true);
  });

  it('gives up after the grace period when the policy throws after an attempt', () => {
    const error = new Error('second call fails');
    const { clock, scheduler, of } = setup(({ attempt }) => {
      if (attempt > 1) throw error;
      return 0;
    });
    scheduler.detect('failed');
    clock.advance(GIVE_UP_GRACE_MS);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 1, elapsedMs: GIVE_UP_GRACE_MS, policyError: error },
    ]);
  });

  it('gives up and passes a TypeError when the policy returns a non-number', () => {
    const { clock, scheduler, of } = setup(() => 'soon' as unknown as number);
    scheduler.detect('failed');
    clock.advance(0);
    const gaveUp = of('gaveUp');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]?.policyError).toBeInstanceOf(TypeError);
    expect((gaveUp[0]?.policyError as Error).message).toContain('got string');
  });

  it('gives up on an offline re-check when the policy says stop', () => {
    const { clock, scheduler, state, of } = setup(exponentialBackoff({ maxElapsedMs: 1000 }));
    state.online = false;
    scheduler.detect('stall');
    clock.advance(999);
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    // The due attempt is re-judged on the 1000 ms offline re-check, now at maxElapsedMs.
    clock.advance(1);
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 1000, policyError: undefined },
    ]);
    expect(scheduler.active).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up while blocked when a network change finds the policy says stop', () => {
    const { clock, scheduler, state, of } = setup(exponentialBackoff({ maxElapsedMs: 1500 }));
    state.online = false;
    scheduler.detect('stall');
    clock.advance(1700);
    expect(of('gaveUp')).toEqual([]);
    // The due attempt is re-judged when the network change arrives, now past maxElapsedMs.
    scheduler.detect('network-change');
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 1700, policyError: undefined },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up when an attempt never settles and the policy stops waiting', () => {
    // Unanswered attempts are abandoned after ATTEMPT_TIMEOUT_MS, so the policy keeps being asked
    // and its maxElapsedMs ends the incident.
    const { clock, scheduler, of } = setup(
      exponentialBackoff({ maxElapsedMs: 10_000, random: () => 0 }),
    );
    scheduler.detect('failed');
    clock.advance(600_000);
    expect(of('gaveUp')).toHaveLength(1);
    expect(scheduler.active).toBe(false);
  });

  it('does not cut the grace period short on a manual restart', () => {
    // 'manual' forces an attempt during the grace period; the policy is asked again (null) and
    // the grace period restarts from the forced attempt.
    const { clock, scheduler, start, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    clock.advance(1000);
    scheduler.detect('manual');
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    expect(of('attempt').map((event) => [event.attempt, event.at - start])).toEqual([
      [1, 0],
      [2, 1000],
    ]);
    clock.advance(GIVE_UP_GRACE_MS - 1);
    expect(of('gaveUp')).toEqual([]);
    clock.advance(1);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 2, elapsedMs: 1000 + GIVE_UP_GRACE_MS, policyError: undefined },
    ]);
  });

  it.each(['failed', 'disconnected', 'stall'] as const)(
    'does not reopen on %s after giving up',
    (trigger) => {
      const { clock, scheduler, of } = setup(() => null);
      scheduler.detect('failed');
      clock.advance(0);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(scheduler.active).toBe(false);
      expect(scheduler.gaveUp).toBe(true);
      clock.advance(60_000);
      expect(of('scheduled')).toEqual([]);
      expect(of('gaveUp')).toHaveLength(1);
    },
  );

  it('reopens on manual after giving up', () => {
    const { clock, scheduler, start, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    clock.advance(GIVE_UP_GRACE_MS);
    expect(scheduler.gaveUp).toBe(true);
    expect(scheduler.detect('manual')).toBe(true);
    expect(scheduler.active).toBe(true);
    expect(scheduler.gaveUp).toBe(false);
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'failed', at: start },
      { type: 'attempt', attempt: 1, trigger: 'manual', at: start + GIVE_UP_GRACE_MS },
    ]);
  });

  it('reopens on a network change after giving up', () => {
    const { clock, scheduler, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    clock.advance(GIVE_UP_GRACE_MS);
    expect(scheduler.detect('network-change')).toBe(true);
    expect(of('attempt').at(-1)?.trigger).toBe('network-change');
  });

  it('returns the summary on recovered() and closes the incident', () => {
    const { clock, scheduler, start, of } = setup();
    clock.advance(5);
    scheduler.detect('stall');
    clock.advance(100);
    const summary = scheduler.recovered();
    expect(summary).toEqual({ trigger: 'stall', attempts: 1, detectedAt: start + 5 });
    expect(scheduler.active).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(60_000);
    expect(of('attempt')).toHaveLength(1);
    expect(scheduler.recovered()).toBeNull();
  });

  it('clears gaveUp on recovered() and lets any trigger open an incident again', () => {
    const { clock, scheduler } = setup(() => null);
    scheduler.detect('failed');
    clock.advance(0);
    expect(scheduler.gaveUp).toBe(true);
    expect(scheduler.recovered()).toBeNull();
    expect(scheduler.gaveUp).toBe(false);
    expect(scheduler.detect('failed')).toBe(true);
  });

  it('clears every timer on dispose()', () => {
    const { clock, scheduler, of } = setup();
    scheduler.detect('failed');
    clock.advance(100);
    expect(clock.pendingTimers).toBe(1);
    scheduler.dispose();
    expect(clock.pendingTimers).toBe(0);
    expect(scheduler.active).toBe(false);
    clock.advance(60_000);
    expect(of('attempt')).toHaveLength(1);
    expect(of('gaveUp')).toEqual([]);
  });

  it('clears the give-up timer on dispose()', () => {
    const { clock, scheduler, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    clock.advance(0);
    expect(clock.pendingTimers).toBe(1);
    scheduler.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(GIVE_UP_GRACE_MS * 2);
    expect(of('gaveUp')).toEqual([]);
  });
});
