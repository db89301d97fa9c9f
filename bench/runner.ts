// The recovery benchmark itself: the netns harness each case needs (flat or NAT, Chromium or
// Firefox peers), and for every run × case × variant a fresh call (or N calls per page) in
// bench/pages/bench.html, one incident (a cut, an address change, a mass restart) or none (the
// cost case), and what both pages recorded of it. Variants are interleaved inside each case so a
// noisy machine slows all of them alike.

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  firefoxUnavailableReason,
  natUnavailableReason,
  netnsUnavailableReason,
  PEERS,
  setUpHarness,
  type AnyHarness,
  type BrowserName,
  type CutWindow,
  type FaultSpec,
  type NetworkSpec,
  type Peer,
} from '../e2e/netns/harness';
import { sleep } from '../e2e/netns/sh';
import {
  decodedFrames,
  firstCallPaths,
  openBenchCall,
  pageSettings,
  readCalls,
  restartAll,
  type CandidatePath,
} from './bench-page';
import {
  caseLabel,
  isChromiumPair,
  isMassCase,
  NETWORKS,
  planCases,
  QUICK as QUICK_RUN,
  type Browsers,
  type Case,
  type CallCase,
  type CostCase,
  type MassCase,
  type PlannedCase,
  type Variant,
} from './cases.js';
import { cpuBetween, sampleCpu, type CpuUse } from './cpu';
import {
  combine,
  complete,
  readPeer,
  type CallRead,
  type Figures,
  type IncidentMode,
  type PeerFigures,
} from './figures';

export { netnsUnavailableReason };
export { caseLabel, caseName, VARIANTS, type Case, type Variant } from './cases.js';
export type { CandidatePath } from './bench-page';
export type { Figures, PeerFigures } from './figures';

