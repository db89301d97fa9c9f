// Finds out when a server can be reached again, without opening a WebSocket: small HEAD requests
// (opaque, no-cors, uncached) until one gets any answer. Browsers allow one WebSocket handshake in
// CONNECTING per host (RFC 6455 §4.1), and in Chromium an attempt left pending across an outage
// held up later connections — even plain requests — for over a second after the path returned
// (measured here: probes answered 32 ms after restore without pending WebSockets, ~1.2 s with).

import type { Env, Timer } from '../env.js';

/** A probe request is given at least this long, and three times the last answered one. */
const MIN_PROBE_TIMEOUT_MS = 300;
const MAX_PROBE_TIMEOUT_MS = 3000;
/** Probes in flight at once: overlapping two halves the wait after a blackhole lifts. */
const MAX_IN_FLIGHT = 2;
/**
 * A probe refused this fast reached the host: the server is down (restarting), not the path.
 * Those are spaced out up to REFUSED_MAX_INTERVAL_MS, since each one also puts a line in the
 * browser console; timeouts (a dead path) keep the full pace, so a restored path is seen at once.
 */
const REFUSED_WITHIN_MS = 100;
const REFUSED_MAX_INTERVAL_MS = 1000;

/**
 * Once probes have been timing out (not refused: the path is dead, not the server) for this
 * long, the caller is told to try its connection anyway (`onTimingOut`), once per start(), while
 * probing goes on. After long blackholes Chromium answered the first probe only ~47 s after the
 * path returned (bench `full:90`, 3 of 3 runs; 9 s after 30 s, 0.2 s after 10 s): it lets the TCP
 * connect of an aborted request run on (up to 6 per host), in SYN backoff, and later requests
 * wait for those; a WebSocket handshake does not queue behind them. Firefox answers probes at
 * once, so the probe goes on and whichever works first wins.
 */
export const BLIND_AFTER_MS = 10_000;

/** Probes `url` until it answers. */
export class Reachability {
  readonly #url: string;
  readonly #env: Pick<Env, 'setTimeout' | 'clearTimeout' | 'now' | 'fetch'>;
  readonly #intervalMs: number;
  #timer: Timer;
  #inFlight = 0;
  #running = false;
  #generation = 0;
  #lastAnswerMs: number | null = null;
  #refusals = 0;
  /** When the first of an unbroken run of timed-out probes was sent; null after any reply. */
  #timingOutSince: number | null = null;
  #onReachable: () => void = () => undefined;
  #onTimingOut: () => void = () => undefined;
  /** onTimingOut was called since the last start(). */
  #toldTimingOut = false;

  constructor(
    url: string,
    env: Pick<Env, 'setTimeout' | 'clearTimeout' | 'now' | 'fetch'>,
    intervalMs: number,
  ) {
    this.#url = url;
    this.#env = env;
    this.#intervalMs = intervalMs;
  }

  /** Whether probing can work here (there is a fetch). */
  get available(): boolean {
    return this.#env.fetch !== undefined;
  }

  /**
   * Probes until the server answers, then calls `onReachable` once; `onTimingOut` once if probes
   * have been timing out for BLIND_AFTER_MS (counted across starts). Restarts a running probe.
   */
  start(onReachable: () => void, onTimingOut: () => void = () => undefined): void {
    this.#halt();
    this.#running = true;
    this.#refusals = 0;
    this.#onReachable = onReachable;
    this.#onTimingOut = onTimingOut;
    this.#toldTimingOut = false;
    this.#tick();
  }

  /** Stops probing; answers still in flight are ignored. The next start() begins afresh. */
  stop(): void {
    this.#halt();
    this.#timingOutSince = null;
  }

  #halt(): void {
    this.#running = false;
    this.#generation += 1;
    this.#inFlight = 0;
    this.#env.clearTimeout(this.#timer);
  }

  #tick(): void {
    if (!this.#running) return;
    const since = this.#timingOutSince;
    if (!this.#toldTimingOut && since !== null && this.#env.now() - since >= BLIND_AFTER_MS) {
      this.#toldTimingOut = true;
      const generation = this.#generation;
      this.#onTimingOut();
      if (generation !== this.#generation) return; // the callback stopped or restarted probing
    }
    if (this.#inFlight < MAX_IN_FLIGHT) void this.#probe(this.#generation);
    const intervalMs = Math.min(
      Math.max(this.#intervalMs, REFUSED_MAX_INTERVAL_MS),
      this.#intervalMs * 1.5 ** this.#refusals,
    );
    this.#timer = this.#env.setTimeout(() => {
      this.#tick();
    }, intervalMs);
  }

  async #probe(generation: number): Promise<void> {
    const fetchFn = this.#env.fetch;
    if (fetchFn === undefined) return;
    this.#inFlight += 1;
    const startedAt = this.#env.now();
    const timeoutMs = Math.min(
      MAX_PROBE_TIMEOUT_MS,
      Math.max(MIN_PROBE_TIMEOUT_MS, 3 * (this.#lastAnswerMs ?? 0)),
    );
    let answered = false;
    try {
      // Any answer at all (an opaque response, a 404, a 426) proves the path and the server work.
      await fetchFn(this.#url, {
        method: 'HEAD',
        mode: 'no-cors',
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
      answered = true;
    } catch {
      // Unreachable (timeout, refused, offline): the next tick tries again.
    }
    if (generation !== this.#generation) return;
    this.#inFlight -= 1;
    if (!answered) {
      const refused = this.#env.now() - startedAt < REFUSED_WITHIN_MS;
      this.#refusals = refused ? this.#refusals + 1 : 0;
      this.#timingOutSince = refused ? null : (this.#timingOutSince ?? startedAt);
      return;
    }
    this.#lastAnswerMs = this.#env.now() - startedAt;
    this.#timingOutSince = null;
    this.#reached();
  }

  #reached(): void {
    const onReachable = this.#onReachable;
    this.#halt();
    onReachable();
  }
}

/** The plain-HTTP twin of a ws:// or wss:// URL, without its query: what a probe asks for. */
export function probeUrlOf(url: URL): string {
  const probe = new URL(url.href);
  probe.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  probe.search = '';
  probe.hash = '';
  return probe.href;
}
