// Tests of WebSocketSignaling: against the real relay over 127.0.0.1 with Node's `ws` class
// injected, and against a stub socket where the point is bookkeeping (timers, bad frames).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { attachRelay, type Relay } from '../../relay/relay.js';
import type { ResilientPeerError } from '../errors';
import {
  WebSocketSignaling,
  type WebSocketLike,
  type WebSocketSignalingOptions,
  type WebSocketSignalingStateEvent,
} from './websocket';

const FAST = {
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMs: 400,
  minReconnectDelayMs: 20,
  maxReconnectDelayMs: 150,
} as const;

/** Resolves with the first state (current or future) that satisfies `predicate` on `up`/`socket`. */
function waitForState(
  signaling: WebSocketSignaling,
  predicate: (state: WebSocketSignalingStateEvent) => boolean,
  timeoutMs = 3000,
): Promise<WebSocketSignalingStateEvent> {
  const current = { up: signaling.isUp, socket: signaling.state, peerPresent: signaling.isUp };
  if (predicate(current)) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signaling.off('state', listener);
      reject(new Error(`state not reached within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (state: WebSocketSignalingStateEvent): void => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      signaling.off('state', listener);
      resolve(state);
    };
    signaling.on('state', listener);
  });
}

const isUp = (s: WebSocketSignalingStateEvent): boolean => s.up;
const isDown = (s: WebSocketSignalingStateEvent): boolean => !s.up;

/** Records up/down calls and messages as a subscriber sees them. */
function record(signaling: WebSocketSignaling): { log: string[]; messages: unknown[] } {
  const log: string[] = [];
  const messages: unknown[] = [];
  signaling.subscribe({
    message: (data) => messages.push(data),
    up: () => log.push('up'),
    down: () => log.push('down'),
  });
  return { log, messages };
}

describe('WebSocketSignaling with the relay', () => {
  let server: Server;
  let relay: Relay;
  let port = 0;
  const opened: WebSocketSignaling[] = [];

  async function startRelay(): Promise<void> {
    server = createServer();
    relay = attachRelay(server, { heartbeatTimeoutMs: 60_000 });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  async function stopRelay(): Promise<void> {
    await relay.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  function open(id: string, options: Partial<WebSocketSignalingOptions> = {}): WebSocketSignaling {
    const signaling = new WebSocketSignaling({
      url: `ws://127.0.0.1:${port}/signal?room=test`,
      id,
      WebSocket,
      ...FAST,
      ...options,
    });
    opened.push(signaling);
    return signaling;
  }

  beforeEach(async () => {
    port = 0;
    await startRelay();
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) s.close();
    await stopRelay();
  });

  it('goes up when the other peer joins and down when it leaves', async () => {
    const a = open('a');
    const seen = record(a);
    expect(await a.ready()).toEqual({ polite: false });
    expect(a.isUp).toBe(false);
    expect(a.state).toBe('open');
    const b = open('b');
    expect(await b.ready()).toEqual({ polite: true });
    await waitForState(a, isUp);
    expect(b.isUp).toBe(true);
    b.close();
    await waitForState(a, isDown);
    expect(seen.log).toEqual(['up', 'down']);
    expect(a.polite).toBe(false);
  });

  it('delivers what one side sends to the other side subscribers', async () => {
    const a = open('a');
    const b = open('b');
    const atB = record(b);
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    const message = {
      kind: 'candidate',
      candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
    } as const;
    const arrived = new Promise((resolve) =>
      b.subscribe({ message: resolve, up: vi.fn(), down: vi.fn() }),
    );
    a.send(message);
    expect(await arrived).toEqual(message);
    expect(atB.messages).toEqual([message]);
  });

  it('notices a blackholed socket by its heartbeat, then reconnects when the path returns', async () => {
    const a = open('a');
    const b = open('b');
    const seen = record(a);
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    const silencedAt = performance.now();
    relay.setSilent('a', true);
    await waitForState(a, isDown);
    const detectedMs = performance.now() - silencedAt;
    expect(detectedMs).toBeGreaterThanOrEqual(
      FAST.heartbeatTimeoutMs - FAST.heartbeatIntervalMs - 20,
    );
    expect(detectedMs).toBeLessThan(FAST.heartbeatTimeoutMs + 300);
    relay.setSilent('a', false);
    await waitForState(a, isUp);
    await waitForState(b, isUp);
    expect(seen.log).toEqual(['up', 'down', 'up']);
    expect(a.polite).toBe(false);
  });

  it('reconnects after the relay restarts, keeping both roles', async () => {
    const a = open('a');
    const b = open('b', { minReconnectDelayMs: 0, maxReconnectDelayMs: 0 });
    const errors: ResilientPeerError[] = [];
    a.on('error', ({ error }) => errors.push(error));
    b.on('error', ({ error }) => errors.push(error));
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    await stopRelay();
    await Promise.all([waitForState(a, isDown), waitForState(b, isDown)]);
    expect(a.state).not.toBe('open');
    await startRelay();
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    const arrived = new Promise((resolve) =>
      a.subscribe({ message: resolve, up: vi.fn(), down: vi.fn() }),
    );
    b.send({ kind: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
    expect(await arrived).toMatchObject({ kind: 'description' });
    // b (polite) came back first, so without the role hint it would have been made impolite.
    expect([a.polite, b.polite, errors]).toEqual([false, true, []]);
  });

  it('stops for good when another instance takes over its id', async () => {
    const first = open('a');
    await first.ready();
    const errors: ResilientPeerError[] = [];
    first.on('error', ({ error }) => errors.push(error));
    const closed = waitForState(first, (s) => s.socket === 'closed');
    open('a');
    await closed;
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/replaced/)]);
    await new Promise((resolve) => setTimeout(resolve, FAST.maxReconnectDelayMs * 2));
    expect(first.state).toBe('closed');
  });

  it('reports a full room and keeps retrying until a slot frees', async () => {
    open('a');
    const b = open('b');
    await b.ready();
    const c = open('c');
    const error = await new Promise<ResilientPeerError>((resolve) =>
      c.once('error', (e) => {
        resolve(e.error);
      }),
    );
    expect(error.message).toMatch(/full/);
    b.close();
    expect(await c.ready()).toEqual({ polite: true });
  });
});

