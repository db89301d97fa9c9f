// The library's scenarios under real network faults, in two spec files (scenarios.spec.ts and
// scenarios-long.spec.ts) so that two netns workers can take them at the same time: the set-up
// they share. Two resilient-peer pages (pages/app.html) in separate namespaces, cut and restored
// by the harness; one harness per file, every scenario reloads both pages into a fresh relay
// room. Bounds are generous: the benchmark measures the tight figures, these tests only prove
// that each failure ends in a working call.

import { test } from '@playwright/test';
import { callHelpers, type CallHelpers } from './call';
import { netnsUnavailableReason, setUpHarness, type Harness } from './harness';

/** Defines `body`'s scenarios in one serial describe block with its own harness. */
export function describeScenarios(
  rooms: string,
  body: (harness: () => Harness, helpers: CallHelpers) => void,
): void {
  const unavailable = netnsUnavailableReason();
  if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
    // In CI a missing prerequisite must not pass silently as a skip.
    throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
  }
  test.describe.serial('resilient-peer under real network faults', () => {
    test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);
    let h: Harness | undefined;
    const harness = (): Harness => {
      if (h === undefined) throw new Error('harness not set up');
      return h;
    };
    test.beforeAll(async () => {
      h = await setUpHarness();
    });
    test.afterAll(async () => {
      // Undefined when set-up failed (it has undone its own part then).
      await h?.teardown();
    });
    const helpers = callHelpers(harness, rooms);
    test.afterEach(async () => {
      await helpers.saveTimeline();
    });
    body(harness, helpers);
  });
}