/** Options of one benchmark run. */
export interface BenchOptions {
  readonly runs: number;
  /** The cases, each with its variants, in the order they run. */
  readonly plan: readonly PlannedCase[];
  /** How long after restore a run may take to count as recovered. @default 60000 */
  readonly observeMs?: number;
  /** How long the cost case measures each variant's CPU. @default 20000 */
  readonly costWindowMs?: number;
  /** How long the N-call cases measure the healthy calls' CPU before the incident. @default 5000 */
  readonly healthyCpuMs?: number;
  /** Port of the router's server inside the namespaces. @default 8080 */
  readonly port?: number;
  /** How long to wait for another engineer's harness run to release the namespaces. @default 30 min */
  readonly lockWaitMs?: number;
  /**
   * One harness for as long as consecutive cases need the same one (network, browsers);
   * otherwise one per case, so that another run of the same namespace prefix waiting on the lock
   * gets a turn in between. @default false
   */
  readonly shareHarness?: boolean;
  /** URL path of the library bundle the pages load. @default /dist/resilient-peer.bundle.js */
  readonly libUrl?: string;
  /** A file to copy to `libUrl` before each run when that is missing or differs (dist/ may be rebuilt meanwhile). */
  readonly libSource?: string;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

/** What every record has. */
interface RecordBase {
  readonly variant: Variant;
  /** Which browser each peer ran. */
  readonly browsers: Browsers;
  readonly run: number;
  /** First 12 hex digits of the SHA-256 of the library bundle as the run began. */
  readonly bundle: string;
  /** Set when the call(s) could not be set up; such a run says nothing about recovery. */
  readonly error?: string;
}

/** One run of a one-call case (a cut, an address change) for one variant. */
export interface RunRecord extends RecordBase {
  readonly kind: CallCase['kind'];
  readonly outageMs: number;
  readonly window: CutWindow | null;
  readonly figures: Figures | null;
  readonly peers: { readonly a: PeerFigures; readonly b: PeerFigures } | null;
  /** Each peer's selected candidate pair once the call was up, and at the end of the watch. */
  readonly path: {
    readonly before: Readonly<Record<Peer, CandidatePath | null>>;
    readonly after: Readonly<Record<Peer, CandidatePath | null>>;
  } | null;
}

/** Both peers' browsers' CPU over one window. */
export type PeerCpu = Readonly<Record<Peer, CpuUse>>;

/** One pair of an N-call case: its figures, and its peers' (events only where it did not recover). */
export interface PairRecord {
  readonly figures: Figures;
  readonly peers: { readonly a: PeerFigures; readonly b: PeerFigures };
}

/** One run of an N-call case (mass restart, mass cut) for one variant. */
export interface MassRecord extends RecordBase {
  readonly kind: MassCase['kind'];
  readonly calls: number;
  readonly outageMs: number;
  readonly window: CutWindow | null;
  readonly pairs: readonly PairRecord[] | null;
  /** CPU of the healthy calls before the incident (`healthyCpuMs`), and from restore to the end of the watch. */
  readonly cpu: { readonly healthy: PeerCpu; readonly incident: PeerCpu } | null;
}

/** One run of the cost case for one variant: healthy calls, no fault. */
export interface CostRecord extends RecordBase {
  readonly kind: 'cost';
  readonly calls: number;
  readonly cpu: PeerCpu | null;
  /** Frames each call had decoded at the end of the window (proof that media flowed). */
  readonly framesDecoded: Readonly<Record<Peer, readonly number[]>> | null;
}

/** What a benchmark run produced. */
export interface BenchOutcome {
  /** One record per run × one-call case × variant, in the order they ran. */
  readonly records: RunRecord[];
  readonly mass: MassRecord[];
  readonly cost: CostRecord[];
  /** The peers' Chromium, as Playwright reports it ('unknown' when none ran). */
  readonly chromium: string;
  /** Each browser that ran, as its driver reports its version. */
  readonly versions: Readonly<Partial<Record<BrowserName, string>>>;
}

/**
 * The `--quick` smoke: one run of a 3 s media cut for a and c, and a mass restart of 2 calls per
 * page, on one harness.
 */
export const QUICK: Pick<BenchOptions, 'runs' | 'plan' | 'shareHarness' | 'healthyCpuMs'> = {
  runs: 1,
  plan: planCases(QUICK_RUN.cases, QUICK_RUN.variants),
  shareHarness: QUICK_RUN.shareHarness,
  healthyCpuMs: QUICK_RUN.healthyCpuMs,
};

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

/** What one run of one variant needs. */
interface RunSpec {
  readonly variant: Variant;
  readonly browsers: Browsers;
  /** Every connection's STUN and TURN servers (none in the flat topology). */
  readonly iceServers: readonly RTCIceServer[];
  readonly run: number;
  readonly room: string;
  readonly observeMs: number;
  readonly costWindowMs: number;
  readonly healthyCpuMs: number;
  readonly libUrl: string;
}

/** Why `plan` cannot run here (namespaces, coturn for NAT cases, Firefox), or undefined. */
export function unavailableReason(plan: readonly PlannedCase[]): string | undefined {
  const nat = plan.some((p) => NETWORKS[p.case.kind].kind === 'nat');
  const firefox = plan.some((p) => !isChromiumPair(p.browsers));
  return (
    netnsUnavailableReason() ??
    (nat ? natUnavailableReason() : undefined) ??
    (firefox ? firefoxUnavailableReason() : undefined)
  );
}

/** Runs the benchmark; every harness is torn down on every exit path. */
export async function runBenchmark(options: BenchOptions): Promise<BenchOutcome> {
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  const observeMs = options.observeMs ?? 60_000;
  const costWindowMs = options.costWindowMs ?? 20_000;
  const libUrl = options.libUrl ?? DEFAULT_LIB_URL;
  const outcome: Lists = { records: [], mass: [], cost: [] };
  const total = options.runs * options.plan.reduce((n, p) => n + p.variants.length, 0);
  let done = 0;
  let rooms = 0;
  const slot = harnessSlot(options.port ?? 8080, options.lockWaitMs ?? 30 * 60_000, log);
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const planned of options.plan) {
        const c = planned.case;
        // Between cases the namespaces are released for a moment, so another engineer's netns
        // run of the same prefix waiting on the lock can get its turn.
        if (!options.shareHarness && done > 0) await sleep(3_000);
        // A harness that could not be set up fails this case's runs, not the whole benchmark.
        const harness = await slot.use(harnessNeed(planned)).catch(toError);
        if (harness instanceof Error) {
          log(`harness for ${caseLabel(c, planned.browsers)}: ERROR ${firstLine(harness)}`);
        }
        // The cost case alternates the order of its variants from run to run.
        const variants =
          c.kind === 'cost' ? rotate(planned.variants, run - 1) : [...planned.variants];
        for (const variant of variants) {
          const label = `[${++done}/${total}] ${variant} ${caseLabel(c, planned.browsers)} run ${run}`;
          const spec: RunSpec = {
            variant,
            browsers: planned.browsers,
            iceServers: harness instanceof Error ? [] : iceServersFor(c, harness),
            run,
            room: `bench-${process.pid}-${++rooms}`,
            observeMs,
            costWindowMs,
            healthyCpuMs: options.healthyCpuMs ?? 5_000,
            libUrl,
          };
          ensureLib(libUrl, options.libSource);
          log(`${label}: ${await runOne(harness, spec, c, bundleHash(libUrl), outcome)}`);
        }
        if (!options.shareHarness) await slot.release();
      }
    }
  } finally {
    await slot.release();
  }
  const versions = { ...slot.versions };
  return { ...outcome, chromium: versions.chromium ?? 'unknown', versions };
}

