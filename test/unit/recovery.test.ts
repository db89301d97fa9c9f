import { describe, expect, it } from 'vitest';
import {
  delayTable,
  exponentialBackoff,
  type Policy,
  type PolicyContext,
  type Trigger,
} from '../../src/policy.js';
import {
  ATTEMPT_TIMEOUT_MS,
  decide,
  GIVE_UP_GRACE_MS,
  OFFLINE_RECHECK_MS,
  RecoveryScheduler,
} from '../../src/recovery.js';
import type { Rung } from '../../src/escalation.js';
import { FakeEnv } from '../support/fake-env.js';

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
  const env = new FakeEnv();
  const events: Event[] = [];
  const ladder: { rung: Rung } = { rung: 'restart' };
  const scheduler = new RecoveryScheduler(env, policy, {
    rung: () => ladder.rung,
    scheduled: (attempt, delayMs, trigger) => {
      events.push({ type: 'scheduled', attempt, delayMs, trigger });
    },
    attempt: (attempt, trigger) => {
      events.push({ type: 'attempt', attempt, trigger, at: env.now() });
    },
    gaveUp: (attempts, elapsedMs, policyError) => {
      events.push({ type: 'gaveUp', attempts, elapsedMs, policyError });
    },
  });
  const start = env.now();
  const of = <T extends Event['type']>(type: T) =>
    events.filter((event): event is Extract<Event, { type: T }> => event.type === type);
  /** [attempt, ms since start] of every attempt. */
  const attempts = () => of('attempt').map((event) => [event.attempt, event.at - start]);
  return { env, events, ladder, scheduler, start, of, attempts };
}

describe('decide', () => {
  const ctx: PolicyContext = {
    attempt: 2,
    elapsedMs: 10,
    trigger: 'stall',
    online: true,
    rung: 'restart',
  };

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
    if (decision.kind !== 'threw') throw new Error(`expected a policy error, got ${decision.kind}`);
    expect(decision.error).toBeInstanceOf(TypeError);
    expect(String(decision.error)).toContain(
      'Expected the policy to return a non-negative finite number of milliseconds or null',
    );
    expect(String(decision.error)).toContain(detail);
  });
});

