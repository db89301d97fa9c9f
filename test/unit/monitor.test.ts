import { describe, expect, it } from 'vitest';
import {
  IDLE_STALL_TIMEOUT_MS,
  STEADY_PAYLOAD_MS,
  newPathHealth,
  type RecoveryEvidence,
} from '../../src/detection.js';
import { CONNECT_TIMEOUT_MS, Monitor } from '../../src/monitor.js';
import { PathProbe } from '../../src/path-probe.js';
import type { Trigger } from '../../src/policy.js';
import { FakeEnv } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';

const GRACE_MS = 1000;
const STALL_MS = 1500;

function setup(options: { probe?: boolean } = {}) {
  const env = new FakeEnv();
  const pc = new FakePeerConnection();
  const health = newPathHealth(env.now());
  const world = { recovering: false };
  const detections: [Trigger, number][] = [];
  const evidence: RecoveryEvidence[] = [];
  let reconnected = 0;
  let transportFailures = 0;
  const probe =
    options.probe === false
      ? null
      : new PathProbe(pc.native, env, (delta) => {
          monitor.onSample(delta);
        });
  const monitor: Monitor = new Monitor(
    { pc: pc.native, probe, health },
    env,
    { stallTimeoutMs: STALL_MS, disconnectedGraceMs: GRACE_MS },
    {
      detect: (trigger) => {
        detections.push([trigger, env.elapsed]);
      },
      transportFailed: () => {
        transportFailures += 1;
      },
      evidence: (seen) => {
        evidence.push(seen);
      },
      reconnected: () => {
        reconnected += 1;
      },
      recovering: () => world.recovering,
    },
  );
  /** Sets the native states and tells the monitor, as the connection's listener does. */
  const native = (change: (fake: FakePeerConnection) => void): void => {
    change(pc);
    monitor.onNative();
  };
  return {
    env,
    pc,
    health,
    world,
    monitor,
    native,
    detections,
    evidence,
    reconnected: () => reconnected,
    transportFailures: () => transportFailures,
  };
}

