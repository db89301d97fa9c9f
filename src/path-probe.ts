// The stats probe: one getStats() per interval on the selected candidate pair, reporting whether
// anything arrived since the last look. The only periodic work while the call is healthy.

import type { Clock } from './clock';
import {
  hasNewActivity,
  hasNewPayload,
  selectedPathActivity,
  type PathActivity,
} from './path-activity';

/** Samples path activity on a timer; never two getStats() calls at once. */
export class PathProbe {
  readonly #pc: RTCPeerConnection;
  readonly #clock: Clock;
  readonly #onSample: (fresh: boolean, freshPayload: boolean) => void;
  #intervalMs = 0;
  #timer: unknown;
  #busy = false;
  #stopped = true;
  #last: PathActivity | null = null;

  constructor(
    pc: RTCPeerConnection,
    clock: Clock,
    onSample: (fresh: boolean, freshPayload: boolean) => void,
  ) {
    this.#pc = pc;
    this.#clock = clock;
    this.#onSample = onSample;
  }

  /** Starts sampling, or changes the interval of a running probe. */
  run(intervalMs: number): void {
    const changed = intervalMs !== this.#intervalMs;
    this.#intervalMs = intervalMs;
    if (this.#stopped) {
      this.#stopped = false;
      this.#arm();
    } else if (changed && !this.#busy) {
      this.#clearTimer();
      this.#arm();
    }
  }

  /** Samples now, out of turn (a network change hints that the path may have died). */
  sampleNow(): void {
    if (this.#stopped || this.#busy) return;
    this.#clearTimer();
    void this.#sample();
  }

  /** Stops sampling. */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#sample();
    }, this.#intervalMs);
  }

  async #sample(): Promise<void> {
    this.#busy = true;
    let activity: PathActivity | null = null;
    try {
      activity = selectedPathActivity(await this.#pc.getStats());
    } catch {
      // getStats() rejects only once the connection is closed; stop() follows.
    } finally {
      this.#busy = false;
    }
    if (this.#stopped) return;
    const fresh = hasNewActivity(this.#last, activity);
    const freshPayload = hasNewPayload(this.#last, activity);
    if (activity !== null) this.#last = activity;
    this.#arm();
    this.#onSample(fresh, freshPayload);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
