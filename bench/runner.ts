// The recovery benchmark itself: one netns harness for the whole run, and for every run × case ×
// variant a fresh call (bench/pages/bench.html in both peers), one real cut, and the figures of
// that incident read back from both pages. Variants are interleaved inside each case so a noisy
// machine slows all of them alike.

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  netnsUnavailableReason,
  setUpHarness,
  type CutWindow,
  type Harness,
} from '../e2e/netns/harness';
import { sleep } from '../e2e/netns/sh';

export { netnsUnavailableReason };
export { caseName, VARIANTS, type Case, type CutKind, type Variant } from './variants';
import { caseName, type Case, type CutKind, type Variant } from './variants';

/** Options of one benchmark run. */
export interface BenchOptions {
  readonly runs: number;
  readonly variants: readonly Variant[];
  readonly cases: readonly Case[];
  /** How long after restore a run may take to count as recovered. @default 60000 */
  readonly observeMs?: number;
  /** Port of the router's server inside the namespaces. @default 8080 */
  readonly port?: number;
  /** How long to wait for another engineer's harness run to release the namespaces. @default 30 min */
  readonly lockWaitMs?: number;
  /** URL path of the library bundle the pages load. @default /dist/resilient-peer.bundle.js */
  readonly libUrl?: string;
  /** A file to copy to `libUrl` before each run when that is missing or differs (dist/ may be rebuilt meanwhile). */
  readonly libSource?: string;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

/** The figures of one incident; null = did not happen within the observation window. */
export interface Figures {
  /** First recovery action (restartIce() call, or phase 'recovering') on either peer, from the cut. */
  readonly cutToRecoveryStarted: number | null;
  /** Restore → both peers connected (0 when neither ever left connected). */
  readonly restoreToConnected: number | null;
  /** Restore → the first message received after restore, the later of the two directions. */
  readonly restoreToMessage: number | null;
  /** Restore → the first newly decoded video frame, the later of the two directions. */
  readonly restoreToFrame: number | null;
  /** Connected, messages and frames both ways within `observeMs` of restore. */
  readonly recovered: boolean;
  /** Offers sent to the relay by both peers from the cut to the end of the run. */
  readonly offers: number;
}

/** What one peer showed during one incident. */
export interface PeerFigures {
  readonly recoveryStartedAt: number | null;
  /** True when the peer stayed connected through the whole cut. */
  readonly neverLeftConnected: boolean;
  readonly connectedAt: number | null;
  readonly messageAt: number | null;
  readonly frameAt: number | null;
  readonly offers: number;
  readonly restartCalls: number;
  readonly gaveUp: boolean;
  /** Data-channel sequence check: messages lost or out of order (expected 0). */
  readonly sequenceGaps: number;
  readonly sequenceOutOfOrder: number;
  /** The page's events from just before the cut on, `t` in ms from the cut: the evidence. */
  readonly events: readonly {
    readonly t: number;
    readonly event: string;
    readonly detail?: string;
  }[];
}

/** One run of one case for one variant. */
export interface RunRecord {
  readonly variant: Variant;
  readonly kind: CutKind;
  readonly outageMs: number;
  readonly run: number;
  readonly window: CutWindow | null;
  readonly figures: Figures | null;
  readonly peers: { readonly a: PeerFigures; readonly b: PeerFigures } | null;
  /** First 12 hex digits of the SHA-256 of the library bundle as the run began. */
  readonly bundle: string;
  /** Set when the call could not be set up; such a run says nothing about recovery. */
  readonly error?: string;
}

const DEFAULT_LIB_URL = '/dist/resilient-peer.bundle.js';

const urlToFile = (libUrl: string): string =>
  join(import.meta.dirname, '..', ...libUrl.split('/').filter(Boolean));

const sha = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

/** Puts `source` back at `libUrl` if a rebuild of dist/ removed or replaced it. */
function ensureLib(libUrl: string, source: string | undefined): void {
  if (source === undefined) return;
  const target = urlToFile(libUrl);
  let same = false;
  try {
    same = sha(target) === sha(source);
  } catch {
    same = false;
  }
  if (same) return;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}

/** Which library build a run loaded (others may rebuild dist/ while a long run goes on). */
function bundleHash(libUrl: string): string {
  try {
    return sha(urlToFile(libUrl));
  } catch {
    return 'missing';
  }
}

/** Every case of the full benchmark. */
export const ALL_CASES: readonly Case[] = (['media', 'full'] as const).flatMap((kind) =>
  [3_000, 10_000, 30_000, 90_000].map((outageMs) => ({ kind, outageMs })),
);

interface PageEvent {
  readonly t: number;
  readonly event: string;
  readonly [key: string]: unknown;
}

interface PageState {
  readonly connected: boolean;
  readonly channel: string | null;
  readonly messages: number;
  readonly frames: number;
  readonly seq: {
    readonly sent: number;
    readonly received: number;
    readonly gaps: number;
    readonly outOfOrder: number;
  };
}

interface BenchApi {
  events: PageEvent[];
  state(): PageState;
  firstMessageAfter(since: number): number | null;
  firstFrameAfter(since: number): number | null;
}

declare global {
  interface Window {
    bench: BenchApi;
  }
}

const PEERS = ['a', 'b'] as const;
type Peer = (typeof PEERS)[number];

/** What a benchmark run produced. */
export interface BenchOutcome {
  /** One record per run × case × variant, in the order they ran. */
  readonly records: RunRecord[];
  /** The peers' Chromium, as Playwright reports it. */
  readonly chromium: string;
}

/** The `--quick` smoke run: one run of 3 s and 10 s media cuts for variants a and c. */
export const QUICK: Pick<BenchOptions, 'runs' | 'variants' | 'cases'> = {
  runs: 1,
  variants: ['a', 'c'],
  cases: [
    { kind: 'media', outageMs: 3_000 },
    { kind: 'media', outageMs: 10_000 },
  ],
};

/** Runs the benchmark on one netns harness, torn down on every exit path. */
export async function runBenchmark(options: BenchOptions): Promise<BenchOutcome> {
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  const observeMs = options.observeMs ?? 60_000;
  const libUrl = options.libUrl ?? DEFAULT_LIB_URL;
  const records: RunRecord[] = [];
  let chromium = 'unknown';
  const total = options.runs * options.cases.length * options.variants.length;
  let rooms = 0;
  for (let run = 1; run <= options.runs; run++) {
    for (const c of options.cases) {
      // One harness per case, all variants inside it: between cases the namespaces are released
      // for a moment, so another engineer's netns run waiting on the lock can get its turn.
      if (records.length > 0) await sleep(3_000);
      const harness = await acquireHarness(
        options.port ?? 8080,
        options.lockWaitMs ?? 30 * 60_000,
        log,
      );
      try {
        chromium = harness.browsers.browsers.a.version();
        for (const variant of options.variants) {
          const label = `[${records.length + 1}/${total}] ${variant} ${caseName(c)} run ${run}`;
          const room = `bench-${process.pid}-${++rooms}`;
          let record: RunRecord;
          ensureLib(libUrl, options.libSource);
          const bundle = bundleHash(libUrl);
          try {
            record = {
              ...(await runOne(harness, { variant, c, run, room, observeMs, libUrl })),
              bundle,
            };
          } catch (error) {
            record = {
              variant,
              kind: c.kind,
              outageMs: c.outageMs,
              run,
              window: null,
              figures: null,
              peers: null,
              bundle,
              error: String(error instanceof Error ? error.message : error).slice(0, 2000),
            };
          }
          records.push(record);
          log(`${label}: ${describe(record)}`);
        }
      } finally {
        await harness.teardown();
      }
    }
  }
  return { records, chromium };
}

/** setUpHarness, retried while another engineer's run holds the fixed-name namespaces. */
async function acquireHarness(
  port: number,
  lockWaitMs: number,
  log: (line: string) => void,
): Promise<Harness> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      return await setUpHarness({ port });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/owns the \S+ namespaces/.test(message) || Date.now() > deadline) throw error;
      log(`waiting for the netns lock: ${message}`);
      await sleep(5_000);
    }
  }
}

