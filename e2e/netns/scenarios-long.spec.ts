// Scenarios 4-6 of the library under real network faults (scenario-suite.ts): a 60 s outage under
// a delay table, give-up then restart(), five short cuts in a row.

import { expect, test } from '@playwright/test';
import { PEERS } from './harness';
import { describeScenarios } from './scenario-suite';
import { sleep } from './sh';

describeScenarios('scenlong', (harness, helpers) => {
  const { state, openCall, markWindow, print, waitEvent, expectSequenceIntact, expectFlowing } =
    helpers;
  test('4. 60 s outage: attempts follow the policy’s growing delays, and the call comes back', async () => {
    test.setTimeout(180_000);
    // Growing delays, then a steady 8 s (a restarted ICE session checks for ~15 s in
    // Chromium, so the gaps must stay below that for a fresh session to be waiting at restore).
    const table = [0, 1000, 2000, 4000, ...Array<number>(14).fill(8000)];
    await openCall(`table:${table.join(',')}`);
    const w = await harness().faults.outage('media', 60_000);
    markWindow(w);
    await expectFlowing(w.restoredAt, 15_000);
    print('media 60 s', w);
    for (const peer of PEERS) {
      const during = harness().timeline.events.filter(
        (e) => e.source === peer && e.t >= w.cutBeganAt && e.t <= w.restoredAt,
      );
      expect(
        during.filter((e) => e.event === 'gaveUp'),
        `${peer}: no give-up`,
      ).toEqual([]);
      // Every scheduled delay is the table's entry for that attempt.
      const scheduled = during.filter((e) => e.event === 'restartScheduled');
      for (const e of scheduled) {
        const attempt = Number(e.data.attempt);
        expect(e.data.delayMs, `${peer}: delay of attempt ${attempt}`).toBe(table[attempt - 1]);
      }
      console.log(
        `[media 60 s] ${peer}: scheduled ${scheduled.map((e) => `#${String(e.data.attempt)}:${String(e.data.delayMs)}`).join(' ')}`,
      );
    }
    // The impolite side makes the restarts: several, spaced at least by the table's delays.
    const attempts = harness().timeline.events.filter(
      (e) =>
        e.source === 'a' &&
        e.event === 'restartAttempt' &&
        e.t >= w.cutBeganAt &&
        e.t <= w.restoredAt,
    );
    expect(attempts.length, 'a: several attempts during 60 s').toBeGreaterThanOrEqual(6);
    for (let i = 1; i < attempts.length; i++) {
      const gap = (attempts[i]?.t ?? 0) - (attempts[i - 1]?.t ?? 0);
      expect(gap + 50, `a: gap before attempt ${i + 1}`).toBeGreaterThanOrEqual(table[i] ?? 0);
    }
    await expectSequenceIntact();
  });

  test('5. give-up after table:0,1000, then app.restart() brings the call back', async () => {
    await openCall('table:0,1000');
    const cut = await harness().faults.cut('media');
    harness().timeline.mark('cut', {}, cut.cutAt);
    for (const peer of PEERS) await waitEvent(peer, 'gaveUp', cut.cutBeganAt, 25_000);
    for (const peer of PEERS) {
      await expect
        .poll(async () => (await state(peer)).phase, { timeout: 5_000, message: `${peer}: phase` })
        .toBe('failed');
    }
    const gaveUpAfter = PEERS.map(
      (peer) =>
        `${peer} ${(harness().timeline.find(peer, 'gaveUp', cut.cutBeganAt)?.t ?? NaN) - cut.cutAt} ms`,
    );
    const w = await cut.restore();
    harness().timeline.mark('restored', {}, w.restoredAt);
    const restartAt = Date.now();
    await harness().pages.a.evaluate(() => {
      window.app.restart();
    });
    harness().timeline.mark('app.restart', { peer: 'a' }, restartAt);
    for (const peer of PEERS) {
      await expect
        .poll(async () => (await state(peer)).phase, {
          timeout: 10_000,
          message: `${peer}: connected within 10 s of app.restart()`,
        })
        .toBe('connected');
    }
    await expectFlowing(w.restoredAt, 10_000);
    const f = print('give-up + restart', w);
    console.log(`[give-up + restart] gaveUp after the cut: ${gaveUpAfter.join(', ')}`);
    for (const peer of PEERS) {
      const connected = harness().timeline.find(
        peer,
        'phaseChange',
        restartAt,
        (d) => d.to === 'connected',
      );
      console.log(
        `[give-up + restart] ${peer}: app.restart()→connected ${connected ? `${connected.t - restartAt} ms` : 'n/a (already connected)'}`,
      );
      expect(f[peer].cutToRecovering).not.toBeNull();
    }
    await expectSequenceIntact();
  });

  test('6. five cycles of 4 s media cut and 6 s restore: every one recovers', async () => {
    await openCall();
    for (let cycle = 1; cycle <= 5; cycle++) {
      const w = await harness().faults.outage('media', 4_000);
      markWindow(w, String(cycle));
      const restoredAt = w.restoredAt;
      await sleep(restoredAt + 6_000 - Date.now());
      print(`cycle ${cycle}`, w);
      for (const peer of PEERS) {
        const s = await state(peer);
        expect(
          {
            phase: s.phase,
            data: s.lastMessageAt > restoredAt,
            frames: s.lastFrameAt > restoredAt,
          },
          `cycle ${cycle}, ${peer}: recovered within 6 s of restore`,
        ).toEqual({ phase: 'connected', data: true, frames: true });
      }
      await expectSequenceIntact();
    }
  });
});
