import { describe, expect, it } from 'vitest';
import {
  CHECK_INTERVAL_MS,
  INITIAL_TIMEOUT_MS,
  Liveness,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  RETRY_INTERVAL_MS,
} from '../../../src/signaling/liveness.js';
import { FakeEnv } from '../../support/fake-env.js';

function setup(state: { needed?: boolean; up?: boolean } = {}) {
  const env = new FakeEnv();
  const world = { needed: state.needed ?? false, up: state.up ?? true };
  const pings: { readonly id: number; readonly at: number }[] = [];
  const unanswered: number[] = [];
  const liveness = new Liveness(env, {
    ping: (id) => {
      pings.push({ id, at: env.elapsed });
    },
    unanswered: () => {
      unanswered.push(env.elapsed);
    },
    needed: () => world.needed,
    channelUp: () => world.up,
  });
  /** Checks now and answers after `rttMs`; returns what pong() said. */
  const roundTrip = (rttMs: number): boolean => {
    liveness.check();
    const ping = pings.at(-1);
    if (ping === undefined) throw new Error('no ping was sent');
    env.advance(rttMs);
    return liveness.pong(ping.id);
  };
  return { env, world, pings, unanswered, liveness, roundTrip };
}

describe('Liveness', () => {
  it('starts with the initial timeout and pings with increasing ids', () => {
    const { liveness, pings, env } = setup();
    expect(liveness.timeoutMs).toBe(INITIAL_TIMEOUT_MS);
    expect(INITIAL_TIMEOUT_MS).toBe(1500);
    liveness.check();
    liveness.heard();
    liveness.check();
    expect(pings.map((ping) => ping.id)).toEqual([1, 2]);
    expect(env.pendingTimers).toBe(1);
  });

  it('follows the measured round trip: srtt + 4·rttvar (RFC 6298)', () => {
    const { liveness, roundTrip } = setup();
    roundTrip(400);
    // srtt 400, rttvar 200
    expect(liveness.timeoutMs).toBe(1200);
    roundTrip(800);
    // rttvar 0.75·200 + 0.25·400 = 250; srtt 0.875·400 + 0.125·800 = 450
    expect(liveness.timeoutMs).toBe(1450);
  });

  it(`keeps the timeout within ${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS} ms`, () => {
    const fast = setup();
    fast.roundTrip(20);
    expect(fast.liveness.timeoutMs).toBe(MIN_TIMEOUT_MS);
    const slow = setup();
    slow.roundTrip(1000);
    expect(slow.liveness.timeoutMs).toBe(MAX_TIMEOUT_MS);
  });

  it('takes no sample from a pong that answers another ping', () => {
    const { liveness, pings, env } = setup();
    liveness.check();
    env.advance(400);
    expect(liveness.pong((pings[0]?.id ?? 0) + 7)).toBe(false);
    expect(liveness.timeoutMs).toBe(INITIAL_TIMEOUT_MS);
  });

  it('does not call silence unanswered before a remote was heard', () => {
    const { liveness, unanswered, env } = setup();
    liveness.check();
    env.advance(60_000);
    expect(unanswered).toEqual([]);
    expect(liveness.unanswered).toBe(false);
  });

  it('calls a check unanswered after the timeout once a remote was heard, and retries', () => {
    const { liveness, unanswered, pings, env } = setup();
    liveness.heard();
    liveness.check();
    env.advance(INITIAL_TIMEOUT_MS - 1);
    expect(unanswered).toEqual([]);
    env.advance(1);
    expect(unanswered).toEqual([INITIAL_TIMEOUT_MS]);
    expect(liveness.unanswered).toBe(true);
    // A ping every RETRY_INTERVAL_MS, each unanswered again after the timeout.
    env.advance(RETRY_INTERVAL_MS + INITIAL_TIMEOUT_MS);
    expect(pings.map((ping) => ping.at)).toEqual([0, INITIAL_TIMEOUT_MS + RETRY_INTERVAL_MS]);
    expect(unanswered).toEqual([INITIAL_TIMEOUT_MS, 2 * INITIAL_TIMEOUT_MS + RETRY_INTERVAL_MS]);
  });

  it('says an answer ended the unanswered spell, once', () => {
    const { liveness, env } = setup();
    liveness.heard();
    liveness.check();
    env.advance(INITIAL_TIMEOUT_MS);
    expect(liveness.heard()).toBe(true);
    expect(liveness.unanswered).toBe(false);
    expect(liveness.heard()).toBe(false);
  });

  it('sends one check at a time, and none while the channel is down', () => {
    const { liveness, pings, world } = setup();
    liveness.check();
    liveness.check();
    expect(pings).toHaveLength(1);
    liveness.heard();
    world.up = false;
    liveness.check();
    expect(pings).toHaveLength(1);
  });

  it('checks every CHECK_INTERVAL_MS while checks are needed and the remote answers', () => {
    const { liveness, pings, world, env } = setup({ needed: true });
    liveness.check();
    env.advance(100);
    liveness.pong(1);
    env.advance(CHECK_INTERVAL_MS);
    expect(pings.map((ping) => ping.at)).toEqual([0, 100 + CHECK_INTERVAL_MS]);
    world.needed = false;
    env.advance(100);
    liveness.pong(2);
    env.advance(10 * CHECK_INTERVAL_MS);
    expect(pings).toHaveLength(2);
    expect(env.pendingTimers).toBe(0);
  });

  it('skips a due check when it stopped being needed meanwhile', () => {
    const { liveness, pings, world, env } = setup({ needed: true });
    liveness.heard();
    world.needed = false;
    env.advance(CHECK_INTERVAL_MS);
    expect(pings).toEqual([]);
  });

  it('trusts a channel that comes up, and checks it at once', () => {
    const { liveness, pings, unanswered, env } = setup();
    liveness.heard();
    liveness.check();
    env.advance(INITIAL_TIMEOUT_MS);
    expect(liveness.unanswered).toBe(true);
    liveness.channelUp();
    expect(liveness.unanswered).toBe(false);
    expect(pings.map((ping) => ping.at)).toEqual([0, INITIAL_TIMEOUT_MS]);
    // The retry timer of the old spell is gone; only the new check's timeout runs.
    env.advance(INITIAL_TIMEOUT_MS);
    expect(unanswered).toEqual([INITIAL_TIMEOUT_MS, 2 * INITIAL_TIMEOUT_MS]);
  });

  it('forgets the outstanding check when the channel goes down', () => {
    const { liveness, unanswered, pings, env } = setup();
    liveness.heard();
    liveness.check();
    liveness.channelDown();
    env.advance(60_000);
    expect(unanswered).toEqual([]);
    liveness.check();
    expect(pings).toHaveLength(2);
  });

  it('treats silence as meaning nothing after the remote left', () => {
    const { liveness, unanswered, env } = setup();
    liveness.heard();
    liveness.check();
    env.advance(INITIAL_TIMEOUT_MS);
    liveness.forget();
    expect(liveness.unanswered).toBe(false);
    liveness.check();
    env.advance(60_000);
    expect(unanswered).toHaveLength(1);
  });

  it('stops every timer', () => {
    const { liveness, env } = setup({ needed: true });
    liveness.heard();
    liveness.check();
    liveness.stop();
    expect(env.pendingTimers).toBe(0);
  });
});