type Lists = Pick<BenchOutcome, 'records' | 'mass' | 'cost'>;

/**
 * Runs one variant of `c` on `harness` (or fails it with the harness's set-up error), files its
 * record in `lists`, and describes it for the progress line.
 */
async function runOne(
  harness: AnyHarness | Error,
  spec: RunSpec,
  c: Case,
  bundle: string,
  lists: Lists,
): Promise<string> {
  if (isMassCase(c)) {
    const record = { ...(await guarded(harness, c, spec, (h) => runMass(h, spec, c))), bundle };
    lists.mass.push(record);
    return describeMass(record);
  }
  if (c.kind === 'cost') {
    const record = { ...(await guarded(harness, c, spec, (h) => runCost(h, spec, c))), bundle };
    lists.cost.push(record);
    return describeCost(record);
  }
  const record = { ...(await guarded(harness, c, spec, (h) => runCall(h, spec, c))), bundle };
  lists.records.push(record);
  return describeCall(record);
}

/** What a case needs of its harness. */
interface HarnessNeed {
  readonly network: NetworkSpec;
  readonly browsers: Browsers;
}

function harnessNeed(planned: PlannedCase): HarnessNeed {
  return { network: NETWORKS[planned.case.kind], browsers: planned.browsers };
}

/** The one harness a benchmark holds at a time. */
interface HarnessSlot {
  /** The harness for `need`: the one held when it fits, else a new one (the held one torn down first). */
  use(need: HarnessNeed): Promise<AnyHarness>;
  /** Tears the held harness down (browsers, servers, namespaces); a no-op when none is held. */
  release(): Promise<void>;
  /** Each browser that ran, as its driver reported its version. */
  readonly versions: Readonly<Partial<Record<BrowserName, string>>>;
}

/**
 * Keeps a harness while consecutive cases need the same network and browsers, and tears it down
 * before building one for a case that needs another: the namespaces have fixed names, so two
 * cannot exist at once.
 */
