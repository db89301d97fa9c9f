import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_WITHOUT_PAYLOAD_MS,
  recordPayloadSample,
  STEADY_PAYLOAD_MS,
  streaming,
  attemptVerdict,
  hasRecovered,
  IDLE_STALL_TIMEOUT_MS,
  isStalled,
  nativeVerdict,
  newPathHealth,
  probeIntervalMs,
  RECONNECTED_SETTLE_MS,
  RECOVERING_PROBE_MS,
  REMOTE_RESTART_WINDOW_MS,
  stallThresholdMs,
  type AttemptInput,
  type PathHealth,
  type RecoveryInput,
} from '../../src/detection.js';

const NOW = 100_000;

function health(overrides: Partial<PathHealth> = {}): PathHealth {
  return { ...newPathHealth(NOW), everConnected: true, connected: true, ...overrides };
}

describe('newPathHealth', () => {
  it('starts never connected, alive at creation, with nothing else seen', () => {
    expect(newPathHealth(5)).toEqual({
      everConnected: false,
      connected: false,
      lastAliveAt: 5,
      lastPayloadAt: null,
      payloadRunSince: null,
      payloadRunMs: 0,
      reconnectedAt: null,
      lastRemoteRestartAt: null,
    });
  });
});

describe('nativeVerdict', () => {
  it.each([
    ['connected', 'connected', 'connected'],
    ['connected', 'completed', 'connected'],
    ['failed', 'disconnected', 'failed'],
    ['connected', 'failed', 'failed'],
    ['disconnected', 'disconnected', 'disconnected'],
    ['connected', 'disconnected', 'disconnected'],
    ['disconnected', 'checking', 'disconnected'],
    ['new', 'new', 'pending'],
    ['connecting', 'checking', 'pending'],
    ['connecting', 'connected', 'pending'],
    ['closed', 'closed', 'pending'],
  ] as const)('reads connectionState %s and ICE %s as %s', (connection, ice, verdict) => {
    expect(nativeVerdict(connection, ice)).toBe(verdict);
  });
});

describe('probeIntervalMs', () => {
  it('samples fast while recovering', () => {
    expect(probeIntervalMs(1500, true)).toBe(RECOVERING_PROBE_MS);
    expect(RECOVERING_PROBE_MS).toBe(100);
  });

  it('samples a third of the stall timeout otherwise, within 100..1000 ms', () => {
    expect(probeIntervalMs(1500, false)).toBe(500);
    expect(probeIntervalMs(200, false)).toBe(100);
    expect(probeIntervalMs(10_000, false)).toBe(1000);
    expect(probeIntervalMs(1000, false)).toBe(333);
  });
});

describe('stallThresholdMs and isStalled', () => {
  it('uses the stall timeout while payload flows', () => {
    const flowing = health({ lastPayloadAt: NOW - 100 });
    expect(stallThresholdMs(flowing, NOW, 1500)).toBe(1500);
  });

  it('treats payload older than the timeout plus one probe interval as not flowing', () => {
    // 1500 + 500: payload seen 2000 ms ago still counts, 2001 ms ago does not.
    expect(stallThresholdMs(health({ lastPayloadAt: NOW - 2000 }), NOW, 1500)).toBe(1500);
    expect(stallThresholdMs(health({ lastPayloadAt: NOW - 2001 }), NOW, 1500)).toBe(
      IDLE_STALL_TIMEOUT_MS,
    );
  });

  it('gives an idle call the longer threshold, or the stall timeout if that is longer', () => {
    expect(IDLE_STALL_TIMEOUT_MS).toBe(4000);
    expect(stallThresholdMs(health(), NOW, 1500)).toBe(4000);
    expect(stallThresholdMs(health(), NOW, 6000)).toBe(6000);
  });

  it('counts silence as a stall from the threshold on', () => {
    const flowing = { lastPayloadAt: NOW - 100 };
    expect(isStalled(health({ ...flowing, lastAliveAt: NOW - 1499 }), NOW, 1500)).toBe(false);
    expect(isStalled(health({ ...flowing, lastAliveAt: NOW - 1500 }), NOW, 1500)).toBe(true);
    expect(isStalled(health({ lastAliveAt: NOW - 3999 }), NOW, 1500)).toBe(false);
    expect(isStalled(health({ lastAliveAt: NOW - 4000 }), NOW, 1500)).toBe(true);
  });
});

describe('attemptVerdict', () => {
  it('never restarts a replacement connection before it connected', () => {
    const self = (ago: number) => ({ replacement: { at: NOW - ago, by: 'self' as const } });
    expect(verdict(self(1000), { everConnected: false })).toBe('new-connection');
    expect(verdict(self(4000), { everConnected: false })).toBe('replace');
    expect(verdict(self(1000), { everConnected: true })).toBe('restart');
    const remote = { replacement: { at: NOW - 60_000, by: 'remote' as const } };
    expect(verdict(remote, { everConnected: false })).toBe('new-connection');
  });

  function verdict(overrides: Partial<AttemptInput>, healthOverrides: Partial<PathHealth> = {}) {
    return attemptVerdict({
      attempt: 1,
      trigger: 'stall',
      polite: false,
      now: NOW,
      health: health({ connected: false, ...healthOverrides }),
      ...overrides,
      replacement: overrides.replacement ?? null,
    });
  }

  it('restarts by default', () => {
    expect(verdict({})).toBe('restart');
  });

  it('always restarts on the first attempt of a manual restart', () => {
    expect(
      verdict(
        { trigger: 'manual' },
        { lastRemoteRestartAt: NOW - 10, connected: true, reconnectedAt: NOW - 10 },
      ),
    ).toBe('restart');
    expect(
      verdict({ trigger: 'manual', attempt: 2, polite: true }, { lastRemoteRestartAt: NOW - 10 }),
    ).toBe('remote-restarted');
  });

  it('leaves the first attempt to a remote restart moments ago', () => {
    expect(verdict({}, { lastRemoteRestartAt: NOW - (REMOTE_RESTART_WINDOW_MS - 1) })).toBe(
      'remote-restarted',
    );
    expect(verdict({}, { lastRemoteRestartAt: NOW - REMOTE_RESTART_WINDOW_MS })).toBe('restart');
  });

  it('leaves later attempts to the remote only on the polite side', () => {
    const recent = { lastRemoteRestartAt: NOW - 100 };
    expect(verdict({ attempt: 2, polite: true }, recent)).toBe('remote-restarted');
    expect(verdict({ attempt: 2, polite: false }, recent)).toBe('restart');
  });

  it('waits while ICE has just reconnected by itself', () => {
    const back = { connected: true, reconnectedAt: NOW - (RECONNECTED_SETTLE_MS - 1) };
    expect(verdict({ attempt: 2 }, back)).toBe('just-reconnected');
    expect(
      verdict({ attempt: 2 }, { connected: true, reconnectedAt: NOW - RECONNECTED_SETTLE_MS }),
    ).toBe('restart');
    expect(verdict({ attempt: 2 }, { connected: false, reconnectedAt: NOW - 10 })).toBe('restart');
  });
});

