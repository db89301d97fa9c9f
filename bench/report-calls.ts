// Summaries and tables of the N-call cases: per pair figures of a mass restart or cut pooled over
// the runs, failures, offers per pair and the browsers' CPU; and the cost of healthy calls (probe
// on, probe off, plain connections), with what the probe and the library add per call.

import { caseName, type MassCase, type Variant } from './cases.js';
import type { CostRecord, MassRecord, PeerCpu } from './runner';
import { cell, markdownTable, stat, textTable, type Stat } from './report';

/** One variant × N-call case, every pair of every run pooled. */
export interface MassSummary {
  readonly variant: Variant;
  readonly kind: MassCase['kind'];
  readonly calls: number;
  readonly outageMs: number;
  readonly runs: number;
  /** Runs whose calls could not be set up. */
  readonly errors: number;
  readonly pairs: number;
  /** Pairs connected with messages and frames both ways within the observation window. */
  readonly recovered: number;
  readonly restoreToConnected: Stat;
  readonly restoreToMessage: Stat;
  readonly restoreToFrame: Stat;
  readonly offersPerPair: Stat;
  /** % of a core, per peer's browser, over runs: healthy before the incident, and after it. */
  readonly cpuHealthy: Readonly<Record<'a' | 'b', Stat>>;
  readonly cpuIncident: Readonly<Record<'a' | 'b', Stat>>;
}

/** One variant × number of calls of the cost case. */
export interface CostSummary {
  readonly variant: Variant;
  readonly calls: number;
  readonly runs: number;
  readonly errors: number;
  /** % of a core of each peer's whole browser, and of its renderer alone, over runs. */
  readonly cpu: Readonly<Record<'a' | 'b', Stat>>;
  readonly renderer: Readonly<Record<'a' | 'b', Stat>>;
  /** The two peers' median, divided by the calls: what one call end costs. */
  readonly perCallPct: number | null;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups.values()];
}

const cpuStat = (
  cpus: readonly (PeerCpu | undefined)[],
  pick: (cpu: PeerCpu[keyof PeerCpu]) => number,
): Record<'a' | 'b', Stat> => ({
  a: stat(cpus.filter((c) => c !== undefined).map((c) => pick(c.a))),
  b: stat(cpus.filter((c) => c !== undefined).map((c) => pick(c.b))),
});

/** Pools the pairs of every run per variant × case, in the order they first ran. */
export function summarizeMass(records: readonly MassRecord[]): MassSummary[] {
  return groupBy(records, (r) => `${r.variant}|${r.kind}|${r.calls}|${r.outageMs}`).flatMap(
    (list) => {
      const first = list[0];
      if (first === undefined) return [];
      const valid = list.filter((r) => r.pairs !== null);
      const pairs = valid.flatMap((r) => r.pairs ?? []);
      const pick = (key: 'restoreToConnected' | 'restoreToMessage' | 'restoreToFrame'): Stat =>
        stat(pairs.map((p) => p.figures[key]));
      return [
        {
          variant: first.variant,
          kind: first.kind,
          calls: first.calls,
          outageMs: first.outageMs,
          runs: valid.length,
          errors: list.length - valid.length,
          pairs: pairs.length,
          recovered: pairs.filter((p) => p.figures.recovered).length,
          restoreToConnected: pick('restoreToConnected'),
          restoreToMessage: pick('restoreToMessage'),
          restoreToFrame: pick('restoreToFrame'),
          offersPerPair: stat(pairs.map((p) => p.figures.offers)),
          cpuHealthy: cpuStat(
            valid.map((r) => r.cpu?.healthy),
            (c) => c.totalPct,
          ),
          cpuIncident: cpuStat(
            valid.map((r) => r.cpu?.incident),
            (c) => c.totalPct,
          ),
        },
      ];
    },
  );
}

