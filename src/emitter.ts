// The peer's typed emitter: eventemitter3 with two guarantees on top. A throwing app listener
// never breaks the library's own flow (it is rethrown outside, in a microtask), and a `track`
// listener added late is told about the live remote tracks at once, so the order in which an app
// sets itself up cannot lose the remote video.

import EventEmitter from 'eventemitter3';
import type { RemoteTrack } from './connection.js';
import type { ResilientPeerEvents } from './events.js';

type Listener = ResilientPeerEvents['track'];

/** See the file comment. */
export abstract class PeerEmitter extends EventEmitter<ResilientPeerEvents> {
  /** The remote tracks a new `track` listener is told about. */
  protected abstract liveTracks(): readonly RemoteTrack[];

  /** Adds a listener; a `track` listener is also told, at once, of the live remote tracks. */
  override on<E extends EventEmitter.EventNames<ResilientPeerEvents>>(
    event: E,
    listener: EventEmitter.EventListener<ResilientPeerEvents, E>,
    context?: unknown,
  ): this {
    super.on(event, listener, context);
    if (event === 'track') this.#replay(listener as unknown as Listener, context, false);
    return this;
  }

  /** The same as `on`. */
  override addListener<E extends EventEmitter.EventNames<ResilientPeerEvents>>(
    event: E,
    listener: EventEmitter.EventListener<ResilientPeerEvents, E>,
    context?: unknown,
  ): this {
    return this.on(event, listener, context);
  }

  /** Adds a one-time listener; a `track` one is called at once if a remote track is live. */
  override once<E extends EventEmitter.EventNames<ResilientPeerEvents>>(
    event: E,
    listener: EventEmitter.EventListener<ResilientPeerEvents, E>,
    context?: unknown,
  ): this {
    super.once(event, listener, context);
    if (event === 'track') this.#replay(listener as unknown as Listener, context, true);
    return this;
  }

  /** Emits after state is committed; a throwing app listener is rethrown outside our handler. */
  protected safeEmit<E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ): void {
    try {
      (this.emit as (event: E, payload: unknown) => boolean)(event, Object.freeze(payload));
    } catch (error) {
      rethrowLater(error);
    }
  }

  #replay(listener: Listener, context: unknown, once: boolean): void {
    const tracks = this.liveTracks();
    if (tracks.length === 0) return;
    queueMicrotask(() => {
      for (const track of tracks) {
        // Removed meanwhile (or a once-listener already called by a real event): nothing to do.
        if (!this.listeners('track').includes(listener)) return;
        if (once) this.off('track', listener, context, true);
        try {
          listener.call(context, track);
        } catch (error) {
          rethrowLater(error);
        }
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
