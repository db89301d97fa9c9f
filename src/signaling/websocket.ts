// The WebSocket signaling adapter for the reference relay (src/relay/relay.ts). One socket at a
// time (relay-socket.ts) with its own heartbeat; after losing it, the adapter waits until the relay
// answers a plain request (reachability.ts) and then connects at once, never leaving a WebSocket
// handshake pending across an outage. Up means the socket is open, the relay welcomed it, and the
// remote peer is present.

import EventEmitter from 'eventemitter3';
import { browserEnv, watchPage, type Env } from '../env.js';
import { InvalidSignalError, ResilientPeerError } from '../errors.js';
import type { SignalingChannel, SignalingHandlers } from './channel.js';
import type { SignalingMessage } from './messages.js';
import { Reconnector } from './reconnect.js';
import { Role } from './role.js';
import { CLOSE_CODES, formatConn, parseRelayFrame } from './relay-protocol.js';
import { RelaySocket } from './relay-socket.js';
import { Subscribers } from './subscribers.js';
import {
  resolveOptions,
  type SocketState,
  type Timing,
  type WebSocketConstructor,
  type WebSocketSignalingEvents,
  type WebSocketSignalingOptions,
  type WebSocketSignalingStateEvent,
} from './websocket-options.js';

/** A handshake pending this long when the network is known to work again counts as stuck. */
const STUCK_CONNECT_MS = 1000;

/** Most messages kept for the first subscriber when they arrive before anyone subscribed. */
const MAX_EARLY_MESSAGES = 64;

