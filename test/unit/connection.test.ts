import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionHooks, type RemoteTrack } from '../../src/connection.js';
import type { RecoveryEvidence } from '../../src/detection.js';
import type { ResilientPeerError } from '../../src/errors.js';
import type { CandidateMessage, DescriptionMessage } from '../../src/signaling/messages.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';
import { hostCandidate } from '../support/sdp.js';

function setup(stallTimeoutMs = 1500, overrides: Partial<ConnectionHooks> = {}) {
  const env = new FakeEnv();
  const pc = new FakePeerConnection();
  const candidates: CandidateMessage['candidate'][] = [];
  const tracks: RemoteTrack[] = [];
  const descriptions: DescriptionMessage['description'][] = [];
  const evidence: RecoveryEvidence[] = [];
  const guarded: unknown[] = [];
  const errors: ResilientPeerError[] = [];
  let stateChanges = 0;
  const hooks: ConnectionHooks = {
    detect: () => undefined,
    transportFailed: () => undefined,
    evidence: (seen) => {
      evidence.push(seen);
    },
    reconnected: () => undefined,
    recovering: () => false,
    negotiator: {
      sendDescription: (description) => {
        descriptions.push(description);
      },
      report: (error) => {
        errors.push(error);
      },
      restartNegotiated: () => undefined,
      askRemoteRestart: () => undefined,
      remoteRestart: () => undefined,
      beforeRestartAnswer: () => Promise.resolve(),
      log: () => undefined,
    },
    localCandidate: (candidate) => {
      candidates.push(candidate);
    },
    track: (track) => {
      tracks.push(track);
    },
    stateChanged: () => {
      stateChanges += 1;
    },
    guard: (work) => {
      try {
        work();
      } catch (error) {
        guarded.push(error);
      }
    },
    ...overrides,
  };
  const connection = new Connection(
    pc.native,
    env,
    { polite: false, session: 'sess1', stallTimeoutMs, disconnectedGraceMs: 1000 },
    hooks,
  );
  return {
    env,
    pc,
    hooks,
    connection,
    candidates,
    tracks,
    descriptions,
    evidence,
    guarded,
    errors,
    stateChanges: () => stateChanges,
  };
}

describe('Connection', () => {
  it('holds its connection, its session and a fresh path record', () => {
    const { env, pc, connection } = setup();
    expect(connection.pc).toBe(pc.native);
    expect(connection.session).toBe('sess1');
    expect(connection.health).toMatchObject({ everConnected: false, lastAliveAt: env.now() });
  });

  it('sends the candidates it gathers, but not the end-of-candidates marker', () => {
    const { pc, candidates } = setup();
    pc.gather(1);
    pc.emitCandidate(null);
    pc.emitCandidate({ candidate: '', sdpMid: '0' });
    expect(candidates).toEqual([
      { candidate: hostCandidate(1), sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
    ]);
  });

  it('delivers each remote track, frozen, and lists the live ones', () => {
    const { pc, connection, tracks } = setup();
    const video = pc.emitTrack('video');
    const audio = pc.emitTrack('audio');
    expect(tracks.map((remote) => remote.track)).toEqual([video, audio]);
    expect(tracks[0]).toMatchObject({ streams: [], transceiver: { mid: '0' }, pc: pc.native });
    expect(Object.isFrozen(tracks[0])).toBe(true);
    audio.stop();
    expect(connection.tracks.map((remote) => remote.track)).toEqual([video]);
  });

  it('offers through its negotiator when negotiation is needed', async () => {
    const { pc, descriptions } = setup();
    pc.addMedia('application');
    await settle();
    expect(descriptions.map((description) => description.type)).toEqual(['offer']);
    expect(pc.signalingState).toBe('have-local-offer');
  });

  it('tells its owner of signaling and native state changes, and watches the native ones', () => {
    const { pc, evidence, stateChanges } = setup();
    pc.signalingState = 'have-remote-offer';
    pc.dispatchEvent(new Event('signalingstatechange'));
    pc.connect();
    expect(stateChanges()).toBe(3);
    expect(evidence).toEqual(['native-connected']);
  });

  it('runs its stats probe only with a stall timeout', () => {
    expect(setup(1500).connection.probe).not.toBeNull();
    expect(setup(0).connection.probe).toBeNull();
  });

  it('runs every listener under the guard, which keeps what it throws', () => {
    const failure = new Error('owner bug');
    const { pc, guarded } = setup(1500, {
      track: () => {
        throw failure;
      },
      stateChanged: () => {
        throw failure;
      },
    });
    // Nothing escapes into the EventTarget (Node would report it as an uncaught exception).
    pc.emitTrack();
    pc.connect();
    expect(guarded).toEqual([failure, failure, failure]);
  });

  it('removes every listener and timer on close, closes the connection, and does it once', async () => {
    const { env, pc, connection, tracks } = setup();
    pc.connect();
    expect(pc.listeners.count()).toBeGreaterThan(0);
    connection.close();
    connection.close();
    expect(pc.listeners.count()).toBe(0);
    expect(env.pendingTimers).toBe(0);
    expect(pc.closed).toBe(true);
    pc.emitTrack();
    await env.pass(10_000);
    expect(tracks).toEqual([]);
    expect(pc.statsCalls).toBe(0);
  });
});
