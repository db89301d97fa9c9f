// One WebSocket to the relay, from connecting to gone: its heartbeat (pings while open), the
// deadline after which silence means it is dead (a browser WebSocket does not notice a
// blackholed path), a quick self-check on demand, and detaching from it when it is given up.

import type { Env, Timer } from '../env.js';
import type { ClientFrame } from './relay-protocol.js';
import { CLOSE_CODES } from './relay-protocol.js';
import type {
  SocketState,
  Timing,
  WebSocketConstructor,
  WebSocketLike,
} from './websocket-options.js';

/**
 * The least a verify waits for the relay's pong. A lost ping or pong costs TCP a retransmission
 * timeout (Linux: about the round trip plus 200 ms), so one loss delays the pong to about two
 * round trips plus 200 ms; max(600 ms, four round trips) stays above that at any round trip, with
 * room for a page that handles the pong late. At 250 ms a lossy Wi-Fi link or a loaded machine
 * gave up live sockets, each false give-up costing a reconnect and the messages in flight.
 */
export const VERIFY_MIN_MS = 600;

/** What the socket tells its owner. */
export interface RelaySocketHooks {
  readonly opened: () => void;
  readonly frame: (data: unknown) => void;
  /** The socket is gone: the relay closed it (`code`), or it was given up as dead (null). */
  readonly lost: (code: number | null, reason: string) => void;
  readonly fail: (message: string, cause?: unknown) => void;
  readonly guard: (work: () => void) => void;
}

/** See the file comment. */
export class RelaySocket {
  readonly #socket: WebSocketLike;
  readonly #env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly #timing: Timing;
  readonly #hooks: RelaySocketHooks;
  /** When the socket was made (`env.now()`). */
  readonly createdAt: number;
  #state: SocketState = 'connecting';
  #deadline: Timer;
  #beat: Timer;
  #pingId = 0;
  #pingSentAt = 0;
  #rttMs: number | null = null;
  /** A verify() waits for the relay: another one must not push its deadline out. */
  #verifying = false;

  /** Connects at once; throws what the WebSocket constructor throws. */
  constructor(
    Socket: WebSocketConstructor,
    url: string,
    env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>,
    timing: Timing,
    hooks: RelaySocketHooks,
  ) {
    this.#env = env;
    this.#timing = timing;
    this.#hooks = hooks;
    this.createdAt = env.now();
    const socket = new Socket(url);
    this.#socket = socket;
    socket.onopen = () => {
      hooks.guard(() => {
        this.#state = 'open';
        this.#heard();
        this.#beatLater();
        hooks.opened();
      });
    };
    socket.onmessage = (event: { readonly data: unknown }) => {
      hooks.guard(() => {
        this.#heard();
        hooks.frame(event.data);
      });
    };
    socket.onclose = ({ code, reason }: { readonly code: number; readonly reason: string }) => {
      hooks.guard(() => {
        this.close();
        hooks.lost(code, reason);
      });
    };
    // 'close' always follows 'error', and says more. A no-op rather than null, also once the
    // socket is given up: Node's `ws` throws an 'error' event with no listener when closed while
    // connecting.
    socket.onerror = () => undefined;
    this.#heard(); // bounds connecting too
  }

  get state(): SocketState {
    return this.#state;
  }

  /** The last ping's answer time, smoothed; null before one came back. */
  get rttMs(): number | null {
    return this.#rttMs;
  }

  /** Sends `frame`; false (and reported) when the socket threw. */
  send(frame: ClientFrame): boolean {
    try {
      this.#socket.send(JSON.stringify(frame));
      return true;
    } catch (cause) {
      this.#hooks.fail('Could not send on the WebSocket.', cause);
      return false;
    }
  }

  /** A pong arrived with `id`. */
  pong(id: unknown): void {
    if (id !== this.#pingId) return;
    const sample = this.#env.now() - this.#pingSentAt;
    this.#rttMs = this.#rttMs === null ? sample : 0.8 * this.#rttMs + 0.2 * sample;
  }

  /**
   * Pings now; if the relay does not answer within four round trips (VERIFY_MIN_MS at least), the
   * socket is given up.
   * While one verify waits, more calls change nothing (a burst of sends must not postpone it).
   */
  verify(): void {
    if (this.#state !== 'open' || this.#verifying) return;
    this.#verifying = true;
    this.#ping();
    const { heartbeatTimeoutMs } = this.#timing;
    const verifyMs = Math.min(heartbeatTimeoutMs, Math.max(VERIFY_MIN_MS, 4 * (this.#rttMs ?? 0)));
    this.#armDeadline(verifyMs, 'no answer from the relay');
  }

  /** Detaches and closes; nothing more is reported. Idempotent. */
  close(code?: number, reason?: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#env.clearTimeout(this.#deadline);
    this.#env.clearTimeout(this.#beat);
    const socket = this.#socket;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      if (code !== undefined) socket.close(code, reason);
    } catch {
      // Already closing; nothing more to do.
    }
  }

  #ping(): void {
    this.#pingSentAt = this.#env.now();
    this.send({ type: 'ping', id: ++this.#pingId });
  }

  #beatLater(): void {
    this.#beat = this.#env.setTimeout(() => {
      this.#hooks.guard(() => {
        if (this.#state !== 'open') return;
        this.#ping();
        this.#beatLater();
      });
    }, this.#timing.heartbeatIntervalMs);
  }

  /** The relay was heard from: restarts the wait after which the socket counts as dead. */
  #heard(): void {
    this.#verifying = false;
    this.#armDeadline(this.#timing.heartbeatTimeoutMs, 'heartbeat timeout');
  }

  #armDeadline(delayMs: number, reason: string): void {
    this.#env.clearTimeout(this.#deadline);
    this.#deadline = this.#env.setTimeout(() => {
      this.#hooks.guard(() => {
        // close() on a blackholed socket may not fire 'close' for a long time; move on now.
        this.close(CLOSE_CODES.startOver, reason);
        this.#hooks.lost(null, reason);
      });
    }, delayMs);
  }
}