function harnessSlot(port: number, lockWaitMs: number, log: (line: string) => void): HarnessSlot {
  let held: { readonly key: string; readonly harness: AnyHarness } | undefined;
  const versions: Partial<Record<BrowserName, string>> = {};
  const release = async (): Promise<void> => {
    const was = held;
    held = undefined;
    await was?.harness.teardown();
  };
  return {
    versions,
    release,
    async use(need) {
      const key = JSON.stringify(need);
      if (held?.key === key) return held.harness;
      await release();
      const harness = await acquireHarness(need, port, lockWaitMs, log);
      held = { key, harness };
      for (const peer of PEERS) {
        // Playwright's version() is a string ("156.0.8078.114"), puppeteer's a promise of one
        // with the browser's name in front over BiDi ("firefox/153.8.0").
        const version = await harness.browsers.browsers[peer].version();
        versions[harness.browsers.names[peer]] ??= version.replace(/^[a-z-]+\//, '');
      }
      return harness;
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? '';
}

/** The same list started `by` places later. */
function rotate<T>(list: readonly T[], by: number): T[] {
  const n = list.length === 0 ? 0 : by % list.length;
  return [...list.slice(n), ...list.slice(0, n)];
}

type Unbundled<R> = Omit<R, 'bundle'>;

/** The record of a run whose call could not be set up. */
function failed(
  c: CallCase | MassCase | CostCase,
  spec: RunSpec,
  error: unknown,
): Unbundled<RunRecord> | Unbundled<MassRecord> | Unbundled<CostRecord> {
  const base = {
    variant: spec.variant,
    browsers: spec.browsers,
    run: spec.run,
    error: String(error instanceof Error ? error.message : error).slice(0, 2000),
  };
  if (c.kind === 'cost') return { ...base, ...c, cpu: null, framesDecoded: null };
  if (isMassCase(c)) return { ...base, ...c, window: null, pairs: null, cpu: null };
  return { ...base, ...c, window: null, figures: null, peers: null, path: null };
}

/** `work` on `harness`; a run that throws, or has no harness, gets a record of its error. */
async function guarded<R extends RunRecord | MassRecord | CostRecord>(
  harness: AnyHarness | Error,
  c: CallCase | MassCase | CostCase,
  spec: RunSpec,
  work: (h: AnyHarness) => Promise<Unbundled<R>>,
): Promise<Unbundled<R>> {
  try {
    if (harness instanceof Error) throw harness;
    return await work(harness);
  } catch (error) {
    return failed(c, spec, error) as Unbundled<R>;
  }
}

/** setUpHarness for `need`, retried while another engineer's run holds the fixed-name namespaces. */
async function acquireHarness(
  need: HarnessNeed,
  port: number,
  lockWaitMs: number,
  log: (line: string) => void,
): Promise<AnyHarness> {
  const { network, browsers } = need;
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      // Two calls, for setUpHarness's overloads: a NAT network comes with TURN servers.
      return network.kind === 'nat'
        ? await setUpHarness({ port, browsers, network })
        : await setUpHarness({ port, browsers });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/owns the \S+ namespaces/.test(message) || Date.now() > deadline) throw error;
      log(`waiting for the netns lock: ${message}`);
      await sleep(5_000);
    }
  }
}

/**
 * The ICE servers of every variant's connections. The NAT cases get the harness's, as
 * nat-recovery.spec.ts scenarios 1 and 2 open their calls: STUN alone for `srflx`, STUN and TURN
 * over UDP for `relay` (not TLS: Firefox peers never trust the harness's self-signed
 * certificate). The flat topology has none and needs none.
 */
function iceServersFor(c: Case, h: AnyHarness): RTCIceServer[] {
  if (h.turn === undefined) return [];
  switch (c.kind) {
    case 'srflx':
      return [h.turn.stun()];
    case 'relay':
      return [h.turn.stun(), h.turn.longTermIceServer(['udp'])];
    default:
      return [];
  }
}

/**
 * Why a NAT case's call is not on the path the case is about (undefined when it is): `srflx`
 * both sides on a server-reflexive candidate, `relay` a TURN relay on each side's selected pair.
 * Such a run would measure something else, so it counts as a set-up failure.
 */
function offPath(
  kind: CallCase['kind'],
  paths: Readonly<Record<Peer, CandidatePath | null>>,
): string | undefined {
  const on = (p: CandidatePath | null): boolean => {
    if (kind === 'srflx') return p?.local === 'srflx';
    if (kind === 'relay') return p?.local === 'relay' || p?.remote === 'relay';
    return true;
  };
  return PEERS.every((peer) => on(paths[peer]))
    ? undefined
    : `the call is not on a ${kind} path: ${showPaths(paths)}`;
}

/** "a srflx→srflx, b srflx→srflx"; `relay/udp` where the local side relays. */
function showPaths(paths: Readonly<Record<Peer, CandidatePath | null>>): string {
  const one = (p: CandidatePath | null): string =>
    p === null
      ? 'none'
      : `${p.local ?? '?'}${p.relayProtocol ? `/${p.relayProtocol}` : ''}→${p.remote ?? '?'}`;
  return PEERS.map((peer) => `${peer} ${one(paths[peer])}`).join(', ');
}

/**
 * The fault of a one-call case (always peer A's side for the ones that take a peer). The NAT
 * cases cut every path between the peers, relayed or not, and spare signaling: the fault
 * nat-recovery.spec.ts scenarios 1 and 2 hold for 30 s, `media` in the NAT topology.
 */
function faultOf(kind: CallCase['kind']): FaultSpec {
  switch (kind) {
    case 'media':
    case 'srflx':
    case 'relay':
      return 'media';
    case 'full':
      return { kind: 'full', peer: 'a' };
    case 'linkdown':
      return { kind: 'linkDown', peer: 'a' };
    case 'readdress':
      return { kind: 'readdress', peer: 'a' };
  }
}

