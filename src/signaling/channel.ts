// The one interface a signaling transport implements. resilient-peer sends plain JSON-able
// messages through it and validates whatever comes back; the transport owns the wire.

import type { SignalingMessage } from './messages.js';

/** What a channel calls when something happens; each returns nothing and must not throw. */
export interface SignalingHandlers {
  /** A message arrived from the remote peer: a JSON string or an already-parsed value. */
  readonly message: (data: unknown) => void;
  /** The channel can deliver messages again (first connect or reconnect). */
  readonly up: () => void;
  /** The channel cannot deliver messages; sends now would be lost. */
  readonly down: () => void;
  /**
   * The transport knows the remote peer left for good (hung up, closed its page), as opposed to
   * losing its connection. Optional for a channel to call; resilient-peer always provides it.
   */
  readonly left?: () => void;
}

/** A bidirectional, ordered message channel to the one remote peer. */
export interface SignalingChannel {
  /** Whether a message sent now is expected to arrive. */
  readonly isUp: boolean;
  /** Sends one message to the remote peer. Called only while `isUp`. */
  send(message: SignalingMessage): void;
  /** Starts delivering events to `handlers`; the returned function stops it. */
  subscribe(handlers: SignalingHandlers): () => void;
  /**
   * Optional: start over on a fresh connection. resilient-peer calls it when the remote stopped
   * answering while `isUp` said the channel works — typically a socket that died without the
   * transport noticing (a blackholed path, a vanished local address) — and when the call's media
   * path came back while the channel was down (the network most likely works again: a transport
   * waiting out a backoff may connect now). Check your own connection first if you can, and
   * reconnect if you cannot confirm it; report `down`/`up` as usual.
   */
  reconnect?(): void;
}
