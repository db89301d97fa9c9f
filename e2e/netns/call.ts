// What the netns call scenarios share: opening a resilient-peer call between the two pages
// (pages/app.html) in a fresh relay room, reading `window.app.state()`, marking cut windows, the
// per-peer recovery figures, and the checks every scenario ends with (flowing, sequence intact).

import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { PEERS, type AnyHarness, type CutWindow, type Peer } from './harness';
import { freshTrial, openCall } from './open-call';

/** What app.js's `window.app.state()` returns. */
export interface AppState {
  readonly polite: boolean;
  readonly phase: string;
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly signalingState: RTCSignalingState;
  /** The library's view of the signaling channel (its last `signalingChange`). */
  readonly signalingUp: boolean;
  readonly channel: RTCDataChannelState | null;
  /** Data channels this page has had (a replaced connection brings a new one). */
  readonly channels: number;
  readonly sent: number;
  readonly received: number;
  readonly maxSeen: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly lastMessageAt: number;
  readonly framesDecoded: number;
  readonly lastFrameAt: number;
}

declare global {
  interface Window {
    app: {
      state(): AppState;
      restart(): void;
      close(): void;
      setIceServers(servers: readonly RTCIceServer[]): number;
      readonly iceServersCalls: number;
      selectedPath(): Promise<{
        local: string | null;
        remote: string | null;
        protocol: string | null;
        relayProtocol: string | null;
        localAddress: string | null;
      }>;
    };
  }
}

/** The per-peer figures of one cut window; null when the event never came. */
export interface Figures {
  readonly cutToRecovering: number | null;
  readonly restoreToConnected: number | null;
  readonly restoreToMessage: number | null;
  readonly restoreToFrame: number | null;
}

/** The signaling a call page uses (pages/app.js): the project relay or an app's own. */
export type Transport = 'relay' | 'app-ws' | 'socket.io';

/** How to open a call. */
export interface CallOptions {
  /** `default` or `table:0,1000,...`. @default 'default' */
  readonly policy?: string;
  /** @default 'relay' */
  readonly transport?: Transport;
  /** Each peer's `rtcConfig.iceServers`. @default none */
  readonly iceServers?: Readonly<Record<Peer, readonly RTCIceServer[]>>;
  /** `relay`: start on TURN only. @default 'all' */
  readonly icePolicy?: RTCIceTransportPolicy;
  /** Hand the library a getIceServers provider fed by `app.setIceServers`. @default false */
  readonly provider?: boolean;
}

/** Call helpers bound to one harness (read lazily: it is built in `beforeAll`). */
export interface CallHelpers {
  readonly state: (peer: Peer) => Promise<AppState>;
  /** Both pages on about:blank, faults lifted, relay emptied, then a fresh call in a new room. */
  readonly openCall: (options?: string | CallOptions) => Promise<void>;
  /** Marks the cut window on the timeline. */
  readonly markWindow: (w: CutWindow, label?: string) => void;
  readonly figures: (peer: Peer, w: CutWindow) => Figures;
  /** Logs and returns both peers' figures of `w`. */
  readonly print: (label: string, w: CutWindow) => Record<Peer, Figures>;
  /** Waits until `peer`'s page shows `event` after `since`. */
  readonly waitEvent: (
    peer: Peer,
    event: string,
    since: number,
    timeoutMs: number,
    where?: (d: Readonly<Record<string, unknown>>) => boolean,
  ) => Promise<void>;
  /** No message of the ordered channel missing, duplicated or out of order, on either side. */
  readonly expectSequenceIntact: () => Promise<void>;
  /** Both connected, data arriving and frames decoding after `since`. */
  readonly expectFlowing: (since: number, timeoutMs: number) => Promise<void>;
  /** For `afterEach`: attaches the timeline, and prints it when the test failed. */
  readonly saveTimeline: () => Promise<void>;
}

