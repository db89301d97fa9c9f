// Tests of WebSocketSignaling: against the real relay over 127.0.0.1 with Node's `ws` class
// injected (real time, the browser environment), and against a stub socket on a FakeEnv where the
// point is bookkeeping (timers, reconnects, probes, page events, bad frames).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ResilientPeerError } from '../../../src/errors.js';
import { attachTestRelay, type TestRelay } from '../../../src/relay/testing.js';
import type { SignalingMessage } from '../../../src/signaling/messages.js';
import { VERIFY_MIN_MS } from '../../../src/signaling/relay-socket.js';
import { WebSocketSignaling } from '../../../src/signaling/websocket.js';
import type {
  WebSocketConstructor,
  WebSocketSignalingOptions,
  WebSocketSignalingStateEvent,
} from '../../../src/signaling/websocket-options.js';
import { FakeEnv, settle } from '../../support/fake-env.js';
import { BLIND_AFTER_MS } from '../../../src/signaling/reachability.js';
import { fakeFetch } from '../../support/fake-fetch.js';
import { recordSignaling, recordSubscriber } from '../../support/recorder.js';
import { stubSocketClass } from '../../support/stub-websocket.js';
import { sleep } from '../../support/wait.js';

const FAST = {
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMs: 400,
  minReconnectDelayMs: 20,
  maxReconnectDelayMs: 150,
  probeIntervalMs: 50,
} as const;

const CANDIDATE: SignalingMessage = {
  kind: 'candidate',
  candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
};

/** Resolves with the first state (current or future) that satisfies `predicate`. */
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

/** Resolves with the next message a new subscriber of `signaling` receives. */
function nextMessage(signaling: WebSocketSignaling): Promise<unknown> {
  return new Promise((resolve) => {
    const unsubscribe = signaling.subscribe({
      message: (data) => {
        unsubscribe();
        resolve(data);
      },
      up: () => undefined,
      down: () => undefined,
    });
  });
}

