// The one interface a signaling transport implements. resilient-peer sends plain JSON-able
// messages through it and validates whatever comes back; the transport owns the wire.

import type { SignalingMessage } from './messages';

/** What a channel calls when something happens; each returns nothing and must not throw. */
export interface SignalingHandlers {
  /** A message arrived from the remote peer: a JSON string or an already-parsed value. */
  readonly message: (data: unknown) => void;
  /** The channel can deliver messages again (first connect or reconnect). */
  readonly up: () => void;
  /** The channel cannot deliver messages; sends now would be lost. */
  readonly down: () => void;
}

/** A bidirectional, ordered message channel to the one remote peer. */
export interface SignalingChannel {
  /** Whether a message sent now is expected to arrive. */
  readonly isUp: boolean;
  /** Sends one message to the remote peer. Called only while `isUp`. */
  send(message: SignalingMessage): void;
  /** Starts delivering events to `handlers`; the returned function stops it. */
  subscribe(handlers: SignalingHandlers): () => void;
}
