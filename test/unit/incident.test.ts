import EventEmitter from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection.js';
import { ACTIVITY_WITHOUT_PAYLOAD_MS, RECONNECTED_SETTLE_MS } from '../../src/detection.js';
import type { ResilientPeerError } from '../../src/errors.js';
import {
  ICE_SERVERS_TIMEOUT_MS,
  IceServers,
  type IceServersProvider,
} from '../../src/escalation.js';
import type { PhaseCause, ResilientPeerEvents } from '../../src/events.js';
import { Incident } from '../../src/incident.js';
import { delayTable, type Policy } from '../../src/policy.js';
import { ATTEMPT_TIMEOUT_MS, GIVE_UP_GRACE_MS } from '../../src/recovery.js';
import type { DescriptionMessage } from '../../src/signaling/messages.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';
import { recordPeer } from '../support/recorder.js';

/** An incident over a real Connection, wired as the facade wires them; the remote answers on request. */
function setup(
  options: {
    policy?: Policy;
    polite?: boolean;
    kickKeyframes?: boolean;
    stallTimeoutMs?: number;
    relayAfterRestarts?: number;
    rtcConfig?: RTCConfiguration;
    getIceServers?: IceServersProvider;
  } = {},
) {
  const env = new FakeEnv();
  const pc = new FakePeerConnection(options.rtcConfig);
  const remote = new FakePeerConnection();
  const errors: ResilientPeerError[] = [];
  const iceServers = new IceServers(
    options.getIceServers,
    options.rtcConfig?.iceServers,
    env,
    (error) => {
      errors.push(error);
    },
  );
  let asked = 0;
  const sent: DescriptionMessage['description'][] = [];
  // What the incident emits goes through a typed emitter, as the facade's does, and is recorded.
  const emitter = new EventEmitter<ResilientPeerEvents>();
  const events = recordPeer(emitter);
  const phases: PhaseCause[] = [];
  const logs: string[] = [];
  const policyErrors: unknown[] = [];
  const world = { ignoring: false };
  let signalingChecks = 0;
  let pathBacks = 0;
  let replacements = 0;
  const connection: Connection = new Connection(
    pc.native,
    env,
    {
      polite: options.polite ?? false,
      session: 'local',
      stallTimeoutMs: options.stallTimeoutMs ?? 1500,
      disconnectedGraceMs: 1000,
    },
    {
      detect: (trigger) => {
        incident.detect(trigger);
      },
      transportFailed: () => undefined,
      evidence: (evidence) => {
        incident.evidence(evidence);
      },
      reconnected: () => {
        incident.reconnected();
      },
      recovering: () => incident.active,
      negotiator: {
        sendDescription: (description) => {
          sent.push(description);
        },
        report: () => undefined,
        restartNegotiated: () => {
          incident.restartNegotiated();
        },
        askRemoteRestart: () => {
          asked += 1;
        },
        remoteRestart: () => {
          connection.health.lastRemoteRestartAt = env.now();
          incident.remoteRestarted();
        },
        beforeRestartAnswer: () => incident.answeringRestart(),
        log: () => undefined,
      },
      localCandidate: () => undefined,
      track: () => undefined,
      stateChanged: () => undefined,
      guard: (work) => {
        work();
      },
    },
  );
  const incident: Incident = new Incident(
    env,
    {
      policy: options.policy ?? delayTable([0, 1000, 1000]),
      polite: options.polite ?? false,
      kickKeyframes: options.kickKeyframes ?? true,
      relayAfterRestarts: options.relayAfterRestarts ?? 2,
      iceServers,
      iceTransportPolicy: options.rtcConfig?.iceTransportPolicy ?? 'all',
    },
    {
      connection: () => connection,
      ignoring: () => world.ignoring,
      checkSignaling: () => {
        signalingChecks += 1;
      },
      pathBack: () => {
        pathBacks += 1;
      },
      replaceConnection: () => {
        replacements += 1;
      },
      // As the facade's link does: the pending offer goes out again.
      resendOffer: () => {
        const local = pc.localDescription;
        if (pc.signalingState === 'have-local-offer' && local?.type === 'offer') {
          sent.push({ type: 'offer', sdp: local.sdp });
        }
      },
      emit: (name, payload) => {
        (emitter.emit as (event: string, payload: unknown) => boolean)(name, payload);
      },
      updatePhase: (cause) => {
        phases.push(cause);
      },
      log: (level, message) => {
        logs.push(`${level}: ${message}`);
      },
      policyFailed: (error) => {
        policyErrors.push(error);
      },
    },
  );
  /** The remote answers our latest offer. */
  const answer = async (): Promise<void> => {
    await settle();
    const offer = sent.at(-1);
    if (offer?.type !== 'offer') throw new Error('no offer to answer');
    await remote.setRemoteDescription(offer);
    await remote.setLocalDescription();
    const reply = remote.localDescription;
    if (reply === null) throw new Error('remote made no answer');
    await connection.negotiator.handleDescription({ type: 'answer', sdp: reply.sdp }, reply);
    await settle();
  };
  /** The remote sends an offer that restarts ICE. */
  const remoteRestart = async (): Promise<void> => {
    remote.restartIce();
    await remote.setLocalDescription();
    const offer = remote.localDescription;
    if (offer === null) throw new Error('no remote offer');
    await connection.negotiator.handleDescription({ type: 'offer', sdp: offer.sdp }, offer);
    const reply = sent.at(-1);
    if (reply?.type === 'answer') await remote.setRemoteDescription(reply);
    await settle();
  };
  /** Negotiated and connected, traffic flowing. */
  const connected = async (): Promise<void> => {
    pc.addMedia('application');
    await answer();
    pc.traffic = 'payload';
    pc.connect();
    await env.pass(1000);
  };
  const of = events.of.bind(events);
  return {
    env,
    pc,
    remote,
    sent,
    errors,
    asked: () => asked,
    connection,
    incident,
    world,
    events,
    phases,
    logs,
    policyErrors,
    answer,
    remoteRestart,
    connected,
    of,
    signalingChecks: () => signalingChecks,
    pathBacks: () => pathBacks,
    replacements: () => replacements,
  };
}

