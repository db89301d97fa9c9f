// close(): idempotent, reachable through an AbortSignal, and it leaves nothing of ours behind.
import { expect, test } from './fixtures';
import type { HarnessWindow } from './harness-types';

test('close() is idempotent, removes every listener and timer, and later calls are harmless', async ({
  harness,
}) => {
  const result = await harness.evaluate(async () => {
    const { t, instrument, rp } = window as unknown as HarnessWindow;
    const timersBefore = instrument.activeTimers();
    const windowListenersBefore = instrument.listenerCount(window);
    const pair = t.makePair({}, { disconnectedGraceMs: 60_000 });
    pair.a.pc.createDataChannel('x');
    await t.until(
      () => pair.a.phase === 'connected' && pair.b.phase === 'connected',
      10000,
      'connected',
    );
    // Open an incident so the scheduler has a timer pending too.
    pair.a.restart();
    const during = {
      timers: instrument.activeTimers() - timersBefore,
      pcListeners: instrument.listenerCount(pair.a.pc),
    };
    const closes: string[] = [];
    pair.a.on('phaseChange', (e) => {
      if (e.to === 'closed') closes.push(e.from);
    });
    pair.a.close();
    pair.a.close();
    pair.b.close();
    // Let any in-flight getStats() settle: it must not re-arm a timer once closed.
    await new Promise((r) => setTimeout(r, 500));
    let restartError = '';
    try {
      pair.a.restart();
    } catch (error) {
      restartError =
        error instanceof rp.ClosedError ? error.message : `wrong error: ${String(error)}`;
    }
    // Messages arriving after close are ignored without a sound.
    pair.chA.deliver('{"kind":"candidate"}');
    pair.chA.setUp(false);
    pair.chA.setUp(true);
    window.dispatchEvent(new Event('online'));
    return {
      during,
      closes,
      phase: pair.a.phase,
      pcState: pair.a.pc.connectionState,
      pcListeners: instrument.listenerCount(pair.a.pc),
      windowListeners: instrument.listenerCount(window) - windowListenersBefore,
      channelSubscribers: (pair.chA as unknown as { handlers: Set<unknown> }).handlers.size,
      timers: instrument.activeTimers() - timersBefore,
      restartError,
    };
  });
  expect(result.during.timers).toBeGreaterThan(0);
  expect(result.during.pcListeners).toBeGreaterThan(0);
  expect(result.closes).toHaveLength(1);
  expect(result.phase).toBe('closed');
  expect(result.pcState).toBe('closed');
  expect(result.pcListeners).toBe(0);
  expect(result.windowListeners).toBe(0);
  expect(result.channelSubscribers).toBe(0);
  expect(result.timers).toBe(0);
  expect(result.restartError).toMatch(/Cannot call `restart\(\)`: the ResilientPeer is closed/);
});

test('aborting the AbortSignal closes the peer and removes the abort listener', async ({
  harness,
}) => {
  const result = await harness.evaluate(async () => {
    const { t, instrument } = window as unknown as HarnessWindow;
    const controller = new AbortController();
    const pair = t.makePair({}, { signal: controller.signal });
    pair.a.pc.createDataChannel('x');
    await t.until(() => pair.a.phase === 'connected', 10000, 'connected');
    const listening = instrument.listenerCount(controller.signal);
    controller.abort();
    const aborted = { phase: pair.a.phase, listeners: instrument.listenerCount(controller.signal) };
    const pre = new AbortController();
    pre.abort();
    const stillborn = t.makePair({}, { signal: pre.signal });
    return { listening, aborted, stillborn: stillborn.a.phase };
  });
  expect(result.listening).toBe(1);
  expect(result.aborted).toEqual({ phase: 'closed', listeners: 0 });
  expect(result.stillborn).toBe('closed');
});

test('wrong options get a TypeError naming the option', async ({ harness }) => {
  const messages = await harness.evaluate(() => {
    const { rp, t } = window as unknown as HarnessWindow;
    const [channel] = [t.makePair().chA];
    const attempts: unknown[] = [
      undefined,
      { signaling: channel },
      { polite: 'yes', signaling: channel },
      { polite: true },
      { polite: true, signaling: { send() {} } },
      { polite: true, signaling: channel, stallTimeoutMs: -1 },
      { polite: true, signaling: channel, stallTimeoutMs: 50 },
      { polite: true, signaling: channel, disconnectedGraceMs: Number.NaN },
      { polite: true, signaling: channel, policy: 5 },
      { polite: true, signaling: channel, signal: {} },
      { polite: true, signaling: channel, pc: {} },
      { polite: true, signaling: channel, rtcConfig: 'stun:x' },
    ];
    return attempts.map((options) => {
      try {
        new rp.ResilientPeer(options as never);
        return 'no error';
      } catch (error) {
        return error instanceof TypeError ? error.message : `not a TypeError: ${String(error)}`;
      }
    });
  });
  const expected = [
    /`options` to be an object/,
    /`polite` to be a boolean/,
    /`polite` to be a boolean.*"yes"/,
    /`signaling` to be a SignalingChannel/,
    /`signaling` to be a SignalingChannel/,
    /`stallTimeoutMs` to be 0 \(off\) or at least 200.*got -1/,
    /`stallTimeoutMs` to be 0 \(off\) or at least 200/,
    /`disconnectedGraceMs` to be a non-negative finite number/,
    /`policy` to be a function/,
    /`signal` to be an AbortSignal/,
    /`pc` to be an open RTCPeerConnection, got an object/,
    /`rtcConfig` to be an RTCConfiguration/,
  ];
  expected.forEach((pattern, i) => {
    expect(messages[i]).toMatch(pattern);
  });
});
