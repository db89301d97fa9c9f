// restart() is a real ICE restart: what it must achieve, not merely that a method was called.
import { expect, test } from './fixtures';
import type { HarnessWindow } from './harness-types';

test('restart() changes both ufrags and the selected pair, and the data sequence stays whole', async ({
  harness,
}) => {
  const result = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    const pair = t.makePair();
    const seq = t.sequence(pair);
    await t.until(
      () =>
        pair.a.phase === 'connected' && pair.b.phase === 'connected' && seq.check().received > 20,
      10000,
      'flowing',
    );
    const before = {
      localA: t.ufrag(pair.a.pc.localDescription),
      localB: t.ufrag(pair.b.pc.localDescription),
      pair: await t.selectedPairId(pair.a.pc),
    };
    const recovered = new Promise((resolve) => pair.a.once('recovered', resolve));
    pair.a.restart();
    await recovered;
    await t.until(
      () =>
        t.ufrag(pair.a.pc.localDescription) !== before.localA &&
        pair.a.pc.signalingState === 'stable',
      10000,
      'new ufrag',
    );
    const afterPair = await t.until(
      async () => {
        const id = await t.selectedPairId(pair.a.pc);
        return id !== before.pair ? id : null;
      },
      10000,
      'new pair',
    );
    const countAtRestart = seq.check().received;
    await t.until(() => seq.check().received > countAtRestart + 50, 10000, 'more data');
    seq.stop();
    await new Promise((r) => setTimeout(r, 300));
    return {
      before,
      after: {
        localA: t.ufrag(pair.a.pc.localDescription),
        localB: t.ufrag(pair.b.pc.localDescription),
        remoteA: t.ufrag(pair.a.pc.remoteDescription),
        pair: afterPair,
      },
      seq: seq.check(),
      events: pair.eventsA.filter((e) => e.name !== 'phaseChange').map((e) => e.name),
      errors: [...pair.eventsA, ...pair.eventsB].filter((e) => e.name === 'error'),
    };
  });
  expect(result.after.localA).not.toBe(result.before.localA);
  expect(result.after.localB).not.toBe(result.before.localB);
  expect(result.after.remoteA).toBe(result.after.localB);
  expect(result.after.pair).not.toBe(result.before.pair);
  expect(result.seq).toMatchObject({ missing: 0, duplicates: 0, outOfOrder: 0 });
  // A manual restart runs at once; the next attempt is scheduled in case this one fails.
  expect(result.events).toEqual(['restartAttempt', 'restartScheduled', 'recovered']);
  expect(result.errors).toEqual([]);
});

test('a restart requested during glare is not lost', async ({ harness }) => {
  const result = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    const pair = t.makePair();
    pair.a.pc.createDataChannel('boot');
    await t.until(
      () => pair.a.phase === 'connected' && pair.b.phase === 'connected',
      10000,
      'connected',
    );
    const outcomes: { restarted: boolean; stable: boolean }[] = [];
    for (let round = 0; round < 10; round++) {
      const before = t.ufrag(pair.b.pc.localDescription);
      // The polite side asks for a restart while both sides start a colliding negotiation:
      // its offer is rolled back, and the restart must survive that.
      pair.a.pc.addTransceiver('video');
      pair.b.pc.addTransceiver('video');
      pair.b.restart();
      await t.until(
        () =>
          pair.a.pc.signalingState === 'stable' &&
          pair.b.pc.signalingState === 'stable' &&
          pair.b.phase === 'connected',
        10000,
        `settled ${round}`,
      );
      await t
        .until(() => t.ufrag(pair.b.pc.localDescription) !== before, 5000, `restart ${round}`)
        .catch(() => null);
      outcomes.push({ restarted: t.ufrag(pair.b.pc.localDescription) !== before, stable: true });
    }
    return {
      outcomes,
      errors: [...pair.eventsA, ...pair.eventsB].filter((e) => e.name === 'error'),
    };
  });
  expect(result.outcomes.every((o) => o.restarted)).toBe(true);
  expect(result.errors).toEqual([]);
});

test('both peers restarting for the same fault do not duel', async ({ harness }) => {
  const result = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    const pair = t.makePair();
    pair.a.pc.createDataChannel('boot');
    await t.until(
      () => pair.a.phase === 'connected' && pair.b.phase === 'connected',
      10000,
      'connected',
    );
    const perIncident: number[] = [];
    for (let incident = 0; incident < 5; incident++) {
      const offersBefore = pair.chA.offers().length + pair.chB.offers().length;
      const recoveredA = new Promise((resolve) => pair.a.once('recovered', resolve));
      const recoveredB = new Promise((resolve) => pair.b.once('recovered', resolve));
      // Both detect at the same moment, as when one network fault is seen from both ends.
      pair.a.restart();
      pair.b.restart();
      await Promise.all([recoveredA, recoveredB]);
      // Anything still to come (a second round of restarts) would show within this time.
      await new Promise((r) => setTimeout(r, 1500));
      perIncident.push(pair.chA.offers().length + pair.chB.offers().length - offersBefore);
    }
    return {
      perIncident,
      phases: [pair.a.phase, pair.b.phase],
      errors: [...pair.eventsA, ...pair.eventsB].filter((e) => e.name === 'error'),
    };
  });
  // One restart offer per side at most (the polite one is rolled back), never a second round.
  for (const offers of result.perIncident) expect(offers).toBeLessThanOrEqual(2);
  expect(result.phases).toEqual(['connected', 'connected']);
  expect(result.errors).toEqual([]);
  console.log(`offers per incident when both restart at once: ${result.perIncident.join(', ')}`);
});
