// The BroadcastChannel signaling adapter for two same-origin tabs (demos and tests). A small
// hello/here/bye handshake pairs it with one other instance; it is up only while that peer is there.

import { validateObject, type Rule } from '../validate.js';
import type { SignalingChannel, SignalingHandlers } from './channel.js';
import type { SignalingMessage } from './messages.js';
import { Subscribers } from './subscribers.js';

/** Options of `new BroadcastChannelSignaling()`. */
export interface BroadcastChannelSignalingOptions {
  /** This instance's id on the channel; a reloaded tab that keeps it is recognised. @default random */
  readonly id?: string;
}

const NON_EMPTY: Rule = [(v) => typeof v === 'string' && v !== '', 'a non-empty string'];

// Workers and Node have no page lifecycle (and Node 20 no reportError); there these are skipped.
const host = globalThis as Partial<
  Pick<typeof globalThis, 'addEventListener' | 'removeEventListener' | 'reportError'>
>;

/**
 * What travels on the channel; `rp` marks our frames apart from anything else using the name.
 * `here` and `signal` go `to` one instance; `signal` carries `data`.
 */
interface Frame {
  readonly rp: 1;
  readonly type: 'hello' | 'here' | 'bye' | 'signal';
  readonly from: string;
  readonly to?: string;
  readonly data?: unknown;
}

/** A SignalingChannel between two same-origin tabs (or two instances in one page). */
export class BroadcastChannelSignaling implements SignalingChannel {
  /** This instance's id on the channel. */
  readonly id: string;
  readonly #channel: BroadcastChannel;
  readonly #subscribers = new Subscribers((delivery) => {
    this.#guard(delivery);
  });
  #peer: string | undefined;
  #closed = false;

  /** Joins the channel `resilient-peer/${name}` and greets whoever is there. */
  constructor(name: string, options: BroadcastChannelSignalingOptions = {}) {
    validateObject({ name }, 'arguments', { name: NON_EMPTY }, ['name']);
    validateObject(options, 'options', { id: NON_EMPTY });
    this.id = options.id ?? crypto.getRandomValues(new Uint32Array(2)).join('-');
    this.#channel = new BroadcastChannel(`resilient-peer/${name}`);
    this.#channel.onmessage = (event: MessageEvent) => {
      this.#guard(() => {
        this.#onFrame(event.data);
      });
    };
    // pagehide, not unload: it also fires when the page enters the back/forward cache.
    host.addEventListener?.('pagehide', this.#onPageHide);
    host.addEventListener?.('pageshow', this.#onPageShow);
    this.#post('hello');
  }

  /** Whether the other tab is there to receive a message sent now. */
  get isUp(): boolean {
    return this.#peer !== undefined;
  }

  /** Sends one message to the other tab; dropped while it is not there. */
  send(message: SignalingMessage): void {
    if (this.isUp) this.#post('signal', this.#peer, message);
  }

  /** Starts delivering messages and up/down changes to `handlers`. */
  subscribe(handlers: SignalingHandlers): () => void {
    return this.#subscribers.add(handlers);
  }

  /** Says goodbye to the other tab and leaves the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#post('bye');
    this.#closed = true;
    host.removeEventListener?.('pagehide', this.#onPageHide);
    host.removeEventListener?.('pageshow', this.#onPageShow);
    this.#channel.onmessage = null;
    this.#channel.close();
    this.#setPeer();
    this.#subscribers.clear();
  }

  readonly #onPageHide = (): void => {
    this.#post('bye');
    this.#setPeer();
  };

  readonly #onPageShow = (event: PageTransitionEvent): void => {
    // Back from the back/forward cache: the other tab heard our bye, so greet it again.
    if (event.persisted) this.#post('hello');
  };

  #onFrame(data: unknown): void {
    // Anything may arrive; a frame `to` someone must name this instance, which is a string.
    const frame = data as Partial<Record<keyof Frame, unknown>> | null | undefined;
    if (frame?.rp !== 1 || typeof frame.from !== 'string' || frame.from === this.id) return;
    const { from } = frame;
    const fromPeer = this.#peer === undefined || this.#peer === from;
    switch (frame.type) {
      case 'hello':
        // A tab that reloaded says hello again with the same id; a third tab is not answered.
        if (!fromPeer) return;
        this.#post('here', from);
        this.#setPeer(from);
        return;
      case 'here':
        if (frame.to === this.id && fromPeer) this.#setPeer(from);
        return;
      case 'bye':
        if (from !== this.#peer) return;
        // The other tab closed or hid its page: it left, as opposed to losing its connection.
        this.#subscribers.left();
        this.#setPeer();
        // Another tab may be waiting for a free partner.
        this.#post('hello');
        return;
      case 'signal':
        if (frame.to !== this.id || from !== this.#peer) return;
        this.#subscribers.message(frame.data);
    }
  }

  #setPeer(peer?: string): void {
    const wasUp = this.isUp;
    this.#peer = peer;
    if (this.isUp !== wasUp) {
      this.#subscribers.changed(this.isUp);
    }
  }

  #post(type: Frame['type'], to?: string, data?: unknown): void {
    if (this.#closed) return;
    const frame: Frame = { rp: 1, type, from: this.id, to, data };
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
