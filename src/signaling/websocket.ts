// The WebSocket signaling adapter for the reference relay (relay/relay.js): its own heartbeat,
// because a browser WebSocket does not notice a blackholed path, and reconnects with backoff.
// Up means the socket is open, the relay welcomed it, and the remote peer is present.

import EventEmitter from 'eventemitter3';
import { InvalidSignalError, ResilientPeerError } from '../errors';
import type { SignalingChannel, SignalingHandlers } from './channel';
import type { SignalingMessage } from './messages';

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
  /** Shortest wait before a reconnect; later waits double, with jitter. @default 250 */
  readonly minReconnectDelayMs?: number;
  /** Longest wait before a reconnect. @default 5000 */
  readonly maxReconnectDelayMs?: number;
  /** The WebSocket class to use. @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor;
}

/** What the socket is doing; 'closed' between reconnect attempts and after `close()`. */
export type SocketState = 'connecting' | 'open' | 'closed';

/** The channel's state changed; `up` is `isUp`. */
export interface WebSocketSignalingStateEvent {
  readonly up: boolean;
  readonly socket: SocketState;
  readonly peerPresent: boolean;
}

/** The events a WebSocketSignaling emits. */
export interface WebSocketSignalingEvents {
  state: (event: WebSocketSignalingStateEvent) => void;
  welcome: (event: { readonly polite: boolean }) => void;
  error: (event: { readonly error: ResilientPeerError }) => void;
}

type Timing = Record<keyof typeof DEFAULTS, number>;

const DEFAULTS = Object.freeze({
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 3000,
  minReconnectDelayMs: 250,
  maxReconnectDelayMs: 5000,
});

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The window's `online` event, where there is one (not in Node, where tests run the adapter). */
const browserWindow = globalThis as Partial<EventTarget>;
const NOOP = (): void => undefined;

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

