import { defineConfig } from '@playwright/test';

// `npm run bench` (bench/run.mjs) runs this config: one test, bench/bench.spec.ts, on the
// network-namespace harness (e2e/netns), which starts its own server and browsers with the
// harness's Chromium flags. Options arrive in BENCH_OPTIONS (JSON) from run.mjs.
export default defineConfig({
  testDir: '.',
  testMatch: /bench\.spec\.ts$/,
  outputDir: process.env.PW_OUTPUT_DIR ?? '/tmp/pw-bench',
  fullyParallel: false,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  // The full benchmark takes tens of minutes; run.mjs bounds nothing, the runner bounds each run.
  timeout: 0,
  projects: [{ name: 'netns-bench', testMatch: /bench\.spec\.ts$/ }],
});
