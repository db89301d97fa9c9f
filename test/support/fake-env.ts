// Owns the scripted world the library runs in during unit tests: a manual clock whose timers run
// only when the test advances time, seeded randomness, a settable online flag, the page and
// `navigator.connection` as EventTargets, an injectable fetch, and RTCPeerConnections that are
// FakePeerConnections.

import type { Env, Timer } from '../../src/env.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { watchListeners, type ListenerWatch } from './listeners.js';

/** Lets every queued microtask (and the promise chains they start) run to the end. */
export async function settle(): Promise<void> {
  // A macrotask runs only once the microtask queue is empty; twice covers work that a settled
  // promise hands to a second chain.
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
  }
}

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** How a FakeEnv is made. */
export interface FakeEnvOptions {
  /** Seed of `random()`. @default 1 */
  readonly seed?: number;
  /** Replaces the seeded `random()` (e.g. `() => 0.5` for exact backoff figures). */
  readonly random?: () => number;
  /** Whether there is a page (`window`). @default true */
  readonly window?: boolean;
  /** Whether there is a `navigator.connection`. @default true */
  readonly connection?: boolean;
  readonly fetch?: typeof fetch;
}

/** A manual clock and everything else of `Env`, scripted by the test. */
export class FakeEnv implements Env {
  /** Where the clock starts: an epoch time, as `browserEnv().now()` gives. */
  static readonly START = 1_700_000_000_000;
  readonly window: EventTarget | undefined;
  readonly connection: EventTarget | undefined;
  readonly windowListeners: ListenerWatch;
  readonly connectionListeners: ListenerWatch;
  /** Every RTCPeerConnection the library created, in order. */
  readonly peerConnections: FakePeerConnection[] = [];
  /** Every configuration createPeerConnection was given. */
  readonly configurations: RTCConfiguration[] = [];
  fetch: typeof fetch | undefined;
  online = true;
  readonly #timers = new Map<number, PendingTimer>();
  readonly #random: () => number;
  #now = FakeEnv.START;
  #seq = 0;

  constructor(options: FakeEnvOptions = {}) {
    const window = options.window === false ? undefined : new EventTarget();
    const connection = options.connection === false ? undefined : new EventTarget();
    this.window = window;
    this.connection = connection;
    const none: ListenerWatch = { count: () => 0 };
    this.windowListeners = window === undefined ? none : watchListeners(window);
    this.connectionListeners = connection === undefined ? none : watchListeners(connection);
    this.fetch = options.fetch;
    this.#random = options.random ?? mulberry32(options.seed ?? 1);
  }

  now(): number {
    return this.#now;
  }

  /** Milliseconds since the clock started. */
  get elapsed(): number {
    return this.#now - FakeEnv.START;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const handle = ++this.#seq;
    this.#timers.set(handle, { at: this.#now + Math.max(0, delayMs), seq: handle, callback });
    return handle;
  }

  clearTimeout(timer: Timer): void {
    if (typeof timer === 'number') this.#timers.delete(timer);
  }

  random(): number {
    return this.#random();
  }

  isOnline(): boolean {
    return this.online;
  }

  createPeerConnection(configuration: RTCConfiguration): RTCPeerConnection {
    const pc = new FakePeerConnection(configuration);
    this.configurations.push(configuration);
    this.peerConnections.push(pc);
    return pc.native;
  }

  /** How many timers are set and not yet run or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, in ms from now; null when none is set. */
  get nextTimerInMs(): number | null {
    const next = this.#next(Number.POSITIVE_INFINITY);
    return next === undefined ? null : next[1].at - this.#now;
  }

  /** Moves the clock by `ms`, running every timer that comes due, in time order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let runs = 0; ; runs++) {
      if (runs > 100_000) throw new Error('FakeEnv.advance: timers keep re-arming at once');
      const next = this.#next(end);
      if (next === undefined) break;
      this.#run(next);
    }
    this.#now = end;
  }

  /**
   * As `advance`, letting promise work settle before and after every timer: what the library
   * awaits (getStats, setLocalDescription) finishes at the moment its timer ran.
   */
  async pass(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (let runs = 0; ; runs++) {
      if (runs > 100_000) throw new Error('FakeEnv.pass: timers keep re-arming at once');
      const next = this.#next(end);
      if (next === undefined) break;
      this.#run(next);
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** The browser loses every network link: `navigator.onLine` false, then `offline` fires. */
  goOffline(): void {
    this.online = false;
    this.window?.dispatchEvent(new Event('offline'));
  }

  /** The browser is online again: `navigator.onLine` true, then `online` fires. */
  goOnline(): void {
    this.online = true;
    this.window?.dispatchEvent(new Event('online'));
  }

  /** `navigator.connection` reports a change (Wi-Fi to cellular, say). */
  changeNetwork(): void {
    this.connection?.dispatchEvent(new Event('change'));
  }

  #next(end: number): [number, PendingTimer] | undefined {
    let next: [number, PendingTimer] | undefined;
    for (const entry of this.#timers) {
      const timer = entry[1];
      if (timer.at > end) continue;
      if (
        next === undefined ||
        timer.at < next[1].at ||
        (timer.at === next[1].at && timer.seq < next[1].seq)
      ) {
        next = entry;
      }
    }
    return next;
  }

  #run([handle, timer]: [number, PendingTimer]): void {
    this.#timers.delete(handle);
    this.#now = timer.at;
    timer.callback();
  }
}

/** A small seeded PRNG (mulberry32): the same sequence for the same seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
