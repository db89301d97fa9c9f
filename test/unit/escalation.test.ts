import { describe, expect, it } from 'vitest';
import type { ResilientPeerError } from '../../src/errors.js';
import {
  configure,
  transportPolicy,
  hasTurnServer,
  ICE_SERVERS_TIMEOUT_MS,
  IceServers,
  nextRung,
  transportGone,
  type IceServersProvider,
} from '../../src/escalation.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';

describe('nextRung', () => {
  const input = {
    rung: 'restart',
    restartsWithoutRecovery: 0,
    relayAfterRestarts: 2,
    relayAvailable: true,
  } as const;

  it('restarts ICE until enough restarts completed without recovery, then goes through TURN', () => {
    expect(nextRung(input)).toBe('restart');
    expect(nextRung({ ...input, restartsWithoutRecovery: 1 })).toBe('restart');
    expect(nextRung({ ...input, restartsWithoutRecovery: 2 })).toBe('relay');
    expect(nextRung({ ...input, restartsWithoutRecovery: 5 })).toBe('relay');
  });

  it('stays on ICE restarts without a TURN server, or with the relay rung off', () => {
    expect(nextRung({ ...input, restartsWithoutRecovery: 9, relayAvailable: false })).toBe(
      'restart',
    );
    expect(nextRung({ ...input, restartsWithoutRecovery: 9, relayAfterRestarts: 0 })).toBe(
      'restart',
    );
  });

  it('never climbs back down within an incident', () => {
    expect(nextRung({ ...input, rung: 'relay', relayAvailable: false })).toBe('relay');
    expect(nextRung({ ...input, rung: 'replace', restartsWithoutRecovery: 9 })).toBe('replace');
  });
});

describe('hasTurnServer', () => {
  it('finds a turn: or turns: URL, in a string or a list, in any case', () => {
    expect(hasTurnServer([{ urls: 'turn:turn.test:3478' }])).toBe(true);
    expect(hasTurnServer([{ urls: ['stun:stun.test', 'TURNS:turn.test:443'] }])).toBe(true);
    expect(hasTurnServer([{ urls: 'stun:stun.test' }, { urls: [] }])).toBe(false);
    expect(hasTurnServer([{ urls: 'https://turn.test' }])).toBe(false);
    expect(hasTurnServer([])).toBe(false);
    expect(hasTurnServer(undefined)).toBe(false);
  });
});

describe('transportGone', () => {
  it('holds when the SCTP association, its DTLS transport or a sender transport failed or closed', () => {
    const withSctp = (state: RTCSctpTransportState, dtls: RTCDtlsTransportState) => {
      const pc = new FakePeerConnection();
      pc.sctp = { state, transport: { state: dtls } };
      return transportGone(pc);
    };
    expect(withSctp('connected', 'connected')).toBe(false);
    expect(withSctp('closed', 'connected')).toBe(true);
    expect(withSctp('connected', 'failed')).toBe(true);
    expect(withSctp('connecting', 'closed')).toBe(true);
    const pc = new FakePeerConnection();
    const sender = pc.addSender('video');
    pc.addSender('audio').transport = null;
    expect(transportGone(pc)).toBe(false);
    if (sender.transport !== null) sender.transport.state = 'failed';
    expect(transportGone(pc)).toBe(true);
  });

  it('does not hold for a connection without transports', () => {
    expect(transportGone(new FakePeerConnection())).toBe(false);
  });
});

