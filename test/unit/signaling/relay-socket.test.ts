import { describe, expect, it } from 'vitest';
import {
  RelaySocket,
  VERIFY_MIN_MS,
  type RelaySocketHooks,
} from '../../../src/signaling/relay-socket.js';
import type { Timing } from '../../../src/signaling/websocket-options.js';
import { FakeEnv } from '../../support/fake-env.js';
import { stubSocketClass } from '../../support/stub-websocket.js';

const TIMING: Timing = {
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 3000,
  minReconnectDelayMs: 250,
  maxReconnectDelayMs: 5000,
  probeIntervalMs: 150,
};

function setup() {
  const env = new FakeEnv();
  const sockets = stubSocketClass();
  const seen: unknown[][] = [];
  const guarded: unknown[] = [];
  const hooks: RelaySocketHooks = {
    opened: () => {
      seen.push(['opened']);
    },
    frame: (data) => {
      seen.push(['frame', data]);
    },
    lost: (code, reason) => {
      seen.push(['lost', code, reason, env.elapsed]);
    },
    fail: (message, cause) => {
      seen.push(['fail', message, cause]);
    },
    guard: (work) => {
      try {
        work();
      } catch (error) {
        guarded.push(error);
      }
    },
  };
  const relay = new RelaySocket(
    sockets.Socket,
    'ws://relay.test/signal?room=r',
    env,
    TIMING,
    hooks,
  );
  return { env, sockets, socket: sockets.last(), relay, seen, guarded };
}

/** An open socket whose next heartbeat pings were answered after each of `rtts` ms. */
function answering(rtts: readonly number[]) {
  const made = setup();
  made.socket.open();
  for (const rtt of rtts) {
    made.env.advance(TIMING.heartbeatIntervalMs - (made.env.elapsed % TIMING.heartbeatIntervalMs));
    const ping = made.socket.sentOfType('ping').at(-1) as { readonly id: number };
    made.env.advance(rtt);
    // As the adapter does: the frame arrives, then the pong is handed back.
    made.socket.receive({ type: 'pong', id: ping.id });
    made.relay.pong(ping.id);
  }
  return made;
}

