// The WebSocket adapter against the reference relay, in real Chromium: the relay process is
// stopped and started again, and the relay blackholes one client. Each test runs its own
// `scripts/serve.mjs --test-hooks` on a free loopback port, so it can kill and restart it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type * as Library from '../src/index';
import type { SequenceCheck } from './pages/shared/sequence.js';

const ROOT = resolve(import.meta.dirname, '..');

interface StateRecord {
  at: number;
  up: boolean;
  socket: 'connecting' | 'open' | 'closed';
  peerPresent: boolean;
}

interface SocketRecord {
  n: number;
  url: string;
  createdAt: number;
  openedAt: number | null;
  closeCalled: { at: number; code: number | null; reason: string | null } | null;
  closedAt: number | null;
  closeCode: number | null;
}

interface LibraryEvent {
  at: number;
  name: keyof Library.ResilientPeerEvents;
  payload: Record<string, unknown>;
}

interface Negotiation {
  signalingState: RTCSignalingState;
  connectionState: RTCPeerConnectionState;
  phase: Library.Phase;
  transceivers: { mid: string | null; kind: string; currentDirection: string | null }[];
}

/** What e2e/pages/ws-peer.js puts on `window`; its times are Date.now() values. */
interface WsPeer {
  signaling: Library.WebSocketSignaling;
  peer: Library.ResilientPeer;
  id: string;
  polite: boolean;
  states: StateRecord[];
  adapterErrors: { at: number; code: string; message: string }[];
  welcomes: { at: number; polite: boolean }[];
  sockets: SocketRecord[];
  received: { at: number; kind: string | null; type: string | null }[];
  events: LibraryEvent[];
  log: { at: number; level: string; message: string; data?: unknown }[];
  ice: Record<string, unknown>[];
  addVideo(label: string): number;
  negotiation(): Negotiation;
  sequenceCheck(): SequenceCheck;
  receivedBetween(from: number, to: number): number;
}

type WsWindow = Window & { ws: WsPeer; ready?: boolean };

/** Every server child this file started and has not seen exit; afterAll kills what is left. */
const children = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        done(port);
      });
    });
  });
}

/** One `node scripts/serve.mjs --test-hooks` on a fixed port that can be stopped and started again. */
class RelayServer {
  child: ChildProcess | null = null;
  readonly log: string[] = [];

  constructor(readonly port: number) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server; resolves with Date.now() once it is listening. */
  start(): Promise<number> {
    if (this.child) throw new Error('the server is already running');
    const child = spawn(
      process.execPath,
      ['scripts/serve.mjs', '--port', String(this.port), '--host', '127.0.0.1', '--test-hooks'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    children.add(child);
    child.once('exit', () => {
      children.delete(child);
      if (this.child === child) this.child = null;
    });
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        fail(new Error(`serve.mjs did not listen within 30 s:\n${this.log.join('')}`));
      }, 30_000); // a fully loaded CI machine once took over 10 s to start node
      child.stderr.on('data', (chunk: Buffer) => this.log.push(chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        this.log.push(text);
        if (text.includes('listening on')) {
          clearTimeout(timer);
          done(Date.now());
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`serve.mjs exited (${String(code ?? signal)}):\n${this.log.join('')}`));
      });
    });
  }

  /** Sends `signal` to the server's PID and resolves with Date.now() once it exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    const child = this.child;
    if (!child?.pid) return Date.now();
    const exited = new Promise<void>((done) => {
      child.once('exit', () => {
        done();
      });
    });
    process.kill(child.pid, signal);
    const late = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }, 5000);
    await exited;
    clearTimeout(late);
    return Date.now();
  }

  async hook(path: string): Promise<string> {
    const response = await fetch(`${this.origin}${path}`, { method: 'POST' });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return text;
  }
}

interface Peers {
  a: Page;
  b: Page;
  room: string;
  /** Console errors that were expected: a failed WebSocket connect while a fault was on. */
  expectedErrors: { page: string; at: number; text: string }[];
  /** Opens a window in which the pages may log failed WebSocket connects; returns its closer. */
  faultWindow(): () => void;
}

