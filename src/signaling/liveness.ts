// End-to-end liveness of the signaling channel: small ping/pong messages between the two peers,
// sent only when it matters (the channel just came up, an incident is open, an offer waits for
// its answer), never as a constant heartbeat while the call is healthy. A transport can look up
// while its socket is dead (a blackholed path, a vanished local address); only an answer from
// the remote proves it works. The timeout follows the measured round trip (RFC 6298's estimator).

import type { Env, Timer } from '../env.js';

/** Timeout before any round trip was measured. */
export const INITIAL_TIMEOUT_MS = 1500;
/** Bounds of the timeout: below, a loaded signaling server would look dead; above, recovery waits. */
export const MIN_TIMEOUT_MS = 500;
export const MAX_TIMEOUT_MS = 3000;
/** While checks are needed and the remote answers, one check this often. */
export const CHECK_INTERVAL_MS = 1000;
/** While the remote does not answer, a ping this often, to notice when a healed socket delivers. */
export const RETRY_INTERVAL_MS = 2000;

/** What the liveness check asks of its owner. */
export interface LivenessHooks {
  /** Send a ping with `id` now; only called while the channel reports up. */
  readonly ping: (id: number) => void;
  /** A check went unanswered although the channel reports up (again on every retry). */
  readonly unanswered: () => void;
  /** Whether checks matter now (an incident is open, an offer waits for its answer). */
  readonly needed: () => boolean;
  readonly channelUp: () => boolean;
}

/** Checks that messages really cross the channel; see the file comment. */
export class Liveness {
  readonly #env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly #hooks: LivenessHooks;
  #nextId = 1;
  #outstanding: { readonly id: number; readonly sentAt: number } | null = null;
  #timer: Timer;
  #srttMs: number | null = null;
  #rttVarMs = 0;
  /** A remote has been heard on this channel: only then does silence mean something. */
  #remoteKnown = false;
  #unanswered = false;

  constructor(env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>, hooks: LivenessHooks) {
    this.#env = env;
    this.#hooks = hooks;
  }

  /** The remote stopped answering and has not been heard since. */
  get unanswered(): boolean {
    return this.#unanswered;
  }

  /** How long a ping may go unanswered now. */
  get timeoutMs(): number {
    if (this.#srttMs === null) return INITIAL_TIMEOUT_MS;
    const rto = this.#srttMs + 4 * this.#rttVarMs;
    return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round(rto)));
  }

  /** Checks now, unless a check is already under way or the channel says it is down. */
  check(): void {
    if (this.#outstanding !== null || !this.#hooks.channelUp()) return;
    const id = this.#nextId++;
    this.#outstanding = { id, sentAt: this.#env.now() };
    this.#arm(this.timeoutMs, () => {
      this.#onTimeout();
    });
    this.#hooks.ping(id);
  }

  /** A message from the remote arrived: the channel works. Returns whether it was unanswered. */
  heard(): boolean {
    this.#remoteKnown = true;
    const wasUnanswered = this.#unanswered;
    this.#unanswered = false;
    this.#outstanding = null;
    this.#scheduleNext(CHECK_INTERVAL_MS);
    return wasUnanswered;
  }

  /** The answer to one of our pings: a round-trip sample, then as `heard`. */
  pong(id: number): boolean {
    const outstanding = this.#outstanding;
    if (outstanding?.id === id) this.#sample(this.#env.now() - outstanding.sentAt);
    return this.heard();
  }

  /** The channel came up: a fresh connection is trusted until a check says otherwise, at once. */
  channelUp(): void {
    this.#unanswered = false;
    this.#outstanding = null;
    this.#env.clearTimeout(this.#timer);
    this.check();
  }

  /** The channel went down: nothing is outstanding on it any more. */
  channelDown(): void {
    this.#outstanding = null;
    this.#env.clearTimeout(this.#timer);
  }

  /** The remote left: silence means nothing until someone is heard again. */
  forget(): void {
    this.#remoteKnown = false;
    this.#unanswered = false;
    this.channelDown();
  }

  stop(): void {
    this.#env.clearTimeout(this.#timer);
    this.#outstanding = null;
  }

  #onTimeout(): void {
    this.#outstanding = null;
    if (!this.#remoteKnown) return; // nobody to answer yet: the remote says hello when it comes
    this.#unanswered = true;
    this.#hooks.unanswered();
    this.#arm(RETRY_INTERVAL_MS, () => {
      this.check();
    });
  }

  #scheduleNext(delayMs: number): void {
    this.#env.clearTimeout(this.#timer);
    if (!this.#hooks.needed()) return;
    this.#arm(delayMs, () => {
      if (this.#hooks.needed()) this.check();
    });
  }

  #sample(rttMs: number): void {
    if (this.#srttMs === null) {
      this.#srttMs = rttMs;
      this.#rttVarMs = rttMs / 2;
      return;
    }
    this.#rttVarMs = 0.75 * this.#rttVarMs + 0.25 * Math.abs(this.#srttMs - rttMs);
    this.#srttMs = 0.875 * this.#srttMs + 0.125 * rttMs;
  }

  #arm(delayMs: number, then: () => void): void {
    this.#env.clearTimeout(this.#timer);
    this.#timer = this.#env.setTimeout(then, delayMs);
  }
}

/**
 * How often the transport may be asked to start over while the remote keeps not answering: at
 * most every 2 s at first, doubling up to 16 s. When the remote's own network is down, starting
 * our connection over and over would not help.
 */
export class ReconnectPace {
  #backoffMs = 0;
  #allowedAt = 0;

  /** Whether a reconnect may be asked for at `now`; if so, the next one waits longer. */
  allow(now: number): boolean {
    if (now < this.#allowedAt) return false;
    this.#backoffMs = Math.min(16_000, Math.max(2000, this.#backoffMs * 2));
    this.#allowedAt = now + this.#backoffMs;
    return true;
  }

  /** The remote answered: the next reconnect may be asked for at once. */
  reset(): void {
    this.#backoffMs = this.#allowedAt = 0;
  }
}
