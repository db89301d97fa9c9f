// The benchmark as one Playwright test (bench/playwright.config.ts), so the harness's TypeScript
// runs without a build step. bench/run.mjs passes the options in BENCH_OPTIONS; this test runs
// them, prints the table and writes bench/results/<timestamp>.{json,svg} and latest.{json,svg}.

import { test } from '@playwright/test';
import { netnsUnavailableReason, runBenchmark, type BenchOptions } from './runner';
import { writeResults } from './results';

const unavailable = netnsUnavailableReason();

test('recovery benchmark', async () => {
  if (unavailable !== undefined) throw new Error(`network namespaces unavailable: ${unavailable}`);
  const raw = process.env.BENCH_OPTIONS;
  if (raw === undefined) throw new Error('BENCH_OPTIONS is not set; run `npm run bench`');
  const options = JSON.parse(raw) as BenchOptions & {
    readonly command: string;
    readonly sizes: unknown;
    readonly lib?: unknown;
  };
  const startedAt = new Date();
  const outcome = await runBenchmark(options);
  writeResults({ options, outcome, startedAt, finishedAt: new Date() });
});
