// The recovery scenarios of a browser pairing other than Chromium ↔ Chromium, defined once and
// run by one spec file per pairing (so the two netns workers can take them at the same time):
// media-path cuts of 10 s and of 40 s (past Firefox's `failed`, where only a new connection
// brings the call back), a full cut of one peer for 30 s, five short cuts in a row (same-browser pairings only), and an
// address change. Each must recover by itself with media both ways; the data channel keeps its sequence
// through cuts that do not close it, and is re-created cleanly where the connection is replaced.

import { expect, test } from '@playwright/test';
import { callHelpers } from './call';
import type { CutWindow } from './faults';
import {
  firefoxUnavailableReason,
  netnsUnavailableReason,
  PEERS,
  setUpHarness,
  type AnyHarness,
  type PeerBrowserNames,
} from './harness';
import { sleep } from './sh';

/** Defines the scenarios for `browsers` (A is the side that offers first: the relay's impolite). */
export function defineBrowserRecovery(browsers: PeerBrowserNames): void {
  const unavailable = netnsUnavailableReason() ?? firefoxUnavailableReason();
  if (
    unavailable &&
    (process.env.RP_REQUIRE_NETNS === '1' || process.env.RP_REQUIRE_FIREFOX === '1')
  ) {
    throw new Error(`RP_REQUIRE_NETNS/RP_REQUIRE_FIREFOX=1 but cannot run: ${unavailable}`);
  }
  const name = `${browsers.a} (a, offers first) ↔ ${browsers.b} (b)`;

  test.describe.serial(`recovery, ${name}`, () => {
    test.skip(unavailable !== undefined, `cannot run: ${unavailable ?? ''}`);
    let h: AnyHarness | undefined;
    const harness = (): AnyHarness => {
      if (h === undefined) throw new Error('harness not set up');
      return h;
    };
    test.beforeAll(async () => {
      h = await setUpHarness({ browsers });
    });
    test.afterAll(async () => {
      await h?.teardown();
    });
    test.afterEach(async () => {
      await saveTimeline();
    });
    const {
      state,
      openCall,
      markWindow,
      print,
      expectSequenceIntact,
      expectFlowing,
      saveTimeline,
    } = callHelpers(harness, `${browsers.a[0] ?? 'x'}${browsers.b[0] ?? 'x'}`);
    const tag = `${browsers.a}↔${browsers.b}`;

    /** Back and flowing after `w`, then what the channel and the connection went through. */
    async function expectRecovered(label: string, w: CutWindow, boundMs: number): Promise<void> {
      markWindow(w);
      await expectFlowing(w.restoredAt, boundMs);
      print(`${tag} ${label}`, w);
      const replaced = harness().timeline.events.filter(
        (e) => e.event === 'connectionReplaced' && e.t >= w.cutBeganAt,
      );
      for (const peer of PEERS) {
        const s = await state(peer);
        console.log(
          `[${tag} ${label}] ${peer}: channels ${s.channels}, replacements ${replaced.filter((e) => e.source === peer).length}, signaling ${s.signalingState}`,
        );
        expect(s.signalingState, `${peer}: no offer left unanswered`).toBe('stable');
      }
      await expectSequenceIntact();
    }

    test('media path cut for 10 s', async () => {
      await openCall();
      const w = await harness().faults.outage('media', 10_000);
      await expectRecovered('media 10 s', w, 15_000);
    });

    test('media path cut for 40 s (past Firefox’s failed)', async () => {
      test.setTimeout(120_000);
      await openCall();
      const w = await harness().faults.outage('media', 40_000);
      await expectRecovered('media 40 s', w, 15_000);
    });

    test('full cut of peer A for 30 s', async () => {
      test.setTimeout(120_000);
      await openCall();
      const w = await harness().faults.outage({ kind: 'full', peer: 'a' }, 30_000);
      await expectRecovered('full A 30 s', w, 20_000);
    });

    test('five 3 s media cuts in a row', async () => {
      test.setTimeout(120_000);
      await openCall();
      for (let cycle = 1; cycle <= 5; cycle++) {
        const w = await harness().faults.outage('media', 3_000);
        await expectRecovered(`cycle ${cycle}`, w, 10_000);
        await sleep(2_000);
      }
    });

    test('peer A changes address', async () => {
      await openCall();
      const change = await harness().faults.readdress('a');
      const w: CutWindow = {
        ...change,
        restoreBeganAt: change.cutBeganAt,
        restoredAt: change.cutAt,
      };
      await expectRecovered('readdress a', w, 30_000);
    });
  });
}