describe('IceServers', () => {
  function setup(provider: IceServersProvider | undefined, initial?: RTCIceServer[]) {
    const env = new FakeEnv();
    const errors: ResilientPeerError[] = [];
    const servers = new IceServers(provider, initial, env, (error) => {
      errors.push(error);
    });
    return { env, errors, servers };
  }

  it('keeps the configured servers when there is no provider', async () => {
    const initial = [{ urls: 'stun:stun.test' }];
    const { servers, errors } = setup(undefined, initial);
    expect(servers.latest).toBe(initial);
    expect(await servers.refresh()).toBe(initial);
    expect(setup(undefined).servers.latest).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('asks the provider, sync or async, and keeps what it gives', async () => {
    const fresh = [{ urls: 'turn:turn.test', username: 'u', credential: 'c' }];
    const sync = setup(() => fresh, [{ urls: 'stun:old.test' }]);
    expect(await sync.servers.refresh()).toEqual(fresh);
    expect(sync.servers.latest).toEqual(fresh);
    const later = setup(() => Promise.resolve(fresh));
    expect(await later.servers.refresh()).toEqual(fresh);
    expect(later.env.pendingTimers).toBe(0);
  });

  it('reports a provider that throws or rejects, and keeps the last good servers', async () => {
    const initial = [{ urls: 'stun:stun.test' }];
    let calls = 0;
    const { servers, errors } = setup(() => {
      calls += 1;
      if (calls === 1) throw new Error('no token');
      return Promise.reject(new Error('expired'));
    }, initial);
    expect(await servers.refresh()).toBe(initial);
    expect(await servers.refresh()).toBe(initial);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      [
        'ice-servers-failed',
        'the ICE-servers provider failed, restarting with the last good servers: Error: no token',
      ],
      [
        'ice-servers-failed',
        'the ICE-servers provider failed, restarting with the last good servers: Error: expired',
      ],
    ]);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
  });

  it('reports a provider that gives something other than a list', async () => {
    const { servers, errors } = setup(() => ({ urls: 'turn:x' }) as unknown as RTCIceServer[]);
    expect(await servers.refresh()).toBeUndefined();
    expect(errors[0]?.message).toContain('TypeError: expected an array of RTCIceServer');
  });

  it(`gives up on a provider after ${ICE_SERVERS_TIMEOUT_MS} ms`, async () => {
    const { env, servers, errors } = setup(() => new Promise<RTCIceServer[]>(() => undefined));
    let result: unknown = 'pending';
    void servers.refresh().then((value) => {
      result = value;
    });
    await env.pass(ICE_SERVERS_TIMEOUT_MS - 1);
    expect(result).toBe('pending');
    await env.pass(1);
    await settle();
    expect(result).toBeUndefined();
    expect(errors[0]?.message).toContain(`no answer within ${ICE_SERVERS_TIMEOUT_MS} ms`);
  });
});

describe('transportPolicy', () => {
  it('is TURN only on the relay rung, and the app’s own policy on every other', () => {
    expect(transportPolicy('relay', 'all')).toBe('relay');
    expect(transportPolicy('restart', 'all')).toBe('all');
    expect(transportPolicy('replace', 'all')).toBe('all');
    for (const rung of ['restart', 'relay', 'replace'] as const) {
      expect(transportPolicy(rung, 'relay')).toBe('relay');
    }
  });
});

describe('configure', () => {
  it('sets the servers and the transport policy, keeping the rest of the configuration', () => {
    const pc = new FakePeerConnection({
      bundlePolicy: 'max-bundle',
      iceServers: [{ urls: 'stun:a' }],
    });
    configure(pc.native, [{ urls: 'turn:b' }], 'relay');
    expect(pc.getConfiguration()).toEqual({
      bundlePolicy: 'max-bundle',
      iceServers: [{ urls: 'turn:b' }],
      iceTransportPolicy: 'relay',
    });
    configure(pc.native, undefined, 'all');
    expect(pc.getConfiguration()).toEqual({
      bundlePolicy: 'max-bundle',
      iceServers: [{ urls: 'turn:b' }],
      iceTransportPolicy: 'all',
    });
  });

  it('leaves the connection alone when nothing changes', () => {
    const pc = new FakePeerConnection({ iceTransportPolicy: 'all' });
    pc.failConfiguration = new Error('setConfiguration must not be called');
    expect(() => {
      configure(pc.native, undefined, 'all');
    }).not.toThrow();
  });
});