const test = base.extend<{ relay: RelayServer; peers: Peers }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument.
  relay: async ({}, use) => {
    const relay = new RelayServer(await freePort());
    await relay.start();
    try {
      await use(relay);
    } finally {
      await relay.stop();
    }
  },
  peers: async ({ browser, relay }, use, testInfo) => {
    const room = `ws-${String(Date.now())}-${Math.random().toString(36).slice(2, 8)}`;
    const errors: string[] = [];
    const expectedErrors: Peers['expectedErrors'] = [];
    const windows: { from: number; to: number }[] = [];
    // What Chromium logs when a WebSocket to our relay cannot connect (server down or blackholed).
    const connectFailed = new RegExp(
      `^WebSocket connection to 'ws://127\\.0\\.0\\.1:${String(relay.port)}/signal\\?room=${room}&id=[0-9a-f]+&conn=[0-9a-f]+\\.\\d+(&role=(polite|impolite))?' failed`,
    );
    const contexts: BrowserContext[] = [];
    const open = async (name: string): Promise<Page> => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const at = Date.now();
        const text = message.text();
        const inWindow = windows.some((w) => at >= w.from && at <= w.to + 1000);
        // The adapter's reachability probes while the relay is down (HEAD to /signal).
        const probeFailed =
          /^Failed to load resource: net::ERR_/.test(text) &&
          message.location().url.startsWith(`${relay.origin}/signal`);
        if ((connectFailed.test(text) || probeFailed) && inWindow) {
          expectedErrors.push({ page: name, at, text });
        } else errors.push(`${name}: ${text}`);
      });
      await page.goto(`${relay.origin}/e2e/pages/ws-peer.html?room=${room}`);
      await page.waitForFunction(() => (window as unknown as WsWindow).ready === true);
      return page;
    };
    try {
      // One after the other: the first one in gets the relay's impolite slot.
      const a = await open('A');
      const b = await open('B');
      await use({
        a,
        b,
        room,
        expectedErrors,
        faultWindow: () => {
          const w = { from: Date.now(), to: Number.POSITIVE_INFINITY };
          windows.push(w);
          return () => {
            w.to = Date.now();
          };
        },
      });
      if (testInfo.status !== testInfo.expectedStatus) {
        // What both sides saw, for the report: adapter states, sockets, library events and log.
        for (const [name, page] of [
          ['A', a],
          ['B', b],
        ] as const) {
          const record = await page.evaluate(() => {
            const { ws } = window as unknown as WsWindow;
            return {
              id: ws.id,
              polite: ws.polite,
              states: ws.states,
              sockets: ws.sockets,
              welcomes: ws.welcomes,
              adapterErrors: ws.adapterErrors,
              received: ws.received,
              events: ws.events,
              log: ws.log,
              ice: ws.ice,
              negotiation: ws.negotiation(),
            };
          });
          const file = testInfo.outputPath(`page-${name}.json`);
          await writeFile(file, JSON.stringify(record, null, 2));
          await testInfo.attach(`page ${name}`, { path: file, contentType: 'application/json' });
        }
        const file = testInfo.outputPath('server-output.txt');
        await writeFile(file, relay.log.join(''));
        await testInfo.attach('server output', { path: file, contentType: 'text/plain' });
      }
      expect(errors, 'no exception or unexpected console error in either page').toEqual([]);
    } finally {
      for (const context of contexts) await context.close();
    }
  },
});

test.afterAll(() => {
  // A test that failed before its fixture could stop its server; by PID, never by name.
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
});

const isUp = (page: Page): Promise<boolean> =>
  page.evaluate(() => (window as unknown as WsWindow).ws.signaling.isUp);
const states = (page: Page): Promise<StateRecord[]> =>
  page.evaluate(() => (window as unknown as WsWindow).ws.states);
const negotiation = (page: Page): Promise<Negotiation> =>
  page.evaluate(() => (window as unknown as WsWindow).ws.negotiation());