/** A SignalingChannel over the reference relay, reconnecting by itself until closed. */
export class WebSocketSignaling
  extends EventEmitter<WebSocketSignalingEvents>
  implements SignalingChannel
{
  /** This client's id in the relay's room. */
  readonly id: string;
  readonly #url: string;
  readonly #options: Timing;
  readonly #Socket: WebSocketConstructor;
  readonly #handlers = new Set<SignalingHandlers>();
  readonly #ready: Promise<{ polite: boolean }>;
  #resolveReady: (value: { polite: boolean }) => void = NOOP;
  #rejectReady: (reason: unknown) => void = NOOP;

  #socket: WebSocketLike | undefined;
  #socketState: SocketState = 'closed';
  #welcomed = false;
  #peerPresent = false;
  #announced: WebSocketSignalingStateEvent = { up: false, socket: 'closed', peerPresent: false };
  #polite: boolean | undefined;
  #closed = false;
  #attempt = 0;
  #pingId = 0;
  #lastHeardAt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #livenessTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: WebSocketSignalingOptions) {
    super();
    const { url, id, Socket, numbers } = validate(options);
    this.id = id;
    this.#url = url;
    this.#Socket = Socket;
    this.#options = numbers;
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Nobody has to call ready(); an early close() must not become an unhandled rejection.
    this.#ready.catch(NOOP);
    browserWindow.addEventListener?.('online', this.#onOnline);
    this.#connect();
  }

  /** The browser has a network again: reconnect now instead of at the end of the backoff. */
  readonly #onOnline = (): void => {
    this.#guard(() => {
      if (this.#closed || this.#socketState === 'open') return;
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#abandon(4000, 'network changed');
      this.#attempt = 0;
      this.#connect();
    });
  };

  /** Whether a message sent now reaches the remote peer (open, welcomed, peer present). */
  get isUp(): boolean {
    return this.#announced.up;
  }

  /** This side's role from the relay's first welcome; undefined until then. */
  get polite(): boolean | undefined {
    return this.#polite;
  }

  /** The socket's state; 'closed' between reconnect attempts and after `close()`. */
  get state(): SocketState {
    return this.#socketState;
  }

  /** Resolves on the relay's first welcome; rejects if `close()` comes first. */
  ready(): Promise<{ polite: boolean }> {
    return this.#ready;
  }

  /** Sends one message to the remote peer; dropped while the channel is down. */
  send(message: SignalingMessage): void {
    if (!this.isUp) return;
    this.#write({ type: 'signal', data: message });
  }

  /** Starts delivering messages and up/down changes to `handlers`. */
  subscribe(handlers: SignalingHandlers): () => void {
    this.#handlers.add(handlers);
    return () => {
      this.#handlers.delete(handlers);
    };
  }

  /** Closes the socket for good: no reconnect, no timers, no listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    browserWindow.removeEventListener?.('online', this.#onOnline);
    clearTimeout(this.#reconnectTimer);
    this.#abandon(1000, 'closed');
    this.#commit();
    this.#rejectReady(
      new ResilientPeerError(
        'closed',
        'WebSocketSignaling was closed before the relay welcomed it.',
      ),
    );
    this.#handlers.clear();
    this.removeAllListeners();
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (this.#closed) return;
    let socket: WebSocketLike;
    try {
      socket = new this.#Socket(this.#urlWithRole());
    } catch (cause) {
      this.#report(
        new ResilientPeerError('signaling-failed', 'Could not create the WebSocket.', { cause }),
      );
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    this.#socketState = 'connecting';
    socket.onopen = () => {
      this.#guard(() => {
        this.#onOpen();
      });
    };
    socket.onmessage = (event: { readonly data: unknown }) => {
      this.#guard(() => {
        this.#onFrame(event.data);
      });
    };
    socket.onclose = (event: { readonly code: number; readonly reason: string }) => {
      this.#guard(() => {
        this.#onClose(event.code, event.reason);
      });
    };
    // 'close' always follows 'error', and says more.
    socket.onerror = NOOP;
    this.#heard();
    this.#commit();
  }

  /** The URL, asking the relay for the role of the first welcome once there was one. */
  #urlWithRole(): string {
    if (this.#polite === undefined) return this.#url;
    const url = new URL(this.#url);
    url.searchParams.set('role', this.#polite ? 'polite' : 'impolite');
    return url.href;
  }

  #onOpen(): void {
    this.#socketState = 'open';
    this.#heard();
    this.#heartbeatTimer = setInterval(() => {
      this.#guard(() => {
        this.#pingId += 1;
        this.#write({ type: 'ping', id: this.#pingId });
      });
    }, this.#options.heartbeatIntervalMs);
    this.#commit();
  }

  #onClose(code: number, reason: string): void {
    this.#abandon();
    this.#commit();
    if (code === 4400 || code === 4001) {
      // Retrying cannot help: the URL is wrong, or another instance with our id took over.
      const why =
        code === 4400
          ? `relay rejected the URL: ${reason}`
          : 'another client with this id replaced us';
      this.#report(new ResilientPeerError('signaling-failed', `Signaling stopped: ${why}.`));
      this.close();
      return;
    }
    if (code === 4409)
      this.#report(new ResilientPeerError('signaling-failed', 'The room is full.'));
    this.#scheduleReconnect();
  }

  #onFrame(data: unknown): void {
    this.#heard();
    let frame: unknown;
    try {
      frame = typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      frame = undefined;
    }
    if (!isRecord(frame)) {
      this.#report(new InvalidSignalError('relay frame is not a JSON object', data));
      return;
    }
    switch (frame.type) {
      case 'pong':
        return;
      case 'welcome':
        this.#onWelcome(frame, data);
        return;
      case 'peer':
        if (typeof frame.present !== 'boolean') break;
        this.#peerPresent = frame.present;
        this.#commit();
        return;
      case 'signal':
        if (!('data' in frame) || !this.#welcomed) break;
        for (const handlers of [...this.#handlers]) {
          this.#guard(() => {
            handlers.message(frame.data);
          });
        }
        return;
      case 'error':
        this.#report(
          new ResilientPeerError('signaling-failed', `Relay error: ${String(frame.message)}`),
        );
        return;
    }
    this.#report(new InvalidSignalError('unexpected relay frame', data));
  }

  #onWelcome(frame: Record<string, unknown>, data: unknown): void {
    const { polite, peerPresent } = frame;
    if (typeof polite !== 'boolean' || typeof peerPresent !== 'boolean') {
      this.#report(
        new InvalidSignalError('welcome needs boolean `polite` and `peerPresent`', data),
      );
      return;
    }
    this.#welcomed = true;
    this.#peerPresent = peerPresent;
    this.#attempt = 0;
    const first = this.#polite === undefined;
    this.#polite ??= polite;
    if (first) this.#resolveReady({ polite });
    this.#guard(() => {
      this.emit('welcome', Object.freeze({ polite }));
    });
    if (polite !== this.#polite) {
      // Our role's slot was taken (e.g. by a new client while we were away); the roles are now
      // the same on both sides, which perfect negotiation cannot resolve.
      this.#report(
        new ResilientPeerError(
          'signaling-failed',
          `The relay made this side ${polite ? 'polite' : 'impolite'}, but it was ${this.#polite ? 'polite' : 'impolite'} before; roles are fixed for a peer's lifetime.`,
        ),
      );
    }
    this.#commit();
  }

  /** Records that the relay was heard from and re-arms the liveness deadline. */
  #heard(): void {
    this.#lastHeardAt = performance.now();
    if (this.#livenessTimer === undefined) this.#armLiveness(this.#options.heartbeatTimeoutMs);
  }

  #armLiveness(delayMs: number): void {
    // One timer that re-arms itself on expiry, rather than a new one per frame.
    this.#livenessTimer = setTimeout(() => {
      this.#guard(() => {
        this.#livenessTimer = undefined;
        const silentMs = performance.now() - this.#lastHeardAt;
        const left = this.#options.heartbeatTimeoutMs - silentMs;
        if (left > 0) {
          this.#armLiveness(left);
          return;
        }
        // close() on a blackholed socket may not fire 'close' for a long time; move on now.
        this.#abandon(4000, 'heartbeat timeout');
        this.#commit();
        this.#scheduleReconnect();
      });
    }, delayMs);
  }

  /** Detaches from the current socket and closes it; state must be committed afterwards. */
  #abandon(code?: number, reason?: string): void {
    clearTimeout(this.#livenessTimer);
    clearInterval(this.#heartbeatTimer);
    this.#livenessTimer = undefined;
    this.#heartbeatTimer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketState = 'closed';
    this.#welcomed = false;
    this.#peerPresent = false;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // Kept as a no-op: Node's `ws` throws an 'error' event with no listener when closed while connecting.
    socket.onerror = NOOP;
    if (code !== undefined) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing; nothing more to do.
      }
    }
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    const { minReconnectDelayMs, maxReconnectDelayMs } = this.#options;
    const delay = reconnectDelayMs(
      this.#attempt,
      minReconnectDelayMs,
      maxReconnectDelayMs,
      Math.random(),
    );
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#guard(() => {
        this.#connect();
      });
    }, delay);
  }

  #write(frame: unknown): void {
    try {
      this.#socket?.send(JSON.stringify(frame));
    } catch (cause) {
      this.#report(
        new ResilientPeerError('signaling-failed', 'Could not send on the WebSocket.', { cause }),
      );
    }
  }

  /** Announces a state change, once per change, after all fields are set. */
  #commit(): void {
    const next: WebSocketSignalingStateEvent = Object.freeze({
      up: this.#socketState === 'open' && this.#welcomed && this.#peerPresent,
      socket: this.#socketState,
      peerPresent: this.#peerPresent,
    });
    const previous = this.#announced;
    if (
      next.up === previous.up &&
      next.socket === previous.socket &&
      next.peerPresent === previous.peerPresent
    ) {
      return;
    }
    this.#announced = next;
    if (next.up !== previous.up) {
      for (const handlers of [...this.#handlers]) {
        this.#guard(() => {
          if (next.up) handlers.up();
          else handlers.down();
        });
      }
    }
    this.emit('state', next);
  }

  #report(error: ResilientPeerError): void {
    try {
      this.emit('error', Object.freeze({ error }));
    } catch {
      // An error listener threw; there is nowhere left to report it without escaping a handler.
    }
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (cause) {
      this.#report(
        cause instanceof ResilientPeerError
          ? cause
          : new ResilientPeerError('internal', 'A WebSocketSignaling handler threw.', { cause }),
      );
    }
  }
}

