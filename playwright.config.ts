import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Debian's chromium where Playwright cannot download its own (this machine has no internet);
// Playwright's bundled Chromium elsewhere.
const executablePath =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Flags every Chromium we start needs: no calls home on a closed network, fake media devices. */
export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

const PORT = Number(process.env.E2E_PORT ?? 4317);

export default defineConfig({
  testDir: 'e2e',
  outputDir: process.env.PW_OUTPUT_DIR ?? 'test-results',
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Three at once: the netns specs mostly wait on real outages and the browsers' timers, each
  // worker with its own namespaces (topology.ts); the browser suite takes one of the three
  // slots, one test at a time. Four at once saturated 2 cores (run queue 20-39) and made cuts
  // fail to restore in time.
  workers: 3,
  reporter: [['list']],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'browser', testMatch: /e2e\/[^/]+\.spec\.ts$/, workers: 1 },
    { name: 'netns', testMatch: /e2e\/netns\/.*\.spec\.ts$/, timeout: 300_000, workers: 3 },
  ],
  webServer: {
    command: `node scripts/serve.mjs --port ${PORT} --test-hooks`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
