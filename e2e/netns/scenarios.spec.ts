// Scenarios 1-3 of the library under real network faults (scenario-suite.ts): a 20 s media cut,
// a 20 s full cut of one peer, a 2 s blip.

import { expect, test } from '@playwright/test';
import { PEERS } from './harness';
import { describeScenarios } from './scenario-suite';
import { sleep } from './sh';

describeScenarios('scen', (harness, helpers) => {
  const { state, openCall, markWindow, figures, print, expectSequenceIntact, expectFlowing } =
    helpers;
  test('1. media path cut for 20 s: recovery starts early, call resumes intact', async () => {
    await openCall();
    const w = await harness().faults.outage('media', 20_000);
    markWindow(w);
    await expectFlowing(w.restoredAt, 15_000);
    const f = print('media 20 s', w);
    for (const peer of PEERS) {
      expect(
        f[peer].cutToRecovering ?? Infinity,
        `${peer}: recovery started within 6 s of the cut`,
      ).toBeLessThanOrEqual(6_000);
      expect(f[peer].restoreToConnected, `${peer}: phase connected after restore`).not.toBeNull();
      expect(
        f[peer].restoreToMessage ?? Infinity,
        `${peer}: first new message within 5 s`,
      ).toBeLessThanOrEqual(5_000);
      expect(f[peer].restoreToFrame, `${peer}: first new decoded frame`).not.toBeNull();
    }
    await expectSequenceIntact();
  });

  test('2. full cut of peer A for 20 s: both back, negotiation settled, sequence intact', async () => {
    await openCall();
    const w = await harness().faults.outage({ kind: 'full', peer: 'a' }, 20_000);
    markWindow(w);
    for (const peer of PEERS) {
      await expect
        .poll(
          async () => {
            const s = await state(peer);
            return { phase: s.phase, signalingState: s.signalingState };
          },
          { timeout: 10_000, message: `${peer}: connected and stable within 10 s of restore` },
        )
        .toEqual({ phase: 'connected', signalingState: 'stable' });
    }
    const connectedWithin = Date.now() - w.restoredAt;
    // A broken network is not a departure: neither side may think the other one left.
    expect(
      harness().timeline.events.filter((e) => e.event === 'remoteLeft' && e.t >= w.cutBeganAt),
      'no remoteLeft during a network break',
    ).toEqual([]);
    await expectFlowing(w.restoredAt, 10_000);
    print('full A 20 s', w);
    console.log(
      `[full A 20 s] both connected and stable ${connectedWithin} ms after restore (poll)`,
    );
    for (const peer of PEERS) {
      const f = figures(peer, w);
      expect(
        f.restoreToConnected ?? Infinity,
        `${peer}: connected within 10 s`,
      ).toBeLessThanOrEqual(10_000);
    }
    await expectSequenceIntact();
  });

  test('3. 2 s media blip: no give-up, at most 2 restart attempts, sequence intact', async () => {
    await openCall();
    const w = await harness().faults.outage('media', 2_000);
    markWindow(w);
    await expectFlowing(w.restoredAt, 10_000);
    // Let any attempt already scheduled run its course before counting.
    await sleep(3_000);
    print('media blip 2 s', w);
    for (const peer of PEERS) {
      const events = harness().timeline.events.filter(
        (e) => e.source === peer && e.t >= w.cutBeganAt,
      );
      const attempts = events.filter((e) => e.event === 'restartAttempt').length;
      console.log(`[media blip 2 s] ${peer}: ${attempts} restartAttempt event(s)`);
      expect(
        events.filter((e) => e.event === 'gaveUp'),
        `${peer}: no gaveUp`,
      ).toEqual([]);
      expect(attempts, `${peer}: restart attempts`).toBeLessThanOrEqual(2);
      expect((await state(peer)).phase).toBe('connected');
    }
    await expectSequenceIntact();
  });
});
