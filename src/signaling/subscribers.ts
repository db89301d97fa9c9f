// The subscriber list every signaling adapter keeps: subscribe/unsubscribe, and a fan-out in which
// one handler that throws does not stop the others.

import type { SignalingHandlers } from './channel.js';

/** The handlers passed to an adapter's `subscribe()`. */
export class Subscribers {
  readonly #handlers = new Set<SignalingHandlers>();
  /** Runs one delivery: the adapter's own guard, so a throwing handler is reported its way. */
  readonly #guard: (delivery: () => void) => void;

  constructor(guard: (delivery: () => void) => void) {
    this.#guard = guard;
  }

  /** What `SignalingChannel.subscribe` does: adds `handlers`, returns the function removing them. */
  add(handlers: SignalingHandlers): () => void {
    this.#handlers.add(handlers);
    return () => {
      this.#handlers.delete(handlers);
    };
  }

  /** Delivers one incoming message to every subscriber. */
  message(data: unknown): void {
    this.#each((handlers) => {
      handlers.message(data);
    });
  }

  /** How many subscribers there are. */
  get size(): number {
    return this.#handlers.size;
  }

  /** Tells every subscriber that the remote peer left for good. */
  left(): void {
    this.#each((handlers) => {
      handlers.left?.();
    });
  }

  /** Tells every subscriber that the channel went up or down. */
  changed(up: boolean): void {
    this.#each((handlers) => {
      if (up) handlers.up();
      else handlers.down();
    });
  }

  /** Forgets every subscriber. */
  clear(): void {
    this.#handlers.clear();
  }

  #each(deliver: (handlers: SignalingHandlers) => void): void {
    // A copy: a handler may subscribe or unsubscribe while we go through them.
    for (const handlers of [...this.#handlers]) {
      this.#guard(() => {
        deliver(handlers);
      });
    }
  }
}