describe('RecoveryScheduler', () => {
  it('opens one incident at a time', () => {
    const { scheduler, of } = setup();
    expect(scheduler.active).toBe(false);
    expect(scheduler.trigger).toBeNull();
    expect(scheduler.detect('failed')).toBe(true);
    expect(scheduler.active).toBe(true);
    expect(scheduler.trigger).toBe('failed');
    expect(scheduler.detect('disconnected')).toBe(false);
    expect(scheduler.detect('stall')).toBe(false);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 100, trigger: 'failed' },
    ]);
  });

  it('schedules attempts with the delays of the policy', () => {
    const { env, scheduler, start, of } = setup();
    scheduler.detect('disconnected');
    env.advance(99);
    expect(of('attempt')).toEqual([]);
    env.advance(1);
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'disconnected', at: start + 100 },
    ]);
    scheduler.settled();
    env.advance(200);
    scheduler.settled();
    env.advance(400);
    expect(of('attempt').map((event) => event.at - start)).toEqual([100, 300, 700]);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 100, trigger: 'disconnected' },
      { type: 'scheduled', attempt: 2, delayMs: 200, trigger: 'disconnected' },
      { type: 'scheduled', attempt: 3, delayMs: 400, trigger: 'disconnected' },
    ]);
  });

  it('tells the policy the attempt, elapsed time, trigger, online state and rung', () => {
    const contexts: PolicyContext[] = [];
    const { env, ladder, scheduler } = setup((context) => {
      contexts.push(context);
      return 1000;
    });
    scheduler.detect('stall');
    env.advance(1000);
    ladder.rung = 'relay';
    scheduler.settled();
    env.online = false;
    env.advance(1000);
    expect(contexts).toEqual([
      { attempt: 1, elapsedMs: 0, trigger: 'stall', online: true, rung: 'restart' },
      { attempt: 2, elapsedMs: 1000, trigger: 'stall', online: true, rung: 'relay' },
      { attempt: 2, elapsedMs: 2000, trigger: 'stall', online: false, rung: 'relay' },
    ]);
  });

  it('schedules nothing while an attempt is in flight, until it is abandoned', () => {
    const { env, scheduler, of, attempts } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    env.advance(0);
    expect(attempts()).toEqual([[1, 0]]);
    env.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(1);
    expect(of('scheduled')).toHaveLength(1);
    expect(scheduler.active).toBe(true);
    // Only the in-flight attempt's timeout is pending.
    expect(env.pendingTimers).toBe(1);
    env.advance(1);
    // Abandoned at ATTEMPT_TIMEOUT_MS: attempt 2 is scheduled from then, with its policy delay.
    expect(of('scheduled').at(-1)).toEqual({
      type: 'scheduled',
      attempt: 2,
      delayMs: 100,
      trigger: 'failed',
    });
    env.advance(100);
    expect(attempts()).toEqual([
      [1, 0],
      [2, ATTEMPT_TIMEOUT_MS + 100],
    ]);
  });

  it('counts the next delay from the moment the previous attempt settled', () => {
    const { env, scheduler, of, attempts } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    env.advance(1000);
    expect(of('attempt')).toHaveLength(1);
    scheduler.settled();
    expect(of('attempt')).toHaveLength(1);
    expect(of('scheduled')).toEqual([
      { type: 'scheduled', attempt: 1, delayMs: 0, trigger: 'failed' },
      { type: 'scheduled', attempt: 2, delayMs: 100, trigger: 'failed' },
    ]);
    // The in-flight timeout is gone; only the scheduled attempt's timer is pending.
    expect(env.pendingTimers).toBe(1);
    env.advance(100);
    expect(attempts()).toEqual([
      [1, 0],
      [2, 1100],
    ]);
    // Attempt 3 waits for attempt 2 to settle (or to be abandoned at 1100 + timeout).
    env.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(2);
  });

  it('runs the next attempt its delay after the previous one settled early', () => {
    const { env, scheduler, start, of } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    env.advance(50);
    scheduler.settled();
    env.advance(100);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 150]);
  });

  it('ignores settled() when no attempt is in flight', () => {
    const { env, scheduler, of } = setup(delayTable([100, 100]));
    scheduler.settled();
    scheduler.detect('failed');
    env.advance(50);
    scheduler.settled();
    expect(of('scheduled')).toHaveLength(1);
    env.advance(50);
    expect(of('attempt')).toHaveLength(1);
  });

  it('spends no attempt while offline and runs the due one when back online', () => {
    const { env, scheduler, start, of } = setup();
    env.online = false;
    scheduler.detect('failed');
    env.advance(60_000);
    expect(of('attempt')).toEqual([]);
    expect(scheduler.active).toBe(true);
    env.online = true;
    scheduler.online();
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'failed', at: start + 60_000 },
    ]);
  });

  it('does nothing on online() when no attempt is due', () => {
    const { env, scheduler, of } = setup();
    scheduler.online();
    scheduler.detect('failed');
    scheduler.online();
    env.advance(99);
    scheduler.online();
    expect(of('attempt')).toEqual([]);
  });

  it('does not run a due attempt on online() while another is in flight', () => {
    const { env, scheduler, of } = setup(delayTable([0, 100]));
    scheduler.detect('failed');
    env.advance(0);
    env.online = false;
    env.advance(100);
    env.online = true;
    scheduler.online();
    expect(of('attempt')).toHaveLength(1);
  });

  it.each(['manual', 'network-change', 'signaling-restored'] as const)(
    'fires the first attempt at once for %s, scheduling nothing yet',
    (trigger) => {
      const { env, scheduler, start, of } = setup();
      expect(scheduler.detect(trigger)).toBe(true);
      expect(of('attempt')).toEqual([{ type: 'attempt', attempt: 1, trigger, at: start }]);
      expect(of('scheduled')).toEqual([]);
      scheduler.settled();
      expect(of('scheduled')).toEqual([{ type: 'scheduled', attempt: 2, delayMs: 200, trigger }]);
      expect(env.pendingTimers).toBe(1);
    },
  );

  it('runs a manual attempt at once even while offline', () => {
    const { env, scheduler, of } = setup();
    env.online = false;
    scheduler.detect('manual');
    expect(of('attempt')).toHaveLength(1);
  });

  it.each(['manual', 'network-change'] as const)(
    'hurries the scheduled attempt on %s',
    (trigger) => {
      const { env, scheduler, start, of } = setup(delayTable([1000, 2000]));
      scheduler.detect('stall');
      env.advance(10);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(of('attempt')).toEqual([
        { type: 'attempt', attempt: 1, trigger: 'stall', at: start + 10 },
      ]);
      // The hurried attempt's timer is gone; only the in-flight timeout is pending.
      expect(env.pendingTimers).toBe(1);
      scheduler.settled();
      env.advance(2000);
      expect(of('attempt').map((event) => event.at - start)).toEqual([10, 2010]);
    },
  );

  it('hurries the scheduled attempt when signaling returns after an attempt ran while it was down', () => {
    const { env, scheduler, start, of } = setup(delayTable([0, 1000, 8000]));
    scheduler.detect('stall');
    env.advance(0);
    scheduler.settled();
    scheduler.signalingChanged(false);
    env.advance(1000); // attempt 2 runs into the dead channel
    scheduler.settled();
    env.advance(500);
    scheduler.signalingChanged(true);
    expect(scheduler.detect('signaling-restored')).toBe(false);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 1000, 1500]);
  });

  it('keeps the policy pace when signaling blips between attempts', () => {
    const { env, scheduler, start, of } = setup(delayTable([0, 1000, 8000]));
    scheduler.detect('stall');
    env.advance(0);
    scheduler.settled();
    env.advance(1000);
    scheduler.settled();
    // Down for 300 ms (a late pong), no attempt meanwhile: nothing the remote could have missed.
    env.advance(2000);
    scheduler.signalingChanged(false);
    env.advance(300);
    scheduler.signalingChanged(true);
    expect(scheduler.detect('signaling-restored')).toBe(false);
    env.advance(5700);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 1000, 9000]);
  });

  it('forgets an attempt missed in an earlier signaling outage once the channel went down again', () => {
    const { env, scheduler, start, of } = setup(delayTable([0, 1000, 8000, 8000]));
    scheduler.detect('stall');
    env.advance(0);
    scheduler.signalingChanged(false);
    scheduler.settled();
    env.advance(1000); // attempt 2 while down
    scheduler.settled();
    scheduler.signalingChanged(true); // restored; the app's channel gave no restore hurry
    env.advance(100);
    scheduler.signalingChanged(false);
    env.advance(100);
    scheduler.signalingChanged(true);
    expect(scheduler.detect('signaling-restored')).toBe(false);
    env.advance(7800);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 1000, 9000]);
  });

  it.each(['network-change', 'signaling-restored'] as const)(
    'ignores %s while an attempt is in flight',
    (trigger) => {
      const { env, scheduler, start, of } = setup(delayTable([0, 1000]));
      scheduler.detect('failed');
      env.advance(10);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(of('attempt')).toHaveLength(1);
      scheduler.settled();
      env.advance(1000);
      expect(of('attempt').map((event) => event.at - start)).toEqual([0, 1010]);
    },
  );

  it('starts an attempt at once on manual even while one is in flight', () => {
    const { env, scheduler, start, of } = setup(delayTable([0, 1000, 1000]));
    scheduler.detect('failed');
    env.advance(10);
    expect(scheduler.detect('manual')).toBe(false);
    expect(of('attempt')).toEqual([
      { type: 'attempt', attempt: 1, trigger: 'failed', at: start },
      { type: 'attempt', attempt: 2, trigger: 'failed', at: start + 10 },
    ]);
    expect(env.pendingTimers).toBe(1);
    // The policy is asked afresh once the forced attempt settles.
    scheduler.settled();
    expect(of('scheduled').at(-1)).toEqual({
      type: 'scheduled',
      attempt: 3,
      delayMs: 1000,
      trigger: 'failed',
    });
    env.advance(1000);
    expect(of('attempt').map((event) => event.at - start)).toEqual([0, 10, 1010]);
  });

  it('times the abandonment of a forced manual attempt from when it started', () => {
    const { env, scheduler, attempts } = setup(delayTable([0, 100, 100]));
    scheduler.detect('failed');
    env.advance(200);
    scheduler.detect('manual');
    expect(attempts()).toEqual([
      [1, 0],
      [2, 200],
    ]);
    env.advance(ATTEMPT_TIMEOUT_MS + 99);
    expect(attempts()).toHaveLength(2);
    env.advance(1);
    expect(attempts()).toEqual([
      [1, 0],
      [2, 200],
      [3, 200 + ATTEMPT_TIMEOUT_MS + 100],
    ]);
  });

  it('abandons an unanswered attempt after ATTEMPT_TIMEOUT_MS and schedules the next one', () => {
    expect(ATTEMPT_TIMEOUT_MS).toBe(5000);
    const contexts: PolicyContext[] = [];
    const { env, scheduler, of, attempts } = setup((context) => {
      contexts.push(context);
      return context.attempt === 1 ? 0 : context.attempt <= 3 ? 3000 : null;
    });
    scheduler.detect('failed');
    env.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(of('attempt')).toHaveLength(1);
    env.advance(1);
    expect(of('scheduled').at(-1)).toMatchObject({ attempt: 2, delayMs: 3000 });
    env.advance(3000);
    expect(of('attempt')).toHaveLength(2);
    // Attempt 2 is never answered either.
    env.advance(ATTEMPT_TIMEOUT_MS + 3000);
    expect(attempts()).toEqual([
      [1, 0],
      [2, 8000],
      [3, 16_000],
    ]);
    // The policy was asked once per attempt scheduled, each time its previous one ended.
    expect(contexts.map(({ attempt, elapsedMs }) => [attempt, elapsedMs])).toEqual([
      [1, 0],
      [2, 5000],
      [3, 13_000],
    ]);
    // The policy stops after attempt 3 is abandoned; it still gets the grace period.
    env.advance(ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS);
    expect(contexts.at(-1)).toMatchObject({ attempt: 4, elapsedMs: 21_000 });
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 3, elapsedMs: 21_000 + GIVE_UP_GRACE_MS, policyError: undefined },
    ]);
  });

  it('re-checks offline after the policy delay, but no sooner than OFFLINE_RECHECK_MS', () => {
    expect(OFFLINE_RECHECK_MS).toBe(1000);
    const contexts: PolicyContext[] = [];
    const { env, scheduler } = setup((context) => {
      contexts.push(context);
      return context.elapsedMs < 2000 ? 0 : 2500;
    });
    env.online = false;
    scheduler.detect('stall');
    env.advance(10_000);
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
    const { env, scheduler, start, of } = setup(delayTable([0, 100]));
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    env.advance(100);
    expect(of('attempt')).toHaveLength(2);
    scheduler.settled();
    env.advance(GIVE_UP_GRACE_MS - 1);
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    env.advance(1);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 2, elapsedMs: 100 + GIVE_UP_GRACE_MS, policyError: undefined },
    ]);
    expect(env.now() - start).toBe(100 + GIVE_UP_GRACE_MS);
    expect(GIVE_UP_GRACE_MS).toBe(5000);
    expect(scheduler.active).toBe(false);
    expect(scheduler.gaveUp).toBe(true);
    expect(scheduler.trigger).toBeNull();
  });

  it('gives up after maxAttempts of an exponential policy', () => {
    const { env, scheduler, of } = setup(exponentialBackoff({ maxAttempts: 3, random: () => 0 }));
    scheduler.detect('failed');
    for (let step = 0; step < 20; step++) {
      env.advance(1000);
      scheduler.settled();
    }
    expect(of('attempt').map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(of('gaveUp')).toHaveLength(1);
    expect(of('gaveUp')[0]?.attempts).toBe(3);
  });

  it('gives up without grace when the policy stops before the first attempt', () => {
    const { env, scheduler, of } = setup(() => null);
    scheduler.detect('failed');
    env.advance(0);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 0, policyError: undefined },
    ]);
  });

  it('gives up and passes the error when the policy throws', () => {
    const error = new Error('policy bug');
    const { env, scheduler, of } = setup(() => {
      throw error;
    });
    scheduler.detect('failed');
    env.advance(0);
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 0, policyError: error },
    ]);
    expect(scheduler.gaveUp).toBe(true);
  });

  it('gives up after the grace period when the policy throws after an attempt', () => {
    const error = new Error('second call fails');
    const { env, scheduler, of } = setup(({ attempt }) => {
      if (attempt > 1) throw error;
      return 0;
    });
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    env.advance(GIVE_UP_GRACE_MS);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 1, elapsedMs: GIVE_UP_GRACE_MS, policyError: error },
    ]);
  });

  it('gives up and passes a TypeError when the policy returns a non-number', () => {
    const { env, scheduler, of } = setup(() => 'soon' as unknown as number);
    scheduler.detect('failed');
    env.advance(0);
    const gaveUp = of('gaveUp');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]?.policyError).toBeInstanceOf(TypeError);
    expect(String(gaveUp[0]?.policyError)).toContain('got string');
  });

  it('gives up on an offline re-check when the policy says stop', () => {
    const { env, scheduler, of } = setup(exponentialBackoff({ maxElapsedMs: 1000 }));
    env.online = false;
    scheduler.detect('stall');
    env.advance(999);
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    // The due attempt is re-judged on the 1000 ms offline re-check, now at maxElapsedMs.
    env.advance(1);
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 1000, policyError: undefined },
    ]);
    expect(scheduler.active).toBe(false);
    expect(env.pendingTimers).toBe(0);
  });

  it('passes the error when the policy throws on an offline re-check', () => {
    const error = new Error('offline bug');
    const { env, scheduler, of } = setup(({ online }) => {
      if (!online) throw error;
      return 0;
    });
    scheduler.detect('stall');
    env.online = false;
    env.advance(0);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 0, policyError: error },
    ]);
  });

  it('gives up while blocked when a network change finds the policy says stop', () => {
    const { env, scheduler, of } = setup(exponentialBackoff({ maxElapsedMs: 1500 }));
    env.online = false;
    scheduler.detect('stall');
    env.advance(1700);
    expect(of('gaveUp')).toEqual([]);
    // The due attempt is re-judged when the network change arrives, now past maxElapsedMs.
    scheduler.detect('network-change');
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 0, elapsedMs: 1700, policyError: undefined },
    ]);
    expect(env.pendingTimers).toBe(0);
  });

  it('gives up when no attempt ever settles and the policy stops waiting', () => {
    // Unanswered attempts are abandoned after ATTEMPT_TIMEOUT_MS, so the policy keeps being asked
    // and its maxElapsedMs ends the incident.
    const { env, scheduler, of } = setup(
      exponentialBackoff({ maxElapsedMs: 10_000, random: () => 0 }),
    );
    scheduler.detect('failed');
    env.advance(600_000);
    expect(of('gaveUp')).toHaveLength(1);
    expect(scheduler.active).toBe(false);
    expect(env.pendingTimers).toBe(0);
  });

  it('does not cut the grace period short on a manual restart', () => {
    // 'manual' forces an attempt during the grace period; once it settles the policy is asked
    // again (null) and the grace period restarts from then.
    const { env, scheduler, of, attempts } = setup(delayTable([0]));
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    env.advance(1000);
    scheduler.detect('manual');
    scheduler.settled();
    expect(of('gaveUp')).toEqual([]);
    expect(scheduler.active).toBe(true);
    expect(attempts()).toEqual([
      [1, 0],
      [2, 1000],
    ]);
    env.advance(GIVE_UP_GRACE_MS - 1);
    expect(of('gaveUp')).toEqual([]);
    env.advance(1);
    expect(of('gaveUp')).toEqual([
      { type: 'gaveUp', attempts: 2, elapsedMs: 1000 + GIVE_UP_GRACE_MS, policyError: undefined },
    ]);
  });

  it.each(['failed', 'disconnected', 'stall', 'connect-timeout'] as const)(
    'does not reopen on %s after giving up',
    (trigger) => {
      const { env, scheduler, of } = setup(() => null);
      scheduler.detect('failed');
      env.advance(0);
      expect(scheduler.detect(trigger)).toBe(false);
      expect(scheduler.active).toBe(false);
      expect(scheduler.gaveUp).toBe(true);
      env.advance(60_000);
      expect(of('scheduled')).toEqual([]);
      expect(of('gaveUp')).toHaveLength(1);
    },
  );

  it('reopens on manual after giving up', () => {
    const { env, scheduler, start, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    env.advance(GIVE_UP_GRACE_MS);
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
    const { env, scheduler, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    env.advance(GIVE_UP_GRACE_MS);
    expect(scheduler.detect('network-change')).toBe(true);
    expect(of('attempt').at(-1)?.trigger).toBe('network-change');
  });

  it('returns the summary on recovered() and closes the incident', () => {
    const { env, scheduler, start, of } = setup();
    env.advance(5);
    scheduler.detect('stall');
    env.advance(100);
    const summary = scheduler.recovered();
    expect(summary).toEqual({ trigger: 'stall', attempts: 1, detectedAt: start + 5 });
    expect(scheduler.active).toBe(false);
    expect(env.pendingTimers).toBe(0);
    env.advance(60_000);
    expect(of('attempt')).toHaveLength(1);
    expect(scheduler.recovered()).toBeNull();
  });

  it('clears gaveUp on recovered() and lets any trigger open an incident again', () => {
    const { env, scheduler } = setup(() => null);
    scheduler.detect('failed');
    env.advance(0);
    expect(scheduler.gaveUp).toBe(true);
    expect(scheduler.recovered()).toBeNull();
    expect(scheduler.gaveUp).toBe(false);
    expect(scheduler.detect('failed')).toBe(true);
  });

  it('ends the incident on cancel() without a give-up, and forgets a give-up', () => {
    const { env, scheduler, of } = setup(delayTable([100, 100]));
    scheduler.detect('failed');
    scheduler.cancel();
    expect(scheduler.active).toBe(false);
    expect(env.pendingTimers).toBe(0);
    env.advance(60_000);
    expect(of('attempt')).toEqual([]);
    expect(of('gaveUp')).toEqual([]);
    const gaveUp = setup(() => null);
    gaveUp.scheduler.detect('stall');
    gaveUp.env.advance(0);
    gaveUp.scheduler.cancel();
    expect(gaveUp.scheduler.gaveUp).toBe(false);
    expect(gaveUp.scheduler.detect('stall')).toBe(true);
  });

  it('clears every timer on dispose()', () => {
    const { env, scheduler, of } = setup();
    scheduler.detect('failed');
    env.advance(100);
    expect(env.pendingTimers).toBe(1);
    scheduler.dispose();
    expect(env.pendingTimers).toBe(0);
    expect(scheduler.active).toBe(false);
    env.advance(60_000);
    expect(of('attempt')).toHaveLength(1);
    expect(of('gaveUp')).toEqual([]);
  });

  it('clears the give-up timer on dispose()', () => {
    const { env, scheduler, of } = setup(delayTable([0]));
    scheduler.detect('failed');
    env.advance(0);
    scheduler.settled();
    expect(env.pendingTimers).toBe(1);
    scheduler.dispose();
    expect(env.pendingTimers).toBe(0);
    env.advance(GIVE_UP_GRACE_MS * 2);
    expect(of('gaveUp')).toEqual([]);
  });
});