describe('Incident', () => {
  it('opens on a detection, checks signaling, and restarts ICE on the first attempt', async () => {
    const { env, pc, incident, connected, phases, of, signalingChecks } = setup();
    await connected();
    const ufrag = pc.localUfrag;
    incident.detect('stall');
    expect(incident.active).toBe(true);
    expect(signalingChecks()).toBe(1);
    expect(phases).toEqual(['detected']);
    expect(of('restartScheduled')).toEqual([{ attempt: 1, delayMs: 0, trigger: 'stall' }]);
    await env.pass(0);
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
    ]);
    expect(pc.signalingState).toBe('have-local-offer');
    expect(pc.localDescription?.sdp).not.toContain(`a=ice-ufrag:${ufrag ?? ''}\r`);
  });

  it('checks signaling once per incident, and hurries nothing for a repeated detection', async () => {
    const { env, pc, incident, connected, phases, signalingChecks, of } = setup({
      policy: delayTable([500, 500]),
    });
    await connected();
    pc.traffic = 'none';
    incident.detect('stall');
    incident.detect('disconnected');
    expect(signalingChecks()).toBe(1);
    expect(phases).toEqual(['detected', 'detected']);
    await env.pass(499);
    expect(of('restartAttempt')).toEqual([]);
    await env.pass(1);
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
    ]);
  });

  it('ignores detections and due attempts while ignoring (closed, or the remote left)', async () => {
    const { env, pc, incident, connected, world, events, phases } = setup({
      policy: delayTable([100]),
    });
    await connected();
    pc.traffic = 'none';
    world.ignoring = true;
    incident.detect('failed');
    expect(incident.active).toBe(false);
    world.ignoring = false;
    incident.detect('failed');
    world.ignoring = true;
    await env.pass(100);
    expect(events.names()).toEqual(['restartScheduled']);
    expect(phases).toEqual(['detected']);
  });

  it('recovers on activity after the restart, reporting what it took', async () => {
    const { env, pc, incident, connected, answer, of, phases } = setup();
    await connected();
    pc.traffic = 'none';
    await env.pass(1500);
    // The probe found the stall at 2500 (last activity at 1000) and attempt 1 went out.
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
    ]);
    await env.pass(300);
    await answer();
    expect(incident.active).toBe(true);
    pc.traffic = 'payload';
    await env.pass(100);
    expect(incident.active).toBe(false);
    expect(phases.at(-1)).toBe('recovered');
    expect(of('recovered')).toEqual([
      {
        trigger: 'stall',
        attempts: 1,
        detectMs: 1500,
        downtimeMs: 1900,
        path: { local: 'host', remote: 'host', protocol: 'udp' },
        rung: 'restart',
      },
    ]);
  });

  it('says the media path is back when the native states return and when it recovers', async () => {
    const { env, pc, incident, connected, answer, pathBacks } = setup();
    await connected();
    incident.reconnected(); // no incident: nothing to say
    expect(pathBacks()).toBe(0);
    pc.traffic = 'none';
    await env.pass(1500);
    expect(incident.active).toBe(true);
    incident.reconnected();
    expect(pathBacks()).toBe(1);
    await answer();
    pc.traffic = 'payload';
    await env.pass(100);
    expect(incident.active).toBe(false);
    expect(pathBacks()).toBe(2);
  });

  it('waits for media or data to return when the call carried them, STUN checks being no proof', async () => {
    const { env, pc, incident, connected, answer, of } = setup();
    await connected();
    await env.pass(1000); // a steady stream, not the set-up's burst
    pc.traffic = 'none';
    await env.pass(1500);
    await answer();
    // The restart's new pair answers checks while the call still runs on nothing.
    pc.traffic = 'stun';
    await env.pass(2000);
    expect(incident.active).toBe(true);
    expect(of('recovered')).toEqual([]);
    pc.traffic = 'payload';
    await env.pass(100);
    expect(of('recovered')).toEqual([expect.objectContaining({ downtimeMs: 3600 })]);
  });

  it('ends the incident on STUN checks alone once they went on long enough: the stream stopped', async () => {
    const { env, pc, incident, connected, answer, of } = setup();
    await connected();
    await env.pass(1000);
    pc.traffic = 'none';
    await env.pass(1500);
    await answer();
    // The remote's camera went off during the outage: checks come back, media never does.
    pc.traffic = 'stun';
    await env.pass(ACTIVITY_WITHOUT_PAYLOAD_MS - 100);
    expect(incident.active).toBe(true);
    await env.pass(600);
    expect(incident.active).toBe(false);
    expect(of('recovered')).toHaveLength(1);
  });

  it('takes STUN checks as recovery after a burst of payload (the set-up, one message)', async () => {
    const { env, pc, incident, connected, answer, of } = setup();
    await connected(); // payload for two samples only
    pc.traffic = 'none';
    await env.pass(1500);
    await answer();
    pc.traffic = 'stun';
    await env.pass(600);
    expect(incident.active).toBe(false);
    expect(of('recovered')).toHaveLength(1);
  });

  it('recovers an idle call (STUN checks only) on STUN checks', async () => {
    const { env, pc, incident, connected, answer, of } = setup();
    await connected();
    pc.traffic = 'stun';
    await env.pass(5000);
    pc.traffic = 'none';
    await env.pass(4000);
    expect(of('restartAttempt')).toHaveLength(1);
    await answer();
    pc.traffic = 'stun';
    await env.pass(100);
    expect(incident.active).toBe(false);
    expect(of('recovered')).toHaveLength(1);
  });

  it('dates a manual incident from the restart request itself', async () => {
    const { env, pc, incident, connected, answer, of, phases } = setup();
    await connected();
    incident.detect('manual');
    expect(phases).toEqual(['restart']);
    await env.pass(200);
    await answer();
    await env.pass(100);
    expect(of('recovered')).toEqual([
      expect.objectContaining({ trigger: 'manual', attempts: 1, detectMs: 0, downtimeMs: 300 }),
    ]);
    expect(pc.signalingState).toBe('stable');
  });

  it('recovers when the restart is negotiated on a connected path without the probe', async () => {
    const { env, incident, connected, answer, of } = setup({ stallTimeoutMs: 0 });
    await connected();
    incident.detect('manual');
    await env.pass(0);
    expect(incident.active).toBe(true);
    await answer();
    expect(incident.active).toBe(false);
    expect(of('recovered')).toEqual([expect.objectContaining({ trigger: 'manual', path: null })]);
  });

  it('asks for a keyframe when the native states return during the incident, and not again at recovery', async () => {
    const { env, pc, incident, connected, answer } = setup();
    const camera = pc.addSender('video');
    await connected();
    pc.disconnect();
    incident.detect('disconnected');
    await env.pass(0);
    await answer();
    pc.connect();
    await settle();
    expect(camera.activeHistory).toEqual([false, true]);
    await env.pass(200);
    expect(incident.active).toBe(false);
    expect(camera.activeHistory).toEqual([false, true]);
  });

  it('asks for a keyframe at recovery when the native states never dropped', async () => {
    const { env, pc, incident, connected, answer } = setup();
    const camera = pc.addSender('video');
    await connected();
    incident.detect('manual');
    await answer();
    await env.pass(200);
    expect(incident.active).toBe(false);
    expect(camera.activeHistory).toEqual([false, true]);
  });

  it('asks for no keyframe with kickKeyframes off', async () => {
    const { env, pc, incident, connected, answer } = setup({ kickKeyframes: false });
    const camera = pc.addSender('video');
    await connected();
    incident.detect('manual');
    await answer();
    await env.pass(200);
    expect(incident.active).toBe(false);
    expect(camera.activeHistory).toEqual([]);
  });

  it('logs a keyframe request that fails and carries on', async () => {
    const { env, pc, incident, connected, answer, logs } = setup();
    pc.addSender('video').failWith = new DOMException('no', 'InvalidStateError');
    await connected();
    incident.detect('manual');
    await answer();
    await env.pass(200);
    expect(incident.active).toBe(false);
    expect(logs).toContain('warn: keyframe kick failed');
  });

  it('sends an offer still unanswered again instead of restarting once more', async () => {
    const { env, pc, sent, incident, connected, of } = setup();
    await connected();
    pc.traffic = 'none';
    incident.detect('stall');
    await env.pass(0);
    const offer = pc.localDescription?.sdp;
    const sentOf = (sdp: string | undefined) =>
      sent.filter((description) => description.sdp === sdp);
    expect(sentOf(offer)).toHaveLength(1);
    // Attempt 1's offer is never answered: abandoned after ATTEMPT_TIMEOUT_MS, attempt 2 one
    // second later finds it still pending.
    await env.pass(ATTEMPT_TIMEOUT_MS + 1000);
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
      { attempt: 2, trigger: 'stall', rung: 'restart', action: 'resend' },
    ]);
    expect(pc.signalingState).toBe('have-local-offer');
    expect(pc.localDescription?.sdp).toBe(offer);
    expect(sentOf(offer)).toHaveLength(2);
  });

  it('counts an attempt covered by a remote restart without restarting again', async () => {
    const { env, pc, incident, connected, remoteRestart, of } = setup({
      policy: delayTable([500, 1000]),
    });
    await connected();
    pc.traffic = 'none';
    incident.detect('stall');
    await remoteRestart();
    const ufrag = pc.localUfrag;
    await env.pass(500);
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'remote-restart' },
    ]);
    expect(pc.signalingState).toBe('stable');
    expect(pc.localUfrag).toBe(ufrag);
    // Covered attempts settle at once: the next one is scheduled right away.
    expect(of('restartScheduled').at(-1)).toEqual({ attempt: 2, delayMs: 1000, trigger: 'stall' });
  });

  it('skips an attempt while ICE has just reconnected by itself', async () => {
    const { env, pc, incident, connected, of, logs } = setup({ policy: delayTable([0, 500]) });
    await connected();
    pc.traffic = 'none';
    pc.disconnect();
    incident.detect('disconnected');
    await env.pass(0);
    expect(of('restartAttempt')).toHaveLength(1);
    // The restart's offer goes unanswered; ICE comes back by itself just before attempt 2.
    await env.pass(ATTEMPT_TIMEOUT_MS + 400);
    pc.connect();
    await env.pass(100);
    expect(of('restartAttempt')).toHaveLength(1);
    expect(logs).toContain('info: attempt 2 not needed');
    expect(RECONNECTED_SETTLE_MS).toBeGreaterThan(100);
  });

  it('spends an attempt on nothing when there is nothing to restart yet', async () => {
    const { env, pc, incident, of } = setup();
    incident.detect('connect-timeout');
    await env.pass(0);
    expect(of('restartAttempt')).toEqual([]);
    expect(pc.signalingState).toBe('stable');
    expect(of('restartScheduled').at(-1)).toMatchObject({ attempt: 2 });
  });

  /** Stalled, with every restart negotiated at once and never bringing the path back. */
  async function restartsWithoutRecovery(made: ReturnType<typeof setup>, count: number) {
    await made.connected();
    made.pc.traffic = 'none';
    made.incident.detect('stall');
    for (let n = 0; n < count; n++) {
      await made.env.pass(n === 0 ? 0 : 1000);
      await made.answer();
    }
    await made.env.pass(1000);
  }

  it('goes through TURN only after restarts that complete without bringing the path back', async () => {
    const made = setup({ rtcConfig: { iceServers: [{ urls: 'turn:turn.test' }] } });
    await restartsWithoutRecovery(made, 2);
    expect(made.of('restartAttempt').map((attempt) => attempt.rung)).toEqual([
      'restart',
      'restart',
      'relay',
    ]);
    expect(made.pc.getConfiguration().iceTransportPolicy).toBe('relay');
    await made.answer();
    made.pc.traffic = 'payload';
    await made.env.pass(100);
    expect(made.of('recovered')).toEqual([expect.objectContaining({ rung: 'relay', attempts: 3 })]);
  });

  it('starts the next incident on direct paths again', async () => {
    const made = setup({ rtcConfig: { iceServers: [{ urls: 'turns:turn.test' }] } });
    await restartsWithoutRecovery(made, 2);
    await made.answer();
    made.pc.traffic = 'payload';
    await made.env.pass(100);
    made.incident.detect('manual');
    await settle();
    expect(made.of('restartAttempt').at(-1)).toEqual({
      attempt: 1,
      trigger: 'manual',
      rung: 'restart',
      action: 'restart',
    });
    expect(made.pc.getConfiguration().iceTransportPolicy).toBe('all');
  });

  it('keeps an app’s relay-only policy on every restart', async () => {
    const made = setup({
      rtcConfig: { iceServers: [{ urls: 'turn:turn.test' }], iceTransportPolicy: 'relay' },
    });
    await made.connected();
    made.pc.traffic = 'none';
    made.incident.detect('stall');
    await made.env.pass(0);
    expect(made.of('restartAttempt')).toEqual([expect.objectContaining({ rung: 'restart' })]);
    expect(made.pc.getConfiguration().iceTransportPolicy).toBe('relay');
    await made.answer();
    made.pc.traffic = 'payload';
    await made.env.pass(100);
    expect(made.of('recovered')).toEqual([expect.objectContaining({ rung: 'restart' })]);
    made.incident.detect('manual');
    await settle();
    expect(made.of('restartAttempt').at(-1)).toMatchObject({ trigger: 'manual', rung: 'restart' });
    expect(made.pc.getConfiguration().iceTransportPolicy).toBe('relay');
  });

  it('never goes through TURN without a TURN server, or with relayAfterRestarts 0', async () => {
    const stun = setup({ rtcConfig: { iceServers: [{ urls: ['stun:stun.test'] }] } });
    await restartsWithoutRecovery(stun, 2);
    const off = setup({ relayAfterRestarts: 0, rtcConfig: { iceServers: [{ urls: 'turn:t' }] } });
    await restartsWithoutRecovery(off, 2);
    for (const made of [stun, off]) {
      expect(made.of('restartAttempt').map((attempt) => attempt.rung)).toEqual([
        'restart',
        'restart',
        'restart',
      ]);
      expect(made.pc.getConfiguration().iceTransportPolicy).not.toBe('relay');
    }
  });

  it('tells the policy which rung the next attempt takes', async () => {
    const rungs: string[] = [];
    const table = delayTable([0, 1000, 1000]);
    const made = setup({
      rtcConfig: { iceServers: [{ urls: 'turn:turn.test' }] },
      policy: (context) => {
        rungs.push(context.rung);
        return table(context);
      },
    });
    await restartsWithoutRecovery(made, 2);
    expect(rungs).toEqual(['restart', 'restart', 'relay']);
  });

  it('restarts with the ICE servers the provider gives, asked before each restart', async () => {
    let calls = 0;
    const made = setup({
      getIceServers: () => {
        calls += 1;
        return [{ urls: `turn:turn${calls}.test`, username: 'u', credential: String(calls) }];
      },
    });
    await made.connected();
    made.incident.detect('manual');
    await settle();
    expect(calls).toBe(1);
    expect(made.pc.getConfiguration().iceServers).toEqual([
      { urls: 'turn:turn1.test', username: 'u', credential: '1' },
    ]);
    expect(made.of('restartAttempt')).toHaveLength(1);
  });

  it('asks the provider before answering a remote restart, keeping the transport policy', async () => {
    const fresh = [{ urls: 'turn:turn.test', username: 'u', credential: 'fresh' }];
    let calls = 0;
    const made = setup({
      rtcConfig: { iceServers: [{ urls: 'turn:turn.test' }], iceTransportPolicy: 'relay' },
      getIceServers: () => {
        calls += 1;
        return fresh;
      },
    });
    await made.connected();
    await made.remoteRestart();
    expect(calls).toBe(1);
    expect(made.pc.getConfiguration()).toMatchObject({
      iceServers: fresh,
      iceTransportPolicy: 'relay',
    });
    expect(made.sent.at(-1)?.type).toBe('answer');
    expect(made.remote.signalingState).toBe('stable');
  });

  it('answers a remote restart with the servers it has without a provider, and despite a refusal', async () => {
    const servers = [{ urls: 'stun:stun.test' }];
    const plain = setup({ rtcConfig: { iceServers: servers } });
    await plain.connected();
    plain.pc.failConfiguration = new Error('setConfiguration must not be called');
    await plain.remoteRestart();
    expect(plain.pc.getConfiguration().iceServers).toEqual(servers);
    expect(plain.logs.filter((line) => line.startsWith('warn'))).toEqual([]);
    const failing = setup({ getIceServers: () => servers });
    await failing.connected();
    failing.pc.failConfiguration = new Error('refused');
    await failing.remoteRestart();
    expect(failing.logs).toContain('warn: setConfiguration failed');
    expect(failing.sent.at(-1)?.type).toBe('answer');
  });

  it('restarts with the last good servers when the provider fails, and says so', async () => {
    const initial = [{ urls: 'stun:stun.test' }];
    const failing = setup({
      rtcConfig: { iceServers: initial },
      getIceServers: () => Promise.reject(new Error('token expired')),
    });
    await failing.connected();
    failing.incident.detect('manual');
    await settle();
    expect(failing.errors.map((error) => [error.code, error.message])).toEqual([
      [
        'ice-servers-failed',
        'the ICE-servers provider failed, restarting with the last good servers: Error: token expired',
      ],
    ]);
    expect(failing.pc.getConfiguration().iceServers).toEqual(initial);
    expect(failing.of('restartAttempt')).toHaveLength(1);
    const wrong = setup({ getIceServers: () => 'turn:x' as unknown as RTCIceServer[] });
    await wrong.connected();
    wrong.incident.detect('manual');
    await settle();
    expect(wrong.errors[0]?.message).toContain('TypeError: expected an array of RTCIceServer');
  });

  it('waits at most ICE_SERVERS_TIMEOUT_MS for the provider', async () => {
    const made = setup({ getIceServers: () => new Promise<RTCIceServer[]>(() => undefined) });
    await made.connected();
    made.incident.detect('manual');
    await made.env.pass(ICE_SERVERS_TIMEOUT_MS - 1);
    expect(made.of('restartAttempt')).toEqual([]);
    await made.env.pass(1);
    expect(made.of('restartAttempt')).toHaveLength(1);
    expect(made.errors[0]?.message).toContain(`no answer within ${ICE_SERVERS_TIMEOUT_MS} ms`);
  });

  it('drops a restart whose incident ended while the provider answered', async () => {
    const made = setup({ getIceServers: () => new Promise<RTCIceServer[]>(() => undefined) });
    await made.connected();
    made.incident.detect('manual');
    made.incident.cancel();
    await made.env.pass(ICE_SERVERS_TIMEOUT_MS);
    expect(made.of('restartAttempt')).toEqual([]);
    expect(made.pc.signalingState).toBe('stable');
  });

  it('restarts even when the connection refuses the new configuration', async () => {
    const made = setup();
    await made.connected();
    made.pc.failConfiguration = new DOMException('bad servers', 'SyntaxError');
    made.incident.detect('manual');
    await settle();
    expect(made.logs).toContain('warn: setConfiguration failed');
    expect(made.of('restartAttempt')).toHaveLength(1);
  });

  it('asks the remote to restart when it must make the offer, and counts its restart', async () => {
    const made = setup();
    made.remote.firefox = true;
    await made.connected();
    made.pc.traffic = 'none';
    made.incident.detect('stall');
    await made.env.pass(0);
    expect(made.asked()).toBe(1);
    expect(made.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
    ]);
    await made.remoteRestart();
    made.pc.traffic = 'payload';
    await made.env.pass(100);
    expect(made.of('recovered')).toEqual([expect.objectContaining({ attempts: 1 })]);
  });

  it('ends a manual restart on a remote restart once data flows', async () => {
    const made = setup();
    made.remote.firefox = true;
    await made.connected();
    made.incident.detect('manual');
    await settle();
    await made.env.pass(500);
    expect(made.incident.active).toBe(true);
    await made.remoteRestart();
    await made.env.pass(100);
    expect(made.incident.active).toBe(false);
  });

  it('ignores a remote restart outside an incident', async () => {
    const made = setup();
    await made.connected();
    made.incident.remoteRestarted();
    expect(made.incident.active).toBe(false);
    expect(made.of('recovered')).toEqual([]);
  });

  it('opens an incident on the replace rung when the connection is being replaced', async () => {
    const made = setup();
    await made.connected();
    made.pc.traffic = 'none';
    made.incident.replacing('self');
    expect(made.incident.active).toBe(true);
    await made.env.pass(0);
    expect(made.of('restartAttempt').map((attempt) => attempt.rung)).toEqual(['replace']);
    // An incident already open moves to the replace rung.
    const open = setup();
    await open.connected();
    open.pc.traffic = 'none';
    open.incident.detect('stall');
    open.incident.replacing('self');
    await open.env.pass(0);
    await open.answer();
    open.pc.traffic = 'payload';
    await open.env.pass(100);
    expect(open.of('recovered')).toEqual([
      expect.objectContaining({ rung: 'replace', trigger: 'stall' }),
    ]);
  });

  it('replaces a replacement that did not connect, after it had time to, without restarting it', async () => {
    const made = setup({ policy: delayTable([0, 2000, 3000]) });
    made.incident.replacing('self');
    await made.env.pass(2000);
    // Attempts 1 and 2 come while the new connection may still come up: neither restart nor replace.
    expect(made.replacements()).toBe(0);
    expect(made.of('restartAttempt')).toEqual([]);
    await made.env.pass(3000);
    expect(made.replacements()).toBe(1);
    expect(made.of('restartAttempt').map((attempt) => attempt.rung)).toEqual(['replace']);
  });

  it('never restarts nor replaces a connection the remote brought, before it connected', async () => {
    const made = setup({ policy: delayTable([0, 5000, 5000]) });
    made.incident.detect('stall');
    made.incident.replacing('remote');
    await made.env.pass(12_000);
    expect(made.replacements()).toBe(0);
    expect(made.of('restartAttempt').filter((a) => a.attempt > 1)).toEqual([]);
  });

  it('gives up as the policy says, then heals when the native states return', async () => {
    const { env, pc, incident, connected, of, phases } = setup({ policy: delayTable([0]) });
    await connected();
    pc.fail();
    await env.pass(ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS);
    expect(of('gaveUp')).toEqual([
      { attempts: 1, elapsedMs: ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS },
    ]);
    expect(phases.at(-1)).toBe('gave-up');
    expect([incident.active, incident.gaveUp]).toEqual([false, true]);
    // Activity alone does not end a give-up; the native states connecting again does.
    incident.evidence('activity');
    expect(incident.gaveUp).toBe(true);
    pc.connect();
    expect(incident.gaveUp).toBe(false);
    expect(phases.at(-1)).toBe('recovered');
    expect(of('recovered')).toEqual([]);
  });

  it('reports a policy that throws, and gives up', async () => {
    const failure = new Error('policy bug');
    const { env, incident, connected, policyErrors, of } = setup({
      policy: () => {
        throw failure;
      },
    });
    await connected();
    incident.detect('stall');
    await env.pass(0);
    expect(policyErrors).toEqual([failure]);
    expect(of('gaveUp')).toEqual([{ attempts: 0, elapsedMs: 0 }]);
  });

  it('runs an attempt held back while offline as soon as the browser is online', async () => {
    const { env, pc, incident, connected, of } = setup();
    await connected();
    pc.traffic = 'none';
    env.online = false;
    incident.detect('stall');
    await env.pass(10_000);
    expect(of('restartAttempt')).toEqual([]);
    env.online = true;
    incident.online();
    await settle();
    expect(of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'stall', rung: 'restart', action: 'restart' },
    ]);
  });

  it('ends on cancel without recovery, and leaves no timer on dispose', async () => {
    const { env, incident, connected, of } = setup({ policy: delayTable([500]) });
    await connected();
    incident.detect('stall');
    incident.cancel();
    expect(incident.active).toBe(false);
    incident.evidence('activity');
    incident.reconnected();
    await env.pass(1000);
    expect(of('restartAttempt')).toEqual([]);
    expect(of('recovered')).toEqual([]);
    incident.detect('stall');
    incident.dispose();
    expect(incident.active).toBe(false);
  });
});
