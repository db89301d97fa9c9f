import { describe, expect, it } from 'vitest';
import { InvalidSignalError, type ResilientPeerError } from '../../../src/errors.js';
import type { SignalingCause } from '../../../src/events.js';
import { SignalingLink, type LinkHooks } from '../../../src/signaling/link.js';
import { INITIAL_TIMEOUT_MS, RETRY_INTERVAL_MS } from '../../../src/signaling/liveness.js';
import type { SignalingMessage } from '../../../src/signaling/messages.js';
import { FakeChannel } from '../../support/fake-channel.js';
import { FakeEnv } from '../../support/fake-env.js';
import { FakePeerConnection } from '../../support/fake-peer-connection.js';
import { candidateMessage as candidate, descriptionMessage } from '../../support/messages.js';
import { sdpText } from '../../support/sdp.js';

const MINE = 'mine';

function setup(options: { up?: boolean; reconnect?: boolean; needed?: boolean } = {}) {
  const env = new FakeEnv();
  const channel = new FakeChannel({
    up: options.up ?? true,
    reconnect: options.reconnect ?? false,
  });
  const pc = new FakePeerConnection();
  const world = { needed: options.needed ?? false };
  const negotiation: unknown[] = [];
  const newRemotes: string[] = [];
  const left: string[] = [];
  const changes: [boolean, SignalingCause][] = [];
  const errors: ResilientPeerError[] = [];
  let heard = 0;
  let restored = 0;
  let restartsRequested = 0;
  const hooks: LinkHooks = {
    negotiation: (message) => {
      negotiation.push(message);
    },
    newRemote: (session) => {
      newRemotes.push(session);
    },
    heard: () => {
      heard += 1;
    },
    restartRequested: () => {
      restartsRequested += 1;
    },
    remoteLeft: (how) => {
      left.push(how);
    },
    stateChange: (up, cause) => {
      changes.push([up, cause]);
    },
    restored: () => {
      restored += 1;
    },
    needed: () => world.needed,
    report: (error) => {
      errors.push(error);
    },
    log: () => undefined,
  };
  const link = new SignalingLink(channel, env, () => pc.native, MINE, hooks);
  /** A message arrives from the remote. */
  const from = (message: object): void => {
    channel.deliver(JSON.stringify(message));
  };
  return {
    env,
    channel,
    pc,
    world,
    link,
    from,
    negotiation,
    newRemotes,
    left,
    changes,
    errors,
    heard: () => heard,
    restored: () => restored,
    restartsRequested: () => restartsRequested,
  };
}

/** A link that has heard the remote `r1` (a ping of its own: no round-trip sample yet). */
function heardFrom(options: Parameters<typeof setup>[0] = {}) {
  const made = setup(options);
  made.from({ kind: 'ping', session: 'r1', id: 1 });
  return made;
}

