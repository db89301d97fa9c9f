// Driving the bench page (bench/pages/bench.html) in both harness pages, Chromium or Firefox
// (through the browser-neutral `h.peers`): how each kind of case loads it (calls, send rate,
// frame polling, camera, ICE servers), opening the call(s) with the shared openCall, and reading
// what the pages recorded.

import type { Case, Variant } from './cases.js';
import type { CallRead } from './figures';
import type { AnyHarness, Peer, PeerPage } from '../e2e/netns/harness';
import { freshTrial, openCall } from '../e2e/netns/open-call';
import { PEERS } from '../e2e/netns/topology';

/** What the runner polls until a call is up (one per call of the page). */
interface CallSummary {
  readonly connected: boolean;
  readonly channel: string | null;
  readonly messages: number;
  readonly frames: number;
}

/** A call's selected candidate pair, as the page reads it from getStats. */
export interface CandidatePath {
  readonly local: RTCIceCandidateType | null;
  readonly remote: RTCIceCandidateType | null;
  readonly protocol: string | null;
  readonly relayProtocol: string | null;
}

interface BenchApi {
  readonly calls: number;
  summary(): CallSummary[];
  read(since: number, gapMs: number, eventsFrom: number): CallRead[];
  restartAll(): number;
  decodedFrames(): Promise<number[]>;
  /** Each call's selected pair; null where there is none (or getStats did not answer). */
  paths(): Promise<(CandidatePath | null)[]>;
}

declare global {
  interface Window {
    bench: BenchApi;
  }
}

/** How a page is loaded for one kind of case. */
export interface PageSettings {
  readonly calls: number;
  /** A numbered message every this many ms on each call's channel, both ways. */
  readonly sendMs: number;
  /** One getStats per call this often for decoded frames; 0: none. */
  readonly framePollMs: number;
  /** The fake camera each call sends, `WxH@FPS`. */
  readonly video: string;
  /** Messages and frame sightings each call must have shown before the call counts as up. */
  readonly upMessages: number;
  readonly upFrames: number;
}

/**
 * One call as before (640×480, a message every 20 ms, frames polled every 50 ms); N calls with a
 * small camera and a slower pace, so 2 × N calls fit on a 2-core machine; the cost case without
 * frame polling, whose getStats would cost more than the probe it measures.
 */
export function pageSettings(c: Case): PageSettings {
  switch (c.kind) {
    case 'mass-restart':
    case 'mass-cut':
      return {
        calls: c.calls,
        sendMs: 50,
        framePollMs: 200,
        video: '160x120@15',
        upMessages: 10,
        upFrames: 5,
      };
    case 'cost':
      return {
        calls: c.calls,
        sendMs: 1000,
        framePollMs: 0,
        video: '160x120@15',
        upMessages: 2,
        upFrames: 0,
      };
    default:
      return {
        calls: 1,
        sendMs: 20,
        framePollMs: 50,
        video: '640x480@30',
        upMessages: 25,
        upFrames: 15,
      };
  }
}

/**
 * Loads the page in both namespaces (A first, so A is the impolite slot 0 of every room) and
 * waits until every call is up with data (and frames, where polled) flowing both ways.
 */
export async function openBenchCall(
  h: AnyHarness,
  spec: {
    variant: Variant;
    room: string;
    lib: string;
    settings: PageSettings;
    iceServers: readonly RTCIceServer[];
  },
): Promise<void> {
  const { variant, room, lib, settings, iceServers } = spec;
  const query = (peer: Peer): string =>
    new URLSearchParams({
      variant,
      peer,
      room,
      lib,
      calls: String(settings.calls),
      sendMs: String(settings.sendMs),
      framePollMs: String(settings.framePollMs),
      video: settings.video,
      ice: JSON.stringify(iceServers),
    }).toString();
  await freshTrial(h);
  await openCall(h, {
    url: (peer) => `${h.routerUrl}/bench/pages/bench.html?${query(peer)}`,
    joined: () => 'bench' in window,
    state: (page) => page.evaluate(() => window.bench.summary()),
    up: (calls) =>
      calls.every(
        (s) =>
          s.connected &&
          s.channel === 'open' &&
          s.messages > settings.upMessages &&
          s.frames >= settings.upFrames,
      ),
    joinTimeoutMs: 15_000 + 500 * settings.calls,
    upTimeoutMs: 25_000 + 1_000 * settings.calls,
  });
}

/** Both pages' record of every call from `eventsFrom` on; message and frame stamps from `since`. */
export async function readCalls(
  h: AnyHarness,
  since: number,
  options: { gapMs?: number; eventsFrom?: number } = {},
): Promise<Record<Peer, CallRead[]>> {
  const arg = { since, gapMs: options.gapMs ?? 0, eventsFrom: options.eventsFrom ?? since };
  const read = (page: PeerPage): Promise<CallRead[]> =>
    page.evaluate((a) => window.bench.read(a.since, a.gapMs, a.eventsFrom), arg);
  const [a, b] = await Promise.all(PEERS.map((peer) => read(h.peers[peer])));
  if (a === undefined || b === undefined) throw new Error('unreachable');
  return { a, b };
}

/** restart() on every call of A's page at once; resolves with when it began (page clock). */
export function restartAll(h: AnyHarness): Promise<number> {
  return h.peers.a.evaluate(() => window.bench.restartAll());
}

/** Frames decoded so far by each call of `peer`'s page (one getStats per call). */
export function decodedFrames(h: AnyHarness, peer: Peer): Promise<number[]> {
  return h.peers[peer].evaluate(() => window.bench.decodedFrames());
}

/** The selected pair of the first call of each page. */
export async function firstCallPaths(h: AnyHarness): Promise<Record<Peer, CandidatePath | null>> {
  const [a, b] = await Promise.all(
    PEERS.map((peer) => h.peers[peer].evaluate(() => window.bench.paths())),
  );
  return { a: a?.[0] ?? null, b: b?.[0] ?? null };
}
