// The benchmark as one Playwright test (bench/playwright.config.ts), so the harness's TypeScript
// runs without a build step. bench/run.mjs passes the options in BENCH_OPTIONS; this test runs
// them, prints the table and writes bench/results/<timestamp>.{json,svg} and latest.{json,svg}.

import { test } from '@playwright/test';
import { runBenchmark, unavailableReason, type BenchOptions } from './runner';
import { writeResults } from './results';

test('recovery benchmark', async () => {
  const raw = process.env.BENCH_OPTIONS;
  if (raw === undefined) throw new Error('BENCH_OPTIONS is not set; run `npm run bench`');
  const options = JSON.parse(raw) as BenchOptions & {
    readonly command: string;
    readonly sizes: unknown;
    readonly lib?: unknown;
  };
  // Before anything starts: a NAT case needs coturn, a Firefox pairing firefox-esr.
  const unavailable = unavailableReason(options.plan);
  if (unavailable !== undefined) throw new Error(`cannot run this benchmark: ${unavailable}`);
  const startedAt = new Date();
  const outcome = await runBenchmark(options);
  writeResults({ options, outcome, startedAt, finishedAt: new Date() });
});
