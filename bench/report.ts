// Turns the one-call runs' records into what a reader looks at: median / p95 / min / max and
// success rate per variant × case × browser pairing, a terminal table, a Markdown table for the
// README, and the comparison with the goals the recovery issue set (svg.ts draws the chart).

import type { RunRecord } from './runner';
import {
  caseLabel,
  pairingName,
  PAIRINGS,
  type Browsers,
  type CallCase,
  type Variant,
} from './cases.js';

/** Order statistics of one figure; null means "not reached" (counted as slower than any value). */
export interface Stat {
  readonly n: number;
  /** Runs where the figure never happened within the window (or never at all). */
  readonly missing: number;
  readonly median: number | null;
  readonly p95: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** One variant × case × browser pairing. */
export interface Summary {
  readonly variant: Variant;
  readonly kind: CallCase['kind'];
  readonly outageMs: number;
  readonly browsers: Browsers;
  /** Runs with figures (set-up failures excluded). */
  readonly runs: number;
  /** Runs whose call could not be set up. */
  readonly errors: number;
  readonly recovered: number;
  /** recovered / runs, 0..1; null without runs. */
  readonly successRate: number | null;
  readonly cutToRecoveryStarted: Stat;
  readonly restoreToConnected: Stat;
  readonly restoreToMessage: Stat;
  readonly restoreToFrame: Stat;
  readonly offers: Stat;
}

type FigureKey =
  'cutToRecoveryStarted' | 'restoreToConnected' | 'restoreToMessage' | 'restoreToFrame' | 'offers';

/** Median, nearest-rank p95, min and max; nulls sort after every number. */
export function stat(values: readonly (number | null)[]): Stat {
  const sorted = values
    .map((v) => (v === null ? Number.POSITIVE_INFINITY : v))
    .sort((x, y) => x - y);
  const n = sorted.length;
  const show = (v: number | undefined): number | null =>
    v === undefined || !Number.isFinite(v) ? null : v;
  const at = (q: number): number | undefined => sorted[Math.max(0, Math.ceil(q * n) - 1)];
  let median: number | undefined;
  if (n > 0) {
    const lo = sorted[Math.floor((n - 1) / 2)] ?? Number.NaN;
    const hi = sorted[Math.ceil((n - 1) / 2)] ?? Number.NaN;
    median = lo === hi ? lo : (lo + hi) / 2;
  }
  return {
    n,
    missing: values.filter((v) => v === null).length,
    median: median === undefined || Number.isNaN(median) ? null : show(Math.round(median)),
    p95: show(at(0.95)),
    min: show(sorted[0]),
    max: show(sorted[n - 1]),
  };
}

const KIND_ORDER: readonly CallCase['kind'][] = [
  'media',
  'full',
  'linkdown',
  'readdress',
  'srflx',
  'relay',
];

/**
 * Groups records by variant × case × pairing, sorted by kind, outage, pairing (Chromium ↔
 * Chromium first), variant: the pairings of one case come one after another.
 */
export function summarize(records: readonly RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.variant}|${r.kind}|${r.outageMs}|${pairingName(r.browsers)}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out: Summary[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    if (first === undefined) continue;
    const valid = list.filter((r) => r.figures !== null);
    const pick = (key: FigureKey): Stat => stat(valid.map((r) => r.figures?.[key] ?? null));
    const recovered = valid.filter((r) => r.figures?.recovered === true).length;
    out.push({
      variant: first.variant,
      kind: first.kind,
      outageMs: first.outageMs,
      browsers: first.browsers,
      runs: valid.length,
      errors: list.length - valid.length,
      recovered,
      successRate: valid.length > 0 ? recovered / valid.length : null,
      cutToRecoveryStarted: pick('cutToRecoveryStarted'),
      restoreToConnected: pick('restoreToConnected'),
      restoreToMessage: pick('restoreToMessage'),
      restoreToFrame: pick('restoreToFrame'),
      offers: pick('offers'),
    });
  }
  const kindOrder = (k: CallCase['kind']): number => KIND_ORDER.indexOf(k);
  const pairingOrder = (b: Browsers): number => PAIRINGS.indexOf(pairingName(b));
  return out.sort(
    (x, y) =>
      kindOrder(x.kind) - kindOrder(y.kind) ||
      x.outageMs - y.outageMs ||
      pairingOrder(x.browsers) - pairingOrder(y.browsers) ||
      x.variant.localeCompare(y.variant),
  );
}

