// Backoff policies: pure functions from a frozen context to the delay before the next ICE-restart
// attempt, or null to give up. The scheduler calls them; nothing here touches a timer.

import { expectValue, isFunction, isMs, validateObject, type Rule } from './validate.js';

/** What started a recovery incident. */
export type Trigger =
  | 'failed'
  | 'disconnected'
  | 'stall'
  | 'connect-timeout'
  | 'network-change'
  | 'signaling-restored'
  | 'manual';

/** What a policy is told before each attempt. */
export interface PolicyContext {
  /** The attempt about to be scheduled: 1 for the first of an incident. */
  readonly attempt: number;
  /** Milliseconds since the incident was detected. */
  readonly elapsedMs: number;
  /** What started the incident. */
  readonly trigger: Trigger;
  /** Whether the browser reports being online (`navigator.onLine`). */
  readonly online: boolean;
}

/** Returns the delay in milliseconds before the next attempt, or null to give up. */
export type Policy = (context: PolicyContext) => number | null;

/** Options of `exponentialBackoff`. */
export interface ExponentialBackoffOptions {
  /** Delay before the first attempt. @default 0 */
  readonly initialDelayMs?: number;
  /** Delay before the second attempt; later ones multiply it by `factor`. @default 500 */
  readonly baseDelayMs?: number;
  /** Multiplier between consecutive delays. @default 2 */
  readonly factor?: number;
  /** Largest delay between attempts. @default 5000 */
  readonly maxDelayMs?: number;
  /** Fraction of each delay that is randomized (0 = none, 1 = full jitter). @default 0.3 */
  readonly jitter?: number;
  /** Attempts per incident before giving up. @default Infinity */
  readonly maxAttempts?: number;
  /** Time since detection after which no new attempt starts. @default 300000 */
  readonly maxElapsedMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
}

/** Default backoff: first attempt at once, then exponential with jitter, capped. */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Policy {
  validateObject(options, 'options', BACKOFF_RULES);
  const {
    initialDelayMs = 0,
    baseDelayMs = 500,
    factor = 2,
    maxDelayMs = 5000,
    jitter = 0.3,
    maxAttempts = Number.POSITIVE_INFINITY,
    maxElapsedMs = 300_000,
    random = Math.random,
  } = options;
  return ({ attempt, elapsedMs }) => {
    if (attempt > maxAttempts || elapsedMs >= maxElapsedMs) return null;
    if (attempt === 1) return initialDelayMs;
    const raw = Math.min(maxDelayMs, baseDelayMs * factor ** (attempt - 2));
    // Jitter only shortens a delay, so the cap stays a cap: [raw·(1 − jitter), raw].
    return Math.round(raw * (1 - jitter * random()));
  };
}

const MS: Rule = [isMs, 'a non-negative finite number of milliseconds'];

const BACKOFF_RULES: Readonly<Record<keyof ExponentialBackoffOptions, Rule>> = {
  initialDelayMs: MS,
  baseDelayMs: MS,
  factor: [(v) => typeof v === 'number' && Number.isFinite(v) && v >= 1, 'a finite number >= 1'],
  maxDelayMs: MS,
  jitter: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1'],
  maxAttempts: [
    (v) => typeof v === 'number' && v >= 1 && (Number.isInteger(v) || v === Infinity),
    'a positive integer or Infinity',
  ],
  // Infinity is allowed here: "never give up" is a real choice for a call that must survive.
  maxElapsedMs: [(v) => typeof v === 'number' && v >= 0, 'a non-negative number of milliseconds'],
  random: [isFunction, 'a function returning a number in [0, 1)'],
};

/** LiveKit's reconnect delays (ms); after the table runs out, the policy gives up. */
export const LIVEKIT_DELAYS_MS: readonly number[] = /* @__PURE__ */ Object.freeze([
  0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000,
]);

/** A fixed table of delays: attempt n waits `delaysMs[n - 1]`; past the end it gives up. */
export function delayTable(delaysMs: readonly number[] = LIVEKIT_DELAYS_MS): Policy {
  expectValue(
    Array.isArray(delaysMs) && delaysMs.length > 0,
    'delaysMs',
    'a non-empty array of delays in milliseconds',
    delaysMs,
  );
  delaysMs.forEach((delay, index) => {
    expectValue(isMs(delay), `delaysMs[${index}]`, MS[1], delay);
  });
  const table: readonly number[] = Array.from(delaysMs);
  return ({ attempt }) => table[attempt - 1] ?? null;
}
