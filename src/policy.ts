// Backoff policies: pure functions from a frozen context to the delay before the next ICE-restart
// attempt, or null to give up. The scheduler calls them; nothing here touches a timer.

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
  requireNonNegative('initialDelayMs', initialDelayMs);
  requireNonNegative('baseDelayMs', baseDelayMs);
  requireNonNegative('maxDelayMs', maxDelayMs);
  requireNonNegative('maxElapsedMs', maxElapsedMs);
  if (!(typeof factor === 'number' && factor >= 1 && Number.isFinite(factor))) {
    throw new TypeError(`Expected \`factor\` to be a finite number >= 1, got ${String(factor)}.`);
  }
  if (!(typeof jitter === 'number' && jitter >= 0 && jitter <= 1)) {
    throw new TypeError(`Expected \`jitter\` to be a number from 0 to 1, got ${String(jitter)}.`);
  }
  requireAttempts(maxAttempts);

  return ({ attempt, elapsedMs }) => {
    if (attempt > maxAttempts || elapsedMs >= maxElapsedMs) return null;
    if (attempt === 1) return initialDelayMs;
    const raw = Math.min(maxDelayMs, baseDelayMs * factor ** (attempt - 2));
    // Jitter only shortens a delay, so the cap stays a cap: [raw·(1 − jitter), raw].
    return Math.round(raw * (1 - jitter * random()));
  };
}

/** LiveKit's reconnect delays (ms); after the table runs out, the policy gives up. */
export const LIVEKIT_DELAYS_MS: readonly number[] = Object.freeze([
  0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000,
]);

/** A fixed table of delays: attempt n waits `delaysMs[n - 1]`; past the end it gives up. */
export function delayTable(delaysMs: readonly number[] = LIVEKIT_DELAYS_MS): Policy {
  if (!Array.isArray(delaysMs) || delaysMs.length === 0) {
    throw new TypeError('Expected `delaysMs` to be a non-empty array of delays in milliseconds.');
  }
  delaysMs.forEach((delay, index) => {
    requireNonNegative(`delaysMs[${index}]`, delay);
  });
  const table: readonly number[] = [...(delaysMs as readonly number[])];
  return ({ attempt }) => table[attempt - 1] ?? null;
}

function requireNonNegative(name: string, value: unknown): void {
  if (!(typeof value === 'number' && value >= 0 && !Number.isNaN(value))) {
    throw new TypeError(
      `Expected \`${name}\` to be a non-negative number of milliseconds, got ${String(value)}.`,
    );
  }
}

function requireAttempts(value: unknown): void {
  if (!(
    typeof value === 'number' &&
    value >= 1 &&
    (Number.isInteger(value) || value === Number.POSITIVE_INFINITY)
  )) {
    throw new TypeError(
      `Expected \`maxAttempts\` to be a positive integer or Infinity, got ${String(value)}.`,
    );
  }
}
