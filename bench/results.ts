// Writes one benchmark's results: the terminal tables, bench/results/<timestamp>.json and .svg,
// and the same as latest.json / latest.svg.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  formatGoals,
  formatMarkdown,
  formatTable,
  goals,
  summarize,
  type GoalRow,
  type Summary,
} from './report';
import {
  costDeltas,
  formatCost,
  formatMass,
  summarizeCost,
  summarizeMass,
  type CostSummary,
  type MassSummary,
} from './report-calls';
import type { BenchOptions, BenchOutcome } from './runner';
import { renderSvg } from './svg';

const RESULTS_DIR = join(import.meta.dirname, 'results');

/** The machine a run was measured on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly chromium: string;
  /** Firefox's version, when a pairing ran it. */
  readonly firefox?: string;
}

/** What latest.json holds. */
export interface ResultFile {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  /** The commit measured, and library sources that differed from it (dist/ is built from them). */
  readonly library: {
    readonly commit: string;
    readonly uncommittedSources: string[];
    /** The bundle the pages loaded (from bench/run.mjs --lib). */
    readonly loaded: unknown;
  };
  readonly machine: Machine;
  readonly options: Omit<BenchOptions, 'log'>;
  readonly sizes: unknown;
  readonly summaries: Summary[];
  readonly goals: GoalRow[];
  readonly massSummaries: MassSummary[];
  readonly costSummaries: CostSummary[];
  /** Every table in Markdown, for a README. */
  readonly markdown: string;
  readonly records: BenchOutcome['records'];
  readonly mass: BenchOutcome['mass'];
  readonly cost: BenchOutcome['cost'];
}

/** Every summary of an outcome. */
export interface OutcomeSummaries {
  readonly summaries: Summary[];
  readonly goals: GoalRow[];
  readonly mass: MassSummary[];
  readonly cost: CostSummary[];
}

export function summarizeOutcome(outcome: BenchOutcome, observeMs = 60_000): OutcomeSummaries {
  const summaries = summarize(outcome.records);
  return {
    summaries,
    goals: goals(summaries, observeMs),
    mass: summarizeMass(outcome.mass),
    cost: summarizeCost(outcome.cost),
  };
}

/** Every table of an outcome that has rows, for the terminal or in Markdown. */
export function formatOutcome(s: OutcomeSummaries, observeMs = 60_000, markdown = false): string {
  const parts: string[] = [];
  const title = (text: string): string => (markdown ? `**${text}**` : text);
  if (s.summaries.length > 0) {
    parts.push(
      markdown ? formatMarkdown(s.summaries, observeMs) : formatTable(s.summaries, observeMs),
    );
  }
  if (s.goals.length > 0) parts.push(`${title('goals')}\n${formatGoals(s.goals, markdown)}`);
  if (s.mass.length > 0) {
    parts.push(
      `${title('N calls per page (per pair, all runs pooled; restore = the restart for a mass restart)')}\n` +
        formatMass(s.mass, observeMs, markdown),
    );
  }
  if (s.cost.length > 0) {
    const deltas = costDeltas(s.cost);
    parts.push(
      `${title('healthy calls: CPU of each peer’s whole browser, % of one core')}\n` +
        formatCost(s.cost, markdown) +
        (deltas.length > 0 ? `\n${deltas.join('\n')}` : ''),
    );
  }
  return parts.join('\n\n');
}

/** Prints the table and writes the result files; returns the paths written. */
export function writeResults(input: {
  readonly options: BenchOptions & {
    readonly command?: string;
    readonly sizes?: unknown;
    readonly lib?: unknown;
  };
  readonly outcome: BenchOutcome;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}): string[] {
  const { options, outcome, startedAt, finishedAt } = input;
  const observeMs = options.observeMs ?? 60_000;
  const all = summarizeOutcome(outcome, observeMs);
  const { summaries } = all;
  const machine: Machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    chromium: outcome.chromium,
    ...(outcome.versions.firefox === undefined ? {} : { firefox: outcome.versions.firefox }),
  };
  const { command, sizes } = options;
  const rest: Omit<BenchOptions, 'log'> = {
    runs: options.runs,
    plan: options.plan,
    observeMs,
    ...(options.costWindowMs === undefined ? {} : { costWindowMs: options.costWindowMs }),
    ...(options.libUrl === undefined ? {} : { libUrl: options.libUrl }),
    ...(options.libSource === undefined ? {} : { libSource: options.libSource }),
    ...(options.port === undefined ? {} : { port: options.port }),
  };
  const file: ResultFile = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    command: command ?? 'npm run bench',
    library: { ...libraryVersion(), loaded: options.lib ?? { url: options.libUrl ?? null } },
    machine,
    options: rest,
    sizes: sizes ?? null,
    summaries,
    goals: all.goals,
    massSummaries: all.mass,
    costSummaries: all.cost,
    markdown: formatOutcome(all, observeMs, true),
    records: outcome.records,
    mass: outcome.mass,
    cost: outcome.cost,
  };
  const date = startedAt.toISOString().slice(0, 10);
  const firefox = machine.firefox === undefined ? '' : `, Firefox ${machine.firefox}`;
  const subtitle =
    `${machine.cores} cores, Chromium ${machine.chromium}${firefox}, ${date}, ` +
    `${options.runs} run${options.runs === 1 ? '' : 's'} per case`;
  // The chart shows the one-call cases; a run of N-call or cost cases alone has none.
  const svg = summaries.length > 0 ? renderSvg(summaries, { subtitle, observeMs }) : null;

  console.log(`\nrecovery benchmark — ${subtitle}`);
  console.log(
    'figures: median / p95 (min–max) over runs; restore figures are the later of both directions\n',
  );
  console.log(formatOutcome(all, observeMs));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(file, null, 2)}\n`;
  const files: [string, string][] = [
    [`${stamp}.json`, json],
    ['latest.json', json],
    ...(svg === null
      ? []
      : ([
          [`${stamp}.svg`, svg],
          ['latest.svg', svg],
        ] as [string, string][])),
  ];
  const written = files.map(([name, text]) => {
    const path = join(RESULTS_DIR, name);
    writeFileSync(path, text);
    return path;
  });
  console.log(`\nwrote ${written.join(', ')}`);
  return written;
}

function libraryVersion(): { commit: string; uncommittedSources: string[] } {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
    } catch {
      return '';
    }
  };
  return {
    commit: git('rev-parse', 'HEAD').trim() || 'unknown',
    uncommittedSources: git('status', '--porcelain', '--', 'src')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}