const sequence = (page: Page): Promise<SequenceCheck> =>
  page.evaluate(() => (window as unknown as WsWindow).ws.sequenceCheck());
const flowedBetween = (page: Page, from: number, to: number): Promise<number> =>
  page.evaluate((w) => (window as unknown as WsWindow).ws.receivedBetween(w.from, w.to), {
    from,
    to,
  });
const offersReceivedSince = (page: Page, since: number): Promise<number> =>
  page.evaluate(
    (s) =>
      (window as unknown as WsWindow).ws.received.filter((r) => r.at >= s && r.type === 'offer')
        .length,
    since,
  );

/** The first state event at or after `since` whose `up` is `up`, or undefined. */
async function firstState(
  page: Page,
  since: number,
  up: boolean,
): Promise<StateRecord | undefined> {
  return (await states(page)).find((s) => s.at >= since && s.up === up);
}

/** Both pages connected, both adapters up, and the sequence flowing both ways. */
async function connected(peers: Peers): Promise<number> {
  for (const [name, page] of [
    ['A', peers.a],
    ['B', peers.b],
  ] as const) {
    await expect
      .poll(
        async () => {
          const [n, s, up] = await Promise.all([negotiation(page), sequence(page), isUp(page)]);
          return { phase: n.phase, flowing: s.received > 10, up };
        },
        { message: `${name} connected`, timeout: 15_000, intervals: [50] },
      )
      .toEqual({ phase: 'connected', flowing: true, up: true });
  }
  return Date.now();
}

/** Adds a video transceiver on `from` and waits until both sides agree on it; returns ms taken. */
async function renegotiate(peers: Peers, from: Page, label: string): Promise<number> {
  const before = (await negotiation(from)).transceivers.length;
  const started = Date.now();
  const count = await from.evaluate((l) => (window as unknown as WsWindow).ws.addVideo(l), label);
  expect(count).toBe(before + 1);
  const to = from === peers.a ? peers.b : peers.a;
  await expect
    .poll(
      async () => {
        const [sender, receiver] = await Promise.all([negotiation(from), negotiation(to)]);
        const mids = (n: Negotiation) => n.transceivers.map((tr) => tr.mid);
        const added = sender.transceivers.at(-1);
        const remote = receiver.transceivers.find((tr) => tr.mid === added?.mid);
        return (
          sender.signalingState === 'stable' &&
          receiver.signalingState === 'stable' &&
          sender.transceivers.length === count &&
          mids(sender).every((mid) => mid !== null) &&
          JSON.stringify(mids(sender)) === JSON.stringify(mids(receiver)) &&
          added?.kind === 'video' &&
          /send/.test(added.currentDirection ?? '') &&
          remote?.kind === 'video' &&
          /recv/.test(remote.currentDirection ?? '')
        );
      },
      { message: `video from ${label} negotiated on both sides`, timeout: 10_000 },
    )
    .toBe(true);
  return Date.now() - started;
}

/** The media path stayed up the whole test: connected, no restart, no library error, data intact. */
async function mediaPathHeld(peers: Peers, since: number): Promise<Record<string, SequenceCheck>> {
  const result: Record<string, SequenceCheck> = {};
  for (const [name, page] of [
    ['A', peers.a],
    ['B', peers.b],
  ] as const) {
    const events = await page.evaluate(() => (window as unknown as WsWindow).ws.events);
    const after = events.filter((e) => e.at >= since);
    // These tests take the signaling path away and give it back: the library says so
    // (signalingChange down, then up), and nothing else may happen to the call.
    const signaling = after.filter((e) => e.name === 'signalingChange');
    expect(
      after.filter((e) => e.name !== 'signalingChange'),
      `${name}: no phase change, restart or error after connecting`,
    ).toEqual([]);
    expect(
      signaling.map((e) => e.payload.up).at(-1) ?? true,
      `${name}: signaling up at the end`,
    ).toBe(true);
    const n = await negotiation(page);
    expect([n.phase, n.connectionState], `${name}: still connected`).toEqual([
      'connected',
      'connected',
    ]);
    const s = await sequence(page);
    expect(
      { missing: s.missing, duplicates: s.duplicates, outOfOrder: s.outOfOrder },
      `${name}: the data sequence arrives whole and in order`,
    ).toEqual({ missing: 0, duplicates: 0, outOfOrder: 0 });
    expect(s.maxGapMs, `${name}: the data sequence never paused for 2.5 s`).toBeLessThan(2500);
    result[name] = s;
  }
  return result;
}

