// Writes one benchmark's results: the terminal table, bench/results/<timestamp>.json and .svg,
// and the same as latest.json / latest.svg.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatMarkdown, formatTable, renderSvg, summarize, type Summary } from './report';
import type { BenchOptions, BenchOutcome } from './runner';

const RESULTS_DIR = join(import.meta.dirname, 'results');

/** The machine a run was measured on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly chromium: string;
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
  readonly markdown: string;
  readonly records: BenchOutcome['records'];
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
  const summaries = summarize(outcome.records);
  const machine: Machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    chromium: outcome.chromium,
  };
  const { command, sizes } = options;
  const rest: Omit<BenchOptions, 'log'> = {
    runs: options.runs,
    variants: options.variants,
    cases: options.cases,
    observeMs,
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
    markdown: formatMarkdown(summaries, observeMs),
    records: outcome.records,
  };
  const date = startedAt.toISOString().slice(0, 10);
  const subtitle =
    `${machine.cores} cores, Chromium ${machine.chromium}, ${date}, ` +
    `${options.runs} run${options.runs === 1 ? '' : 's'} per case`;
  const svg = renderSvg(summaries, { subtitle, observeMs });

  console.log(`\nrecovery benchmark — ${subtitle}`);
  console.log(
    'figures: median / p95 (min–max) over runs; restore figures are the later of both directions\n',
  );
  console.log(formatTable(summaries, observeMs));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(file, null, 2)}\n`;
  const written = [
    join(RESULTS_DIR, `${stamp}.json`),
    join(RESULTS_DIR, `${stamp}.svg`),
    join(RESULTS_DIR, 'latest.json'),
    join(RESULTS_DIR, 'latest.svg'),
  ];
  writeFileSync(written[0] ?? '', json);
  writeFileSync(written[1] ?? '', svg);
  writeFileSync(written[2] ?? '', json);
  writeFileSync(written[3] ?? '', svg);
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