describe('SignalingLink', () => {
  it('checks a channel that is up at once, stamping its session', () => {
    const { channel, link } = setup();
    expect(channel.sent).toEqual([{ kind: 'ping', session: MINE, id: 1 }]);
    expect(link.isUp).toBe(true);
    expect(link.remoteSession).toBeNull();
  });

  it('starts down with a channel that is down, and sends nothing', () => {
    const { channel, link } = setup({ up: false });
    expect(link.isUp).toBe(false);
    link.bye();
    link.send(candidate(1));
    expect(channel.sent).toEqual([]);
  });

  it('answers a ping with a pong carrying its id', () => {
    const { channel, from } = setup();
    from({ kind: 'ping', session: 'r1', id: 42 });
    expect(channel.sentOf('pong')).toEqual([{ kind: 'pong', session: MINE, id: 42 }]);
  });

  it('adopts the first remote session and passes its negotiation on', () => {
    const { from, link, newRemotes, negotiation, heard } = setup();
    from({ ...candidate(1), session: 'r1' });
    from({ ...candidate(2), session: 'r1' });
    expect(newRemotes).toEqual(['r1']);
    expect(link.remoteSession).toBe('r1');
    expect(negotiation).toEqual([
      { ...candidate(1), session: 'r1' },
      { ...candidate(2), session: 'r1' },
    ]);
    expect(heard()).toBe(2);
  });

  it('takes messages without a session as the current remote', () => {
    const { from, newRemotes, negotiation } = setup();
    from(candidate(1));
    expect(newRemotes).toEqual([]);
    expect(negotiation).toEqual([candidate(1)]);
  });

  it('tells a new remote session apart and drops late messages of the ended one', () => {
    const { from, link, newRemotes, negotiation, heard } = setup();
    from({ ...candidate(1), session: 'r1' });
    from({ ...candidate(2), session: 'r2' });
    expect(newRemotes).toEqual(['r1', 'r2']);
    expect(link.remoteSession).toBe('r2');
    const heardBefore = heard();
    from({ ...candidate(3), session: 'r1' });
    from({ kind: 'ping', session: 'r1', id: 9 });
    expect(negotiation).toHaveLength(2);
    expect(heard()).toBe(heardBefore);
    expect(newRemotes).toEqual(['r1', 'r2']);
  });

  it('remembers the last 16 ended sessions only', () => {
    const { from, newRemotes } = setup();
    for (let n = 0; n <= 17; n++) from({ kind: 'bye', session: `s${n}` });
    // s0 fell out of the list of ended sessions: it counts as a new remote again.
    from({ kind: 'ping', session: 's0', id: 1 });
    from({ kind: 'ping', session: 's2', id: 1 });
    expect(newRemotes.slice(-2)).toEqual(['s17', 's0']);
  });

  it('reports the remote left on bye, and takes a new session as the remote come back', () => {
    const { from, left, negotiation, newRemotes } = setup();
    from({ ...candidate(1), session: 'r1' });
    from({ kind: 'bye', session: 'r1' });
    expect(left).toEqual(['bye']);
    from({ ...candidate(3), session: 'r2' });
    expect(newRemotes).toEqual(['r1', 'r2']);
    expect(negotiation).toHaveLength(2);
    // r1 is over now: what it still sends is dropped.
    from({ ...candidate(4), session: 'r1' });
    expect(negotiation).toHaveLength(2);
  });

  it('drops what the session that said bye sends afterwards', () => {
    const { from, negotiation, heard } = setup();
    from({ ...candidate(1), session: 'r1' });
    from({ kind: 'bye', session: 'r1' });
    const heardAtBye = heard();
    from({ ...candidate(2), session: 'r1' });
    expect(negotiation).toHaveLength(1);
    expect(heard()).toBe(heardAtBye);
  });

  it('reports the remote left when the channel says so, and stops calling silence unanswered', () => {
    const { env, channel, link, left, changes } = heardFrom();
    channel.left();
    expect(left).toEqual(['channel']);
    link.check();
    env.advance(60_000);
    expect(changes).toEqual([]);
  });

  it('holds negotiation while the remote does not answer, then flushes it when it does', () => {
    const { env, channel, link, from, changes, restored } = heardFrom();
    link.check();
    env.advance(INITIAL_TIMEOUT_MS);
    expect(changes).toEqual([[false, 'unanswered']]);
    expect(link.isUp).toBe(false);
    link.send(candidate(1));
    expect(channel.sentOf('candidate')).toEqual([]);
    from({ kind: 'pong', session: 'r1', id: 2 });
    expect(changes).toEqual([
      [false, 'unanswered'],
      [true, 'answered'],
    ]);
    expect(restored()).toBe(1);
    expect(channel.sentOf('candidate')).toEqual([{ ...candidate(1), session: MINE }]);
  });

  it('asks the channel to reconnect when unanswered, backing off while the remote stays silent', () => {
    const { env, channel, link, from } = heardFrom({ reconnect: true });
    link.check();
    const reconnectsAt = (ms: number): number => {
      env.advance(ms - env.elapsed);
      return channel.reconnects;
    };
    // Unanswered every RETRY_INTERVAL_MS + timeout (3.5 s, from 1.5 s on); reconnect() is allowed
    // 2, 4, 8, 16, 16 s after the previous one: at 1.5, 5, 12, 22.5, 40 and 57.5 s.
    expect(RETRY_INTERVAL_MS + INITIAL_TIMEOUT_MS).toBe(3500);
    expect(reconnectsAt(1499)).toBe(0);
    expect(reconnectsAt(1500)).toBe(1);
    expect(reconnectsAt(4999)).toBe(1);
    expect(reconnectsAt(5000)).toBe(2);
    expect(reconnectsAt(11_999)).toBe(2);
    expect(reconnectsAt(12_000)).toBe(3);
    expect(reconnectsAt(22_499)).toBe(3);
    expect(reconnectsAt(22_500)).toBe(4);
    expect(reconnectsAt(39_999)).toBe(4);
    expect(reconnectsAt(40_000)).toBe(5);
    expect(reconnectsAt(57_499)).toBe(5);
    expect(reconnectsAt(57_500)).toBe(6);
    // An answer resets the backoff: the next silence reconnects at once.
    from({ kind: 'ping', session: 'r1', id: 1 });
    link.check();
    const start = env.elapsed;
    expect(reconnectsAt(start + INITIAL_TIMEOUT_MS)).toBe(7);
  });

  it('asks the channel to reconnect when the media path is back while it is down', () => {
    const { env, channel, link } = heardFrom({ reconnect: true });
    link.pathBack(); // up and answering: nothing to do
    expect(channel.reconnects).toBe(0);
    channel.setUp(false);
    link.pathBack();
    link.pathBack(); // not paced: the incident says so at most twice
    expect(channel.reconnects).toBe(2);
    channel.setUp(true);
    link.pathBack();
    expect(channel.reconnects).toBe(2);
    // Up but unanswered counts as down.
    link.check();
    env.advance(INITIAL_TIMEOUT_MS);
    expect(channel.reconnects).toBe(3);
    link.pathBack();
    expect(channel.reconnects).toBe(4);
    link.close();
    link.pathBack();
    expect(channel.reconnects).toBe(4);
  });

  it('reports a reconnect() that throws', () => {
    const { env, channel, link, errors } = heardFrom({ reconnect: true });
    channel.reconnectError = new Error('no socket');
    link.check();
    env.advance(INITIAL_TIMEOUT_MS);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['signaling-failed', "the signaling channel's reconnect() threw: Error: no socket"],
    ]);
  });

  it('goes down and up with the channel, checking and flushing when it returns', () => {
    const { channel, link, changes, restored, pc } = heardFrom();
    pc.localDescription = {
      type: 'answer',
      sdp: sdpText({ ufrag: 'u' }),
      toJSON: () => ({ type: 'answer' }),
    };
    channel.setUp(false);
    expect(changes).toEqual([[false, 'channel-down']]);
    link.send({
      kind: 'description',
      description: { type: 'answer', sdp: sdpText({ ufrag: 'u' }) },
    });
    const pingsBefore = channel.sentOf('ping').length;
    channel.setUp(true);
    expect(changes).toEqual([
      [false, 'channel-down'],
      [true, 'channel-up'],
    ]);
    expect(restored()).toBe(1);
    expect(channel.sentOf('ping')).toHaveLength(pingsBefore + 1);
    expect(channel.sentOf('description')).toEqual([
      { ...descriptionMessage('answer', sdpText({ ufrag: 'u' })), session: MINE },
    ]);
  });

  it('checks the channel when an offer stays unanswered for a timeout', () => {
    const { env, channel, link, pc } = heardFrom();
    const pings = (): number => channel.sentOf('ping').length;
    const offer = descriptionMessage('offer', 'v=0');
    link.send(offer);
    pc.signalingState = 'have-local-offer';
    const before = pings();
    env.advance(INITIAL_TIMEOUT_MS - 1);
    expect(pings()).toBe(before);
    env.advance(1);
    expect(pings()).toBe(before + 1);
    // An offer answered in time leads to no check.
    env.advance(100);
    channel.deliver(JSON.stringify({ kind: 'pong', session: 'r1', id: 3 }));
    link.send(offer);
    pc.signalingState = 'stable';
    const after = pings();
    env.advance(INITIAL_TIMEOUT_MS * 2);
    expect(pings()).toBe(after);
  });

  it('keeps checking while the owner needs it', () => {
    const { env, channel, from, world } = setup({ needed: true });
    from({ kind: 'pong', session: 'r1', id: 1 });
    env.advance(1000);
    from({ kind: 'pong', session: 'r1', id: 2 });
    env.advance(1000);
    expect(channel.sentOf('ping').map((ping) => ping.id)).toEqual([1, 2, 3]);
    world.needed = false;
    from({ kind: 'pong', session: 'r1', id: 3 });
    env.advance(5000);
    expect(channel.sentOf('ping')).toHaveLength(3);
  });

  /** A link with an offer of ours pending, already sent once. */
  function offering(options: Parameters<typeof setup>[0] = {}) {
    const made = setup(options);
    const sdp = sdpText({ ufrag: 'mine' });
    made.pc.signalingState = 'have-local-offer';
    made.pc.localDescription = { type: 'offer', sdp, toJSON: () => ({ type: 'offer', sdp }) };
    made.link.send(descriptionMessage('offer', sdp));
    const offers = (): number => made.channel.sentOf('description').length;
    expect(offers()).toBe(1);
    return { ...made, offers };
  }

  it('sends the pending offer again when it first hears the remote on a fresh connection', () => {
    const { channel, from, offers } = offering();
    from({ kind: 'ping', id: 1 });
    expect(offers()).toBe(2);
    from({ kind: 'ping', id: 2 });
    expect(offers()).toBe(2);
    // A new connection of the channel: the offer goes out on it, and again at the first word.
    channel.setUp(false);
    channel.setUp(true);
    expect(offers()).toBe(3);
    from({ kind: 'ping', id: 3 });
    expect(offers()).toBe(4);
    from({ kind: 'ping', id: 4 });
    expect(offers()).toBe(4);
  });

  it('sends the pending offer once when a new remote session first speaks', () => {
    const { from, offers } = offering();
    from({ kind: 'ping', session: 'r1', id: 1 });
    expect(offers()).toBe(2);
  });

  it('sends the pending offer again on resend(), and nothing once closed', () => {
    const { link, channel, offers } = offering();
    link.resend();
    expect(offers()).toBe(2);
    expect(channel.sent.at(-1)).toMatchObject({ kind: 'description', session: MINE });
    link.close();
    link.resend();
    expect(offers()).toBe(2);
  });

  it('reports a malformed message as an InvalidSignalError and carries on', () => {
    const { channel, from, errors, heard, negotiation } = setup();
    channel.deliver('{"kind":');
    channel.deliver({ kind: 'teleport' });
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => error instanceof InvalidSignalError)).toBe(true);
    expect(errors[1]?.message).toContain('`kind` must be');
    expect(heard()).toBe(0);
    from(candidate(1));
    expect(negotiation).toHaveLength(1);
  });

  it('reports a send() that throws', () => {
    const { channel, link, from, errors } = setup();
    channel.failSends = 2;
    from({ kind: 'ping', id: 1 });
    link.send(candidate(1));
    expect(errors.map((error) => error.message)).toEqual([
      "the signaling channel's send() threw: Error: socket closed",
      "the signaling channel's send() threw: Error: socket closed",
    ]);
  });

  it('reports an owner hook that throws as an internal error', () => {
    const env = new FakeEnv();
    const channel = new FakeChannel();
    const errors: ResilientPeerError[] = [];
    new SignalingLink(channel, env, () => new FakePeerConnection().native, MINE, {
      negotiation: () => {
        throw new Error('facade bug');
      },
      newRemote: () => undefined,
      heard: () => undefined,
      restartRequested: () => undefined,
      remoteLeft: () => {
        throw new Error('facade bug');
      },
      stateChange: () => {
        throw new Error('facade bug');
      },
      restored: () => undefined,
      needed: () => false,
      report: (error) => {
        errors.push(error);
      },
      log: () => undefined,
    });
    channel.deliver(candidate(1));
    channel.left();
    channel.setUp(false);
    channel.setUp(true);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['internal', 'internal error: Error: facade bug'],
      ['internal', 'internal error: Error: facade bug'],
      ['internal', 'internal error: Error: facade bug'],
      ['internal', 'internal error: Error: facade bug'],
    ]);
  });

  it('passes a restart request of the remote on, and sends its own', () => {
    const { channel, link, from, restartsRequested, negotiation } = setup();
    from({ kind: 'restart', session: 'r1' });
    expect(restartsRequested()).toBe(1);
    expect(negotiation).toEqual([]);
    link.requestRestart();
    expect(channel.sent.at(-1)).toEqual({ kind: 'restart', session: MINE });
  });

  it('starts over with a new session of its own, leaving the old remote connection behind', () => {
    const { channel, link, from, newRemotes, negotiation } = setup();
    from({ ...candidate(1), session: 'r1' });
    const pings = channel.sentOf('ping').length;
    link.startOver('mine2');
    expect(link.session).toBe('mine2');
    expect(link.remoteSession).toBeNull();
    // The remote hears of the new connection at once.
    expect(channel.sentOf('ping')).toHaveLength(pings + 1);
    expect(channel.sent.at(-1)).toMatchObject({ kind: 'ping', session: 'mine2' });
    // What the remote's old connection still sends belongs to the connection that is gone.
    from({ ...candidate(2), session: 'r1' });
    expect(negotiation).toHaveLength(1);
    from({ ...candidate(3), session: 'r2' });
    expect(newRemotes).toEqual(['r1', 'r2']);
    expect(negotiation).toHaveLength(2);
  });

  it('stamps messages with the session it is given later', () => {
    const { channel, link } = setup();
    link.session = 'next';
    link.send(candidate(1));
    link.bye();
    expect(channel.sent.slice(-2)).toEqual([
      { ...candidate(1), session: 'next' },
      { kind: 'bye', session: 'next' },
    ]);
  });

  it('leaves no subscription, timer or queued message behind on close', () => {
    const { env, channel, link, negotiation } = setup({ up: false });
    link.send(candidate(1));
    link.send(descriptionMessage('offer', 'v=0'));
    link.close();
    link.close();
    expect(channel.subscribers).toBe(0);
    expect(env.pendingTimers).toBe(0);
    channel.setUp(true);
    link.send(candidate(2));
    link.check();
    channel.deliver(candidate(3));
    expect(channel.sent).toEqual([]);
    expect(negotiation).toEqual([]);
  });

  it('sends bye stamped with its session', () => {
    const { channel, link } = setup();
    link.bye();
    expect(channel.sent.at(-1)).toEqual({ kind: 'bye', session: MINE } satisfies SignalingMessage);
  });
});
