// Owns the scripted SignalingChannel: up/down set by the test, every sent message recorded,
// deliveries and `left` driven by the test, an optional reconnect() that counts its calls, and
// linking two channels so two peers talk through them (asynchronously, in order, as JSON).

import type { SignalingChannel, SignalingHandlers } from '../../src/signaling/channel.js';
import type { SignalingMessage } from '../../src/signaling/messages.js';

/** How a FakeChannel is made. */
export interface FakeChannelOptions {
  /** @default true */
  readonly up?: boolean;
  /** Give the channel a reconnect() (counted in `reconnects`). @default false */
  readonly reconnect?: boolean;
}

/** See the file comment. */
export class FakeChannel implements SignalingChannel {
  /** Every message send() accepted, in order. */
  readonly sent: SignalingMessage[] = [];
  /** How many times reconnect() was called. */
  reconnects = 0;
  /** How many of the next send() calls throw. */
  failSends = 0;
  /** reconnect() throws this, when set. */
  reconnectError: Error | null = null;
  /** Nothing sent to or from this channel crosses the link, as on a blackholed path. */
  blackholed = false;
  readonly reconnect?: () => void;
  readonly #handlers = new Set<SignalingHandlers>();
  #up: boolean;
  #peer: FakeChannel | null = null;

  constructor(options: FakeChannelOptions = {}) {
    this.#up = options.up ?? true;
    if (options.reconnect === true) {
      this.reconnect = () => {
        this.reconnects += 1;
        if (this.reconnectError !== null) throw this.reconnectError;
      };
    }
  }

  /** Links `a` and `b`: what one sends, the other receives (replacing earlier links). */
  static link(a: FakeChannel, b: FakeChannel): void {
    if (a.#peer !== null) a.#peer.#peer = null;
    if (b.#peer !== null) b.#peer.#peer = null;
    a.#peer = b;
    b.#peer = a;
  }

  /** Two linked channels, both up. */
  static pair(options: FakeChannelOptions = {}): [FakeChannel, FakeChannel] {
    const a = new FakeChannel(options);
    const b = new FakeChannel(options);
    FakeChannel.link(a, b);
    return [a, b];
  }

  get isUp(): boolean {
    return this.#up;
  }

  /** How many subscribers there are now. */
  get subscribers(): number {
    return this.#handlers.size;
  }

  send(message: SignalingMessage): void {
    if (this.failSends > 0) {
      this.failSends -= 1;
      throw new Error('socket closed');
    }
    this.sent.push(message);
    const peer = this.#peer;
    if (peer === null || this.blackholed || peer.blackholed || !peer.isUp) return;
    const wire = JSON.stringify(message);
    queueMicrotask(() => {
      if (this.#peer === peer && !this.blackholed && !peer.blackholed) peer.deliver(wire);
    });
  }

  subscribe(handlers: SignalingHandlers): () => void {
    this.#handlers.add(handlers);
    return () => {
      this.#handlers.delete(handlers);
    };
  }

  /** The messages sent of one kind, in order. */
  sentOf<K extends SignalingMessage['kind']>(kind: K): Extract<SignalingMessage, { kind: K }>[] {
    return this.sent.filter(
      (message): message is Extract<SignalingMessage, { kind: K }> => message.kind === kind,
    );
  }

  /** The channel goes up or down, telling every subscriber if that changed. */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    for (const handlers of [...this.#handlers]) {
      if (up) handlers.up();
      else handlers.down();
    }
  }

  /** Something arrives from the remote side. */
  deliver(data: unknown): void {
    for (const handlers of [...this.#handlers]) handlers.message(data);
  }

  /** The transport says the remote left for good. */
  left(): void {
    for (const handlers of [...this.#handlers]) handlers.left?.();
  }
}