async function adapterErrors(page: Page): Promise<WsPeer['adapterErrors']> {
  return page.evaluate(() => (window as unknown as WsWindow).ws.adapterErrors);
}

test('reconnects both adapters after the relay restarts, and the peers renegotiate over it', async ({
  relay,
  peers,
}) => {
  const { a, b } = peers;
  const roles = await Promise.all(
    [a, b].map((p) => p.evaluate(() => (window as unknown as WsWindow).ws.polite)),
  );
  expect(roles).toEqual([false, true]);
  const connectedAt = await connected(peers);

  const endFault = peers.faultWindow();
  const killedAt = Date.now();
  const exitedAt = await relay.stop('SIGTERM');
  for (const page of [a, b]) {
    await expect.poll(() => isUp(page), { timeout: 2000, intervals: [50] }).toBe(false);
  }
  const downs = await Promise.all([a, b].map((p) => firstState(p, killedAt, false)));
  // Two seconds with no relay at all, then a new process on the same port.
  await new Promise((done) => setTimeout(done, Math.max(0, killedAt + 2000 - Date.now())));
  for (const page of [a, b]) expect(await isUp(page)).toBe(false);
  const restartedAt = await relay.start();
  for (const page of [a, b]) {
    await expect
      .poll(() => isUp(page), {
        timeout: Math.max(1, restartedAt + 10_000 - Date.now()),
        intervals: [50],
      })
      .toBe(true);
  }
  endFault();
  const ups = await Promise.all([a, b].map((p) => firstState(p, restartedAt, true)));
  const attempts = await Promise.all(
    [a, b].map((p) =>
      p.evaluate(
        (w) =>
          (window as unknown as WsWindow).ws.sockets.filter(
            (s) => s.createdAt >= w.from && s.createdAt <= w.to,
          ).length,
        { from: killedAt, to: restartedAt },
      ),
    ),
  );
  const welcomes = await Promise.all(
    [a, b].map((p) =>
      p.evaluate(
        (since) => (window as unknown as WsWindow).ws.welcomes.filter((w) => w.at >= since),
        restartedAt,
      ),
    ),
  );
  // The relay gives each side its old role back, whichever reconnected first.
  expect(welcomes.map((w) => w.map((x) => x.polite))).toEqual([[false], [true]]);

  // A new transceiver on A: the offer and answer can only travel through the new relay.
  const renegotiationMs = await renegotiate(peers, a, 'a');
  expect(await offersReceivedSince(b, restartedAt)).toBeGreaterThanOrEqual(1);

  const flowed = await Promise.all(
    [a, b].map((p) => flowedBetween(p, killedAt, ups[1]?.at ?? Date.now())),
  );
  const sequences = await mediaPathHeld(peers, connectedAt);
  expect(
    flowed.every((n) => n > 50),
    'data kept flowing while the relay was gone',
  ).toBe(true);
  expect(await adapterErrors(a)).toEqual([]);
  expect(await adapterErrors(b)).toEqual([]);

  console.log(
    [
      `relay restart: SIGTERM→exit ${String(exitedAt - killedAt)} ms`,
      `down A +${String((downs[0]?.at ?? NaN) - killedAt)} ms, B +${String((downs[1]?.at ?? NaN) - killedAt)} ms after SIGTERM`,
      `up A +${String((ups[0]?.at ?? NaN) - restartedAt)} ms, B +${String((ups[1]?.at ?? NaN) - restartedAt)} ms after the new server listened`,
      `sockets tried while down A ${String(attempts[0])}, B ${String(attempts[1])}`,
      `renegotiation ${String(renegotiationMs)} ms`,
      `data during outage A ${String(flowed[0])}, B ${String(flowed[1])} msgs; max gap A ${String(sequences.A?.maxGapMs)} ms, B ${String(sequences.B?.maxGapMs)} ms`,
      `expected console errors ${String(peers.expectedErrors.length)}`,
    ].join('; '),
  );
});

