// Tests of the reference relay over real sockets on 127.0.0.1: slots and roles, replacement (and
// the late earlier connect that must not replace), presence (left for good or vanished),
// forwarding, frame checks, relay-side liveness and the test hooks.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachRelay, type RelayOptions } from '../../../src/relay/relay.js';
import { attachTestRelay, type TestRelay } from '../../../src/relay/testing.js';
import { sleep } from '../../support/wait.js';

interface Frame {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A ws client that queues every JSON frame so tests can await them in order. */
class Client {
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #frames: Frame[] = [];
  #waiter: (() => void) | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (raw: Buffer) => {
      this.#frames.push(JSON.parse(raw.toString('utf8')) as Frame);
      this.#waiter?.();
    });
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  async next(timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return frame;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame arrived in time');
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        setTimeout(resolve, left);
      });
    }
  }

  /** Resolves when no frame arrives for `ms`. */
  async quiet(ms = 150): Promise<void> {
    await sleep(ms);
    expect(this.#frames).toEqual([]);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
}

let server: Server;
let relay: TestRelay;
let base: string;
const clients: Client[] = [];

async function start(options: RelayOptions = {}): Promise<void> {
  server = createServer();
  relay = attachTestRelay(server, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connect(room: string, id: string, path = '/signal'): Client {
  const client = new Client(`${base}${path}?room=${room}&id=${id}`);
  clients.push(client);
  return client;
}

/** a and b in room r1, both welcomed and a told of b. */
async function pairUp(): Promise<{ a: Client; b: Client }> {
  const a = connect('r1', 'a');
  await a.next();
  const b = connect('r1', 'b');
  await b.next();
  expect(await a.next()).toEqual({ type: 'peer', present: true, left: false });
  return { a, b };
}

beforeEach(async () => {
  await start({ heartbeatTimeoutMs: 300 });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await relay.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the relay', () => {
  it('welcomes the first peer as impolite and the second as polite', async () => {
    const a = connect('r1', 'a');
    expect(await a.next()).toEqual({ type: 'welcome', polite: false, peerPresent: false });
    const b = connect('r1', 'b');
    expect(await b.next()).toEqual({ type: 'welcome', polite: true, peerPresent: true });
    expect(await a.next()).toEqual({ type: 'peer', present: true, left: false });
    expect(relay.rooms()).toBe(1);
  });

  it.each([1000, 1001])(
    'tells the remaining peer the other left for good when it closes with %i, and frees its slot',
    async (code) => {
      const { a, b } = await pairUp();
      b.ws.close(code);
      expect(await a.next()).toEqual({ type: 'peer', present: false, left: true });
      const c = connect('r1', 'c');
      expect(await c.next()).toEqual({ type: 'welcome', polite: true, peerPresent: true });
    },
  );

  it('tells the remaining peer the other vanished when its socket drops', async () => {
    const { a, b } = await pairUp();
    b.ws.terminate();
    expect(await a.next()).toEqual({ type: 'peer', present: false, left: false });
  });

  it('does not count a close without a status code as leaving for good', async () => {
    const { a, b } = await pairUp();
    b.ws.close();
    expect(await a.next()).toEqual({ type: 'peer', present: false, left: false });
  });

  it('replaces a socket with the same id, keeping its slot', async () => {
    const a = connect('r1', 'a');
    await a.next();
    const b1 = connect('r1', 'b');
    await b1.next();
    await a.next();
    const b2 = connect('r1', 'b');
    expect(await b2.next()).toEqual({ type: 'welcome', polite: true, peerPresent: true });
    expect(await b1.closed).toEqual({ code: 4001, reason: 'replaced' });
    expect(await a.next()).toEqual({ type: 'peer', present: false, left: false });
    expect(await a.next()).toEqual({ type: 'peer', present: true, left: false });
  });

  it('turns away a late earlier connect of the same instance with 4002, keeping the newer socket', async () => {
    const a = connect('r1', 'a');
    await a.next();
    const b2 = connect('r1', 'b&conn=n1.2');
    await b2.next();
    await a.next();
    // b's first connect, which b gave up, reaches the relay only now.
    const b1 = connect('r1', 'b&conn=n1.1');
    expect(await b1.closed).toEqual({ code: 4002, reason: 'stale' });
    a.send({ type: 'signal', data: 'to b' });
    expect(await b2.next()).toEqual({ type: 'signal', data: 'to b' });
    b2.send({ type: 'signal', data: 'to a' });
    // Nothing about b1 came before it: a never heard b go or come.
    expect(await a.next()).toEqual({ type: 'signal', data: 'to a' });
    await a.quiet();
    expect(b2.ws.readyState).toBe(WebSocket.OPEN);
  });

  it.each([
    ['a later connect of the same instance', 'b&conn=n1.1', 'b&conn=n1.2'],
    ['another instance, even with a lower counter', 'b&conn=n1.5', 'b&conn=n2.1'],
    ['a client without conn', 'b&conn=n1.5', 'b'],
    ['a client with conn', 'b', 'b&conn=n1.1'],
  ])('lets %s replace the socket', async (_what, first, second) => {
    const a = connect('r1', 'a');
    await a.next();
    const b1 = connect('r1', first);
    await b1.next();
    await a.next();
    const b2 = connect('r1', second);
    expect(await b2.next()).toEqual({ type: 'welcome', polite: true, peerPresent: true });
    expect(await b1.closed).toEqual({ code: 4001, reason: 'replaced' });
    expect(await a.next()).toEqual({ type: 'peer', present: false, left: false });
    expect(await a.next()).toEqual({ type: 'peer', present: true, left: false });
  });

  it.each(['n1', 'n1.', '.1', 'n1.-1', 'n1.1.2', 'n*1.1', `n1.${'9'.repeat(16)}`])(
    'closes with 4400 on a malformed conn %j',
    async (conn) => {
      const b = connect('r1', `b&conn=${encodeURIComponent(conn)}`);
      expect(await b.closed).toEqual({
        code: 4400,
        reason: 'bad conn: NONCE.COUNTER (1-64 characters of A-Za-z0-9_-, a dot, 1-15 digits)',
      });
    },
  );

  it('gives a returning client the role it asks for while that slot is free', async () => {
    const b = connect('r1', 'b&role=polite');
    expect(await b.next()).toEqual({ type: 'welcome', polite: true, peerPresent: false });
    const c = connect('r1', 'c&role=polite');
    expect(await c.next()).toEqual({ type: 'welcome', polite: false, peerPresent: true });
    expect((await connect('r1', 'd&role=boss').closed).code).toBe(4400);
  });

  it('closes a third peer with 4409', async () => {
    await connect('r1', 'a').next();
    await connect('r1', 'b').next();
    const c = connect('r1', 'c');
    expect(await c.closed).toEqual({ code: 4409, reason: 'room full' });
  });

  it('closes with 4400 naming a bad query', async () => {
    expect(await connect('no*pe', 'a').closed).toMatchObject({ code: 4400, reason: /room/ });
    expect(await connect('r1', 'x'.repeat(65)).closed).toMatchObject({ code: 4400, reason: /id/ });
    const noId = new Client(`${base}/signal?room=r1`);
    clients.push(noId);
    expect(await noId.closed).toEqual({ code: 4400, reason: 'missing id' });
  });

  it('leaves upgrades on other paths to other listeners', async () => {
    let seen = '';
    server.on('upgrade', (req, socket) => {
      seen = req.url ?? '';
      socket.destroy();
    });
    const other = connect('r1', 'a', '/vite-hmr');
    await other.closed;
    expect(seen).toBe('/vite-hmr?room=r1&id=a');
    expect(relay.rooms()).toBe(0);
  });

  it('answers a ping with a pong carrying its id', async () => {
    const a = connect('r1', 'a');
    await a.next();
    a.send({ type: 'ping', id: 7 });
    expect(await a.next()).toEqual({ type: 'pong', id: 7 });
  });

  it('forwards signal data to the other peer only', async () => {
    const { a, b } = await pairUp();
    const data = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };
    a.send({ type: 'signal', data });
    expect(await b.next()).toEqual({ type: 'signal', data });
    await a.quiet();
  });

  it('drops a signal with nobody to receive it and says so', async () => {
    const a = connect('r1', 'a');
    await a.next();
    a.send({ type: 'signal', data: 'x' });
    expect(await a.next()).toEqual({ type: 'error', message: 'no peer in room' });
    const b = connect('r1', 'b');
    await b.next();
    await b.quiet();
  });

  it('closes with 1009 on a frame over maxFrameBytes', async () => {
    const a = connect('r1', 'a');
    await a.next();
    a.send({ type: 'signal', data: 'x'.repeat(64 * 1024) });
    expect((await a.closed).code).toBe(1009);
  });

  it('answers malformed frames with an error and stays open', async () => {
    const a = connect('r1', 'a');
    await a.next();
    a.send('{not json');
    expect(await a.next()).toEqual({ type: 'error', message: 'frame is not valid JSON' });
    a.send({ type: 'hello' });
    expect(await a.next()).toEqual({ type: 'error', message: 'unknown frame type "hello"' });
    a.send({ type: 7 });
    expect(await a.next()).toEqual({ type: 'error', message: 'unknown frame type number' });
    a.send({ type: 'signal' });
    expect(await a.next()).toEqual({ type: 'error', message: 'signal frame has no `data`' });
    a.send([1, 2]);
    expect(await a.next()).toMatchObject({ type: 'error', message: /JSON object/ });
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.next()).toMatchObject({ type: 'error', message: /binary/ });
    a.send({ type: 'ping', id: 1 });
    expect(await a.next()).toEqual({ type: 'pong', id: 1 });
  });

  it('drops a silenced client after heartbeatTimeoutMs and tells its peer', async () => {
    const { a, b } = await pairUp();
    const keepAlive = setInterval(() => {
      a.send({ type: 'ping', id: 0 });
    }, 50);
    try {
      relay.setSilent('b', true);
      a.send({ type: 'signal', data: 'lost' });
      const start = Date.now();
      expect(await a.next()).toMatchObject({ type: 'pong' });
      let frame = await a.next();
      while (frame.type === 'pong') frame = await a.next();
      expect(frame).toEqual({ type: 'peer', present: false, left: false });
      expect(Date.now() - start).toBeGreaterThanOrEqual(250);
      await b.closed;
      expect(relay.rooms()).toBe(1);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('keeps a client that pings alive past heartbeatTimeoutMs', async () => {
    const a = connect('r1', 'a');
    await a.next();
    for (let i = 0; i < 5; i += 1) {
      await sleep(100);
      a.send({ type: 'ping', id: i });
      expect(await a.next()).toEqual({ type: 'pong', id: i });
    }
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses a silenced id until it is heard again', async () => {
    relay.setSilent('a', true);
    const a1 = connect('r1', 'a');
    expect((await a1.closed).code).toBe(1006);
    relay.setSilent('a', false);
    const a2 = connect('r1', 'a');
    expect(await a2.next()).toMatchObject({ type: 'welcome' });
  });

  it('drops every socket and room on reset', async () => {
    const a = connect('r1', 'a');
    const b = connect('r2', 'b');
    await a.next();
    await b.next();
    expect(relay.rooms()).toBe(2);
    relay.reset();
    await Promise.all([a.closed, b.closed]);
    expect(relay.rooms()).toBe(0);
    const again = connect('r1', 'b');
    expect(await again.next()).toEqual({ type: 'welcome', polite: false, peerPresent: false });
  });

  it('takes no more upgrades once closed, leaving the HTTP server up', async () => {
    await relay.close();
    const late = connect('r1', 'a');
    // Nobody answers the upgrade now; the client gives up when the test ends.
    await late.quiet(100);
    expect(late.ws.readyState).toBe(WebSocket.CONNECTING);
    expect(server.listening).toBe(true);
  });
});

describe('attachRelay', () => {
  it('serves the public API: close and rooms, and no test hooks', async () => {
    const other = createServer();
    const plain = attachRelay(other, { path: '/rtc' });
    expect(Object.keys(plain).sort()).toEqual(['close', 'rooms']);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    const client = new Client(`ws://127.0.0.1:${port}/rtc?room=r9&id=a`);
    clients.push(client);
    expect(await client.next()).toEqual({ type: 'welcome', polite: false, peerPresent: false });
    expect(plain.rooms()).toBe(1);
    await plain.close();
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
  });

  it('names the option that is wrong, and an unknown one with a suggestion', () => {
    const other = createServer();
    expect(() => attachRelay(other, { path: 'signal' })).toThrow(
      new TypeError('Expected `path` to be a string starting with "/", got "signal".'),
    );
    expect(() => attachRelay(other, { maxFrameBytes: 0 })).toThrow(/`maxFrameBytes`/);
    expect(() => attachRelay(other, { heartbeatTimeoutMs: Number.NaN })).toThrow(
      /`heartbeatTimeoutMs`/,
    );
    const typo = { heartbeatTimeout: 10 } as unknown as RelayOptions;
    expect(() => attachRelay(other, typo)).toThrow(
      'Unknown option `heartbeatTimeout`; did you mean `heartbeatTimeoutMs`?',
    );
  });
});