async function runOne(
  h: Harness,
  spec: {
    variant: Variant;
    c: Case;
    run: number;
    room: string;
    observeMs: number;
    libUrl: string;
  },
): Promise<Omit<RunRecord, 'bundle'>> {
  const { variant, c, run, room, observeMs, libUrl } = spec;
  await Promise.all(PEERS.map((peer) => h.pages[peer].goto('about:blank')));
  await h.resetTrial();
  await openCall(h, variant, room, libUrl);

  const cut = await h.faults.cut(c.kind === 'media' ? 'media' : { kind: 'full', peer: 'a' });
  await sleep(cut.cutAt + c.outageMs - Date.now());
  const window = await cut.restore();

  // Watch until both peers are connected with messages and frames flowing, or observeMs passes.
  const deadline = window.restoredAt + observeMs;
  let peers = await readPeers(h, window);
  while (!complete(peers) && Date.now() < deadline) {
    await sleep(250);
    peers = await readPeers(h, window);
  }
  // A little longer, so offers still in flight and late give-ups are counted.
  await sleep(1_500);
  peers = await readPeers(h, window);
  return {
    variant,
    kind: c.kind,
    outageMs: c.outageMs,
    run,
    window,
    figures: combine(peers, window, observeMs),
    peers,
  };
}