test('detects a blackholed socket by heartbeat, replaces it, and renegotiates after', async ({
  relay,
  peers,
}) => {
  const { a, b } = peers;
  const connectedAt = await connected(peers);
  const idA = await a.evaluate(() => (window as unknown as WsWindow).ws.id);
  const socketsBefore = await a.evaluate(() => (window as unknown as WsWindow).ws.sockets.length);

  const endFault = peers.faultWindow();
  const silentAt = Date.now();
  await relay.hook(`/__relay/silent?id=${idA}&on=1`);
  await expect.poll(() => isUp(a), { timeout: 3000, intervals: [50] }).toBe(false);
  const downA = await firstState(a, silentAt, false);
  expect(downA, 'A reports down').toBeDefined();
  expect((downA?.at ?? Infinity) - silentAt).toBeLessThanOrEqual(3000);

  // The adapter itself gave up on the socket (the relay never closed it), then tried new ones.
  await expect
    .poll(
      () => a.evaluate((n) => (window as unknown as WsWindow).ws.sockets.length - n, socketsBefore),
      { message: 'A tries at least two new sockets', timeout: 5000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(2);
  const sockets = await a.evaluate(() => (window as unknown as WsWindow).ws.sockets);
  const blackholed = sockets[socketsBefore - 1];
  expect(blackholed?.closeCalled, 'A closed the silent socket itself').toMatchObject({
    code: 4000,
    reason: 'heartbeat timeout',
  });
  const retries = sockets.slice(socketsBefore);
  expect(retries[0]?.createdAt ?? 0).toBeGreaterThanOrEqual(blackholed?.closeCalled?.at ?? 0);
  const connecting = (await states(a)).filter((s) => s.at >= silentAt && s.socket === 'connecting');
  expect(connecting.length, 'A goes back to connecting').toBeGreaterThanOrEqual(1);
  const downB = await firstState(b, silentAt, false);

  const unsilencedAt = Date.now();
  await relay.hook(`/__relay/silent?id=${idA}&on=0`);
  for (const page of [a, b]) {
    await expect
      .poll(() => isUp(page), {
        timeout: Math.max(1, unsilencedAt + 10_000 - Date.now()),
        intervals: [50],
      })
      .toBe(true);
  }
  endFault();
  const upA = await firstState(a, unsilencedAt, true);
  const upB = await firstState(b, unsilencedAt, true);

  const renegotiationMs = await renegotiate(peers, a, 'a');
  expect(await offersReceivedSince(b, unsilencedAt)).toBeGreaterThanOrEqual(1);
  const sequences = await mediaPathHeld(peers, connectedAt);
  expect(await adapterErrors(a)).toEqual([]);
  expect(await adapterErrors(b)).toEqual([]);
  const triedWhileSilent = (
    await a.evaluate(() => (window as unknown as WsWindow).ws.sockets)
  ).filter((s) => s.createdAt >= silentAt && s.createdAt < unsilencedAt).length;

  console.log(
    [
      `blackhole: A down +${String((downA?.at ?? NaN) - silentAt)} ms after silence`,
      `B down +${downB ? String(downB.at - silentAt) : 'never'} ms`,
      `A tried ${String(triedWhileSilent)} sockets while silent (${String(unsilencedAt - silentAt)} ms)`,
      `up A +${String((upA?.at ?? NaN) - unsilencedAt)} ms, B +${String((upB?.at ?? NaN) - unsilencedAt)} ms after unsilence`,
      `renegotiation ${String(renegotiationMs)} ms`,
      `max data gap A ${String(sequences.A?.maxGapMs)} ms, B ${String(sequences.B?.maxGapMs)} ms`,
      `expected console errors ${String(peers.expectedErrors.length)}`,
    ].join('; '),
  );
});