describe('RelaySocket', () => {
  it('connects at once and gives up a handshake that takes heartbeatTimeoutMs', () => {
    const { env, socket, relay, seen } = setup();
    expect(socket.url).toBe('ws://relay.test/signal?room=r');
    expect(relay.state).toBe('connecting');
    env.advance(TIMING.heartbeatTimeoutMs - 1);
    expect(seen).toEqual([]);
    env.advance(1);
    expect(socket.closedWith).toBe(4000);
    expect(relay.state).toBe('closed');
    expect(seen).toEqual([['lost', null, 'heartbeat timeout', TIMING.heartbeatTimeoutMs]]);
  });

  it('pings every heartbeatIntervalMs while open', () => {
    const { env, socket, relay, seen } = setup();
    socket.open();
    expect(relay.state).toBe('open');
    expect(seen).toEqual([['opened']]);
    env.advance(2500);
    expect(socket.sent).toEqual([
      { type: 'ping', id: 1 },
      { type: 'ping', id: 2 },
    ]);
  });

  it('passes frames on, each one resetting the deadline', () => {
    const { env, socket, seen } = setup();
    socket.open();
    for (let i = 0; i < 3; i++) {
      env.advance(2999);
      socket.receive({ type: 'pong', id: i });
    }
    expect(socket.closedWith).toBeUndefined();
    expect(seen.filter(([kind]) => kind === 'frame')).toHaveLength(3);
    env.advance(3000);
    expect(socket.closedWith).toBe(4000);
  });

  it('reports the relay closing it, and nothing after', () => {
    const { env, socket, relay, seen } = setup();
    socket.open();
    socket.closeFromServer(4409, 'room full');
    expect(relay.state).toBe('closed');
    expect(seen).toEqual([['opened'], ['lost', 4409, 'room full', 0]]);
    expect(socket.onclose).toBeNull();
    expect(env.pendingTimers).toBe(0);
  });

  it('smooths the round trip of the answered pings, ignoring stale answers', () => {
    expect(answering([100]).relay.rttMs).toBe(100);
    // 0.8 · 100 + 0.2 · 300
    expect(answering([100, 300]).relay.rttMs).toBe(140);
    const { relay, env } = answering([100]);
    env.advance(50);
    relay.pong(99);
    relay.pong('1');
    expect(relay.rttMs).toBe(100);
  });

  it('verifies on request: pings now and waits four round trips (VERIFY_MIN_MS at least)', () => {
    const unmeasured = setup();
    unmeasured.socket.open();
    unmeasured.relay.verify();
    expect(unmeasured.socket.sent).toEqual([{ type: 'ping', id: 1 }]);
    unmeasured.env.advance(VERIFY_MIN_MS - 1);
    expect(unmeasured.relay.state).toBe('open');
    unmeasured.env.advance(1);
    expect(unmeasured.seen.at(-1)).toEqual([
      'lost',
      null,
      'no answer from the relay',
      VERIFY_MIN_MS,
    ]);

    // A pong late behind one TCP retransmission (~200 ms plus the round trip) keeps the socket.
    const quick = answering([10]);
    quick.relay.verify();
    quick.env.advance(400);
    quick.socket.receive({ type: 'pong', id: 2 });
    quick.relay.pong(2);
    quick.env.advance(VERIFY_MIN_MS);
    expect(quick.relay.state).toBe('open');

    const start = quick.env.elapsed;
    quick.relay.verify();
    quick.env.advance(VERIFY_MIN_MS);
    expect(quick.seen.at(-1)).toEqual([
      'lost',
      null,
      'no answer from the relay',
      start + VERIFY_MIN_MS,
    ]);

    // Four round trips of 600 ms; of 900 ms, capped at the heartbeat timeout.
    for (const [rtt, waitMs] of [
      [600, 2400],
      [900, 3000],
    ] as const) {
      const slow = answering([rtt]);
      slow.relay.verify();
      slow.env.advance(waitMs - 1);
      expect(slow.relay.state).toBe('open');
      slow.env.advance(1);
      expect(slow.relay.state).toBe('closed');
    }
  });

  it('verifies nothing before it is open', () => {
    const { socket, relay } = setup();
    relay.verify();
    expect(socket.sent).toEqual([]);
  });

  it('reports a send that throws', () => {
    const { socket, relay, seen } = setup();
    const failure = new Error('not open');
    socket.sendError = failure;
    relay.send({ type: 'signal', data: 1 });
    expect(seen).toEqual([['fail', 'Could not send on the WebSocket.', failure]]);
  });

  it('detaches on close, closing the socket only when given a code, once', () => {
    const { env, socket, relay, seen } = setup();
    socket.open();
    relay.close();
    relay.close(1000, 'again');
    expect(socket.closedWith).toBeUndefined();
    expect([socket.onopen, socket.onmessage, socket.onclose]).toEqual([null, null, null]);
    // An error event after giving the socket up must not throw (Node's ws would).
    expect(() => (socket.onerror as (() => void) | null)?.()).not.toThrow();
    expect(env.pendingTimers).toBe(0);
    const other = setup();
    other.relay.close(1000, 'bye');
    expect(other.socket.closedWith).toBe(1000);
    expect(seen).toEqual([['opened']]);
  });

  it('swallows a socket that throws on close', () => {
    const { socket, relay } = setup();
    socket.closeError = new Error('already closing');
    expect(() => {
      relay.close(4000, 'dead');
    }).not.toThrow();
    expect(relay.state).toBe('closed');
  });

  it('throws what the WebSocket constructor throws', () => {
    const sockets = stubSocketClass();
    const failure = new SyntaxError('bad URL');
    sockets.fail(failure);
    expect(
      () =>
        new RelaySocket(sockets.Socket, 'x', new FakeEnv(), TIMING, {
          opened: () => undefined,
          frame: () => undefined,
          lost: () => undefined,
          fail: () => undefined,
          guard: (work) => {
            work();
          },
        }),
    ).toThrow(failure);
  });

  it('runs its socket handlers under the guard', () => {
    const env = new FakeEnv();
    const sockets = stubSocketClass();
    const guarded: unknown[] = [];
    const failure = new Error('owner bug');
    new RelaySocket(sockets.Socket, 'ws://x/?room=r', env, TIMING, {
      opened: () => {
        throw failure;
      },
      frame: () => {
        throw failure;
      },
      lost: () => {
        throw failure;
      },
      fail: () => undefined,
      guard: (work) => {
        try {
          work();
        } catch (error) {
          guarded.push(error);
        }
      },
    });
    const socket = sockets.last();
    socket.open();
    socket.receive({ type: 'pong' });
    socket.closeFromServer(1006);
    expect(guarded).toEqual([failure, failure, failure]);
  });
});