/** Helpers for the harness `harness()` returns; rooms are named `${roomPrefix}-PID-N`. */
export function callHelpers(harness: () => AnyHarness, roomPrefix: string): CallHelpers {
  let rooms = 0;
  const state = (peer: Peer): Promise<AppState> =>
    harness().peers[peer].evaluate(() => window.app.state());

  async function openAppCall(options: string | CallOptions = {}): Promise<void> {
    const {
      policy = 'default',
      transport = 'relay',
      iceServers,
      icePolicy,
      provider = false,
    } = typeof options === 'string' ? { policy: options } : options;
    const h = harness();
    await freshTrial(h);
    const room = `${roomPrefix}-${process.pid}-${++rooms}`;
    // The relay makes the first client in a room impolite (A is loaded first); the other
    // transports are told the role: A impolite, B polite.
    const url = (peer: Peer): string => {
      const query = new URLSearchParams({
        room,
        policy,
        transport,
        polite: peer === 'b' ? '1' : '0',
      });
      if (iceServers !== undefined) query.set('ice', JSON.stringify(iceServers[peer]));
      if (icePolicy !== undefined) query.set('icePolicy', icePolicy);
      if (provider) query.set('provider', '1');
      // RPT_DEBUG=1: the library's debug lines and every incoming signal on the timeline.
      if (process.env.RPT_DEBUG === '1') query.set('debug', '1');
      return `${h.routerUrl}/e2e/netns/pages/app.html?${query.toString()}`;
    };
    // app.js publishes window.app once its signaling has joined the room.
    const states = await openCall(h, {
      url,
      joined: () => 'app' in window,
      state: (page) => page.evaluate(() => window.app.state()),
      up: (s) =>
        s.phase === 'connected' && s.channel === 'open' && s.received > 10 && s.framesDecoded > 10,
    });
    expect(states.a.polite, 'a impolite').toBe(false);
    expect(states.b.polite, 'b polite').toBe(true);
    h.timeline.mark('callUp');
  }

  function markWindow(w: CutWindow, label = ''): void {
    harness().timeline.mark(`cut${label}`, {}, w.cutAt);
    harness().timeline.mark(`restored${label}`, {}, w.restoredAt);
  }

  function figures(peer: Peer, w: CutWindow): Figures {
    const t = harness().timeline;
    const since = (e: { t: number } | undefined, from: number): number | null =>
      e === undefined ? null : e.t - from;
    const recovering = t.find(peer, 'phaseChange', w.cutBeganAt, (d) => d.to === 'recovering');
    const connected = t.find(peer, 'phaseChange', w.restoreBeganAt, (d) => d.to === 'connected');
    const message = t.find(peer, 'message', w.restoreBeganAt);
    const frame = t.find(peer, 'frame', w.restoreBeganAt);
    return {
      cutToRecovering:
        recovering !== undefined && recovering.t <= w.restoredAt ? recovering.t - w.cutAt : null,
      restoreToConnected: since(connected, w.restoredAt),
      restoreToMessage: since(message, w.restoredAt),
      restoreToFrame: since(frame, w.restoredAt),
    };
  }

  function print(label: string, w: CutWindow): Record<Peer, Figures> {
    const result = { a: figures('a', w), b: figures('b', w) };
    const show = (v: number | null): string => (v === null ? 'n/a' : `${v} ms`);
    for (const peer of PEERS) {
      const f = result[peer];
      console.log(
        `[${label}] ${peer}: cut→recovering ${show(f.cutToRecovering)}, restore→connected ${show(f.restoreToConnected)}, ` +
          `restore→message ${show(f.restoreToMessage)}, restore→frame ${show(f.restoreToFrame)}`,
      );
    }
    return result;
  }

  async function waitEvent(
    peer: Peer,
    event: string,
    since: number,
    timeoutMs: number,
    where: (d: Readonly<Record<string, unknown>>) => boolean = () => true,
  ): Promise<void> {
    await harness().timeline.waitFor(peer, event, { since, where, timeoutMs });
  }

  async function expectSequenceIntact(): Promise<void> {
    for (const peer of PEERS) {
      const s = await state(peer);
      expect(
        { missing: s.missing, duplicates: s.duplicates, outOfOrder: s.outOfOrder },
        `${peer}: sequence (received ${s.received}, max ${s.maxSeen})`,
      ).toEqual({ missing: 0, duplicates: 0, outOfOrder: 0 });
    }
  }

  async function expectFlowing(since: number, timeoutMs: number): Promise<void> {
    for (const peer of PEERS) {
      await expect
        .poll(
          async () => {
            const s = await state(peer);
            return {
              phase: s.phase,
              connectionState: s.connectionState,
              data: s.lastMessageAt > since,
              frames: s.lastFrameAt > since,
            };
          },
          { timeout: timeoutMs, message: `${peer}: connected, data and frames after restore` },
        )
        .toEqual({ phase: 'connected', connectionState: 'connected', data: true, frames: true });
    }
  }

  async function saveTimeline(): Promise<void> {
    const h = harness();
    const info = test.info();
    // The timeline of every scenario, passed or not: its figures are what a reader checks first.
    const path = info.outputPath('timeline.txt');
    writeFileSync(path, `${h.timeline.format()}\n${h.timeline.console.join('\n')}\n`);
    await info.attach('timeline', { path, contentType: 'text/plain' });
    if (info.status !== info.expectedStatus) {
      console.log(`--- timeline of "${info.title}"\n${h.timeline.format()}`);
    }
  }

  return {
    state,
    openCall: openAppCall,
    markWindow,
    figures,
    print,
    waitEvent,
    expectSequenceIntact,
    expectFlowing,
    saveTimeline,
  };
}