/** A SignalingChannel over the reference relay, reconnecting by itself until closed. */
export class WebSocketSignaling
  extends EventEmitter<WebSocketSignalingEvents>
  implements SignalingChannel
{
  /** This client's id in the relay's room. */
  readonly id: string;
  /** The relay URL with our id, this connect's `conn`, and from the first welcome on, our role. */
  readonly #url: URL;
  readonly #env: Env;
  readonly #Socket: WebSocketConstructor;
  readonly #timing: Timing;
  readonly #reconnector: Reconnector;
  readonly #subscribers = new Subscribers((delivery) => {
    this.#guard(delivery);
  });
  /** Messages that came before anyone subscribed, for the first subscriber. */
  readonly #early: unknown[] = [];
  readonly #unwatchPage: () => void;
  readonly #role: Role;
  /**
   * Tells this instance's sockets from another's with our id (`conn=` nonce); with the number of
   * connects so far, lets the relay turn away a late handshake of a socket we already gave up.
   */
  readonly #nonce: string;
  #connects = 0;
  #socket: RelaySocket | null = null;
  #welcomed = false;
  #peerPresent = false;
  #announced: WebSocketSignalingStateEvent = { up: false, socket: 'closed', peerPresent: false };
  #closed = false;

  constructor(options: WebSocketSignalingOptions);
  /** @internal */
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- the second one is stripped from the public types
  constructor(options: WebSocketSignalingOptions, env: Env);
  constructor(options: WebSocketSignalingOptions, env: Env = browserEnv()) {
    super();
    const { url, timing, Socket } = resolveOptions(options);
    const id = options.id ?? randomHex(env, 24);
    url.searchParams.set('id', id);
    this.id = id;
    this.#nonce = randomHex(env, 12);
    this.#url = url;
    this.#role = new Role(url);
    this.#env = env;
    this.#timing = timing;
    this.#Socket = Socket;
    this.#reconnector = new Reconnector(url, env, timing, () => {
      this.#guard(() => {
        this.#connectUnlessUnderWay('relay reachable');
      });
    });
    // The page's network events: a lost link (Wi-Fi gone) kills the socket for sure; when the
    // network comes back the browser has just dropped its pending connects, so connect at once.
    const guard = (work: () => void): void => {
      this.#guard(work);
    };
    this.#unwatchPage = watchPage(
      env,
      {
        offline: () => {
          this.#reconnector.stop();
          if (this.#socket !== null) this.#lose('the browser went offline');
        },
        online: () => {
          if (this.#socket?.state === 'open') {
            this.#socket.verify();
            return;
          }
          this.#connectNow('network back');
        },
        connectionChange: () => {
          if (this.#socket?.state === 'open') this.#socket.verify();
        },
      },
      guard,
    );
    this.#connect(true);
  }

  /** Whether a message sent now reaches the remote peer (open, welcomed, peer present). */
  get isUp(): boolean {
    return this.#announced.up;
  }

  /** This side's role from the relay's first welcome; undefined until then. */
  get polite(): boolean | undefined {
    return this.#role.polite;
  }

  /** The socket's state; 'closed' between connects and after `close()`. */
  get state(): SocketState {
    return this.#socket?.state ?? 'closed';
  }

  /** Resolves on the relay's first welcome; rejects if `close()` comes first. */
  ready(): Promise<{ polite: boolean }> {
    return this.#role.ready;
  }

  /**
   * Sends one message to the remote peer; dropped while the channel is down. Every send also
   * verifies the socket: the call needs this message delivered, and a socket whose path died
   * (a vanished local address, a blackhole) looks open until the heartbeat times out, seconds
   * later. The relay's pong comes back within a round trip, or the socket is given up.
   */
  send(message: SignalingMessage): void {
    const socket = this.isUp ? this.#socket : null;
    if (socket?.send({ type: 'signal', data: message }) === true) socket.verify();
  }

  /**
   * Starts delivering messages and up/down changes to `handlers`. Messages that arrived before
   * anyone subscribed go to the first subscriber, so setting up after `ready()` loses nothing.
   */
  subscribe(handlers: SignalingHandlers): () => void {
    const unsubscribe = this.#subscribers.add(handlers);
    const early = this.#early.splice(0);
    if (early.length > 0) {
      queueMicrotask(() => {
        for (const data of early) {
          this.#guard(() => {
            handlers.message(data);
          });
        }
      });
    }
    return unsubscribe;
  }

  /**
   * resilient-peer calls this when the remote stopped answering, or when the call's media path
   * came back while signaling was down. An open socket is verified: if the relay does not answer
   * a ping within a few round trips, it is dead without knowing it, and starts over. Without one,
   * the network most likely works again: connect now rather than after the probe or the backoff
   * (after a long blackhole Chromium's probes wait behind its own stuck connects). A handshake
   * already under way is left alone unless it has been pending for STUCK_CONNECT_MS: then it most
   * likely waits in the kernel's SYN backoff from before the path returned.
   */
  reconnect(): void {
    if (this.#closed) return;
    if (this.#socket?.state === 'open') {
      this.#socket.verify();
      return;
    }
    this.#reconnector.stop();
    this.#connectUnlessUnderWay('network back');
  }

  /** Closes the socket for good: no reconnect, no timers, no listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatchPage();
    this.#reconnector.stop();
    this.#drop(CLOSE_CODES.normal, 'closed');
    this.#role.abandon();
    this.#subscribers.clear();
    this.removeAllListeners();
  }

  /** Opens a socket; `first` (in the constructor) throws what the WebSocket constructor throws. */
  #connect(first = false): void {
    if (this.#closed) return;
    try {
      this.#socket = new RelaySocket(this.#Socket, this.#nextUrl(), this.#env, this.#timing, {
        opened: () => {
          this.#commit();
        },
        frame: (data) => {
          this.#onFrame(data);
        },
        lost: (code, reason) => {
          this.#onLost(code, reason);
        },
        fail: (message, cause) => {
          this.#fail(message, cause);
        },
        guard: (work) => {
          this.#guard(work);
        },
      });
    } catch (cause) {
      // Nobody could listen for an `error` event yet: the app gets the exception itself.
      if (first) throw cause;
      this.#fail('Could not create the WebSocket.', cause);
      this.#reconnector.refused();
      this.#reconnector.lost();
      return;
    }
    this.#commit();
  }

  /** The URL for the next connect: numbered, so the relay can put late handshakes in order. */
  #nextUrl(): string {
    this.#connects += 1;
    const conn = formatConn({ nonce: this.#nonce, counter: this.#connects });
    this.#url.searchParams.set('conn', conn);
    return this.#url.href;
  }

  /**
   * Opens a new socket unless one is open or a handshake under way is young enough to wait for.
   * The reconnector's probing goes on (it calls this itself while probes time out).
   */
  #connectUnlessUnderWay(reason: string): void {
    const socket = this.#socket;
    if (socket?.state === 'open') return;
    if (socket?.state === 'connecting' && this.#env.now() - socket.createdAt < STUCK_CONNECT_MS) {
      return;
    }
    this.#drop(CLOSE_CODES.startOver, reason);
    this.#connect();
  }

  /** Gives up the socket and any connect that was due, and connects at once. */
  #connectNow(reason: string): void {
    this.#reconnector.stop();
    this.#drop(CLOSE_CODES.startOver, reason);
    this.#connect();
  }

  #onLost(code: number | null, reason: string): void {
    const welcomed = this.#welcomed;
    this.#drop();
    // Retrying cannot help: the URL is wrong, or another instance with our id took over. Not so
    // `stale`: the relay sends it to a connect older than another of ours, and every socket we
    // give up is detached (RelaySocket.close), so it cannot reach us from our current socket
    // unless something is off (another instance drew our nonce). Then it is an ordinary refused
    // connect, retried with backoff until ours is the newest, and nothing the app can act on.
    if (code === CLOSE_CODES.badQuery || code === CLOSE_CODES.replaced) {
      const why =
        code === CLOSE_CODES.badQuery
          ? `relay rejected the URL: ${reason}`
          : 'another client with this id replaced us';
      this.#fail(`Signaling stopped: ${why}.`);
      this.close();
      return;
    }
    if (code === CLOSE_CODES.roomFull) this.#fail('The room is full.');
    // A connect the reachable relay closed before welcoming us counts towards backoff.
    if (!welcomed && code !== null) this.#reconnector.refused();
    this.#reconnector.lost();
  }

  /** Gives the socket up as dead (no close handshake can cross a dead path) and starts over. */
  #lose(reason: string): void {
    this.#drop(CLOSE_CODES.startOver, reason);
    this.#reconnector.lost();
  }

  #onFrame(data: unknown): void {
    const frame = parseRelayFrame(data);
    if (typeof frame === 'string') {
      this.#report(new InvalidSignalError(frame, data));
      return;
    }
    switch (frame.type) {
      case 'pong':
        this.#socket?.pong(frame.id);
        return;
      case 'welcome':
        this.#onWelcome(frame.polite, frame.peerPresent);
        return;
      case 'peer':
        this.#peerPresent = frame.present;
        this.#commit();
        if (!frame.present && frame.left) this.#subscribers.left();
        return;
      case 'signal':
        if (!this.#welcomed) return;
        if (this.#subscribers.size > 0) this.#subscribers.message(frame.data);
        else if (this.#early.length < MAX_EARLY_MESSAGES) this.#early.push(frame.data);
        return;
      case 'error':
        this.#fail(`Relay error: ${frame.message}`);
    }
  }

  #onWelcome(polite: boolean, peerPresent: boolean): void {
    this.#welcomed = true;
    this.#peerPresent = peerPresent;
    this.#reconnector.welcomed();
    const contradiction = this.#role.welcomed(polite);
    this.#guard(() => {
      this.emit('welcome', Object.freeze({ polite }));
    });
    if (contradiction !== null) this.#report(contradiction);
    this.#commit();
  }

  /** Gives up the current socket (if any) and announces the change. */
  #drop(code?: number, reason?: string): void {
    this.#socket?.close(code, reason);
    this.#socket = null;
    this.#welcomed = this.#peerPresent = false;
    this.#commit();
  }

  /** Announces a state change, once per change, after all fields are set. */
  #commit(): void {
    const previous = this.#announced;
    const socket = this.state;
    const next: WebSocketSignalingStateEvent = Object.freeze({
      up: socket === 'open' && this.#welcomed && this.#peerPresent,
      socket,
      peerPresent: this.#peerPresent,
    });
    const same =
      next.up === previous.up &&
      next.socket === previous.socket &&
      next.peerPresent === previous.peerPresent;
    if (same) return;
    this.#announced = next;
    if (next.up !== previous.up) this.#subscribers.changed(next.up);
    this.emit('state', next);
  }

  #fail(message: string, cause?: unknown): void {
    this.#report(
      new ResilientPeerError(
        'signaling-failed',
        message,
        cause === undefined ? undefined : { cause },
      ),
    );
  }

  #report(error: ResilientPeerError): void {
    try {
      this.emit('error', Object.freeze({ error }));
    } catch {
      // An error listener threw; there is nowhere left to report it without escaping a handler.
    }
  }

  #guard(work: () => void): void {
    try {
      work();
    } catch (cause) {
      this.#report(
        cause instanceof ResilientPeerError
          ? cause
          : new ResilientPeerError('internal', 'A WebSocketSignaling handler threw.', { cause }),
      );
    }
  }
}

function randomHex(env: Env, digits: number): string {
  return Array.from({ length: digits }, () => Math.floor(env.random() * 16).toString(16)).join('');
}