/** Loads the page in both namespaces (A first, so A is the relay's impolite slot 0) and waits
 * until the call is up with data and frames flowing both ways for a moment. */
async function openCall(h: Harness, variant: Variant, room: string, lib: string): Promise<void> {
  const url = (peer: Peer): string =>
    `${h.routerUrl}/bench/pages/bench.html?${new URLSearchParams({ variant, peer, room, lib }).toString()}`;
  const loaded = (page: Page): Promise<unknown> =>
    page.waitForFunction(() => 'bench' in window, null, { timeout: 15_000 });
  await h.pages.a.goto(url('a'));
  await loaded(h.pages.a);
  // Let A's socket be welcomed first: the relay gives the first client slot 0.
  await h.pages.a.waitForFunction(
    () => window.bench.events.some((e) => e.event === 'welcome' || e.event === 'signaling'),
    null,
    { timeout: 15_000 },
  );
  await h.pages.b.goto(url('b'));
  await loaded(h.pages.b);
  const deadline = Date.now() + 25_000;
  for (;;) {
    const states = await Promise.all(PEERS.map((peer) => pageState(h.pages[peer])));
    if (
      states.every((s) => s.connected && s.channel === 'open' && s.messages > 25 && s.frames > 15)
    )
      break;
    if (Date.now() > deadline) {
      throw new Error(`call did not come up within 25 s: ${JSON.stringify(states)}`);
    }
    await sleep(200);
  }
  // One more second of steady flow, so detectors that look at recent payload see a busy call.
  await sleep(1_000);
}

function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => window.bench.state());
}

async function readPeers(h: Harness, w: CutWindow): Promise<Record<Peer, PeerFigures>> {
  const [a, b] = await Promise.all(PEERS.map((peer) => readPeer(h.pages[peer], w)));
  if (a === undefined || b === undefined) throw new Error('unreachable');
  return { a, b };
}

/** Events too frequent or too dull to keep as evidence. */
const NOISE = new Set(['statsError']);

