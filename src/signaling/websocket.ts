// The WebSocket signaling adapter for the reference relay (relay/relay.js): its own heartbeat,
// because a browser WebSocket does not notice a blackholed path, and reconnects with backoff.
// Up means the socket is open, the relay welcomed it, and the remote peer is present.

import EventEmitter from 'eventemitter3';
import { InvalidSignalError, ResilientPeerError, expectOption } from '../errors';
import type { SignalingChannel, SignalingHandlers } from './channel';
import { Subscribers } from './subscribers';
import { isRecord, type SignalingMessage } from './messages';

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

/** A room name or a client id. */
const NAME = /^[\w-]{1,64}$/;
const NAME_TEXT = '1-64 characters of A-Za-z0-9_-';
/** The window's `online` event, where there is one (not in Node, where tests run the adapter). */
const browserWindow = globalThis as Partial<EventTarget>;
const NOOP = (): void => undefined;
const roleName = (polite: boolean): string => (polite ? 'polite' : 'impolite');

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
  /** The relay URL with our id, and from the first welcome on, the role to ask for. */
  readonly #url: URL;
  readonly #Socket: WebSocketConstructor;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #subscribers = new Subscribers((delivery) => {
    this.#guard(delivery);
  });
  #resolveReady!: (value: { polite: boolean }) => void;
  #rejectReady!: (reason: unknown) => void;
  readonly #ready = new Promise<{ polite: boolean }>((resolve, reject) => {
    this.#resolveReady = resolve;
    this.#rejectReady = reject;
  });

  #socket: WebSocketLike | undefined;
  #socketState: SocketState = 'closed';
  #welcomed = false;
  #peerPresent = false;
  #announced: WebSocketSignalingStateEvent = { up: false, socket: 'closed', peerPresent: false };
  #polite: boolean | undefined;
  #closed = false;
  #attempt = 0;
  #pingId = 0;
  /** The liveness deadline while there is a socket, the reconnect wait while there is none. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(options: WebSocketSignalingOptions) {
    super();
    expectOption(isRecord(options), 'options', 'an object', options);
    let url = new URL('invalid:');
    try {
      url = new URL(options.url);
    } catch {
      // Not a URL: the check below names the option.
    }
    expectOption(
      /^wss?:$/.test(url.protocol) && NAME.test(url.searchParams.get('room') ?? ''),
      'url',
      `a ws:// or wss:// URL with \`?room=\` of ${NAME_TEXT}`,
      options.url,
    );
    const id = options.id ?? randomId();
    expectOption(typeof id === 'string' && NAME.test(id), 'id', NAME_TEXT, id);
    url.searchParams.set('id', id);
    this.id = id;
    this.#url = url;
    const ms = (
      key: TimingOption,
      fallback: number,
      ok: (value: number) => boolean,
      expected: string,
    ): number => {
      const value = options[key] ?? fallback;
      expectOption(Number.isFinite(value) && ok(value), key, `a finite number ${expected}`, value);
      return value;
    };
    const interval = (this.#intervalMs = ms('heartbeatIntervalMs', 1000, (v) => v >= 1, '>= 1'));
    this.#timeoutMs = ms(
      'heartbeatTimeoutMs',
      3000,
      (v) => v > interval,
      `> heartbeatIntervalMs (${interval})`,
    );
    const min = (this.#minDelayMs = ms('minReconnectDelayMs', 250, (v) => v >= 0, '>= 0'));
    this.#maxDelayMs = ms(
      'maxReconnectDelayMs',
      5000,
      (v) => v >= min,
      `>= minReconnectDelayMs (${min})`,
    );
    const Socket =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    expectOption(typeof Socket === 'function', 'WebSocket', 'a WebSocket class', Socket);
    this.#Socket = Socket as WebSocketConstructor;
    // Nobody has to call ready(); an early close() must not become an unhandled rejection.
    this.#ready.catch(NOOP);
    browserWindow.addEventListener?.('online', this.#onOnline);
    this.#connect();
  }

  /** The browser has a network again: reconnect now instead of at the end of the backoff. */
  readonly #onOnline = (): void => {
    this.#guard(() => {
      if (this.#socketState === 'open') return;
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
    if (this.isUp) this.#write({ type: 'signal', data: message });
  }

  /** Starts delivering messages and up/down changes to `handlers`. */
  subscribe(handlers: SignalingHandlers): () => void {
    return this.#subscribers.add(handlers);
  }

  /** Closes the socket for good: no reconnect, no timers, no listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    browserWindow.removeEventListener?.('online', this.#onOnline);
    this.#abandon(1000, 'closed');
    this.#commit();
    this.#rejectReady(
      new ResilientPeerError('closed', 'Closed before the relay welcomed this side.'),
    );
    this.#subscribers.clear();
    this.removeAllListeners();
  }

  #connect(): void {
    if (this.#closed) return;
    let socket: WebSocketLike;
    try {
      socket = new this.#Socket(this.#url.href);
    } catch (cause) {
      this.#fail('Could not create the WebSocket.', { cause });
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    this.#socketState = 'connecting';
    socket.onopen = () => {
      this.#guard(() => {
        this.#socketState = 'open';
        this.#heard();
        this.#heartbeat = setInterval(() => {
          this.#write({ type: 'ping', id: ++this.#pingId });
        }, this.#intervalMs);
        this.#commit();
      });
    };
    socket.onmessage = (event: { readonly data: unknown }) => {
      this.#guard(() => {
        this.#onFrame(event.data);
      });
    };
    socket.onclose = ({ code, reason }: { readonly code: number; readonly reason: string }) => {
      this.#guard(() => {
        this.#abandon();
        this.#commit();
        // Retrying cannot help: the URL is wrong, or another instance with our id took over.
        const stop =
          code === 4400
            ? `relay rejected the URL: ${reason}`
            : code === 4001
              ? 'another client with this id replaced us'
              : '';
        if (stop) {
          this.#fail(`Signaling stopped: ${stop}.`);
          this.close();
          return;
        }
        if (code === 4409) this.#fail('The room is full.');
        this.#scheduleReconnect();
      });
    };
    // 'close' always follows 'error', and says more. A no-op rather than null, also once the
    // socket is abandoned: Node's `ws` throws an 'error' event with no listener when closed while
    // connecting.
    socket.onerror = NOOP;
    this.#heard();
    this.#commit();
  }

  #onFrame(data: unknown): void {
    this.#heard();
    let frame: unknown;
    try {
      if (typeof data === 'string') frame = JSON.parse(data);
    } catch {
      // Not JSON: reported below.
    }
    let problem = 'relay frame is not a JSON object';
    if (isRecord(frame)) {
      problem = 'unexpected relay frame';
      switch (frame.type) {
        case 'pong':
          return;
        case 'welcome': {
          const { polite, peerPresent } = frame;
          if (typeof polite !== 'boolean' || typeof peerPresent !== 'boolean') {
            problem = 'welcome needs boolean `polite` and `peerPresent`';
            break;
          }
          this.#welcomed = true;
          this.#peerPresent = peerPresent;
          this.#attempt = 0;
          if (this.#polite === undefined) {
            this.#polite = polite;
            // Reconnects ask for this role back: after a relay restart the peers return in any order.
            this.#url.searchParams.set('role', roleName(polite));
            this.#resolveReady({ polite });
          }
          this.#guard(() => {
            this.emit('welcome', Object.freeze({ polite }));
          });
          if (polite !== this.#polite) {
            // Our role's slot was taken (e.g. by a new client while we were away); the roles are
            // now the same on both sides, which perfect negotiation cannot resolve.
            this.#fail(
              `The relay made this side ${roleName(polite)}; roles are fixed for a peer's lifetime.`,
            );
          }
          this.#commit();
          return;
        }
        case 'peer':
          if (typeof frame.present !== 'boolean') break;
          this.#peerPresent = frame.present;
          this.#commit();
          return;
        case 'signal':
          if (!('data' in frame) || !this.#welcomed) break;
          this.#subscribers.message(frame.data);
          return;
        case 'error':
          this.#fail(`Relay error: ${String(frame.message)}`);
          return;
      }
    }
    this.#report(new InvalidSignalError(problem, data));
  }

  /** The relay was heard from: restarts the wait after which the socket counts as dead. */
  #heard(): void {
    this.#after(this.#timeoutMs, () => {
      // close() on a blackholed socket may not fire 'close' for a long time; move on now.
      this.#abandon(4000, 'heartbeat timeout');
      this.#commit();
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delayMs = reconnectDelayMs(
      this.#attempt++,
      this.#minDelayMs,
      this.#maxDelayMs,
      Math.random(),
    );
    this.#after(delayMs, () => {
      this.#connect();
    });
  }

  /** Runs `fn` after `delayMs` on the one timer, replacing whatever was on it. */
  #after(delayMs: number, fn: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#guard(fn);
    }, delayMs);
  }

  /** Detaches from the current socket and closes it; state must be committed afterwards. */
  #abandon(code?: number, reason?: string): void {
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketState = 'closed';
    this.#welcomed = this.#peerPresent = false;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      if (code) socket.close(code, reason);
    } catch {
      // Already closing; nothing more to do.
    }
  }

  #write(frame: object): void {
    try {
      this.#socket?.send(JSON.stringify(frame));
    } catch (cause) {
      this.#fail('Could not send on the WebSocket.', { cause });
    }
  }

  /** Announces a state change, once per change, after all fields are set. */
  #commit(): void {
    const previous = this.#announced;
    const next: WebSocketSignalingStateEvent = Object.freeze({
      up: this.#socketState === 'open' && this.#welcomed && this.#peerPresent,
      socket: this.#socketState,
      peerPresent: this.#peerPresent,
    });
    if (
      next.up === previous.up &&
      next.socket === previous.socket &&
      next.peerPresent === previous.peerPresent
    ) {
      return;
    }
    this.#announced = next;
    if (next.up !== previous.up) {
      this.#subscribers.changed(next.up);
    }
    this.emit('state', next);
  }

  #fail(message: string, options?: { cause: unknown }): void {
    this.#report(new ResilientPeerError('signaling-failed', message, options));
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

type TimingOption = Extract<keyof WebSocketSignalingOptions, `${string}Ms`>;

function randomId(): string {
  // getRandomValues, unlike randomUUID, also works outside secure contexts (http:// on a LAN).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
