// The stats probe: one getStats() per interval, reporting whether anything arrived on the
// connection since the last look, and which path it uses. The only periodic work while the call
// is healthy.

import type { Env, Timer } from './env.js';
import {
  compareSnapshots,
  busiestPayloadPair,
  pairPath,
  readPathSnapshot,
  selectedPath,
  type ActivityDelta,
  type PathInfo,
  type PathSnapshot,
} from './path-activity.js';

/** Samples path activity on a timer; never two getStats() calls at once. */
export class PathProbe {
  readonly #pc: RTCPeerConnection;
  readonly #env: Pick<Env, 'setTimeout' | 'clearTimeout'>;
  readonly #onSample: (delta: ActivityDelta) => void;
  #intervalMs = 0;
  #timer: Timer;
  #busy = false;
  #stopped = true;
  #last: PathSnapshot | null = null;
  #path: PathInfo | null = null;

  constructor(
    pc: RTCPeerConnection,
    env: Pick<Env, 'setTimeout' | 'clearTimeout'>,
    onSample: (delta: ActivityDelta) => void,
  ) {
    this.#pc = pc;
    this.#env = env;
    this.#onSample = onSample;
  }

  /**
   * The path at the last sample: the pair media or data arrived on, else the selected one; null
   * before either.
   */
  get path(): PathInfo | null {
    return this.#path;
  }

  /** Starts sampling, or changes the interval of a running probe. */
  run(intervalMs: number): void {
    const changed = intervalMs !== this.#intervalMs;
    this.#intervalMs = intervalMs;
    if (this.#stopped) {
      this.#stopped = false;
      this.#arm();
    } else if (changed && !this.#busy) {
      this.#arm();
    }
  }

  /** Samples now, out of turn (something hints that the path may have changed). */
  sampleNow(): void {
    if (this.#stopped || this.#busy) return;
    this.#env.clearTimeout(this.#timer);
    void this.#sample();
  }

  /** Stops sampling. */
  stop(): void {
    this.#stopped = true;
    this.#env.clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#env.clearTimeout(this.#timer);
    this.#timer = this.#env.setTimeout(() => {
      void this.#sample();
    }, this.#intervalMs);
  }

  async #sample(): Promise<void> {
    this.#busy = true;
    let report: RTCStatsReport | null = null;
    try {
      report = await this.#pc.getStats();
    } catch {
      // getStats() rejects only once the connection is closed; stop() follows.
    } finally {
      this.#busy = false;
    }
    if (this.#stopped) return;
    this.#arm();
    if (report === null) return;
    const snapshot = readPathSnapshot(report);
    const delta = compareSnapshots(this.#last, snapshot);
    // The pair media arrives on says where the call runs; the selected one may lag behind.
    const busiest = busiestPayloadPair(this.#last, snapshot);
    this.#last = snapshot;
    this.#path =
      (busiest === null ? null : pairPath(report, busiest)) ?? selectedPath(report) ?? this.#path;
    this.#onSample(delta);
  }
}