async function readPeer(page: Page, w: CutWindow): Promise<PeerFigures> {
  const { events, state, messageAt, frameAt } = await page.evaluate((since) => {
    const api = window.bench;
    return {
      events: api.events,
      state: api.state(),
      messageAt: api.firstMessageAfter(since),
      frameAt: api.firstFrameAfter(since),
    };
  }, w.restoreBeganAt);
  const after = (t0: number): PageEvent[] => events.filter((e) => e.t >= t0);
  const recoveryStart = after(w.cutBeganAt).find(
    (e) => e.event === 'restartIce' || (e.event === 'phase' && e.to === 'recovering'),
  );
  // Connected-ness at restore: the last connected/notConnected event before the restore began.
  const transitions = events.filter((e) => e.event === 'connected' || e.event === 'notConnected');
  const beforeRestore = transitions.filter((e) => e.t < w.restoreBeganAt);
  const lostDuringCut = transitions.some(
    (e) => e.event === 'notConnected' && e.t >= w.cutBeganAt && e.t < w.restoreBeganAt,
  );
  const connectedAtRestore = beforeRestore.at(-1)?.event === 'connected';
  const connectedAfter = transitions.find(
    (e) => e.t >= w.restoreBeganAt && e.event === 'connected',
  );
  const neverLeft = connectedAtRestore && !lostDuringCut;
  return {
    recoveryStartedAt: recoveryStart?.t ?? null,
    neverLeftConnected: neverLeft,
    connectedAt: neverLeft ? w.restoredAt : (connectedAfter?.t ?? null),
    messageAt,
    frameAt,
    offers: after(w.cutBeganAt).filter((e) => e.event === 'offerSent').length,
    restartCalls: after(w.cutBeganAt).filter(
      (e) => e.event === 'restartIce' || e.event === 'restartAttempt',
    ).length,
    gaveUp: after(w.cutBeganAt).some((e) => e.event === 'gaveUp'),
    sequenceGaps: state.seq.gaps,
    sequenceOutOfOrder: state.seq.outOfOrder,
    events: events
      .filter((e) => e.t >= w.cutBeganAt - 1_000 && !NOISE.has(e.event))
      .slice(0, 300)
      .map(({ t, event, ...data }) => {
        const detail = JSON.stringify(data);
        return detail === '{}' ? { t: t - w.cutAt, event } : { t: t - w.cutAt, event, detail };
      }),
  };
}

function complete(peers: Record<Peer, PeerFigures>): boolean {
  return PEERS.every((p) => {
    const f = peers[p];
    return f.connectedAt !== null && f.messageAt !== null && f.frameAt !== null;
  });
}

/** Both directions must be back, so each restore figure is the later of the two peers. */
function combine(peers: Record<Peer, PeerFigures>, w: CutWindow, observeMs: number): Figures {
  const later = (pick: (f: PeerFigures) => number | null): number | null => {
    const values = PEERS.map((p) => pick(peers[p]));
    if (values.some((v) => v === null)) return null;
    // The path reopened somewhere in (restoreBeganAt, restoredAt]; an event inside that window
    // counts as 0 ms.
    return Math.max(0, Math.max(...(values as number[])) - w.restoredAt);
  };
  const starts = PEERS.map((p) => peers[p].recoveryStartedAt).filter(
    (t): t is number => t !== null,
  );
  const restoreToConnected = later((f) => f.connectedAt);
  const restoreToMessage = later((f) => f.messageAt);
  const restoreToFrame = later((f) => f.frameAt);
  const within = (v: number | null): boolean => v !== null && v <= observeMs;
  return {
    cutToRecoveryStarted: starts.length > 0 ? Math.max(0, Math.min(...starts) - w.cutAt) : null,
    restoreToConnected,
    restoreToMessage,
    restoreToFrame,
    recovered: within(restoreToConnected) && within(restoreToMessage) && within(restoreToFrame),
    offers: peers.a.offers + peers.b.offers,
  };
}

function describe(record: RunRecord): string {
  if (record.error !== undefined) return `ERROR ${record.error.split('\n')[0] ?? ''}`;
  const f = record.figures;
  if (f === null) return 'no figures';
  const ms = (v: number | null): string => (v === null ? '—' : `${v} ms`);
  return (
    `start ${ms(f.cutToRecoveryStarted)}, connected ${ms(f.restoreToConnected)}, ` +
    `message ${ms(f.restoreToMessage)}, frame ${ms(f.restoreToFrame)}, ` +
    `offers ${f.offers}, ${f.recovered ? 'recovered' : 'NOT recovered'}`
  );
}
