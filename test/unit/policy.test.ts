import { describe, expect, it } from 'vitest';
import {
  delayTable,
  exponentialBackoff,
  LIVEKIT_DELAYS_MS,
  type PolicyContext,
  type Trigger,
} from './policy';

function context(attempt: number, elapsedMs = 0, trigger: Trigger = 'failed'): PolicyContext {
  return { attempt, elapsedMs, trigger, online: true };
}

/** Delays of attempts 1..count, or null where the policy gave up. */
function delays(policy: (c: PolicyContext) => number | null, count: number): (number | null)[] {
  return Array.from({ length: count }, (_, index) => policy(context(index + 1)));
}

describe('exponentialBackoff', () => {
  it('starts at once, then doubles from 500 ms up to the 5 s cap without jitter', () => {
    const policy = exponentialBackoff({ jitter: 0 });
    expect(delays(policy, 8)).toEqual([0, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('uses initialDelayMs, baseDelayMs, factor and maxDelayMs', () => {
    const policy = exponentialBackoff({
      initialDelayMs: 50,
      baseDelayMs: 100,
      factor: 3,
      maxDelayMs: 2000,
      jitter: 0,
    });
    expect(delays(policy, 6)).toEqual([50, 100, 300, 900, 2000, 2000]);
  });

  it('shortens each delay by jitter · random · raw', () => {
    const policy = exponentialBackoff({ jitter: 0.5, random: () => 0.5 });
    expect(delays(policy, 4)).toEqual([0, 375, 750, 1500]);
  });

  it('keeps every jittered delay within [raw·(1 − jitter), raw]', () => {
    for (const r of [0, 0.25, 0.5, 0.999_999]) {
      const policy = exponentialBackoff({ jitter: 0.3, random: () => r });
      const raws = [500, 1000, 2000, 4000, 5000, 5000];
      raws.forEach((raw, index) => {
        const delay = policy(context(index + 2));
        expect(delay).toBeGreaterThanOrEqual(Math.floor(raw * 0.7));
        expect(delay).toBeLessThanOrEqual(raw);
      });
    }
  });

  it('returns the raw delay when random returns 0 and the shortest when it nears 1', () => {
    expect(exponentialBackoff({ random: () => 0 })(context(3))).toBe(1000);
    expect(exponentialBackoff({ random: () => 0.999_999 })(context(3))).toBe(700);
  });

  it('never jitters the first attempt', () => {
    const policy = exponentialBackoff({ initialDelayMs: 1000, jitter: 1, random: () => 0.9 });
    expect(policy(context(1))).toBe(1000);
  });

  it('stays at the cap for very late attempts', () => {
    const policy = exponentialBackoff({ jitter: 0 });
    expect(policy(context(10_000))).toBe(5000);
  });

  it('gives up after maxAttempts', () => {
    const policy = exponentialBackoff({ maxAttempts: 3, jitter: 0 });
    expect(delays(policy, 5)).toEqual([0, 500, 1000, null, null]);
  });

  it('gives up once maxElapsedMs has passed since detection', () => {
    const policy = exponentialBackoff({ maxElapsedMs: 10_000, jitter: 0 });
    expect(policy(context(2, 9_999))).toBe(500);
    expect(policy(context(2, 10_000))).toBeNull();
    expect(policy(context(1, 10_001))).toBeNull();
  });

  it('keeps trying for five minutes by default', () => {
    const policy = exponentialBackoff({ jitter: 0 });
    expect(policy(context(1000, 299_999))).toBe(5000);
    expect(policy(context(1000, 300_000))).toBeNull();
  });

  it.each([
    [
      { initialDelayMs: -1 },
      'Expected `initialDelayMs` to be a non-negative number of milliseconds, got -1.',
    ],
    [
      { baseDelayMs: Number.NaN },
      'Expected `baseDelayMs` to be a non-negative number of milliseconds, got NaN.',
    ],
    [
      { maxDelayMs: -5 },
      'Expected `maxDelayMs` to be a non-negative number of milliseconds, got -5.',
    ],
    [
      { maxElapsedMs: '1000' as unknown as number },
      'Expected `maxElapsedMs` to be a non-negative number of milliseconds, got "1000".',
    ],
    [{ factor: 0.5 }, 'Expected `factor` to be a finite number >= 1, got 0.5.'],
    [
      { factor: Number.POSITIVE_INFINITY },
      'Expected `factor` to be a finite number >= 1, got Infinity.',
    ],
    [{ jitter: 1.5 }, 'Expected `jitter` to be a number from 0 to 1, got 1.5.'],
    [{ jitter: -0.1 }, 'Expected `jitter` to be a number from 0 to 1, got -0.1.'],
    [{ jitter: Number.NaN }, 'Expected `jitter` to be a number from 0 to 1, got NaN.'],
    [{ maxAttempts: 0 }, 'Expected `maxAttempts` to be a positive integer or Infinity, got 0.'],
    [{ maxAttempts: 2.5 }, 'Expected `maxAttempts` to be a positive integer or Infinity, got 2.5.'],
    [
      { maxAttempts: Number.NaN },
      'Expected `maxAttempts` to be a positive integer or Infinity, got NaN.',
    ],
  ])('rejects %o with a TypeError naming the option', (options, message) => {
    expect(() => exponentialBackoff(options)).toThrow(new TypeError(message));
  });

  it('accepts boundary options', () => {
    expect(() =>
      exponentialBackoff({
        initialDelayMs: 0,
        baseDelayMs: 0,
        maxDelayMs: 0,
        maxElapsedMs: 0,
        factor: 1,
        jitter: 1,
        maxAttempts: 1,
      }),
    ).not.toThrow();
    expect(() => exponentialBackoff({ maxAttempts: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('delayTable', () => {
  it('follows LiveKit by default: 0, 300, 1200, 2700, 4800, then 7000 five times, then stops', () => {
    expect(delays(delayTable(), 11)).toEqual([
      0,
      300,
      1200,
      2700,
      4800,
      7000,
      7000,
      7000,
      7000,
      7000,
      null,
    ]);
  });

  it('exports the LiveKit delays frozen', () => {
    expect(LIVEKIT_DELAYS_MS).toEqual([0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000]);
    expect(Object.isFrozen(LIVEKIT_DELAYS_MS)).toBe(true);
  });

  it('ignores elapsed time and trigger', () => {
    const policy = delayTable([10, 20]);
    expect(policy(context(2, 1e9, 'manual'))).toBe(20);
  });

  it('is not affected by later changes to the array it was given', () => {
    const table = [10, 20];
    const policy = delayTable(table);
    table[0] = 99;
    table.push(30);
    expect(delays(policy, 3)).toEqual([10, 20, null]);
  });

  it('rejects an empty table', () => {
    expect(() => delayTable([])).toThrow(
      new TypeError(
        'Expected `delaysMs` to be a non-empty array of delays in milliseconds, got a 0-item array.',
      ),
    );
  });

  it('rejects a negative entry and names its index', () => {
    expect(() => delayTable([0, 100, -1])).toThrow(
      new TypeError('Expected `delaysMs[2]` to be a non-negative number of milliseconds, got -1.'),
    );
  });
});
