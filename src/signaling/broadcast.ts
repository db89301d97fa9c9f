// The BroadcastChannel signaling adapter for two same-origin tabs (demos and tests). A small
// hello/here/bye handshake pairs it with one other instance; it is up only while that peer is there.

import type { SignalingChannel, SignalingHandlers } from './channel';
import type { SignalingMessage } from './messages';

// Workers and Node have no page lifecycle (and Node 20 no reportError); there these are skipped.
const host = globalThis as Partial<
  Pick<typeof globalThis, 'addEventListener' | 'removeEventListener' | 'reportError'>
>;

/** What travels on the channel; `rp` marks our frames apart from anything else using the name. */
type Frame =
  | { readonly rp: 1; readonly type: 'hello' | 'bye'; readonly from: string }
  | { readonly rp: 1; readonly type: 'here'; readonly from: string; readonly to: string }
  | {
      readonly rp: 1;
      readonly type: 'signal';
      readonly from: string;
      readonly to: string;
      readonly data: unknown;
    };

/** A SignalingChannel between two same-origin tabs (or two instances in one page). */
export class BroadcastChannelSignaling implements SignalingChannel {
  /** This instance's id on the channel. */
  readonly id: string;
  readonly #channel: BroadcastChannel;
  readonly #handlers = new Set<SignalingHandlers>();
  #peer: string | undefined;
  #closed = false;

  /** Joins the channel `resilient-peer/${name}` and greets whoever is there. */
  constructor(name: string, options: { readonly id?: string } = {}) {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('Expected `name` to be a non-empty string.');
    }
    const id = options.id ?? crypto.getRandomValues(new Uint32Array(2)).join('-');
    if (typeof id !== 'string' || id === '') {
      throw new TypeError('Expected `id` to be a non-empty string.');
    }
    this.id = id;
    this.#channel = new BroadcastChannel(`resilient-peer/${name}`);
    this.#channel.onmessage = (event: MessageEvent) => {
      this.#guard(() => {
        this.#onFrame(event.data);
      });
    };
    // pagehide, not unload: it also fires when the page enters the back/forward cache.
    host.addEventListener?.('pagehide', this.#onPageHide);
    host.addEventListener?.('pageshow', this.#onPageShow);
    this.#post({ rp: 1, type: 'hello', from: id });
  }

  /** Whether the other tab is there to receive a message sent now. */
  get isUp(): boolean {
    return this.#peer !== undefined;
  }

  /** Sends one message to the other tab; dropped while it is not there. */
  send(message: SignalingMessage): void {
    if (this.#peer === undefined) return;
    this.#post({ rp: 1, type: 'signal', from: this.id, to: this.#peer, data: message });
  }

  /** Starts delivering messages and up/down changes to `handlers`. */
  subscribe(handlers: SignalingHandlers): () => void {
    this.#handlers.add(handlers);
    return () => {
      this.#handlers.delete(handlers);
    };
  }

  /** Says goodbye to the other tab and leaves the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#post({ rp: 1, type: 'bye', from: this.id });
    this.#closed = true;
    host.removeEventListener?.('pagehide', this.#onPageHide);
    host.removeEventListener?.('pageshow', this.#onPageShow);
    this.#channel.onmessage = null;
    this.#channel.close();
    this.#setPeer(undefined);
    this.#handlers.clear();
  }

  readonly #onPageHide = (): void => {
    this.#post({ rp: 1, type: 'bye', from: this.id });
    this.#setPeer(undefined);
  };

  readonly #onPageShow = (event: PageTransitionEvent): void => {
    // Back from the back/forward cache: the other tab heard our bye, so greet it again.
    if (event.persisted) this.#post({ rp: 1, type: 'hello', from: this.id });
  };

  #onFrame(data: unknown): void {
    if (!isFrame(data) || data.from === this.id) return;
    const fromPeer = this.#peer === undefined || this.#peer === data.from;
    switch (data.type) {
      case 'hello':
        // A tab that reloaded says hello again with the same id; a third tab is not answered.
        if (!fromPeer) return;
        this.#post({ rp: 1, type: 'here', from: this.id, to: data.from });
        this.#setPeer(data.from);
        return;
      case 'here':
        if (data.to === this.id && fromPeer) this.#setPeer(data.from);
        return;
      case 'bye':
        if (data.from !== this.#peer) return;
        this.#setPeer(undefined);
        // Another tab may be waiting for a free partner.
        this.#post({ rp: 1, type: 'hello', from: this.id });
        return;
      case 'signal':
        if (data.to !== this.id || data.from !== this.#peer) return;
        for (const handlers of [...this.#handlers]) {
          this.#guard(() => {
            handlers.message(data.data);
          });
        }
    }
  }

  #setPeer(peer: string | undefined): void {
    const wasUp = this.isUp;
    this.#peer = peer;
    if (this.isUp === wasUp) return;
    for (const handlers of [...this.#handlers]) {
      this.#guard(() => {
        if (this.isUp) handlers.up();
        else handlers.down();
      });
    }
  }

  #post(frame: Frame): void {
    if (this.#closed) return;
    this.#guard(() => {
      this.#channel.postMessage(frame);
    });
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // This adapter has no error event; surface the bug without letting it escape a handler.
      host.reportError?.(error);
    }
  }
}

function isFrame(value: unknown): value is Frame {
  if (typeof value !== 'object' || value === null) return false;
  const frame = value as Partial<Record<keyof Frame | 'to', unknown>>;
  return (
    frame.rp === 1 &&
    typeof frame.from === 'string' &&
    (frame.type === 'hello' ||
      frame.type === 'bye' ||
      ((frame.type === 'here' || frame.type === 'signal') && typeof frame.to === 'string'))
  );
}
