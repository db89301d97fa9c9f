// The peer's typed emitter: eventemitter3 with two guarantees on top. Every listener is called in
// isolation: one that throws neither breaks the library's own flow nor keeps the other listeners
// from hearing the event (its exception is rethrown outside, in a microtask). And a `track`
// listener added late is told about the live remote tracks at once, so the order in which an app
// sets itself up cannot lose the remote video.

import EventEmitter from 'eventemitter3';
import type { RemoteTrack } from './connection.js';
import type { ResilientPeerEvents } from './events.js';

type Events = EventEmitter.EventNames<ResilientPeerEvents>;
type Listener<E extends Events> = EventEmitter.EventListener<ResilientPeerEvents, E>;
type AnyListener = (...args: never[]) => void;

/** See the file comment. */
export abstract class PeerEmitter extends EventEmitter<ResilientPeerEvents> {
  /** Each app listener's guarded stand-in, per event, so `off` finds what `on` added. */
  readonly #guarded = new WeakMap<AnyListener, Map<Events, AnyListener>>();
  /** The stand-ins themselves: eventemitter3 removes a once-listener by its stand-in. */
  readonly #standIns = new WeakSet<AnyListener>();

  /** The remote tracks a new `track` listener is told about. */
  protected abstract liveTracks(): readonly RemoteTrack[];

  /** Adds a listener; a `track` listener is also told, at once, of the live remote tracks. */
  override on<E extends Events>(event: E, listener: Listener<E>, context?: unknown): this {
    const guarded = this.#guard(event, listener);
    super.on(event, guarded, context);
    if (event === 'track') this.#replay(guarded as unknown as Listener<'track'>, context, false);
    return this;
  }

  /** The same as `on`. */
  override addListener<E extends Events>(event: E, listener: Listener<E>, context?: unknown): this {
    return this.on(event, listener, context);
  }

  /** Adds a one-time listener; a `track` one is called at once if a remote track is live. */
  override once<E extends Events>(event: E, listener: Listener<E>, context?: unknown): this {
    const guarded = this.#guard(event, listener);
    super.once(event, guarded, context);
    if (event === 'track') this.#replay(guarded as unknown as Listener<'track'>, context, true);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  override off<E extends Events>(
    event: E,
    listener?: Listener<E>,
    context?: unknown,
    once?: boolean,
  ): this {
    const key = listener as AnyListener | undefined;
    const guarded =
      key === undefined || this.#standIns.has(key)
        ? listener
        : (this.#guarded.get(key)?.get(event) as Listener<E> | undefined);
    if (listener !== undefined && guarded === undefined) return this;
    super.off(event, guarded, context, once);
    return this;
  }

  /** The same as `off`. */
  override removeListener<E extends Events>(
    event: E,
    listener?: Listener<E>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.off(event, listener, context, once);
  }

  /** Emits after state is committed; listeners run one by one, none can stop the others. */
  protected safeEmit<E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ): void {
    (this.emit as (event: E, payload: unknown) => boolean)(event, Object.freeze(payload));
  }

  #guard<E extends Events>(event: E, listener: Listener<E>): Listener<E> {
    const key = listener as unknown as AnyListener;
    let perEvent = this.#guarded.get(key);
    if (perEvent === undefined) {
      perEvent = new Map();
      this.#guarded.set(key, perEvent);
    }
    let guarded = perEvent.get(event);
    if (guarded === undefined) {
      guarded = function (this: unknown, ...args: never[]): void {
        try {
          key.apply(this, args);
        } catch (error) {
          rethrowLater(error);
        }
      };
      perEvent.set(event, guarded);
      this.#standIns.add(guarded);
    }
    return guarded as unknown as Listener<E>;
  }

  #replay(guarded: Listener<'track'>, context: unknown, once: boolean): void {
    const tracks = this.liveTracks();
    if (tracks.length === 0) return;
    queueMicrotask(() => {
      for (const track of tracks) {
        // Removed meanwhile (or a once-listener already called by a real event): nothing to do.
        if (!this.listeners('track').includes(guarded)) return;
        if (once) super.off('track', guarded, context, true);
        guarded.call(context, track);
        if (once) return;
      }
    });
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
