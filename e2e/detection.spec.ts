// Detection in real Chromium. The remote side really stops answering (its connection is closed
// without a word over signaling), and each detector is shown on its own by turning the others off.
import { expect, test } from './fixtures';
import type { HarnessWindow } from './harness-types';
import type { Page } from '@playwright/test';
import type { Options } from '../src/index';

type Detectors = Pick<Options, 'stallTimeoutMs' | 'disconnectedGraceMs'>;

/** Connects a pair, then silences B; returns when (page time) B went silent. */
async function silenceRemote(harness: Page, detectors: Detectors, delays?: number[]) {
  return harness.evaluate(
    async ({ detectors, delays }) => {
      const { t, rp } = window as unknown as HarnessWindow;
      const policy = delays === undefined ? undefined : rp.delayTable(delays);
      const pair = t.makePair({ ...detectors, ...(policy ? { policy } : {}) });
      const seq = t.sequence(pair);
      await t.until(
        () => pair.a.phase === 'connected' && seq.check().received > 10,
        10000,
        'connected',
      );
      const silencedAt = performance.now();
      // B vanishes without saying goodbye: to A, the remote just stops answering.
      pair.b.pc.getTransceivers().forEach((tr) => {
        tr.stop();
      });
      pair.chB.setUp(false);
      pair.b.close();
      return silencedAt;
    },
    { detectors, delays },
  );
}

async function firstAttempt(harness: Page, silencedAt: number, timeoutMs: number) {
  return harness.evaluate(
    async ({ silencedAt, timeoutMs }) => {
      const { t } = window as unknown as HarnessWindow;
      const event = await t.until(
        () => window.pair.eventsA.find((e) => e.name === 'restartAttempt'),
        timeoutMs,
        'attempt',
      );
      const recovering = window.pair.eventsA.find(
        (e) => e.name === 'phaseChange' && e.payload.to === 'recovering',
      );
      return {
        trigger: event.payload.trigger,
        afterMs: Math.round(event.at - silencedAt),
        recoveringAfterMs: recovering ? Math.round(recovering.at - silencedAt) : null,
        native: [window.pair.a.pc.connectionState, window.pair.a.pc.iceConnectionState],
      };
    },
    { silencedAt, timeoutMs },
  );
}

declare global {
  interface Window {
    pair: import('./harness-types').Pair;
  }
}

test('a stall (nothing received on the selected pair) starts recovery before the browser notices', async ({
  harness,
}) => {
  const silencedAt = await silenceRemote(harness, {
    stallTimeoutMs: 1000,
    disconnectedGraceMs: 60_000,
  });
  const attempt = await firstAttempt(harness, silencedAt, 10_000);
  console.log('stall detection', attempt);
  expect(attempt.trigger).toBe('stall');
  expect(attempt.afterMs).toBeLessThan(3000);
});

test('`disconnected` starts recovery after disconnectedGraceMs', async ({ harness }) => {
  const silencedAt = await silenceRemote(harness, { stallTimeoutMs: 0, disconnectedGraceMs: 500 });
  const attempt = await firstAttempt(harness, silencedAt, 15_000);
  console.log('disconnected detection', attempt);
  expect(attempt.trigger).toBe('disconnected');
});

test('connectionState `failed` starts recovery at once (ICE state never reaches failed in Chromium)', async ({
  harness,
}) => {
  test.setTimeout(60_000);
  const silencedAt = await silenceRemote(harness, {
    stallTimeoutMs: 0,
    disconnectedGraceMs: 120_000,
  });
  const result = await harness.evaluate(
    async ({ silencedAt }) => {
      const { t } = window as unknown as HarnessWindow;
      const recovering = await t.until(
        () =>
          window.pair.eventsA.find(
            (e) => e.name === 'phaseChange' && e.payload.to === 'recovering',
          ),
        40_000,
        'recovering',
      );
      // B's close() sent a DTLS close_notify, so at `failed` A's transport is closed too: the
      // library replaces the connection rather than restart ICE over a dead DTLS session.
      const action = window.pair.eventsA.find(
        (e) => e.name === 'restartAttempt' || e.name === 'connectionReplaced',
      );
      return {
        afterMs: Math.round(recovering.at - silencedAt),
        action: action?.name,
        reason: action?.payload.reason ?? action?.payload.trigger,
        actionAfterRecoveringMs:
          action === undefined ? null : Math.round(action.at - recovering.at),
        native: window.pair.a.pc.connectionState,
      };
    },
    { silencedAt },
  );
  console.log('failed detection', result);
  // Chromium's own `failed` comes ~15 s after the remote went silent; recovery follows it.
  expect(result.afterMs).toBeGreaterThan(10_000);
  expect(result.action).toBe('connectionReplaced');
  expect(result.reason).toBe('transport-failed');
  expect(result.actionAfterRecoveringMs).toBeLessThan(100);
});

test('a browser `online` event starts an attempt at once while the path is unhealthy', async ({
  harness,
}) => {
  // The first scheduled attempt is a minute away, so an attempt now can only come from the event.
  const silencedAt = await silenceRemote(
    harness,
    { stallTimeoutMs: 0, disconnectedGraceMs: 200 },
    [60_000],
  );
  const delayMs = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    await t.until(() => window.pair.a.phase === 'recovering', 15000, 'recovering');
    const at = performance.now();
    window.dispatchEvent(new Event('online'));
    const attempt = await t.until(
      () => window.pair.eventsA.find((e) => e.name === 'restartAttempt'),
      2000,
      'attempt',
    );
    return Math.round(attempt.at - at);
  });
  expect(silencedAt).toBeGreaterThan(0);
  expect(delayMs).toBeLessThan(500);
});

test('signaling that comes back after an attempt went out while it was down starts the next attempt at once', async ({
  harness,
}) => {
  // Attempt 1 runs at once into the dead channel; attempt 2 is a minute away.
  await silenceRemote(harness, { stallTimeoutMs: 0, disconnectedGraceMs: 200 }, [0, 60_000]);
  const result = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    window.pair.chA.setUp(false);
    const attempts = () => window.pair.eventsA.filter((e) => e.name === 'restartAttempt');
    await t.until(() => attempts().length >= 1, 15000, 'attempt 1');
    // Past the 5 s an attempt's offer gets to be answered: attempt 2 now waits its minute.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const before = attempts().length;
    const at = performance.now();
    window.pair.chA.setUp(true);
    const attempt = await t.until(() => attempts()[1], 2000, 'attempt 2');
    return { before, delayMs: Math.round(attempt.at - at) };
  });
  expect(result.before).toBe(1);
  expect(result.delayMs).toBeLessThan(500);
});

test('a signaling blip while no attempt ran leaves the policy pace alone', async ({ harness }) => {
  await silenceRemote(harness, { stallTimeoutMs: 0, disconnectedGraceMs: 200 }, [60_000]);
  const attempts = await harness.evaluate(async () => {
    const { t } = window as unknown as HarnessWindow;
    await t.until(() => window.pair.a.phase === 'recovering', 15000, 'recovering');
    window.pair.chA.setUp(false);
    window.pair.chA.setUp(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return window.pair.eventsA.filter((e) => e.name === 'restartAttempt').length;
  });
  expect(attempts).toBe(0);
});