/** A socket that does nothing by itself; tests drive its events. */
class StubSocket implements WebSocketLike {
  static readonly made: StubSocket[] = [];
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  readonly sent: unknown[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {
    StubSocket.made.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({} as never);
  }

  receive(frame: unknown): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.({ data } as never);
  }
}

describe('WebSocketSignaling bookkeeping', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    StubSocket.made.length = 0;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function stubbed(): { signaling: WebSocketSignaling; socket: StubSocket } {
    const signaling = new WebSocketSignaling({
      url: 'ws://relay.test/signal?room=r',
      id: 'me',
      WebSocket: StubSocket,
    });
    const socket = StubSocket.made.at(-1);
    if (!socket) throw new Error('no socket was made');
    return { signaling, socket };
  }

  it('puts its id in the URL and pings only while open', () => {
    const { socket } = stubbed();
    expect(new URL(socket.url).searchParams.get('id')).toBe('me');
    vi.advanceTimersByTime(1500);
    expect(socket.sent).toEqual([]);
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    vi.advanceTimersByTime(2000);
    expect(socket.sent).toEqual([
      { type: 'ping', id: 1 },
      { type: 'ping', id: 2 },
    ]);
  });

  it('leaves no timer, listener or reconnect behind after close', async () => {
    const { signaling, socket } = stubbed();
    const seen = record(signaling);
    socket.open();
    socket.receive({ type: 'welcome', polite: true, peerPresent: true });
    expect(signaling.isUp).toBe(true);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    signaling.close();
    signaling.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(socket.closedWith).toBe(1000);
    expect(socket.onmessage).toBeNull();
    expect(signaling.listenerCount('state')).toBe(0);
    expect(seen.log).toEqual(['up', 'down']);
    vi.advanceTimersByTime(60_000);
    expect(StubSocket.made).toHaveLength(1);
    expect(signaling.state).toBe('closed');
    await expect(signaling.ready()).resolves.toEqual({ polite: true });
  });

  it('rejects ready() when closed before any welcome', async () => {
    const { signaling } = stubbed();
    signaling.close();
    await expect(signaling.ready()).rejects.toMatchObject({ code: 'closed' });
  });

  it('reconnects with growing delays while the relay is unreachable', () => {
    const { socket } = stubbed();
    vi.advanceTimersByTime(3000);
    expect(socket.closedWith).toBe(4000);
    expect(StubSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(StubSocket.made).toHaveLength(2);
    vi.advanceTimersByTime(3000 + 1000);
    expect(StubSocket.made).toHaveLength(3);
  });

  it('counts the socket dead only after heartbeatTimeoutMs without any frame', () => {
    const { signaling, socket } = stubbed();
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    for (let i = 0; i < 5; i += 1) {
      vi.advanceTimersByTime(2500);
      socket.receive({ type: 'pong', id: i + 1 });
    }
    expect(socket.closedWith).toBeUndefined();
    expect(signaling.isUp).toBe(true);
    vi.advanceTimersByTime(2999);
    expect(socket.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(socket.closedWith).toBe(4000);
    expect(signaling.isUp).toBe(false);
    expect(signaling.state).toBe('closed');
  });

  it('reconnects at once on `online` while not open, and stops listening on close', () => {
    const listeners = new Map<string, () => void>();
    const host = globalThis as Partial<EventTarget>;
    host.addEventListener = (type: string, listener: unknown) => {
      listeners.set(type, listener as () => void);
    };
    host.removeEventListener = (type: string) => {
      listeners.delete(type);
    };
    try {
      const { signaling, socket } = stubbed();
      vi.advanceTimersByTime(1000);
      listeners.get('online')?.();
      expect(socket.closedWith).toBe(4000);
      expect(StubSocket.made).toHaveLength(2);
      vi.advanceTimersByTime(3000);
      expect(StubSocket.made).toHaveLength(2);
      listeners.get('online')?.();
      expect(StubSocket.made).toHaveLength(3);
      const third = StubSocket.made[2];
      third?.open();
      listeners.get('online')?.();
      expect(StubSocket.made).toHaveLength(3);
      expect(third?.closedWith).toBeUndefined();
      signaling.close();
      expect(listeners.has('online')).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      delete host.addEventListener;
      delete host.removeEventListener;
    }
  });

  it('turns malformed frames and throwing subscribers into error events', () => {
    const { signaling, socket } = stubbed();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    signaling.subscribe({
      message: () => {
        throw new Error('app bug');
      },
      up: vi.fn(),
      down: vi.fn(),
    });
    socket.open();
    expect(() => {
      socket.receive('{oops');
      socket.receive({ type: 'welcome', polite: 'yes' });
      socket.receive({ type: 'teleport' });
      socket.receive({ type: 'error', message: 'no peer in room' });
      socket.receive({ type: 'welcome', polite: false, peerPresent: true });
      socket.receive({ type: 'signal', data: { kind: 'x' } });
    }).not.toThrow();
    expect(errors).toEqual([
      expect.stringMatching(/not a JSON object/),
      expect.stringMatching(/welcome needs/),
      expect.stringMatching(/unexpected relay frame/),
      'Relay error: no peer in room',
      'A WebSocketSignaling handler threw.',
    ]);
    expect(signaling.isUp).toBe(true);
  });

  it('reports a role the relay changed between welcomes and keeps the first', () => {
    const { signaling, socket } = stubbed();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: false });
    socket.onclose?.({ code: 1006, reason: '' } as never);
    vi.advanceTimersByTime(5000);
    const next = StubSocket.made.at(-1);
    next?.open();
    next?.receive({ type: 'welcome', polite: true, peerPresent: false });
    expect(errors).toEqual([expect.stringMatching(/roles are fixed/)]);
    expect(signaling.polite).toBe(false);
  });

  it('names the option that is wrong', () => {
    const make = (options: Partial<WebSocketSignalingOptions>) => () =>
      new WebSocketSignaling({ url: 'ws://h/signal?room=r', WebSocket: StubSocket, ...options });
    expect(make({ url: 'http://h/?room=r' })).toThrow(/`url`/);
    expect(make({ url: 'ws://h/signal' })).toThrow(/room/);
    expect(make({ id: 'has space' })).toThrow(/`id`/);
    expect(make({ heartbeatIntervalMs: -1 })).toThrow(/`heartbeatIntervalMs`/);
    expect(make({ heartbeatTimeoutMs: 500 })).toThrow(/`heartbeatTimeoutMs`/);
    expect(make({ maxReconnectDelayMs: 10 })).toThrow(/`maxReconnectDelayMs`/);
    expect(make({ WebSocket: undefined })).toThrow(/`WebSocket`/);
  });
});