describe('streaming', () => {
  it('counts payload in every sample for STEADY_PAYLOAD_MS, not one burst', () => {
    const h = health();
    recordPayloadSample(h, NOW, true);
    expect(streaming(h, NOW, 1500)).toBe(false);
    recordPayloadSample(h, NOW + STEADY_PAYLOAD_MS - 1, true);
    expect(streaming(h, NOW + STEADY_PAYLOAD_MS - 1, 1500)).toBe(false);
    recordPayloadSample(h, NOW + STEADY_PAYLOAD_MS, true);
    expect(streaming(h, NOW + STEADY_PAYLOAD_MS, 1500)).toBe(true);
  });

  it('keeps the last run once samples go quiet, until the payload is too old', () => {
    const h = health();
    recordPayloadSample(h, NOW, true);
    recordPayloadSample(h, NOW + 1000, true);
    recordPayloadSample(h, NOW + 1500, false);
    expect(h.payloadRunSince).toBeNull();
    expect(streaming(h, NOW + 1500, 1500)).toBe(true);
    // payloadFlowing's window: a stall period and a probe tick (500 ms at 1500).
    expect(streaming(h, NOW + 1000 + 2000, 1500)).toBe(true);
    expect(streaming(h, NOW + 1000 + 2001, 1500)).toBe(false);
  });

  it('starts a new run after a quiet sample', () => {
    const h = health();
    recordPayloadSample(h, NOW, true);
    recordPayloadSample(h, NOW + 500, false);
    recordPayloadSample(h, NOW + 1000, true);
    expect(h.payloadRunMs).toBe(0);
    expect(streaming(h, NOW + 1000, 1500)).toBe(false);
  });
});

describe('hasRecovered', () => {
  function recovered(overrides: Partial<RecoveryInput>): boolean {
    return hasRecovered({
      evidence: 'activity',
      trigger: 'stall',
      connected: true,
      restartDone: false,
      probing: true,
      payloadExpected: false,
      activityForMs: 0,
      ...overrides,
    });
  }

  it('never recovers while the native states are not connected', () => {
    expect(recovered({ connected: false })).toBe(false);
    expect(recovered({ connected: false, probing: false, evidence: 'native-connected' })).toBe(
      false,
    );
  });

  it('needs new packets when probing', () => {
    expect(recovered({ evidence: 'activity' })).toBe(true);
    expect(recovered({ evidence: 'native-connected' })).toBe(false);
    expect(recovered({ evidence: 'restart-done', restartDone: true })).toBe(false);
  });

  it('needs media or data back when the call carried them, STUN checks being no proof', () => {
    expect(recovered({ payloadExpected: true, evidence: 'activity' })).toBe(false);
    expect(recovered({ payloadExpected: true, evidence: 'payload' })).toBe(true);
    expect(recovered({ payloadExpected: false, evidence: 'payload' })).toBe(true);
    expect(recovered({ payloadExpected: true, connected: false, evidence: 'payload' })).toBe(false);
  });

  it('takes STUN checks after all once they went on long enough: the stream may have stopped', () => {
    const expected = { payloadExpected: true, evidence: 'activity' } as const;
    expect(recovered({ ...expected, activityForMs: ACTIVITY_WITHOUT_PAYLOAD_MS - 1 })).toBe(false);
    expect(recovered({ ...expected, activityForMs: ACTIVITY_WITHOUT_PAYLOAD_MS })).toBe(true);
    expect(
      recovered({ ...expected, activityForMs: ACTIVITY_WITHOUT_PAYLOAD_MS, connected: false }),
    ).toBe(false);
  });

  it('takes the native states or a completed restart without the probe', () => {
    expect(recovered({ probing: false, evidence: 'native-connected' })).toBe(true);
    expect(recovered({ probing: false, evidence: 'restart-done' })).toBe(true);
    expect(recovered({ probing: false, evidence: 'activity' })).toBe(false);
    expect(recovered({ probing: false, evidence: 'payload' })).toBe(false);
  });

  it('ends a manual restart only once its restart is done', () => {
    expect(recovered({ trigger: 'manual', evidence: 'activity' })).toBe(false);
    expect(recovered({ trigger: 'manual', evidence: 'activity', restartDone: true })).toBe(true);
    expect(
      recovered({ trigger: 'manual', probing: false, evidence: 'restart-done', restartDone: true }),
    ).toBe(true);
  });
});