/** The cost runs per variant × calls. */
export function summarizeCost(records: readonly CostRecord[]): CostSummary[] {
  return groupBy(records, (r) => `${r.variant}|${r.calls}`)
    .flatMap((list) => {
      const first = list[0];
      if (first === undefined) return [];
      const valid = list.filter((r) => r.cpu !== null);
      const cpus = valid.map((r) => r.cpu ?? undefined);
      const cpu = cpuStat(cpus, (c) => c.totalPct);
      const both = [cpu.a.median, cpu.b.median];
      return [
        {
          variant: first.variant,
          calls: first.calls,
          runs: valid.length,
          errors: list.length - valid.length,
          cpu,
          renderer: cpuStat(cpus, (c) => c.rendererPct),
          perCallPct: both.every((v) => v !== null)
            ? round1(((both[0] ?? 0) + (both[1] ?? 0)) / 2 / first.calls)
            : null,
        },
      ];
    })
    .sort((x, y) => x.calls - y.calls || x.variant.localeCompare(y.variant));
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const pct = (v: number): string => `${v} %`;

const MASS_COLUMNS = [
  'variant',
  'case',
  'pairs recovered',
  'restore→connected',
  'restore→first message',
  'restore→first frame',
  'offers per pair',
  'CPU healthy a / b',
  'CPU after a / b',
] as const;

function massRows(summaries: readonly MassSummary[], observeMs: number): string[][] {
  const late = `>${observeMs / 1000} s`;
  const cpu = (s: Readonly<Record<'a' | 'b', Stat>>): string =>
    `${cell(s.a, '—', pct)} / ${cell(s.b, '—', pct)}`;
  return summaries.map((s) => [
    s.variant,
    caseName(s),
    `${s.recovered}/${s.pairs}${s.errors > 0 ? ` (+${s.errors} run err)` : ''}`,
    cell(s.restoreToConnected, late),
    cell(s.restoreToMessage, late),
    cell(s.restoreToFrame, late),
    cell(s.offersPerPair, '—', String),
    cpu(s.cpuHealthy),
    cpu(s.cpuIncident),
  ]);
}

/** The N-call table, text or Markdown. */
export function formatMass(
  summaries: readonly MassSummary[],
  observeMs = 60_000,
  markdown = false,
): string {
  const body = massRows(summaries, observeMs);
  return markdown
    ? markdownTable(MASS_COLUMNS, body)
    : textTable(MASS_COLUMNS, body, summaries.map(caseName));
}

const COST_COLUMNS = [
  'variant',
  'calls per page',
  'CPU a (% of a core)',
  'CPU b',
  'per call end',
  'renderer a / b',
] as const;

/** What the probe (c − e) and the library beyond plain connections (c − a) cost per call end. */
export function costDeltas(summaries: readonly CostSummary[]): string[] {
  const lines: string[] = [];
  for (const calls of [...new Set(summaries.map((s) => s.calls))]) {
    const per = (v: Variant): number | null =>
      summaries.find((s) => s.calls === calls && s.variant === v)?.perCallPct ?? null;
    const [a, c, e] = [per('a'), per('c'), per('e')];
    const parts = [
      ...(c !== null && e !== null ? [`probe (c − e) ${round1(c - e)} %`] : []),
      ...(c !== null && a !== null ? [`library beyond plain (c − a) ${round1(c - a)} %`] : []),
    ];
    if (parts.length > 0)
      lines.push(`${calls} call(s) per page, per call end: ${parts.join(', ')}`);
  }
  return lines;
}

/** The cost table, text or Markdown. */
export function formatCost(summaries: readonly CostSummary[], markdown = false): string {
  const body = summaries.map((s) => [
    `${s.variant}${s.errors > 0 ? ` (+${s.errors} err)` : ''}`,
    String(s.calls),
    cell(s.cpu.a, '—', pct),
    cell(s.cpu.b, '—', pct),
    s.perCallPct === null ? '—' : pct(s.perCallPct),
    `${cell(s.renderer.a, '—', pct)} / ${cell(s.renderer.b, '—', pct)}`,
  ]);
  return markdown
    ? markdownTable(COST_COLUMNS, body)
    : textTable(
        COST_COLUMNS,
        body,
        summaries.map((s) => String(s.calls)),
      );
}
