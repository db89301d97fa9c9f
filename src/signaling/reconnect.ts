// When to open the next WebSocket after one was lost: once the relay answers a probe request (at
// once when it does), after a backoff if the reachable relay kept refusing connects, never while
// the browser is offline (the `online` event connects at once).

import type { Env, Timer } from '../env.js';
import { probeUrlOf, Reachability } from './reachability.js';
import { reconnectDelayMs, type Timing } from './websocket-options.js';

/** See the file comment. */
export class Reconnector {
  readonly #env: Env;
  readonly #timing: Timing;
  readonly #reachability: Reachability;
  readonly #connect: () => void;
  /** Connects that failed although the relay was reachable; reset by a welcome. */
  #failures = 0;
  #timer: Timer;

  /** `connect` opens a socket; it is called from a timer, so it must not throw. */
  constructor(url: URL, env: Env, timing: Timing, connect: () => void) {
    this.#env = env;
    this.#timing = timing;
    this.#reachability = new Reachability(probeUrlOf(url), env, timing.probeIntervalMs);
    this.#connect = connect;
  }

  /** A connect failed although the relay could be reached (it refused, or closed before welcoming). */
  refused(): void {
    this.#failures += 1;
  }

  /** The relay welcomed a socket: no backoff any more, and the next outage is probed afresh. */
  welcomed(): void {
    this.#failures = 0;
    this.#reachability.stop();
  }

  /** The socket is gone: connect as soon as the relay can be reached. */
  lost(): void {
    if (!this.#env.isOnline()) return;
    const { minReconnectDelayMs, maxReconnectDelayMs, probeIntervalMs } = this.#timing;
    const blind = probeIntervalMs === 0 || !this.#reachability.available;
    // Blind reconnects count as failures until welcomed, so they back off.
    if (blind) this.#failures = Math.max(this.#failures, 1);
    const delayMs =
      this.#failures === 0
        ? 0
        : reconnectDelayMs(
            this.#failures - 1,
            minReconnectDelayMs,
            maxReconnectDelayMs,
            this.#env.random(),
          );
    const connectLater = (): void => {
      this.#env.clearTimeout(this.#timer);
      this.#timer = this.#env.setTimeout(this.#connect, delayMs);
    };
    if (blind) connectLater();
    // Reachable, or probes have been timing out for long (they may wait behind the browser's own
    // stuck connects): connect; probing goes on meanwhile in the second case.
    else this.#reachability.start(connectLater, connectLater);
  }

  /** Stops probing and any connect that was due (offline, back online, closed). */
  stop(): void {
    this.#reachability.stop();
    this.#env.clearTimeout(this.#timer);
  }
}
