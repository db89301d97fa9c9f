// The recovery benchmark itself: netns harnesses for the run, and for every run × case × variant
// a fresh call (or N calls per page) in bench/pages/bench.html, one incident (a cut, an address
// change, a mass restart) or none (the cost case), and what both pages recorded of it. Variants
// are interleaved inside each case so a noisy machine slows all of them alike.

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  netnsUnavailableReason,
  PEERS,
  setUpHarness,
  type CutWindow,
  type FaultSpec,
  type Harness,
  type Peer,
} from '../e2e/netns/harness';
import { sleep } from '../e2e/netns/sh';
import { decodedFrames, openBenchCall, pageSettings, readCalls, restartAll } from './bench-page';
import {
  caseName,
  isMassCase,
  planCases,
  QUICK as QUICK_RUN,
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
export { caseName, VARIANTS, type Case, type Variant } from './cases.js';
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
   * One harness for the whole run; otherwise one per case, so that another run of the same
   * namespace prefix waiting on the lock gets a turn in between. @default false
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
  /** The peers' Chromium, as Playwright reports it. */
  readonly chromium: string;
}

/**
 * The `--quick` smoke: one run of 3 s and 10 s media cuts for a and c, and a mass restart of 2
 * calls per page, on one harness.
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
  readonly run: number;
  readonly room: string;
  readonly observeMs: number;
  readonly costWindowMs: number;
  readonly healthyCpuMs: number;
  readonly libUrl: string;
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
  const outcome: BenchOutcome = { records: [], mass: [], cost: [], chromium: 'unknown' };
  let chromium = 'unknown';
  const total = options.runs * options.plan.reduce((n, p) => n + p.variants.length, 0);
  let done = 0;
  let rooms = 0;
  let harness: Harness | undefined;
  const acquire = async (): Promise<Harness> => {
    harness ??= await acquireHarness(options.port ?? 8080, options.lockWaitMs ?? 30 * 60_000, log);
    chromium = harness.browsers.browsers.a.version();
    return harness;
  };
  const release = async (): Promise<void> => {
    await harness?.teardown();
    harness = undefined;
  };
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const planned of options.plan) {
        const c = planned.case;
        // Between cases the namespaces are released for a moment, so another engineer's netns
        // run of the same prefix waiting on the lock can get its turn.
        if (!options.shareHarness && done > 0) await sleep(3_000);
        const h = await acquire();
        // The cost case alternates the order of its variants from run to run.
        const variants =
          c.kind === 'cost' ? rotate(planned.variants, run - 1) : [...planned.variants];
        for (const variant of variants) {
          const label = `[${++done}/${total}] ${variant} ${caseName(c)} run ${run}`;
          const spec: RunSpec = {
            variant,
            run,
            room: `bench-${process.pid}-${++rooms}`,
            observeMs,
            costWindowMs,
            healthyCpuMs: options.healthyCpuMs ?? 5_000,
            libUrl,
          };
          ensureLib(libUrl, options.libSource);
          const bundle = bundleHash(libUrl);
          if (isMassCase(c)) {
            const record = { ...(await guarded(() => runMass(h, spec, c), c, spec)), bundle };
            outcome.mass.push(record);
            log(`${label}: ${describeMass(record)}`);
          } else if (c.kind === 'cost') {
            const record = { ...(await guarded(() => runCost(h, spec, c), c, spec)), bundle };
            outcome.cost.push(record);
            log(`${label}: ${describeCost(record)}`);
          } else {
            const record = { ...(await guarded(() => runCall(h, spec, c), c, spec)), bundle };
            outcome.records.push(record);
            log(`${label}: ${describeCall(record)}`);
          }
        }
        if (!options.shareHarness) await release();
      }
    }
  } finally {
    await release();
  }
  return { ...outcome, chromium };
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
    run: spec.run,
    error: String(error instanceof Error ? error.message : error).slice(0, 2000),
  };
  if (c.kind === 'cost') return { ...base, ...c, cpu: null, framesDecoded: null };
  if (isMassCase(c)) return { ...base, ...c, window: null, pairs: null, cpu: null };
  return { ...base, ...c, window: null, figures: null, peers: null };
}

async function guarded<R extends RunRecord | MassRecord | CostRecord>(
  work: () => Promise<Unbundled<R>>,
  c: CallCase | MassCase | CostCase,
  spec: RunSpec,
): Promise<Unbundled<R>> {
  try {
    return await work();
  } catch (error) {
    return failed(c, spec, error) as Unbundled<R>;
  }
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

/** The fault of a one-call case (always peer A's side for the ones that take a peer). */
function faultOf(kind: CallCase['kind']): FaultSpec {
  switch (kind) {
    case 'media':
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

async function runCall(h: Harness, spec: RunSpec, c: CallCase): Promise<Unbundled<RunRecord>> {
  const settings = pageSettings(c);
  await openBenchCall(h, { ...spec, lib: spec.libUrl, settings });
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
    kind: c.kind,
    outageMs: c.outageMs,
    run: spec.run,
    window,
    figures: combine(peers, window, spec.observeMs),
    peers,
  };
}

async function runMass(h: Harness, spec: RunSpec, c: MassCase): Promise<Unbundled<MassRecord>> {
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

async function runCost(h: Harness, spec: RunSpec, c: CostCase): Promise<Unbundled<CostRecord>> {
  const settings = pageSettings(c);
  await openBenchCall(h, { ...spec, lib: spec.libUrl, settings });
  // Bandwidth estimation and the encoders settle in the first seconds of a call.
  await sleep(5_000);
  const cpu = await cpuOver(h, spec.costWindowMs);
  const [a, b] = await Promise.all(PEERS.map((peer) => decodedFrames(h, peer)));
  return {
    variant: spec.variant,
    kind: 'cost',
    calls: c.calls,
    run: spec.run,
    cpu,
    framesDecoded: { a: a ?? [], b: b ?? [] },
  };
}

type CpuSamples = Record<Peer, Awaited<ReturnType<typeof sampleCpu>>>;

async function sampleAll(h: Harness): Promise<CpuSamples> {
  const [a, b] = await Promise.all(PEERS.map((peer) => sampleCpu(h.topology.namespaces[peer])));
  if (a === undefined || b === undefined) throw new Error('unreachable');
  return { a, b };
}

function cpuSince(before: CpuSamples, after: CpuSamples): PeerCpu {
  return { a: cpuBetween(before.a, after.a), b: cpuBetween(before.b, after.b) };
}

/** Both peers' browsers' CPU over the next `ms`. */
async function cpuOver(h: Harness, ms: number): Promise<PeerCpu> {
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
  h: Harness,
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
    `offers ${f.offers}, ${f.recovered ? 'recovered' : 'NOT recovered'}`
  );
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
