// The demo page as the app in both peer namespaces: the static build (dist-demo/) is served by
// the router, both pages join one room, and a real 20 s media-path cut (past Chromium's ~15 s
// 'failed') must show as 'recovering' on both and end 'connected' with a recovered incident.
// Screenshots of both pages before the cut, during recovery and after it go to
// test-results/netns-demo/ (and are attached to the test) so a person can see what happened.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { netnsUnavailableReason, PEERS, setUpHarness, type Harness } from './harness';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  // In CI a missing prerequisite must not pass silently as a skip.
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'test-results/netns-demo');
const DESKTOP = { width: 1280, height: 900 };
/** Long enough for Chromium to declare the ICE transport 'failed' (~15 s without consent). */
const CUT_MS = 20_000;

/** What the page exposes as `window.demo` (see demo/main.ts), as far as this test reads it. */
interface DemoView {
  readonly phase: string;
  readonly incidents: readonly { trigger: string; outcome: string; attempts: number }[];
}

function demo(page: Page): Promise<DemoView> {
  return page.evaluate(() => {
    const { phase, incidents } = (window as unknown as { demo: DemoView }).demo;
    return { phase, incidents };
  });
}

async function bothPhase(h: Harness, phase: string, timeout: number): Promise<void> {
  await Promise.all(
    PEERS.map((peer) =>
      expect
        .poll(async () => (await demo(h.pages[peer])).phase, {
          timeout,
          message: `peer ${peer} reaches '${phase}'`,
        })
        .toBe(phase),
    ),
  );
}

/** Both pages at once (they are separate browsers), so the pictures show the same moment. */
async function shoot(h: Harness, step: string): Promise<void> {
  const paths = PEERS.map((peer) => `${SHOTS}/${peer}-${step}.png`);
  await Promise.all(
    PEERS.map((peer, i) => h.pages[peer].screenshot({ path: paths[i], fullPage: true })),
  );
  for (const [i, peer] of PEERS.entries()) {
    await test.info().attach(`${peer}-${step}`, { path: paths[i], contentType: 'image/png' });
  }
}

test.describe('netns demo', () => {
  test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

  test.beforeAll(() => {
    // Always build: about a second, and the test never runs a stale dist-demo/.
    execFileSync('npx', ['vite', 'build', '--mode', 'demo', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  let harness: Harness | undefined;
  const errors: string[] = [];
  test.afterEach(async () => {
    const testInfo = test.info();
    if (harness && testInfo.status !== testInfo.expectedStatus) {
      // The demo logs no "[rpt] " lines; each page's own timeline tells its story.
      for (const peer of PEERS) {
        const timeline = await harness.pages[peer]
          .evaluate(
            () =>
              (window as unknown as { demo: { snapshot: { timeline: unknown[] } } }).demo.snapshot
                .timeline,
          )
          .catch((error: unknown) => String(error));
        await testInfo.attach(`timeline-${peer}`, { body: JSON.stringify(timeline, null, 1) });
      }
      await testInfo.attach('harness timeline', { body: harness.timeline.format() });
    }
    await harness?.teardown();
  });

  test('both demo pages show a 20 s media cut as recovering, then recovered', async () => {
    const h = (harness = await setUpHarness());
    const room = `netns-${Date.now().toString(36)}`;
    for (const peer of PEERS) {
      const page = h.pages[peer];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${peer} console: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`${peer} pageerror: ${error.message}`));
      await page.setViewportSize(DESKTOP);
    }
    // The demo's relay defaults to ws://<page host>/signal: the router's own relay.
    await h.pages.a.goto(`${h.routerUrl}/dist-demo/index.html?room=${room}&autojoin=1`);
    await expect(h.pages.a.locator('#phase-explain')).toHaveText(/Waiting for someone to join/);
    await h.pages.b.goto(`${h.routerUrl}/dist-demo/index.html?room=${room}&autojoin=1`);

    await bothPhase(h, 'connected', 30_000);
    for (const peer of PEERS) {
      // Stats arrive once a second; the selected pair shows the path before the first picture.
      await expect(h.pages[peer].locator('#stats')).toContainText('host ↔ host', {
        timeout: 5_000,
      });
      await expect(h.pages[peer].getByRole('status')).toHaveText('Connected');
    }
    await shoot(h, '1-before');

    const cut = await h.faults.cut('media');
    h.timeline.mark('cut', {}, cut.cutAt);
    await bothPhase(h, 'recovering', CUT_MS - 2_000);
    for (const peer of PEERS) {
      await expect(h.pages[peer].getByRole('status')).toHaveText('Recovering');
      await expect(h.pages[peer].locator('#incidents')).toContainText('recovering…');
    }
    await shoot(h, '2-recovering');

    // Hold the cut past Chromium's 'failed' (at least CUT_MS; slow screenshots on a loaded
    // machine can make it longer); the pages must still be recovering, not given up.
    await h.pages.a.waitForTimeout(Math.max(0, cut.cutAt + CUT_MS - 1_500 - Date.now()));
    for (const peer of PEERS) expect((await demo(h.pages[peer])).phase).toBe('recovering');
    await shoot(h, '2-recovering-late');
    await h.pages.a.waitForTimeout(Math.max(0, cut.cutAt + CUT_MS - Date.now()));
    for (const peer of PEERS) expect((await demo(h.pages[peer])).phase).toBe('recovering');
    const { restoredAt } = await cut.restore();
    h.timeline.mark('restored', {}, restoredAt);

    await bothPhase(h, 'connected', 30_000);
    for (const peer of PEERS) {
      await expect
        .poll(async () => (await demo(h.pages[peer])).incidents, { timeout: 10_000 })
        .toContainEqual(expect.objectContaining({ outcome: 'recovered' }));
      await expect(h.pages[peer].locator('#incidents')).toContainText('recovered');
      await expect(h.pages[peer].getByRole('status')).toHaveText('Connected');
      await expect(h.pages[peer].locator('#stats')).toContainText('host ↔ host', {
        timeout: 5_000,
      });
    }
    // A few stats samples on the new path, so the media-path numbers are current (the first
    // sample after the switch to a new candidate pair can read 0 kbit/s).
    await h.pages.a.waitForTimeout(3_000);
    await shoot(h, '3-recovered');

    writeFileSync(`${SHOTS}/errors.txt`, errors.join('\n'));
    expect(errors).toEqual([]);
  });
});
