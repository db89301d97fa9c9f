// Types of the reference signaling relay (relay.js); the wire protocol is described there and in
// src/signaling/websocket.ts.

import type { Server } from 'node:http';

/** Options of `attachRelay()`. */
export interface RelayOptions {
  /** The only URL path whose upgrades the relay takes; others are left to other listeners. @default '/signal' */
  readonly path?: string;
  /** Largest frame accepted; a bigger one closes the socket with 1009. @default 65536 */
  readonly maxFrameBytes?: number;
  /** A client silent for longer than this is dropped and its peer told. @default 6000 */
  readonly heartbeatTimeoutMs?: number;
}

/** A running relay attached to an HTTP server. */
export interface Relay {
  /** Stops taking upgrades and drops every socket; the HTTP server stays up. */
  close(): Promise<void>;
  /** How many rooms have at least one peer. */
  rooms(): number;
  /** Drops every socket and forgets every room and silenced id (between test trials). */
  reset(): void;
  /** Test hook: while on, nothing from or to `id` gets through, as on a blackholed path. */
  setSilent(id: string, on: boolean): void;
}

/** Attaches the relay to `server`'s `upgrade` events for `options.path`. */
export function attachRelay(server: Server, options?: RelayOptions): Relay;
