// The facade end to end against fakes: two ResilientPeers on one FakeEnv negotiate through linked
// FakeChannels with the real negotiation, signaling and recovery; only the RTCPeerConnections
// and the channel are scripted.

import { describe, expect, it } from 'vitest';
import { ClosedError, InvalidSignalError } from '../../src/errors.js';
import { delayTable } from '../../src/policy.js';
import { ATTEMPT_TIMEOUT_MS, GIVE_UP_GRACE_MS } from '../../src/recovery.js';
import { ResilientPeer } from '../../src/resilient-peer.js';
import { FakeChannel } from '../support/fake-channel.js';
import { FakeEnv } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';
import { watchListeners } from '../support/listeners.js';
import { connect, makePair, makeSide, type Side } from '../support/peer-pair.js';
import { recordPeer } from '../support/recorder.js';

const phases = (side: Side): string[] => side.events.of('phaseChange').map((event) => event.to);
const errors = (side: Side): string[] => side.events.of('error').map(({ error }) => error.message);

/** The session a side stamps on what it sends. */
function sessionOf(side: Side): string {
  const session = side.channel.sent.find((message) => message.session !== undefined)?.session;
  if (session === undefined) throw new Error('the side sent nothing with a session');
  return session;
}

describe('ResilientPeer', () => {
  it('negotiates with its remote through the signaling channel and connects', async () => {
    const pair = makePair();
    const { a, b } = pair;
    expect([a.peer.phase, b.peer.phase]).toEqual(['new', 'new']);
    expect([a.peer.polite, b.peer.polite]).toEqual([false, true]);
    await connect(pair);
    expect(phases(a)).toEqual(['connected']);
    expect(phases(b)).toEqual(['connected']);
    expect(a.events.of('phaseChange')).toEqual([
      { from: 'new', to: 'connected', cause: 'native-state' },
    ]);
    expect(b.fake().negotiatedMedia).toEqual(['application']);
    expect([a.setups.length, b.setups.length]).toEqual([1, 1]);
    expect([...errors(a), ...errors(b)]).toEqual([]);
  });

  it('lets the polite side offer its own media once it hears the remote', async () => {
    const pair = makePair({ a: { media: [] }, b: { media: ['video'] } });
    await pair.env.pass(999);
    expect(pair.b.channel.sentOf('description')).toEqual([]);
    await pair.env.pass(1);
    expect(pair.a.fake().negotiatedMedia).toEqual(['video']);
  });

  it('detects a stall, restarts ICE, and recovers only once new packets arrive', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    await connect(pair);
    await env.pass(1000);
    const before = { ufrag: a.fake().localUfrag, pair: a.fake().selectedPair };
    a.fake().traffic = 'none';
    b.fake().traffic = 'none';
    await env.pass(1500);
    expect(a.peer.phase).toBe('recovering');
    expect(a.events.of('restartScheduled')[0]).toEqual({
      attempt: 1,
      delayMs: 0,
      trigger: 'stall',
    });
    expect(a.events.of('restartAttempt')[0]).toEqual({
      attempt: 1,
      trigger: 'stall',
      rung: 'restart',
      action: 'restart',
    });
    await env.pass(500);
    // The restart was negotiated: new credentials, a new candidate pair, but nothing arrives yet.
    expect(a.fake().localUfrag).not.toBe(before.ufrag);
    expect(a.fake().selectedPair).not.toBe(before.pair);
    expect(b.events.of('remoteRestart')).toContainEqual({ remoteUfrag: a.fake().localUfrag });
    expect(a.peer.phase).toBe('recovering');
    expect(a.events.of('recovered')).toEqual([]);
    a.fake().traffic = 'payload';
    b.fake().traffic = 'payload';
    await env.pass(100);
    expect(a.peer.phase).toBe('connected');
    expect(a.events.of('recovered')).toEqual([
      expect.objectContaining({
        trigger: 'stall',
        detectMs: 1500,
        path: { local: 'host', remote: 'host', protocol: 'udp' },
      }),
    ]);
    expect(phases(a)).toEqual(['connected', 'recovering', 'connected']);
    expect([...errors(a), ...errors(b)]).toEqual([]);
  });

  it('recovers a manual restart on a healthy call once it is negotiated, without the probe', async () => {
    const pair = makePair({ a: { stallTimeoutMs: 0 }, b: { stallTimeoutMs: 0 } });
    const { env, a } = pair;
    await connect(pair);
    const ufrag = a.fake().localUfrag;
    a.peer.restart();
    expect(a.peer.phase).toBe('recovering');
    await env.pass(0);
    expect(a.fake().localUfrag).not.toBe(ufrag);
    expect(a.peer.phase).toBe('connected');
    expect(a.events.of('recovered')).toEqual([
      expect.objectContaining({ trigger: 'manual', attempts: 1, detectMs: 0, path: null }),
    ]);
    expect(a.events.of('phaseChange').slice(1)).toEqual([
      { from: 'connected', to: 'recovering', cause: 'restart' },
      { from: 'recovering', to: 'connected', cause: 'recovered' },
    ]);
    // No stats probe at all with stallTimeoutMs 0.
    expect(a.fake().statsCalls).toBe(0);
  });

  it('does not call a manual restart recovered while its offer is lost, however well data flows', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    await connect(pair);
    await env.pass(500);
    const ufrag = a.fake().localUfrag;
    // A's signaling socket is dead without knowing it: the restart offer goes nowhere.
    a.channel.blackholed = true;
    a.peer.restart();
    await env.pass(1200);
    // A dozen probe samples saw data flowing on the old path; that does not end a restart.
    expect(a.fake().signalingState).toBe('have-local-offer');
    expect(a.peer.phase).toBe('recovering');
    expect(a.events.of('recovered')).toEqual([]);
    // The path returns. The check the unanswered offer prompts finds the remote silent (its
    // ping went into the dead socket), the next one is answered, and the offer goes out again.
    a.channel.blackholed = false;
    await env.pass(1000);
    expect(a.events.of('signalingChange')).toEqual([
      { up: false, cause: 'unanswered' },
      { up: true, cause: 'answered' },
    ]);
    expect(a.fake().signalingState).toBe('stable');
    expect(a.fake().localUfrag).not.toBe(ufrag);
    expect(a.peer.phase).toBe('connected');
    expect(a.events.of('recovered')).toEqual([
      expect.objectContaining({ trigger: 'manual', attempts: 1 }),
    ]);
    expect([...errors(a), ...errors(b)]).toEqual([]);
  });

  it('does nothing on restart() before the first negotiation', async () => {
    const env = new FakeEnv();
    const channel = new FakeChannel();
    const side = makeSide(env, false, channel, { media: [] });
    side.peer.restart();
    await env.pass(10_000);
    expect(side.events.names()).toEqual([]);
    expect(side.peer.phase).toBe('new');
    expect(channel.sentOf('description')).toEqual([]);
  });

  it('throws ClosedError on restart() after close()', () => {
    const { a } = makePair();
    a.peer.close();
    expect(() => {
      a.peer.restart();
    }).toThrow(ClosedError);
  });

  it('gives up as the policy says, is failed, and starts over on restart()', async () => {
    const pair = makePair({ a: { policy: delayTable([0]) } });
    const { env, a } = pair;
    await connect(pair);
    // The remote went silent: no answer to a restart ever comes.
    a.channel.blackholed = true;
    a.fake().traffic = 'none';
    a.fake().fail();
    await env.pass(ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS);
    expect(a.events.of('gaveUp')).toEqual([
      { attempts: 1, elapsedMs: ATTEMPT_TIMEOUT_MS + GIVE_UP_GRACE_MS },
    ]);
    expect(a.peer.phase).toBe('failed');
    expect(a.events.of('phaseChange').at(-1)).toEqual({
      from: 'recovering',
      to: 'failed',
      cause: 'gave-up',
    });
    a.peer.restart();
    expect(a.peer.phase).toBe('recovering');
    await env.pass(0);
    expect(a.events.of('restartAttempt').at(-1)).toEqual({
      attempt: 1,
      trigger: 'manual',
      rung: 'restart',
      action: 'resend',
    });
  });

  it('reports a policy that throws and gives up', async () => {
    const pair = makePair({
      a: {
        policy: () => {
          throw new Error('policy bug');
        },
      },
    });
    await connect(pair);
    pair.a.fake().fail();
    await pair.env.pass(0);
    expect(pair.a.events.of('error').map(({ error }) => [error.code, error.message])).toEqual([
      ['policy-threw', 'the recovery policy failed, giving up: Error: policy bug'],
    ]);
    expect(pair.a.peer.phase).toBe('failed');
  });

  it('goes remote-left on the remote bye and ends the incident it was in', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    await connect(pair);
    await env.pass(1000);
    a.fake().traffic = 'none';
    await env.pass(2000);
    expect(a.peer.phase).toBe('recovering');
    const attempts = a.events.of('restartAttempt').length;
    b.peer.close();
    await env.pass(0);
    expect(a.peer.phase).toBe('remote-left');
    expect(a.events.of('remoteLeft')).toEqual([{ how: 'bye' }]);
    expect(a.events.of('phaseChange').at(-1)).toEqual({
      from: 'recovering',
      to: 'remote-left',
      cause: 'remote-left',
    });
    await env.pass(60_000);
    expect(a.events.of('restartAttempt')).toHaveLength(attempts);
    expect(a.events.of('gaveUp')).toEqual([]);
    expect(a.peer.phase).toBe('remote-left');
    // Nobody to restart with.
    a.peer.restart();
    expect(a.events.of('restartAttempt')).toHaveLength(attempts);
  });

  it('goes remote-left when the channel says the remote left', async () => {
    const pair = makePair();
    await connect(pair);
    pair.a.channel.left();
    expect(pair.a.peer.phase).toBe('remote-left');
    expect(pair.a.events.of('remoteLeft')).toEqual([{ how: 'channel' }]);
  });

  it('replaces the connection when a new remote session speaks, setting up the new one', async () => {
    const pair = makePair();
    const { env, a } = pair;
    await connect(pair);
    const previous = a.fake();
    // B's page reloads: a new peer with a new session on a new channel, and no bye.
    const channel = new FakeChannel();
    FakeChannel.link(a.channel, channel);
    const reloaded = makeSide(env, true, channel);
    await env.pass(0);
    expect(a.events.of('connectionReplaced')).toEqual([
      { pc: a.peer.pc, previous: previous.native, reason: 'remote-rejoined' },
    ]);
    expect(a.setups).toEqual([previous.native, a.peer.pc]);
    expect(previous.closed).toBe(true);
    expect(previous.listeners.count()).toBe(0);
    expect(a.events.of('phaseChange').at(-1)?.cause).toBe('replaced');
    for (const side of [a, reloaded]) {
      side.fake().traffic = 'payload';
      side.fake().connect();
    }
    await env.pass(0);
    expect(a.peer.phase).toBe('connected');
    expect(reloaded.fake().negotiatedMedia).toEqual(['application']);
    expect(errors(a)).toEqual([]);
  });

  it('replaces a connection whose transport the browser gave up on, and recovers on the new one', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    await connect(pair);
    await env.pass(1000);
    const previous = a.fake();
    previous.sctp = { state: 'connected', transport: { state: 'connected' } };
    previous.traffic = 'none';
    b.fake().traffic = 'none';
    // Firefox closes DTLS and SCTP when the connection fails: no ICE restart can bring it back.
    previous.loseTransport();
    previous.fail();
    expect(a.events.of('connectionReplaced')).toEqual([
      { pc: a.peer.pc, previous: previous.native, reason: 'transport-failed' },
    ]);
    expect(previous.closed).toBe(true);
    expect(a.peer.phase).toBe('recovering');
    await env.pass(0);
    // The remote hears of the new connection and starts afresh with it.
    expect(b.events.of('connectionReplaced')).toEqual([
      expect.objectContaining({ reason: 'remote-rejoined' }),
    ]);
    expect(a.fake().negotiatedMedia).toEqual(['application']);
    for (const side of [a, b]) {
      side.fake().traffic = 'payload';
      side.fake().connect();
    }
    await env.pass(200);
    expect(a.peer.phase).toBe('connected');
    expect(a.events.of('recovered')).toEqual([
      expect.objectContaining({ trigger: 'failed', rung: 'replace' }),
    ]);
    expect([...errors(a), ...errors(b)]).toEqual([]);
  });

  it('asks a Firefox remote to make the restart offer, and recovers with its restart', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    b.fake().firefox = true;
    await connect(pair);
    await env.pass(500);
    const ufrags = [a.fake().localUfrag, b.fake().localUfrag];
    a.peer.restart();
    await env.pass(0);
    expect(a.channel.sentOf('restart')).toHaveLength(1);
    expect(b.channel.sentOf('description').at(-1)?.description.type).toBe('offer');
    expect([a.fake().localUfrag, b.fake().localUfrag]).not.toContain(ufrags[0]);
    expect(b.fake().localUfrag).not.toBe(ufrags[1]);
    await env.pass(100);
    expect(a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'manual', rung: 'restart', action: 'restart' },
    ]);
    expect(a.events.of('remoteRestart')).toHaveLength(1);
    expect(a.events.of('recovered')).toEqual([expect.objectContaining({ trigger: 'manual' })]);
    expect([...errors(a), ...errors(b)]).toEqual([]);
  });

  it('asks the ICE-servers provider before a restart, and reports one that fails', async () => {
    const servers = [{ urls: 'turn:turn.test', username: 'u', credential: 'fresh' }];
    let fail = false;
    const pair = makePair({
      a: {
        rtcConfig: { iceServers: [{ urls: 'stun:stun.test' }] },
        getIceServers: () => {
          if (fail) throw new Error('token service down');
          return servers;
        },
      },
    });
    const { env, a } = pair;
    expect(env.configurations[0]).toEqual({ iceServers: [{ urls: 'stun:stun.test' }] });
    await connect(pair);
    a.peer.restart();
    await env.pass(200);
    expect(a.fake().getConfiguration().iceServers).toEqual(servers);
    fail = true;
    a.peer.restart();
    await env.pass(200);
    expect(a.events.of('error').map(({ error }) => error.code)).toEqual(['ice-servers-failed']);
    expect(a.fake().getConfiguration().iceServers).toEqual(servers);
    expect(a.events.of('recovered')).toHaveLength(2);
  });

  it('asks the ICE-servers provider before answering the remote’s restart', async () => {
    const fresh = [{ urls: 'turn:turn.test', username: 'u', credential: 'fresh' }];
    let calls = 0;
    const pair = makePair({
      b: {
        rtcConfig: { iceServers: [{ urls: 'turn:turn.test', username: 'u', credential: 'old' }] },
        getIceServers: () => {
          calls += 1;
          return fresh;
        },
      },
    });
    await connect(pair);
    pair.a.peer.restart();
    await pair.env.pass(200);
    expect(calls).toBe(1);
    expect(pair.b.fake().getConfiguration().iceServers).toEqual(fresh);
    expect(pair.b.events.of('remoteRestart')).toHaveLength(1);
    expect(pair.a.events.of('recovered')).toHaveLength(1);
  });

  it('restarts a relay-only call through TURN only, configured or adopted', async () => {
    const turn = [{ urls: 'turn:turn.test', username: 'u', credential: 'c' }];
    const adopted = new FakePeerConnection({ iceServers: turn, iceTransportPolicy: 'relay' });
    const configured = makePair({
      a: { rtcConfig: { iceServers: turn, iceTransportPolicy: 'relay' } },
    });
    const adopting = makePair({ a: { pc: adopted.native } });
    adopted.addMedia('application');
    for (const pair of [configured, adopting]) {
      await connect(pair);
      pair.a.peer.restart();
      await pair.env.pass(200);
      expect(pair.a.events.of('recovered')).toEqual([expect.objectContaining({ rung: 'restart' })]);
      expect(pair.a.fake().getConfiguration().iceTransportPolicy).toBe('relay');
    }
  });

  it('takes a remote that left and came back with a new session, on a new connection', async () => {
    const pair = makePair();
    const { env, a, b } = pair;
    await connect(pair);
    b.peer.close();
    await env.pass(0);
    expect(a.peer.phase).toBe('remote-left');
    const channel = new FakeChannel();
    FakeChannel.link(a.channel, channel);
    const back = makeSide(env, true, channel);
    await env.pass(0);
    expect(a.events.of('connectionReplaced')).toHaveLength(1);
    expect(a.peer.phase).not.toBe('remote-left');
    back.fake().connect();
    a.fake().connect();
    await env.pass(0);
    expect(a.peer.phase).toBe('connected');
  });

  it('keeps its connection when a new remote session speaks before any negotiation', async () => {
    const env = new FakeEnv();
    const channel = new FakeChannel();
    const side = makeSide(env, true, channel);
    channel.deliver({ kind: 'ping', session: 'first', id: 1 });
    channel.deliver({ kind: 'ping', session: 'second', id: 1 });
    await env.pass(0);
    expect(side.events.of('connectionReplaced')).toEqual([]);
    expect(side.setups).toHaveLength(1);
  });

  it('removes every listener and timer on close(), says bye, and closes its connection', async () => {
    const env = new FakeEnv();
    const [channelA, channelB] = FakeChannel.pair();
    const controller = new AbortController();
    const signal = watchListeners(controller.signal);
    const a = makeSide(env, false, channelA, { signal: controller.signal });
    const b = makeSide(env, true, channelB);
    await connect({ env, a, b });
    await env.pass(1000);
    a.fake().traffic = 'none';
    await env.pass(2000);
    expect(a.peer.phase).toBe('recovering');
    const pcs = [a.fake(), b.fake()];
    expect(env.windowListeners.count()).toBeGreaterThan(0);
    expect(signal.count()).toBe(1);
    a.peer.close();
    b.peer.close();
    a.peer.close();
    expect(env.pendingTimers).toBe(0);
    expect(env.windowListeners.count()).toBe(0);
    expect(env.connectionListeners.count()).toBe(0);
    expect(signal.count()).toBe(0);
    expect(pcs.map((pc) => [pc.closed, pc.listeners.count()])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect([channelA.subscribers, channelB.subscribers]).toEqual([0, 0]);
    expect(channelA.sent.at(-1)).toEqual({ kind: 'bye', session: sessionOf(a) });
    expect([a.peer.phase, b.peer.phase]).toEqual(['closed', 'closed']);
    expect(a.events.of('phaseChange').at(-1)).toEqual({
      from: 'recovering',
      to: 'closed',
      cause: 'closed',
    });
    // Nothing happens any more.
    const count = a.events.events.length;
    env.goOffline();
    env.goOnline();
    channelA.deliver('{bad');
    await env.pass(60_000);
    expect(a.events.events).toHaveLength(count);
  });

  it('closes when its AbortSignal aborts, and at once when it already has', () => {
    const env = new FakeEnv();
    const controller = new AbortController();
    const side = makeSide(env, false, new FakeChannel(), { signal: controller.signal });
    controller.abort();
    expect(side.peer.phase).toBe('closed');
    const aborted = new ResilientPeer(
      { polite: false, signaling: new FakeChannel(), signal: AbortSignal.abort() },
      env,
    );
    expect(aborted.phase).toBe('closed');
    expect(FakePeerConnection.of(aborted.pc).closed).toBe(true);
  });

  it('rejects unknown options with a suggestion, and wrong ones by name', () => {
    const env = new FakeEnv();
    const make = (options: Record<string, unknown>) => () =>
      new ResilientPeer({ polite: true, signaling: new FakeChannel(), ...options }, env);
    expect(make({ stalTimeoutMs: 100 })).toThrow(
      new TypeError('Unknown option `stalTimeoutMs`; did you mean `stallTimeoutMs`?'),
    );
    expect(make({ Polite: true })).toThrow('did you mean `polite`?');
    expect(make({ stallTimeoutMs: 50 })).toThrow(/`stallTimeoutMs`/);
    expect(env.peerConnections).toEqual([]);
  });

  it('adopts a connection it is given, without calling setup, and creates others with rtcConfig', () => {
    const env = new FakeEnv();
    const adopted = new FakePeerConnection();
    const setups: RTCPeerConnection[] = [];
    const peer = new ResilientPeer(
      {
        polite: false,
        signaling: new FakeChannel(),
        pc: adopted.native,
        setup: (pc) => setups.push(pc),
      },
      env,
    );
    expect(peer.pc).toBe(adopted.native);
    expect(setups).toEqual([]);
    expect(env.peerConnections).toEqual([]);
    const iceServers = [{ urls: 'stun:stun.test' }];
    new ResilientPeer(
      { polite: false, signaling: new FakeChannel(), rtcConfig: { iceServers } },
      env,
    );
    expect(env.configurations).toEqual([{ iceServers }]);
  });

  it('logs SDP redacted unless logSecrets, and survives a logger that throws', async () => {
    const lines: [string, unknown][] = [];
    const logger = {
      debug: (message: string, data?: Readonly<Record<string, unknown>>) => {
        lines.push([message, data]);
      },
      info: () => {
        throw new Error('logger bug');
      },
    };
    const pair = makePair({ a: { logger } });
    await connect(pair);
    const sentOffer = lines.find(([message]) => message === 'sending offer');
    expect(Object.keys(sentOffer?.[1] ?? {})).toEqual(['sdp']);
    expect((sentOffer?.[1] as { readonly sdp: string }).sdp).toMatch(
      /^\d+ chars, ufrag \S+, application$/,
    );
    expect(JSON.stringify(lines)).not.toContain('ice-pwd');
    const secret: [string, unknown][] = [];
    const open = makePair({
      a: {
        logSecrets: true,
        logger: {
          debug: (message, data) => {
            secret.push([message, data]);
          },
        },
      },
    });
    await connect(open);
    expect(JSON.stringify(secret)).toContain('a=ice-pwd:');
    expect(pair.a.peer.phase).toBe('connected');
  });

  it('opens an incident when the browser goes offline, and spends the attempt when back online', async () => {
    const pair = makePair();
    const { env, a } = pair;
    // Before the first connection, going offline is no incident.
    env.goOffline();
    env.goOnline();
    await connect(pair);
    expect(a.events.of('restartAttempt')).toEqual([]);
    a.fake().traffic = 'none';
    env.goOffline();
    expect(a.peer.phase).toBe('recovering');
    await env.pass(5000);
    expect(a.events.of('restartAttempt')).toEqual([]);
    env.goOnline();
    await env.pass(0);
    expect(a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'network-change', rung: 'restart', action: 'restart' },
    ]);
  });

  it('looks at the path on a network change, and restarts at once if it is unwell', async () => {
    const pair = makePair();
    const { env, a } = pair;
    await connect(pair);
    const samples = a.fake().statsCalls;
    env.changeNetwork();
    await env.pass(0);
    expect(a.fake().statsCalls).toBe(samples + 1);
    expect(a.peer.phase).toBe('connected');
    a.fake().disconnect();
    env.changeNetwork();
    await env.pass(0);
    expect(a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'network-change', rung: 'restart', action: 'restart' },
    ]);
  });

  it('restarts when the native connection fails', async () => {
    const pair = makePair();
    await connect(pair);
    pair.a.fake().fail();
    await pair.env.pass(0);
    expect(pair.a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'failed', rung: 'restart', action: 'restart' },
    ]);
  });

  it('restarts a first connection that never connects', async () => {
    const pair = makePair();
    await pair.env.pass(3999);
    expect(pair.a.events.of('restartAttempt')).toEqual([]);
    await pair.env.pass(1);
    // Both sides time out together; A counts B's restart as its attempt 1.
    expect(pair.a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'connect-timeout', rung: 'restart', action: 'remote-restart' },
    ]);
    expect(pair.b.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'connect-timeout', rung: 'restart', action: 'restart' },
    ]);
  });

  it('says bye on pagehide', async () => {
    const pair = makePair();
    await connect(pair);
    pair.env.window?.dispatchEvent(new Event('pagehide'));
    expect(pair.a.channel.sent.at(-1)).toEqual({ kind: 'bye', session: sessionOf(pair.a) });
    await pair.env.pass(0);
    expect(pair.b.peer.phase).toBe('remote-left');
  });

  it('announces the signaling channel going down and up', async () => {
    const pair = makePair();
    await connect(pair);
    pair.a.channel.setUp(false);
    pair.a.channel.setUp(true);
    expect(pair.a.events.of('signalingChange')).toEqual([
      { up: false, cause: 'channel-down' },
      { up: true, cause: 'channel-up' },
    ]);
  });

  it('restarts at once when signaling returns after an attempt went out while it was down', async () => {
    const pair = makePair({ a: { policy: delayTable([0, 60_000]) } });
    await connect(pair);
    pair.a.channel.setUp(false);
    pair.a.fake().traffic = 'none';
    pair.a.fake().disconnect();
    await pair.env.pass(6000); // attempt 1 ran into the dead channel and timed out
    expect(pair.a.events.of('restartAttempt')).toHaveLength(1);
    pair.a.channel.setUp(true);
    await pair.env.pass(0);
    expect(pair.a.events.of('restartAttempt').map((event) => event.attempt)).toEqual([1, 2]);
  });

  it('keeps the policy pace when signaling blips while no attempt is due', async () => {
    const pair = makePair({ a: { policy: delayTable([60_000]) } });
    await connect(pair);
    pair.a.fake().traffic = 'none';
    pair.a.fake().disconnect();
    await pair.env.pass(1000);
    pair.a.channel.setUp(false);
    pair.a.channel.setUp(true);
    await pair.env.pass(0);
    expect(pair.a.events.of('restartAttempt')).toEqual([]);
    await pair.env.pass(60_000);
    expect(pair.a.events.of('restartAttempt')).toEqual([
      { attempt: 1, trigger: 'disconnected', rung: 'restart', action: 'restart' },
    ]);
  });

  it('reports a malformed message as an error and carries on', async () => {
    const pair = makePair();
    await connect(pair);
    pair.a.channel.deliver('{"kind":"offer"}');
    const [event] = pair.a.events.of('error');
    expect(event?.error).toBeInstanceOf(InvalidSignalError);
    expect(pair.a.peer.phase).toBe('connected');
  });

  it('trickles its candidates to the remote, which adds them to its connection', async () => {
    const lines: string[] = [];
    const pair = makePair({ b: { logger: { debug: (message) => lines.push(message) } } });
    await connect(pair);
    pair.a.fake().gather(1);
    pair.a.fake().gather(2);
    await pair.env.pass(0);
    expect(pair.b.fake().candidates.map((candidate) => candidate.candidate)).toEqual([
      pair.a.channel.sentOf('candidate')[0]?.candidate.candidate,
      pair.a.channel.sentOf('candidate')[1]?.candidate.candidate,
    ]);
    expect(lines).toContain('added a remote candidate');
  });

  it('reports a local offer the browser cannot make as an error event', async () => {
    const env = new FakeEnv();
    const [channelA, channelB] = FakeChannel.pair();
    const a = makeSide(env, false, channelA, { media: [] });
    makeSide(env, true, channelB);
    a.fake().failNextLocal = new DOMException('bad transceiver', 'InvalidModificationError');
    a.fake().addMedia('video');
    await env.pass(0);
    expect(a.events.of('error').map(({ error }) => error.code)).toEqual(['negotiation-failed']);
  });

  it('asks for a keyframe as soon as ICE comes back during an incident', async () => {
    const pair = makePair();
    const { env, a } = pair;
    await connect(pair);
    const camera = a.fake().addSender('video');
    a.fake().traffic = 'none';
    a.fake().disconnect();
    await env.pass(1000);
    expect(a.peer.phase).toBe('recovering');
    a.fake().connect();
    await env.pass(0);
    expect(camera.activeHistory).toEqual([false, true]);
  });

  it('reports what a broken app channel throws as an internal error, and carries on', () => {
    const env = new FakeEnv();
    const inner = new FakeChannel();
    let broken = false;
    const channel = {
      get isUp(): boolean {
        if (broken) throw new Error('channel bug');
        return inner.isUp;
      },
      send: (message: Parameters<FakeChannel['send']>[0]) => {
        inner.send(message);
      },
      subscribe: (handlers: Parameters<FakeChannel['subscribe']>[0]) => inner.subscribe(handlers),
    };
    const peer = new ResilientPeer({ polite: false, signaling: channel }, env);
    const events = recordPeer(peer);
    broken = true;
    FakePeerConnection.of(peer.pc).gather(1);
    expect(events.of('error').map(({ error }) => [error.code, error.message])).toEqual([
      ['internal', 'internal error: Error: channel bug'],
    ]);
    broken = false;
    peer.close();
    expect(peer.phase).toBe('closed');
  });

  it('announces remote tracks with their connection', async () => {
    const pair = makePair();
    await connect(pair);
    const track = pair.a.fake().emitTrack('video');
    expect(pair.a.events.of('track')).toEqual([
      expect.objectContaining({ track, pc: pair.a.peer.pc }),
    ]);
  });

  it('works on a page without navigator.connection or window', async () => {
    const env = new FakeEnv({ window: false, connection: false });
    const [channelA, channelB] = FakeChannel.pair();
    const a = makeSide(env, false, channelA);
    const b = makeSide(env, true, channelB);
    await connect({ env, a, b });
    expect(a.peer.phase).toBe('connected');
    const events = recordPeer(a.peer);
    a.peer.close();
    expect(events.of('phaseChange')).toEqual([
      { from: 'connected', to: 'closed', cause: 'closed' },
    ]);
  });
});