/** An address change leaves a few messages and frames in flight: count from the first after a pause. */
const RESUME_GAP_MS = 500;

async function runCall(h: AnyHarness, spec: RunSpec, c: CallCase): Promise<Unbundled<RunRecord>> {
  const settings = pageSettings(c);
  await openBenchCall(h, { ...spec, lib: spec.libUrl, settings });
  const before = await firstCallPaths(h);
  const off = offPath(c.kind, before);
  if (off !== undefined) throw new Error(off);
  // One more second of steady flow, so detectors that look at recent payload see a busy call.
  await sleep(1_000);
  const cut = await h.faults.cut(faultOf(c.kind));
  let window: CutWindow;
  if (c.kind === 'readdress') {
    // Nothing is restored: the change is the instant every figure counts from.
    window = {
      cutBeganAt: cut.cutBeganAt,
      cutAt: cut.cutAt,
      restoreBeganAt: cut.cutBeganAt,
      restoredAt: cut.cutAt,
    };
  } else {
    await sleep(cut.cutAt + c.outageMs - Date.now());
    window = await cut.restore();
  }
  const mode: IncidentMode = c.kind === 'readdress' ? 'event' : 'outage';
  const pairs = await watch(h, window, spec.observeMs, {
    mode,
    gapMs: c.kind === 'readdress' ? RESUME_GAP_MS : 0,
  });
  const peers = pairs[0];
  if (peers === undefined) throw new Error('the page reported no call');
  return {
    variant: spec.variant,
    browsers: spec.browsers,
    kind: c.kind,
    outageMs: c.outageMs,
    run: spec.run,
    window,
    figures: combine(peers, window, spec.observeMs),
    peers,
    // Only an annotation by now: a page that cannot say must not cost the run its figures.
    path: { before, after: await firstCallPaths(h).catch(() => ({ a: null, b: null })) },
  };
}

async function runMass(h: AnyHarness, spec: RunSpec, c: MassCase): Promise<Unbundled<MassRecord>> {
  const settings = pageSettings(c);
  await openBenchCall(h, { ...spec, lib: spec.libUrl, settings });
  await sleep(1_000);
  const healthy = await cpuOver(h, spec.healthyCpuMs);
  let window: CutWindow;
  if (c.kind === 'mass-restart') {
    const at = await restartAll(h);
    window = { cutBeganAt: at, cutAt: at, restoreBeganAt: at, restoredAt: at };
  } else {
    window = await h.faults.outage({ kind: 'full', peer: 'a' }, c.outageMs);
  }
  const incidentStart = await sampleAll(h);
  const pairs = await watch(h, window, spec.observeMs, {
    mode: c.kind === 'mass-restart' ? 'event' : 'outage',
    gapMs: 0,
  });
  const incident = cpuSince(incidentStart, await sampleAll(h));
  return {
    variant: spec.variant,
    browsers: spec.browsers,
    kind: c.kind,
    calls: c.calls,
    outageMs: c.outageMs,
    run: spec.run,
    window,
    pairs: pairs.map((peers) => {
      const figures = combine(peers, window, spec.observeMs);
      // Events are the evidence of a pair that did not come back; the rest would only weigh.
      const keep = (f: PeerFigures): PeerFigures => (figures.recovered ? { ...f, events: [] } : f);
      return { figures, peers: { a: keep(peers.a), b: keep(peers.b) } };
    }),
    cpu: { healthy, incident },
  };
}

async function runCost(h: AnyHarness, spec: RunSpec, c: CostCase): Promise<Unbundled<CostRecord>> {
  const settings = pageSettings(c);
  await openBenchCall(h, { ...spec, lib: spec.libUrl, settings });
  // Bandwidth estimation and the encoders settle in the first seconds of a call.
  await sleep(5_000);
  const cpu = await cpuOver(h, spec.costWindowMs);
  const [a, b] = await Promise.all(PEERS.map((peer) => decodedFrames(h, peer)));
  return {
    variant: spec.variant,
    browsers: spec.browsers,
    kind: 'cost',
    calls: c.calls,
    run: spec.run,
    cpu,
    framesDecoded: { a: a ?? [], b: b ?? [] },
  };
}

type CpuSamples = Record<Peer, Awaited<ReturnType<typeof sampleCpu>>>;

