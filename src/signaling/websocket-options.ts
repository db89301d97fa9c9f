// The public types of the WebSocket adapter, its options' defaults and their validation.

import type { ResilientPeerError } from '../errors.js';
import { expectValue, isFunction, validateObject, type Rule } from '../validate.js';
import { NAME_PATTERN, NAME_TEXT } from './relay-protocol.js';

/** The parts of a WebSocket this adapter uses; the browser's WebSocket and Node's `ws` both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  // `never` lets any native event type in; the handlers read only `data`, `code` and `reason`.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor such as `globalThis.WebSocket` or the `ws` package's class. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of `new WebSocketSignaling()`. */
export interface WebSocketSignalingOptions {
  /** The relay's URL with the room, e.g. `wss://example.org/signal?room=call-42`. */
  readonly url: string;
  /** This client's id, kept across reconnects so the relay replaces a stale socket. @default random */
  readonly id?: string;
  /** How often to ping the relay while the socket is open. @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** The socket counts as dead when nothing came from the relay for this long (also bounds connecting). @default 3000 */
  readonly heartbeatTimeoutMs?: number;
  /** After a connect the reachable relay refused, the first wait before the next; later ones double, with jitter. @default 250 */
  readonly minReconnectDelayMs?: number;
  /** Longest wait between connects to a reachable relay that keeps refusing. @default 5000 */
  readonly maxReconnectDelayMs?: number;
  /**
   * While the relay cannot be reached, a plain HEAD request to its URL this often; the WebSocket is
   * opened once one is answered. 0 reconnects blindly with backoff (for a page whose CSP forbids
   * the request). @default 150
   */
  readonly probeIntervalMs?: number;
  /** The WebSocket class to use. @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor;
}

/** Every timing option, resolved. */
export type Timing = Required<Omit<WebSocketSignalingOptions, 'url' | 'id' | 'WebSocket'>>;

/** What the socket is doing; 'closed' between connects and after `close()`. */
export type SocketState = 'connecting' | 'open' | 'closed';

/** The channel's state changed; `up` is `isUp`. */
export interface WebSocketSignalingStateEvent {
  readonly up: boolean;
  readonly socket: SocketState;
  readonly peerPresent: boolean;
}

/** The relay welcomed this side and gave it its role. */
export interface WebSocketSignalingWelcomeEvent {
  readonly polite: boolean;
}

/** Something went wrong with the socket or the relay; the adapter carries on unless it closed. */
export interface WebSocketSignalingErrorEvent {
  readonly error: ResilientPeerError;
}

/** The events a WebSocketSignaling emits. */
export interface WebSocketSignalingEvents {
  state: (event: WebSocketSignalingStateEvent) => void;
  welcome: (event: WebSocketSignalingWelcomeEvent) => void;
  error: (event: WebSocketSignalingErrorEvent) => void;
}

const atLeast = (min: number): Rule => [
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= min,
  `a finite number >= ${min}`,
];

const RULES: Readonly<Record<keyof WebSocketSignalingOptions, Rule>> = {
  url: [(v) => typeof v === 'string', 'a ws:// or wss:// URL'],
  id: [(v) => typeof v === 'string' && NAME_PATTERN.test(v), NAME_TEXT],
  heartbeatIntervalMs: atLeast(1),
  heartbeatTimeoutMs: atLeast(1),
  minReconnectDelayMs: atLeast(0),
  maxReconnectDelayMs: atLeast(0),
  probeIntervalMs: [
    (v) => v === 0 || (typeof v === 'number' && Number.isFinite(v) && v >= 50),
    '0 (off) or a finite number >= 50',
  ],
  WebSocket: [isFunction, 'a WebSocket class'],
};

/** Validates the options; returns the relay URL (with the room) and the resolved timing. */
export function resolveOptions(options: unknown): {
  readonly url: URL;
  readonly timing: Timing;
  readonly Socket: WebSocketConstructor;
} {
  validateObject(options, 'options', RULES, ['url']);
  const o = options as WebSocketSignalingOptions;
  let url: URL | null = null;
  try {
    url = new URL(o.url);
  } catch {
    // Not a URL: the check below names the option.
  }
  expectValue(
    url !== null &&
      /^wss?:$/.test(url.protocol) &&
      NAME_PATTERN.test(url.searchParams.get('room') ?? ''),
    'url',
    `a ws:// or wss:// URL with \`?room=\` of ${NAME_TEXT}`,
    o.url,
  );
  const timing: Timing = {
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? 1000,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 3000,
    minReconnectDelayMs: o.minReconnectDelayMs ?? 250,
    maxReconnectDelayMs: o.maxReconnectDelayMs ?? 5000,
    probeIntervalMs: o.probeIntervalMs ?? 150,
  };
  expectValue(
    timing.heartbeatTimeoutMs > timing.heartbeatIntervalMs,
    'heartbeatTimeoutMs',
    `> heartbeatIntervalMs (${timing.heartbeatIntervalMs})`,
    timing.heartbeatTimeoutMs,
  );
  expectValue(
    timing.maxReconnectDelayMs >= timing.minReconnectDelayMs,
    'maxReconnectDelayMs',
    `>= minReconnectDelayMs (${timing.minReconnectDelayMs})`,
    timing.maxReconnectDelayMs,
  );
  const Socket = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  expectValue(typeof Socket === 'function', 'WebSocket', 'a WebSocket class', Socket);
  return { url, timing, Socket };
}

/** The wait before reconnect attempt `attempt` (0-based): between min and a doubling cap. */
export function reconnectDelayMs(
  attempt: number,
  min: number,
  max: number,
  random: number,
): number {
  const cap = Math.min(max, min * 2 ** (attempt + 1));
  return min + random * Math.max(0, cap - min);
}