function validate(options: WebSocketSignalingOptions): {
  url: string;
  id: string;
  Socket: WebSocketConstructor;
  numbers: Timing;
} {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError('Expected `options` to be an object with a `url`.');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`Expected \`url\` to be a ws:// or wss:// URL, got ${show(options.url)}.`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`Expected \`url\` to be a ws:// or wss:// URL, got ${show(options.url)}.`);
  }
  const room = url.searchParams.get('room');
  if (room === null || !NAME.test(room)) {
    throw new TypeError('Expected `url` to carry `?room=` with 1-64 characters of A-Za-z0-9_-.');
  }
  const id = options.id ?? randomId();
  if (typeof id !== 'string' || !NAME.test(id)) {
    throw new TypeError(`Expected \`id\` to be 1-64 characters of A-Za-z0-9_-, got ${show(id)}.`);
  }
  url.searchParams.set('id', id);

  const numbers: Timing = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value: unknown = options[key] ?? DEFAULTS[key];
    const least = key === 'heartbeatIntervalMs' || key === 'heartbeatTimeoutMs' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < least) {
      throw new TypeError(
        `Expected \`${key}\` to be a finite number >= ${least}, got ${show(value)}.`,
      );
    }
    numbers[key] = value;
  }
  if (numbers.heartbeatTimeoutMs <= numbers.heartbeatIntervalMs) {
    throw new TypeError(
      `Expected \`heartbeatTimeoutMs\` (${numbers.heartbeatTimeoutMs}) to exceed \`heartbeatIntervalMs\` (${numbers.heartbeatIntervalMs}).`,
    );
  }
  if (numbers.maxReconnectDelayMs < numbers.minReconnectDelayMs) {
    throw new TypeError('Expected `maxReconnectDelayMs` to be at least `minReconnectDelayMs`.');
  }
  const Socket: unknown =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Socket !== 'function') {
    throw new TypeError(
      'Expected `WebSocket` to be a WebSocket constructor; this environment has no global WebSocket.',
    );
  }
  return { url: url.href, id, Socket: Socket as WebSocketConstructor, numbers };
}

function randomId(): string {
  // getRandomValues, unlike randomUUID, also works outside secure contexts (http:// on a LAN).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return value === null ? 'null' : typeof value;
}