describe('Monitor', () => {
  it('reports the native states connecting once, and remembers it connected', () => {
    const { monitor, native, evidence, health } = setup();
    expect([monitor.connected, monitor.unhealthy]).toEqual([false, false]);
    native((pc) => {
      pc.connect();
    });
    native((pc) => {
      pc.setStates('connected', 'completed');
    });
    expect(evidence).toEqual(['native-connected']);
    expect(monitor.connected).toBe(true);
    expect(health.everConnected).toBe(true);
  });

  it('is unhealthy once connected and not connected now', () => {
    const { monitor, native } = setup();
    native((pc) => {
      pc.connect();
    });
    native((pc) => {
      pc.disconnect();
    });
    expect([monitor.connected, monitor.unhealthy]).toEqual([false, true]);
  });

  it('detects a failed connection at once, connected before or not', () => {
    const { native, detections } = setup();
    native((pc) => {
      pc.fail();
    });
    expect(detections).toEqual([['failed', 0]]);
  });

  it('hands a connection whose transport the browser gave up on to its owner instead', () => {
    const { pc, native, detections, transportFailures } = setup();
    pc.addSender('video');
    pc.sctp = { state: 'connected', transport: { state: 'connected' } };
    native((fake) => {
      fake.connect();
    });
    native((fake) => {
      fake.loseTransport();
      fake.fail();
    });
    expect(transportFailures()).toBe(1);
    expect(detections).toEqual([]);
  });

  it.each([
    ['the SCTP association', 'sctp'],
    ['the DTLS transport under SCTP', 'dtls'],
    ['a sender transport', 'sender'],
  ] as const)('counts %s failing as the transport gone', (_name, which) => {
    const { pc, native, transportFailures } = setup();
    const sender = pc.addSender('audio');
    pc.sctp = { state: 'connected', transport: { state: 'connected' } };
    native((fake) => {
      fake.connect();
    });
    if (which === 'sctp') pc.sctp.state = 'closed';
    if (which === 'dtls') pc.sctp.transport.state = 'failed';
    if (which === 'sender' && sender.transport !== null) sender.transport.state = 'failed';
    native((fake) => {
      fake.fail();
    });
    expect(transportFailures()).toBe(1);
  });

  it('treats a failure with live transports, or before any connection, as one to restart', () => {
    const live = setup();
    live.pc.addSender('video');
    live.native((fake) => {
      fake.connect();
    });
    live.native((fake) => {
      fake.fail();
    });
    expect([live.detections, live.transportFailures()]).toEqual([[['failed', 0]], 0]);
    const first = setup();
    first.pc.addSender('video');
    first.pc.loseTransport();
    first.native((fake) => {
      fake.fail();
    });
    expect([first.detections, first.transportFailures()]).toEqual([[['failed', 0]], 0]);
  });

  it('detects a disconnect that outlasts the grace period', () => {
    const { env, native, detections } = setup();
    native((pc) => {
      pc.connect();
    });
    native((pc) => {
      pc.disconnect();
    });
    native((pc) => {
      pc.setStates('disconnected', 'checking');
    });
    env.advance(GRACE_MS - 1);
    expect(detections).toEqual([]);
    env.advance(1);
    expect(detections).toEqual([['disconnected', GRACE_MS]]);
  });

  it('forgets a disconnect that heals within the grace period', () => {
    const { env, native, detections, evidence } = setup();
    native((pc) => {
      pc.connect();
    });
    native((pc) => {
      pc.disconnect();
    });
    env.advance(GRACE_MS / 2);
    native((pc) => {
      pc.connect();
    });
    env.advance(GRACE_MS * 5);
    expect(detections).toEqual([]);
    expect(evidence).toEqual(['native-connected', 'native-connected']);
  });

  it('does not detect a disconnect whose grace period ends in another state', () => {
    const { env, native, detections } = setup();
    native((pc) => {
      pc.connect();
    });
    native((pc) => {
      pc.disconnect();
    });
    // The state moves on without a change the monitor is told of.
    env.advance(GRACE_MS / 2);
    native((pc) => {
      pc.setStates('connecting', 'checking');
    });
    env.advance(GRACE_MS);
    expect(detections).toEqual([]);
  });

  it('ignores disconnected before the first connection and while recovering', () => {
    const first = setup();
    first.native((pc) => {
      pc.disconnect();
    });
    first.env.advance(GRACE_MS * 2);
    expect(first.detections).toEqual([]);
    const recovering = setup();
    recovering.native((pc) => {
      pc.connect();
    });
    recovering.world.recovering = true;
    recovering.native((pc) => {
      pc.disconnect();
    });
    recovering.env.advance(GRACE_MS * 2);
    expect(recovering.detections).toEqual([]);
  });

  it('restarts ICE when the first connection does not come within CONNECT_TIMEOUT_MS of negotiating', () => {
    expect(CONNECT_TIMEOUT_MS).toBe(4000);
    const { env, pc, monitor, detections } = setup();
    monitor.onSignalingState();
    pc.signalingState = 'have-remote-offer';
    monitor.onSignalingState();
    env.advance(CONNECT_TIMEOUT_MS * 2);
    expect(detections).toEqual([]);
    pc.signalingState = 'stable';
    pc.remoteDescription = { type: 'answer', sdp: 'v=0', toJSON: () => ({ type: 'answer' }) };
    const negotiatedAt = env.elapsed;
    monitor.onSignalingState();
    monitor.onSignalingState();
    env.advance(CONNECT_TIMEOUT_MS);
    expect(detections).toEqual([['connect-timeout', negotiatedAt + CONNECT_TIMEOUT_MS]]);
  });

  it('drops the first-connection deadline once connected', () => {
    const { env, pc, monitor, native, detections } = setup();
    pc.remoteDescription = { type: 'answer', sdp: 'v=0', toJSON: () => ({ type: 'answer' }) };
    monitor.onSignalingState();
    env.advance(CONNECT_TIMEOUT_MS / 2);
    native((fake) => {
      fake.connect();
    });
    env.advance(CONNECT_TIMEOUT_MS);
    expect(detections).toEqual([]);
    // Connected once: a later negotiation arms nothing.
    monitor.onSignalingState();
    expect(env.pendingTimers).toBe(0);
  });

  it('detects a stall after stallTimeoutMs of silence while payload flowed', () => {
    const { env, monitor, native, detections, evidence } = setup({ probe: false });
    native((pc) => {
      pc.connect();
    });
    monitor.onSample({ fresh: true, freshPayload: true });
    expect(evidence).toEqual(['native-connected', 'payload']);
    env.advance(STALL_MS - 1);
    monitor.onSample({ fresh: false, freshPayload: false });
    expect(detections).toEqual([]);
    env.advance(1);
    monitor.onSample({ fresh: false, freshPayload: false });
    expect(detections).toEqual([['stall', STALL_MS]]);
  });

  it('calls payload in every sample for STEADY_PAYLOAD_MS a stream, one burst not', () => {
    const { env, monitor, native } = setup({ probe: false });
    native((pc) => {
      pc.connect();
    });
    monitor.onSample({ fresh: true, freshPayload: true });
    expect(monitor.carriesPayload(env.now()), 'one sample is a burst').toBe(false);
    env.advance(STEADY_PAYLOAD_MS);
    monitor.onSample({ fresh: true, freshPayload: true });
    expect(monitor.carriesPayload(env.now()), 'a steady run is a stream').toBe(true);
  });

  it('gives an idle call (STUN only) the longer stall threshold', () => {
    const { env, monitor, native, detections, evidence } = setup({ probe: false });
    native((pc) => {
      pc.connect();
    });
    monitor.onSample({ fresh: true, freshPayload: false });
    expect(evidence).toEqual(['native-connected', 'activity']);
    expect(monitor.carriesPayload(env.now())).toBe(false);
    env.advance(IDLE_STALL_TIMEOUT_MS - 1);
    monitor.onSample({ fresh: false, freshPayload: false });
    expect(detections).toEqual([]);
    env.advance(1);
    monitor.onSample({ fresh: false, freshPayload: false });
    expect(detections).toEqual([['stall', IDLE_STALL_TIMEOUT_MS]]);
  });

  it('detects no stall before the first connection or while recovering', () => {
    const { env, monitor, native, world, detections } = setup({ probe: false });
    env.advance(60_000);
    monitor.onSample({ fresh: false, freshPayload: false });
    native((pc) => {
      pc.connect();
    });
    world.recovering = true;
    env.advance(60_000);
    monitor.onSample({ fresh: false, freshPayload: false });
    expect(detections).toEqual([]);
  });

  it('finds a stall through its probe, sampling a third of the stall timeout apart', async () => {
    const { env, pc, monitor, native, detections } = setup();
    pc.traffic = 'payload';
    native((fake) => {
      fake.connect();
    });
    await env.pass(1000);
    expect(pc.statsCalls).toBe(2);
    pc.traffic = 'none';
    await env.pass(2000);
    // Last activity at 1000; samples at 1500, 2000, 2500 find nothing: a stall at 2500. Nobody
    // opened an incident here, so the next silent sample reports it again.
    expect(detections).toEqual([
      ['stall', 2500],
      ['stall', 3000],
    ]);
    expect(monitor.connected).toBe(true);
  });

  it('samples fast while recovering and looks at once when ICE comes back during an incident', async () => {
    const { env, pc, monitor, native, world, health, reconnected } = setup();
    native((fake) => {
      fake.connect();
    });
    world.recovering = true;
    monitor.adjustProbe();
    await env.pass(1000);
    expect(pc.statsCalls).toBe(10);
    native((fake) => {
      fake.disconnect();
    });
    await env.pass(50);
    native((fake) => {
      fake.connect();
    });
    expect(reconnected()).toBe(1);
    expect(health.reconnectedAt).toBe(env.now());
    // The probe looked at once rather than at its next tick.
    expect(pc.statsCalls).toBe(11);
  });

  it('without a probe, counts the moment the states left connected as the last sign of life', () => {
    const { env, native, health } = setup({ probe: false });
    native((pc) => {
      pc.connect();
    });
    env.advance(5000);
    native((pc) => {
      pc.disconnect();
    });
    expect(health.lastAliveAt).toBe(env.now());
  });

  it('samples out of turn on request', async () => {
    const { env, pc, monitor, native } = setup();
    native((fake) => {
      fake.connect();
    });
    monitor.sampleNow();
    await env.pass(0);
    expect(pc.statsCalls).toBe(1);
  });

  it('stops its timers and its probe', async () => {
    const { env, pc, monitor, native } = setup();
    native((fake) => {
      fake.connect();
    });
    native((fake) => {
      fake.disconnect();
    });
    monitor.stop();
    expect(env.pendingTimers).toBe(0);
    await env.pass(10_000);
    expect(pc.statsCalls).toBe(0);
  });
});