describe('WebSocketSignaling with the relay', () => {
  let server: Server;
  let relay: TestRelay;
  let port = 0;
  const opened: WebSocketSignaling[] = [];

  async function startRelay(): Promise<void> {
    // The relay's HTTP server answers the adapter's reachability probes, as the demo's does.
    server = createServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    relay = attachTestRelay(server, { heartbeatTimeoutMs: 300 });
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

  it('goes up when the other peer joins, and down and `left` when it closes', async () => {
    const a = open('a');
    const seen = recordSubscriber(a);
    expect(await a.ready()).toEqual({ polite: false });
    expect(a.isUp).toBe(false);
    expect(a.state).toBe('open');
    const b = open('b');
    expect(await b.ready()).toEqual({ polite: true });
    await waitForState(a, isUp);
    expect(b.isUp).toBe(true);
    b.close();
    await waitForState(a, isDown);
    expect(seen.log).toEqual(['up', 'down', 'left']);
    expect(a.polite).toBe(false);
  });

  it('goes down without `left` when the other peer vanishes', async () => {
    const a = open('a');
    const b = open('b');
    const seen = recordSubscriber(a);
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    // b's path dies: the relay drops it after its heartbeat timeout and tells a it vanished.
    relay.setSilent('b', true);
    await waitForState(a, isDown);
    expect(seen.log).toEqual(['up', 'down']);
  });

  it('delivers what one side sends to the other side subscribers', async () => {
    const a = open('a');
    const b = open('b');
    const atB = recordSubscriber(b);
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    const arrived = nextMessage(b);
    a.send(CANDIDATE);
    expect(await arrived).toEqual(CANDIDATE);
    expect(atB.messages).toEqual([CANDIDATE]);
  });

  it('notices a blackholed socket by its heartbeat, then reconnects when the path returns', async () => {
    const a = open('a');
    const b = open('b');
    const seen = recordSubscriber(a);
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
    const arrived = nextMessage(a);
    b.send({ kind: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
    expect(await arrived).toMatchObject({ kind: 'description' });
    // b (polite) may come back first; without the role hint it would be made impolite.
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
    expect(errors.map((e) => e.message)).toEqual([
      'Signaling stopped: another client with this id replaced us.',
    ]);
    await sleep(FAST.maxReconnectDelayMs * 2);
    expect(first.state).toBe('closed');
  });

  it('keeps its socket when a handshake it gave up reaches the relay late', async () => {
    const urls: string[] = [];
    class Recording extends WebSocket {
      constructor(url: string) {
        super(url);
        urls.push(url);
      }
    }
    const a = open('a', { WebSocket: Recording });
    const b = open('b');
    const errors: ResilientPeerError[] = [];
    a.on('error', ({ error }) => errors.push(error));
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    relay.reset();
    await waitForState(a, isDown);
    await Promise.all([waitForState(a, isUp), waitForState(b, isUp)]);
    expect(urls).toHaveLength(2);
    const atB = recordSubscriber(b);
    // a's first handshake, as a transport that held it back would deliver it now.
    const late = new WebSocket(urls[0] ?? '');
    late.on('error', () => undefined);
    const lateClosed = new Promise((resolve) => {
      late.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
    try {
      expect(await lateClosed).toEqual({ code: 4002, reason: 'stale' });
      const arrived = nextMessage(b);
      a.send(CANDIDATE);
      expect(await arrived).toEqual(CANDIDATE);
      expect([a.isUp, b.isUp, errors, atB.log]).toEqual([true, true, [], []]);
    } finally {
      late.terminate();
    }
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
    expect(error.message).toBe('The room is full.');
    b.close();
    expect(await c.ready()).toEqual({ polite: true });
  });
});

describe('WebSocketSignaling bookkeeping', () => {
  const URL_OF_RELAY = 'ws://relay.test/signal?room=r';

  function stubbed(
    options: Partial<WebSocketSignalingOptions> = {},
    env: FakeEnv = new FakeEnv({ random: () => 0.5 }),
  ) {
    const sockets = stubSocketClass();
    const signaling = new WebSocketSignaling(
      { url: URL_OF_RELAY, id: 'me', WebSocket: sockets.Socket, ...options },
      env,
    );
    return { env, signaling, sockets, socket: sockets.last() };
  }

  /** A stubbed adapter whose first socket is open and welcomed, with the peer present. */
  function up(options: Partial<WebSocketSignalingOptions> = {}, env?: FakeEnv) {
    const made = stubbed(options, env);
    made.socket.open();
    made.socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    expect(made.signaling.isUp).toBe(true);
    return made;
  }

  it('puts its id in the URL and pings only while open', () => {
    const { env, socket } = stubbed();
    expect(new URL(socket.url).searchParams.get('id')).toBe('me');
    expect(new URL(socket.url).searchParams.get('room')).toBe('r');
    env.advance(1500);
    expect(socket.sent).toEqual([]);
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    env.advance(2000);
    expect(socket.sent).toEqual([
      { type: 'ping', id: 1 },
      { type: 'ping', id: 2 },
    ]);
  });

  it('makes up a 24-digit hex id when none is given', () => {
    const { signaling, socket } = stubbed({ id: undefined }, new FakeEnv({ seed: 7 }));
    expect(signaling.id).toMatch(/^[0-9a-f]{24}$/);
    expect(new URL(socket.url).searchParams.get('id')).toBe(signaling.id);
  });

  it('numbers its connects in `conn`, with a nonce of its own', () => {
    const env = new FakeEnv({ seed: 7 });
    const { sockets } = stubbed({}, env);
    const connectsUntil = (count: number): void => {
      for (let ms = 0; sockets.made.length < count && ms < 10_000; ms += 1) env.advance(1);
      expect(sockets.made).toHaveLength(count);
    };
    env.advance(3000); // a connect that hangs is given up
    connectsUntil(2);
    env.goOnline(); // and one still connecting on `online`
    connectsUntil(3);
    sockets.last().open();
    sockets.last().receive({ type: 'welcome', polite: false, peerPresent: true });
    sockets.last().closeFromServer(1006);
    connectsUntil(4);
    const conns = sockets.made.map((socket) => new URL(socket.url).searchParams.get('conn'));
    const nonce = conns[0]?.split('.')[0] ?? '';
    expect(nonce).toMatch(/^[0-9a-f]{12}$/);
    expect(conns).toEqual([`${nonce}.1`, `${nonce}.2`, `${nonce}.3`, `${nonce}.4`]);
    const last = new URL(sockets.last().url).searchParams;
    expect([last.get('room'), last.get('id'), last.get('role')]).toEqual(['r', 'me', 'impolite']);
    // Another instance with the same id (a reloaded page) counts its own connects.
    const other = stubbed({}, env).socket;
    const [otherNonce, otherCounter] = (new URL(other.url).searchParams.get('conn') ?? '').split(
      '.',
    );
    expect(otherNonce).toMatch(/^[0-9a-f]{12}$/);
    expect([otherNonce === nonce, otherCounter]).toEqual([false, '1']);
  });

  it('asks for its first role back on every reconnect', () => {
    const { env, socket, sockets } = stubbed();
    socket.open();
    socket.receive({ type: 'welcome', polite: true, peerPresent: false });
    socket.closeFromServer(1006);
    env.advance(1000);
    expect(new URL(sockets.last().url).searchParams.get('role')).toBe('polite');
  });

  it('announces each state change once, with frozen payloads', () => {
    const { signaling, socket } = stubbed();
    const events = recordSignaling(signaling);
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: false });
    socket.receive({ type: 'peer', present: true, left: false });
    socket.receive({ type: 'peer', present: true, left: false });
    socket.receive({ type: 'peer', present: false, left: false });
    expect(events.of('state')).toEqual([
      { up: false, socket: 'open', peerPresent: false },
      { up: true, socket: 'open', peerPresent: true },
      { up: false, socket: 'open', peerPresent: false },
    ]);
    expect(events.of('welcome')).toEqual([{ polite: false }]);
    expect(events.events.every((event) => Object.isFrozen(event.payload))).toBe(true);
    expect(signaling.polite).toBe(false);
  });

  it('tells subscribers the peer left only when the relay says it left for good', () => {
    const { socket, signaling } = up();
    const seen = recordSubscriber(signaling);
    socket.receive({ type: 'peer', present: false, left: false });
    socket.receive({ type: 'peer', present: true, left: false });
    socket.receive({ type: 'peer', present: false, left: true });
    expect(seen.log).toEqual(['down', 'up', 'down', 'left']);
  });

  it('sends signals only while up, wrapped in a signal frame', () => {
    const { socket, signaling } = stubbed();
    signaling.send(CANDIDATE);
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: false });
    signaling.send(CANDIDATE);
    expect(socket.sentOfType('signal')).toEqual([]);
    socket.receive({ type: 'peer', present: true, left: false });
    signaling.send(CANDIDATE);
    expect(socket.sentOfType('signal')).toEqual([{ type: 'signal', data: CANDIDATE }]);
  });

  it('delivers signals only after the welcome', () => {
    const { socket, signaling } = stubbed();
    const seen = recordSubscriber(signaling);
    socket.open();
    socket.receive({ type: 'signal', data: CANDIDATE });
    socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    socket.receive({ type: 'signal', data: CANDIDATE });
    expect(seen.messages).toEqual([CANDIDATE]);
  });

  it('keeps signals that arrive before anyone subscribed for the first subscriber', async () => {
    const { socket, signaling } = up();
    for (let i = 0; i < 70; i++) socket.receive({ type: 'signal', data: { n: i } });
    const first = recordSubscriber(signaling);
    const second = recordSubscriber(signaling);
    expect(first.messages).toEqual([]);
    await settle();
    expect(first.messages).toHaveLength(64);
    expect(first.messages[0]).toEqual({ n: 0 });
    expect(second.messages).toEqual([]);
    socket.receive({ type: 'signal', data: { n: 'live' } });
    expect(second.messages).toEqual([{ n: 'live' }]);
  });

  it('leaves no timer, listener or reconnect behind after close', async () => {
    const { env, signaling, socket, sockets } = stubbed();
    const seen = recordSubscriber(signaling);
    socket.open();
    socket.receive({ type: 'welcome', polite: true, peerPresent: true });
    expect(signaling.isUp).toBe(true);
    expect(env.pendingTimers).toBeGreaterThan(0);
    expect(env.windowListeners.count()).toBeGreaterThan(0);
    signaling.close();
    signaling.close();
    expect(env.pendingTimers).toBe(0);
    expect(env.windowListeners.count()).toBe(0);
    expect(env.connectionListeners.count()).toBe(0);
    expect(socket.closedWith).toBe(1000);
    expect(socket.onmessage).toBeNull();
    expect(signaling.listenerCount('state')).toBe(0);
    expect(seen.log).toEqual(['up', 'down']);
    env.advance(60_000);
    env.goOnline();
    expect(sockets.made).toHaveLength(1);
    expect(signaling.state).toBe('closed');
    signaling.reconnect();
    expect(socket.sent).toEqual([]);
    await expect(signaling.ready()).resolves.toEqual({ polite: true });
  });

  it('rejects ready() when closed before any welcome', async () => {
    const { signaling } = stubbed();
    signaling.close();
    await expect(signaling.ready()).rejects.toMatchObject({ code: 'closed' });
  });

  it('gives up a connect that hangs for heartbeatTimeoutMs and tries again', () => {
    const { env, socket, sockets } = stubbed();
    env.advance(2999);
    expect(socket.closedWith).toBeUndefined();
    env.advance(1);
    expect(socket.closedWith).toBe(4000);
    expect(sockets.made).toHaveLength(1);
    // Without fetch the adapter reconnects blind, after min + random·(2·min − min).
    env.advance(374);
    expect(sockets.made).toHaveLength(1);
    env.advance(1);
    expect(sockets.made).toHaveLength(2);
  });

  it('reconnects with growing delays while the relay keeps refusing, and resets on a welcome', () => {
    const { env, sockets } = stubbed();
    const connectTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      sockets.last().closeFromServer(1006);
      const before = sockets.made.length;
      const start = env.now();
      while (sockets.made.length === before) env.advance(1);
      connectTimes.push(env.now() - start);
    }
    // min 250, cap doubling from 500, random 0.5: 375, 625, 1125.
    expect(connectTimes).toEqual([375, 625, 1125]);
    const socket = sockets.last();
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: true });
    socket.closeFromServer(1006);
    env.advance(375);
    expect(sockets.made).toHaveLength(5);
  });

  it('probes the relay with HEAD requests after losing the socket, and connects once one answers', async () => {
    const probes = fakeFetch();
    const env = new FakeEnv({ fetch: probes.fetch, random: () => 0.5 });
    const { socket, sockets } = up({}, env);
    socket.closeFromServer(1006);
    expect(probes.requests).toHaveLength(1);
    expect(probes.requests[0]?.url).toBe('http://relay.test/signal');
    expect(probes.requests[0]?.init).toMatchObject({
      method: 'HEAD',
      mode: 'no-cors',
      cache: 'no-store',
    });
    await env.pass(1000);
    expect(sockets.made).toHaveLength(1);
    probes.pending()[0]?.answer(404);
    await env.pass(0);
    // Welcomed before and the relay answers: no backoff at all.
    expect(sockets.made).toHaveLength(2);
  });

  it('reconnects blind with backoff when probes are turned off', () => {
    const probes = fakeFetch();
    const env = new FakeEnv({ fetch: probes.fetch, random: () => 0.5 });
    const { socket, sockets } = up({ probeIntervalMs: 0 }, env);
    socket.closeFromServer(1006);
    env.advance(375);
    expect(probes.requests).toEqual([]);
    expect(sockets.made).toHaveLength(2);
  });

  it('counts the socket dead only after heartbeatTimeoutMs without any frame', () => {
    const { env, signaling, socket } = up();
    for (let i = 0; i < 5; i += 1) {
      env.advance(2500);
      socket.receive({ type: 'pong', id: i + 1 });
    }
    expect(socket.closedWith).toBeUndefined();
    expect(signaling.isUp).toBe(true);
    env.advance(2999);
    expect(socket.closedWith).toBeUndefined();
    env.advance(1);
    expect(socket.closedWith).toBe(4000);
    expect(signaling.isUp).toBe(false);
    expect(signaling.state).toBe('closed');
  });

  it('connects at once on reconnect() without an open socket, replacing only a stuck handshake', async () => {
    const probes = fakeFetch();
    const env = new FakeEnv({ fetch: probes.fetch, random: () => 0.5 });
    const { signaling, socket, sockets } = up({}, env);
    socket.closeFromServer(1006);
    // Lost: it waits for the relay to answer a probe...
    expect(sockets.made).toHaveLength(1);
    expect(probes.requests).toHaveLength(1);
    // ...but the call's media path came back: the network works, connect now.
    signaling.reconnect();
    expect(sockets.made).toHaveLength(2);
    // A handshake under way is left alone...
    env.advance(999);
    signaling.reconnect();
    expect(sockets.made).toHaveLength(2);
    // ...unless it has been pending for a second: it is most likely stuck in SYN backoff.
    env.advance(1);
    signaling.reconnect();
    expect(sockets.made).toHaveLength(3);
    expect(sockets.made[1]?.closedWith).toBe(4000);
    // Probing stopped: no probe answer opens a fourth socket.
    probes.requests[0]?.answer(204);
    await settle();
    expect(sockets.made).toHaveLength(3);
  });

  it('tries a WebSocket once probes have timed out for 10 s, and still connects when one is answered', async () => {
    const probes = fakeFetch();
    const env = new FakeEnv({ fetch: probes.fetch, random: () => 0.5 });
    const { socket, sockets } = up({}, env);
    socket.closeFromServer(1006);
    // A dead path: every probe times out.
    for (let ms = 0; ms < BLIND_AFTER_MS + 300; ms += 150) {
      const sent = probes.pending();
      env.advance(150);
      for (const request of sent) request.fail(new DOMException('timed out', 'TimeoutError'));
      await settle();
    }
    expect(sockets.made).toHaveLength(2);
    const blind = sockets.last();
    // The path returns; the probe gets through first (Firefox), the handshake hangs (SYN backoff).
    env.advance(1000);
    await settle();
    probes.pending()[0]?.answer(204);
    await settle();
    env.advance(0);
    expect(sockets.made).toHaveLength(3);
    expect(blind.closedWith).toBe(4000);
  });

  it('reconnects at once on `online` while not open', () => {
    const { env, socket, sockets } = stubbed();
    env.advance(1000);
    env.goOnline();
    expect(socket.closedWith).toBe(4000);
    expect(sockets.made).toHaveLength(2);
    sockets.last().open();
    env.goOnline();
    expect(sockets.made).toHaveLength(2);
    expect(sockets.last().closedWith).toBeUndefined();
  });

  it('checks an open socket on `online` and on a network change, and gives it up if the relay does not answer', () => {
    const { env, signaling, socket, sockets } = up();
    env.goOnline();
    expect(socket.sentOfType('ping')).toEqual([{ type: 'ping', id: 1 }]);
    socket.receive({ type: 'pong', id: 1 });
    env.changeNetwork();
    expect(socket.sentOfType('ping')).toHaveLength(2);
    // The check waits 4 round trips (at least VERIFY_MIN_MS), not the whole heartbeat timeout.
    env.advance(VERIFY_MIN_MS);
    expect(socket.closedWith).toBe(4000);
    expect(signaling.isUp).toBe(false);
    env.advance(1000);
    expect(sockets.made).toHaveLength(2);
  });

  it('checks the socket when the peer asks for reconnect(), and keeps it when the relay answers', () => {
    const { env, signaling, socket, sockets } = up();
    signaling.reconnect();
    expect(socket.sentOfType('ping')).toEqual([{ type: 'ping', id: 1 }]);
    env.advance(100);
    socket.receive({ type: 'pong', id: 1 });
    env.advance(1000);
    expect(socket.closedWith).toBeUndefined();
    expect(signaling.isUp).toBe(true);
    expect(sockets.made).toHaveLength(1);
  });

  it('verifies the socket with every send: a relay that stays silent gets it given up within VERIFY_MIN_MS', () => {
    const answered = up();
    answered.signaling.send(CANDIDATE);
    answered.signaling.send(CANDIDATE); // one check at a time: a burst pings once
    expect(answered.socket.sentOfType('ping')).toEqual([{ type: 'ping', id: 1 }]);
    answered.env.advance(20);
    answered.socket.receive({ type: 'pong', id: 1 });
    answered.env.advance(1000);
    expect(answered.signaling.isUp).toBe(true);

    // The path died (a vanished address): the heartbeat alone would wait 3 s; the check gives
    // up after VERIFY_MIN_MS.
    const { env, signaling, socket, sockets } = up();
    env.advance(500);
    signaling.send(CANDIDATE);
    env.advance(VERIFY_MIN_MS - 1);
    expect(signaling.isUp).toBe(true);
    signaling.send(CANDIDATE); // must not postpone the check
    env.advance(1);
    expect(socket.closedWith).toBe(4000);
    expect(signaling.isUp).toBe(false);
    expect(sockets.made.length).toBeGreaterThanOrEqual(1);
  });

  it('gives the socket up on `offline` and tries nothing until `online`', () => {
    const probes = fakeFetch();
    const env = new FakeEnv({ fetch: probes.fetch, random: () => 0.5 });
    const { signaling, socket, sockets } = up({}, env);
    env.goOffline();
    expect(socket.closedWith).toBe(4000);
    expect(signaling.isUp).toBe(false);
    env.advance(60_000);
    expect(sockets.made).toHaveLength(1);
    expect(probes.requests).toEqual([]);
    env.goOnline();
    expect(sockets.made).toHaveLength(2);
  });

  it('opens one socket on `online` while a reconnect is scheduled', () => {
    const { env, sockets } = stubbed();
    sockets.last().closeFromServer(1006);
    env.goOnline();
    env.advance(1000);
    // Closed by either side means readyState 3; every other socket is still live.
    const live = sockets.made.filter((socket) => socket.readyState !== 3);
    expect(live).toHaveLength(1);
  });

  it('opens no socket while offline even when a reconnect was scheduled', () => {
    const { env, sockets } = stubbed();
    sockets.last().closeFromServer(1006);
    env.goOffline();
    env.advance(60_000);
    expect(sockets.made).toHaveLength(1);
  });

  it('turns malformed frames and throwing subscribers into error events', () => {
    const { signaling, socket } = stubbed();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    signaling.subscribe({
      message: () => {
        throw new Error('app bug');
      },
      up: () => undefined,
      down: () => undefined,
    });
    socket.open();
    expect(() => {
      socket.receive('{oops');
      socket.onmessage?.({ data: new ArrayBuffer(2) } as never);
      socket.receive({ type: 'welcome', polite: 'yes' });
      socket.receive({ type: 'peer', present: 'yes' });
      socket.receive({ type: 'signal' });
      socket.receive({ type: 'teleport' });
      socket.receive({ type: 'error', message: 'no peer in room' });
      socket.receive({ type: 'welcome', polite: false, peerPresent: true });
      socket.receive({ type: 'signal', data: { kind: 'x' } });
    }).not.toThrow();
    expect(errors).toEqual([
      'Invalid signaling message: relay frame is not a JSON object',
      'Invalid signaling message: relay frame is not a JSON object',
      'Invalid signaling message: welcome needs boolean `polite` and `peerPresent`',
      'Invalid signaling message: peer needs a boolean `present`',
      'Invalid signaling message: signal needs `data`',
      'Invalid signaling message: unexpected relay frame',
      'Relay error: no peer in room',
      'A WebSocketSignaling handler threw.',
    ]);
    expect(signaling.isUp).toBe(true);
  });

  it('survives an error listener that throws', () => {
    const { signaling, socket } = stubbed();
    signaling.on('error', () => {
      throw new Error('listener bug');
    });
    socket.open();
    expect(() => {
      socket.receive('{oops');
    }).not.toThrow();
    expect(signaling.state).toBe('open');
  });

  it('reports a role the relay changed between welcomes and keeps the first', () => {
    const { env, signaling, socket, sockets } = stubbed();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    socket.open();
    socket.receive({ type: 'welcome', polite: false, peerPresent: false });
    socket.closeFromServer(1006);
    env.advance(375);
    const next = sockets.last();
    expect(next).not.toBe(socket);
    next.open();
    next.receive({ type: 'welcome', polite: true, peerPresent: false });
    expect(errors).toEqual([
      "The relay made this side polite; roles are fixed for a peer's lifetime.",
    ]);
    expect(signaling.polite).toBe(false);
  });

  it('stops for good when the relay rejects the URL', async () => {
    const { env, signaling, socket, sockets } = stubbed();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    socket.closeFromServer(4400, 'bad room: 1-64 characters of A-Za-z0-9_-');
    expect(errors).toEqual([
      'Signaling stopped: relay rejected the URL: bad room: 1-64 characters of A-Za-z0-9_-.',
    ]);
    env.advance(60_000);
    expect(sockets.made).toHaveLength(1);
    expect(env.pendingTimers).toBe(0);
    await expect(signaling.ready()).rejects.toMatchObject({ code: 'closed' });
  });

  it('takes a stale close as a refused connect: no error, no stop, tried again', () => {
    // The relay sends it only to a connect older than another of ours, which we have detached; if
    // one ever reached the current socket, the newer connect that follows is the fix.
    const { env, signaling, socket, sockets } = stubbed();
    const events = recordSignaling(signaling);
    socket.closeFromServer(4002, 'stale');
    expect(events.of('error')).toEqual([]);
    expect(signaling.state).toBe('closed');
    env.advance(375);
    expect(sockets.made).toHaveLength(2);
    expect(signaling.state).toBe('connecting');
  });

  it('reports a full room and retries with backoff', () => {
    const { env, signaling, socket, sockets } = stubbed();
    const events = recordSignaling(signaling);
    socket.open();
    socket.closeFromServer(4409, 'room full');
    expect(events.of('error').map(({ error }) => [error.code, error.message])).toEqual([
      ['signaling-failed', 'The room is full.'],
    ]);
    env.advance(375);
    expect(sockets.made).toHaveLength(2);
  });

  it('throws what the WebSocket constructor throws from its own constructor', () => {
    const sockets = stubSocketClass();
    const failure = new Error('blocked by CSP');
    sockets.fail(failure);
    expect(
      () =>
        new WebSocketSignaling(
          { url: URL_OF_RELAY, id: 'me', WebSocket: sockets.Socket },
          new FakeEnv(),
        ),
    ).toThrow(failure);
  });

  it('reports a WebSocket constructor that throws on a reconnect, with its cause, and tries again', () => {
    const env = new FakeEnv({ random: () => 0.5 });
    const sockets = stubSocketClass();
    const failure = new Error('blocked by CSP');
    const signaling = new WebSocketSignaling(
      { url: URL_OF_RELAY, id: 'me', WebSocket: sockets.Socket, probeIntervalMs: 0 },
      env,
    );
    const errors: ResilientPeerError[] = [];
    signaling.on('error', ({ error }) => errors.push(error));
    sockets.last().open();
    sockets.fail(failure);
    sockets.last().closeFromServer(1006);
    env.advance(10_000);
    expect(errors.map((error) => [error.message, error.cause])).toContainEqual([
      'Could not create the WebSocket.',
      failure,
    ]);
    sockets.fail(null);
    env.advance(10_000);
    expect(sockets.made.length).toBeGreaterThanOrEqual(2);
    signaling.close();
  });

  it('reports a send that throws', () => {
    const { signaling, socket } = up();
    const errors: string[] = [];
    signaling.on('error', ({ error }) => errors.push(error.message));
    socket.sendError = new Error('not open');
    signaling.send(CANDIDATE);
    expect(errors).toEqual(['Could not send on the WebSocket.']);
  });

  it('closes even when the socket throws on close', () => {
    const { env, signaling, socket } = up();
    socket.closeError = new Error('already closing');
    expect(() => {
      signaling.close();
    }).not.toThrow();
    expect(signaling.state).toBe('closed');
    expect(env.pendingTimers).toBe(0);
  });

  it('falls back to globalThis.WebSocket', () => {
    const sockets = stubSocketClass();
    const scope = globalThis as { WebSocket?: WebSocketConstructor };
    const saved = scope.WebSocket;
    scope.WebSocket = sockets.Socket;
    try {
      const signaling = new WebSocketSignaling({ url: URL_OF_RELAY }, new FakeEnv());
      expect(sockets.made).toHaveLength(1);
      signaling.close();
    } finally {
      if (saved === undefined) delete scope.WebSocket;
      else scope.WebSocket = saved;
    }
  });

  it('names the option that is wrong', () => {
    const { Socket } = stubSocketClass();
    const scope = globalThis as { WebSocket?: WebSocketConstructor };
    const saved = scope.WebSocket;
    delete scope.WebSocket;
    const make = (options: Partial<WebSocketSignalingOptions>) => () =>
      new WebSocketSignaling(
        { url: 'ws://h/signal?room=r', WebSocket: Socket, ...options },
        new FakeEnv(),
      );
    try {
      expect(make({ url: 'http://h/?room=r' })).toThrow(/`url`/);
      expect(make({ url: 'not a url' })).toThrow(
        new TypeError(
          'Expected `url` to be a ws:// or wss:// URL with `?room=` of 1-64 characters of A-Za-z0-9_-, got "not a url".',
        ),
      );
      expect(make({ url: 'ws://h/signal' })).toThrow(/room/);
      expect(make({ id: 'has space' })).toThrow(/`id`/);
      expect(make({ heartbeatIntervalMs: -1 })).toThrow(/`heartbeatIntervalMs`/);
      expect(make({ heartbeatTimeoutMs: 500 })).toThrow(
        new TypeError('Expected `heartbeatTimeoutMs` to be > heartbeatIntervalMs (1000), got 500.'),
      );
      expect(make({ maxReconnectDelayMs: 10 })).toThrow(/`maxReconnectDelayMs`/);
      expect(make({ probeIntervalMs: 49 })).toThrow(
        new TypeError('Expected `probeIntervalMs` to be 0 (off) or a finite number >= 50, got 49.'),
      );
      expect(make({ probeIntervalMs: 0 })).not.toThrow();
      expect(make({ WebSocket: undefined })).toThrow(/`WebSocket`/);
      const typo = { heartbeatMs: 5 } as unknown as Partial<WebSocketSignalingOptions>;
      expect(make(typo)).toThrow(/Unknown option `heartbeatMs`/);
      expect(() => new WebSocketSignaling(null as unknown as WebSocketSignalingOptions)).toThrow(
        'Expected `options` to be an object, got null.',
      );
    } finally {
      if (saved !== undefined) scope.WebSocket = saved;
    }
  });
});