/** 734 → "734 ms", 12_345 → "12.3 s". */
export function ms(v: number): string {
  return v < 10_000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`;
}

/** "med / p95 (min–max)", collapsed to one value when they are all the same. */
export function cell(s: Stat, missingText: string, unit: (v: number) => string = ms): string {
  if (s.n === 0) return 'n/a';
  const show = (v: number | null): string => (v === null ? missingText : unit(v));
  if (s.min === s.max && s.missing === 0) return show(s.median);
  if (s.missing === s.n) return missingText;
  return `${show(s.median)} / ${show(s.p95)} (${show(s.min)}–${show(s.max)})`;
}

const COLUMNS = [
  'variant',
  'case',
  'recovered',
  'cut→recovery started',
  'restore→connected',
  'restore→first message',
  'restore→first frame',
  'offers',
] as const;

function rows(summaries: readonly Summary[], observeMs: number): string[][] {
  const late = `>${observeMs / 1000} s`;
  return summaries.map((s) => [
    s.variant,
    caseLabel(s, s.browsers),
    `${s.recovered}/${s.runs}${s.errors > 0 ? ` (+${s.errors} err)` : ''}`,
    cell(s.cutToRecoveryStarted, 'none'),
    cell(s.restoreToConnected, late),
    cell(s.restoreToMessage, late),
    cell(s.restoreToFrame, late),
    cell(s.offers, '—', String),
  ]);
}

/** A fixed-width table for the terminal; a blank line wherever `groups` changes from row to row. */
export function textTable(
  columns: readonly string[],
  body: readonly (readonly string[])[],
  groups: readonly string[] = [],
): string {
  const all = [columns, ...body];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const [i, r] of body.entries()) {
    if (i > 0 && (groups[i] ?? '') !== (groups[i - 1] ?? '')) out.push('');
    out.push(line(r));
  }
  return out.join('\n');
}

/** The same in Markdown. */
export function markdownTable(
  columns: readonly string[],
  body: readonly (readonly string[])[],
): string {
  const row = (r: readonly string[]): string => `| ${r.join(' | ')} |`;
  return [row(columns), row(columns.map(() => '---')), ...body.map(row)].join('\n');
}

/** The one-call table for the terminal. */
export function formatTable(summaries: readonly Summary[], observeMs = 60_000): string {
  return textTable(
    COLUMNS,
    rows(summaries, observeMs),
    summaries.map((s) => caseLabel(s, s.browsers)),
  );
}

/** The same table in Markdown. */
export function formatMarkdown(summaries: readonly Summary[], observeMs = 60_000): string {
  return markdownTable(COLUMNS, rows(summaries, observeMs));
}

/** One goal of the recovery issue held against what variant c (the library's defaults) did. */
export interface GoalRow {
  readonly goal: string;
  readonly case: string;
  readonly measured: string;
  readonly verdict: 'met' | 'missed';
}

const CONNECTED_GOAL = 'restore → connected ≤ 200 ms median, ≤ 1 s p95';
const FRAME_GOAL = 'change → first new decoded frame ≤ 1.5 s (p95)';
/** The cuts the connected goal speaks of: everything of peer A dropped, for 10, 30 and 90 s. */
const GOAL_OUTAGES_MS = [10_000, 30_000, 90_000];

/**
 * The goals for variant c: after everything drops for 10, 30 or 90 s (a blackhole, `full`; and
 * a downed link, `linkdown`, held to the same bound), connected again within 200 ms median and
 * 1 s p95; after an address change, the first new decoded frame within 1.5 s. Only the cases
 * that ran are listed; a run that never got there counts as slower than any value.
 */
export function goals(summaries: readonly Summary[], observeMs = 60_000): GoalRow[] {
  const late = `>${observeMs / 1000} s`;
  const measured = (st: Stat): string =>
    `median ${st.median === null ? late : ms(st.median)}, p95 ${st.p95 === null ? late : ms(st.p95)} (${st.n} run${st.n === 1 ? '' : 's'})`;
  const rows: GoalRow[] = [];
  for (const s of summaries) {
    if (s.variant !== 'c' || s.runs === 0) continue;
    if ((s.kind === 'full' || s.kind === 'linkdown') && GOAL_OUTAGES_MS.includes(s.outageMs)) {
      const st = s.restoreToConnected;
      const met = st.median !== null && st.median <= 200 && st.p95 !== null && st.p95 <= 1000;
      rows.push({
        goal: CONNECTED_GOAL,
        case: caseLabel(s, s.browsers),
        measured: measured(st),
        verdict: met ? 'met' : 'missed',
      });
    } else if (s.kind === 'readdress') {
      const st = s.restoreToFrame;
      rows.push({
        goal: FRAME_GOAL,
        case: caseLabel(s, s.browsers),
        measured: measured(st),
        verdict: st.p95 !== null && st.p95 <= 1500 ? 'met' : 'missed',
      });
    }
  }
  return rows;
}

const GOAL_COLUMNS = ['goal (variant c)', 'case', 'measured', 'verdict'] as const;

/** The goals as a table: text for the terminal, or Markdown. */
export function formatGoals(rows: readonly GoalRow[], markdown = false): string {
  const body = rows.map((r) => [r.goal, r.case, r.measured, r.verdict]);
  return markdown ? markdownTable(GOAL_COLUMNS, body) : textTable(GOAL_COLUMNS, body);
}