async function sampleAll(h: AnyHarness): Promise<CpuSamples> {
  const [a, b] = await Promise.all(PEERS.map((peer) => sampleCpu(h.topology.namespaces[peer])));
  if (a === undefined || b === undefined) throw new Error('unreachable');
  return { a, b };
}

function cpuSince(before: CpuSamples, after: CpuSamples): PeerCpu {
  return { a: cpuBetween(before.a, after.a), b: cpuBetween(before.b, after.b) };
}

/** Both peers' browsers' CPU over the next `ms`. */
async function cpuOver(h: AnyHarness, ms: number): Promise<PeerCpu> {
  const before = await sampleAll(h);
  await sleep(ms);
  return cpuSince(before, await sampleAll(h));
}

/**
 * Watches every call until both sides of each are connected with messages and frames flowing,
 * or `observeMs` after restore; then a little longer, so offers still in flight and late
 * give-ups are counted. Resolves with each call's peers' figures.
 */
async function watch(
  h: AnyHarness,
  w: CutWindow,
  observeMs: number,
  how: { readonly mode: IncidentMode; readonly gapMs: number },
): Promise<Record<Peer, PeerFigures>[]> {
  const read = async (): Promise<Record<Peer, PeerFigures>[]> => {
    const calls = await readCalls(h, w.restoreBeganAt, {
      gapMs: how.gapMs,
      eventsFrom: w.cutBeganAt - 1_000,
    });
    if (calls.a.length !== calls.b.length) {
      throw new Error(`the pages have ${calls.a.length} and ${calls.b.length} calls`);
    }
    return calls.a.map((a, i) => ({
      a: readPeer(a, w, how.mode),
      b: readPeer(calls.b[i] as CallRead, w, how.mode),
    }));
  };
  const deadline = w.restoredAt + observeMs;
  let pairs = await read();
  while (!pairs.every(complete) && Date.now() < deadline) {
    await sleep(250);
    pairs = await read();
  }
  await sleep(1_500);
  return read();
}

function describeCall(record: RunRecord): string {
  if (record.error !== undefined) return `ERROR ${record.error.split('\n')[0] ?? ''}`;
  const f = record.figures;
  if (f === null) return 'no figures';
  return (
    `start ${ms(f.cutToRecoveryStarted)}, connected ${ms(f.restoreToConnected)}, ` +
    `message ${ms(f.restoreToMessage)}, frame ${ms(f.restoreToFrame)}, ` +
    `offers ${f.offers}, ${f.recovered ? 'recovered' : 'NOT recovered'}` +
    describePath(record)
  );
}

/** The NAT cases' paths, before the cut and (where it changed) after recovery. */
function describePath(record: RunRecord): string {
  if (NETWORKS[record.kind].kind !== 'nat' || record.path === null) return '';
  const before = showPaths(record.path.before);
  const after = showPaths(record.path.after);
  return `; path ${before}${after === before ? '' : `, after: ${after}`}`;
}

function describeMass(record: MassRecord): string {
  if (record.error !== undefined) return `ERROR ${record.error.split('\n')[0] ?? ''}`;
  const pairs = record.pairs ?? [];
  const connected = pairs.map((p) => p.figures.restoreToConnected);
  const worst = connected.some((v) => v === null)
    ? 'never'
    : ms(Math.max(...(connected as number[])));
  const recovered = pairs.filter((p) => p.figures.recovered).length;
  const cpu = record.cpu?.incident;
  return (
    `${recovered}/${pairs.length} pairs recovered, slowest connected ${worst}, ` +
    `offers ${pairs.reduce((n, p) => n + p.figures.offers, 0)}` +
    (cpu === undefined ? '' : `, CPU a ${cpu.a.totalPct} % b ${cpu.b.totalPct} %`)
  );
}

function describeCost(record: CostRecord): string {
  if (record.error !== undefined) return `ERROR ${record.error.split('\n')[0] ?? ''}`;
  const cpu = record.cpu;
  if (cpu === null) return 'no figures';
  return `CPU a ${cpu.a.totalPct} % (renderer ${cpu.a.rendererPct} %), b ${cpu.b.totalPct} % (renderer ${cpu.b.rendererPct} %)`;
}

function ms(v: number | null): string {
  return v === null ? '—' : `${v} ms`;
}
