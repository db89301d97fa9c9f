import { describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/signaling/outbox.js';
import { FakeChannel } from '../../support/fake-channel.js';
import { FakePeerConnection } from '../../support/fake-peer-connection.js';
import { candidateMessage, descriptionMessage } from '../../support/messages.js';
import { sdpText } from '../../support/sdp.js';

const SESSION = 'mine';

function sdp(ufrag: string, version = 1): string {
  return sdpText({ ufrag, version });
}

const offer = (sdp: string) => descriptionMessage('offer', sdp);
const answer = (sdp: string) => descriptionMessage('answer', sdp);
const candidate = candidateMessage;

/** A connection whose state the test sets directly: all the outbox reads. */
function setup() {
  const channel = new FakeChannel({ up: false });
  const pc = new FakePeerConnection();
  const errors: unknown[] = [];
  const outbox = new Outbox(
    channel,
    () => pc.native,
    (error) => {
      errors.push(error);
    },
  );
  const state = (
    signalingState: RTCSignalingState,
    local: { readonly type: RTCSdpType; readonly sdp: string } | null,
  ): void => {
    pc.signalingState = signalingState;
    pc.localDescription = local === null ? null : { ...local, toJSON: () => local };
  };
  return { channel, state, errors, outbox };
}

describe('Outbox', () => {
  it('sends at once while the channel is up', () => {
    const { channel, outbox } = setup();
    channel.setUp(true);
    outbox.send(candidate(1, null));
    outbox.send(offer(sdp('a')));
    expect(channel.sent).toEqual([candidate(1, null), offer(sdp('a'))]);
  });

  it('queues while the channel is down and sends on flush', () => {
    const { channel, state, outbox } = setup();
    state('stable', { type: 'answer', sdp: sdp('a') });
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, null));
    expect(channel.sent).toEqual([]);
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([answer(sdp('a')), candidate(1, 'a'), candidate(2, null)]);
  });

  it('queues while holding although the channel is up, and flushes nothing until released', () => {
    const { channel, state, outbox } = setup();
    state('stable', { type: 'answer', sdp: sdp('a') });
    channel.setUp(true);
    outbox.holding = true;
    outbox.send(candidate(1, 'a'));
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([]);
    outbox.holding = false;
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([candidate(1, 'a')]);
  });

  it('flushes nothing while the channel is still down', () => {
    const { channel, outbox } = setup();
    outbox.send(candidate(1, null));
    outbox.flush(SESSION);
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([candidate(1, null)]);
  });

  it('sends nothing twice: a second flush finds the queue empty', () => {
    const { channel, state, outbox } = setup();
    state('stable', { type: 'answer', sdp: sdp('a') });
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    channel.setUp(true);
    outbox.flush(SESSION);
    outbox.flush(SESSION);
    expect(channel.sent).toHaveLength(2);
  });

  it('keeps only the latest description', () => {
    const { channel, state, outbox } = setup();
    outbox.send(answer(sdp('a', 1)));
    outbox.send(answer(sdp('a', 2)));
    state('stable', { type: 'answer', sdp: sdp('a', 2) });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([answer(sdp('a', 2))]);
  });

  it('resends the pending offer on flush even if it went out before, stamped with the session', () => {
    const { channel, state, outbox } = setup();
    channel.setUp(true);
    outbox.send(offer(sdp('b')));
    state('have-local-offer', { type: 'offer', sdp: sdp('b') });
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([offer(sdp('b')), { ...offer(sdp('b')), session: SESSION }]);
  });

  it('sends the current local offer instead of a queued older one', () => {
    const { channel, state, outbox } = setup();
    outbox.send(offer(sdp('a')));
    state('have-local-offer', { type: 'offer', sdp: sdp('b') });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([{ ...offer(sdp('b')), session: SESSION }]);
  });

  it('drops a queued offer that is no longer pending', () => {
    const { channel, state, outbox } = setup();
    outbox.send(offer(sdp('a')));
    state('stable', { type: 'answer', sdp: sdp('c') });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([]);
  });

  it('drops a queued answer that is not the current local description', () => {
    const { channel, state, outbox } = setup();
    outbox.send(answer(sdp('a', 1)));
    state('stable', { type: 'answer', sdp: sdp('a', 2) });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([]);
  });

  it('drops a queued answer once a new offer of ours is pending, and sends that offer', () => {
    const { channel, state, outbox } = setup();
    outbox.send(answer(sdp('a')));
    state('have-local-offer', { type: 'offer', sdp: sdp('b') });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([{ ...offer(sdp('b')), session: SESSION }]);
  });

  it('drops candidates of a replaced ICE generation and keeps the current ones in order', () => {
    const { channel, state, outbox } = setup();
    outbox.send(candidate(1, 'old'));
    outbox.send(candidate(2, 'new'));
    outbox.send(candidate(3, null));
    outbox.send(candidate(4, 'old'));
    outbox.send(candidate(5, 'new'));
    state('have-local-offer', { type: 'offer', sdp: sdp('new') });
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([
      { ...offer(sdp('new')), session: SESSION },
      candidate(2, 'new'),
      candidate(3, null),
      candidate(5, 'new'),
    ]);
  });

  it('drops candidates tagged with a ufrag when there is no local description', () => {
    const { channel, outbox } = setup();
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, null));
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([candidate(2, null)]);
  });

  it('keeps at most 200 candidates, dropping the oldest', () => {
    const { channel, outbox } = setup();
    for (let id = 0; id < 205; id++) outbox.send(candidate(id, null));
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toHaveLength(200);
    expect(channel.sent[0]).toEqual(candidate(5, null));
    expect(channel.sent.at(-1)).toEqual(candidate(204, null));
  });

  it('reports a throwing send() and keeps the message for the next flush', () => {
    const { channel, state, errors, outbox } = setup();
    state('stable', { type: 'answer', sdp: sdp('a') });
    channel.setUp(true);
    channel.failSends = 1;
    outbox.send(candidate(1, 'a'));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('socket closed');
    expect(channel.sent).toEqual([]);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([candidate(1, 'a')]);
  });

  it('reports a throwing send() during flush and still sends the rest', () => {
    const { channel, state, errors, outbox } = setup();
    state('have-local-offer', { type: 'offer', sdp: sdp('a') });
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, 'a'));
    channel.setUp(true);
    channel.failSends = 1;
    outbox.flush(SESSION);
    expect(errors).toHaveLength(1);
    expect(channel.sent).toEqual([candidate(1, 'a'), candidate(2, 'a')]);
  });

  it('forgets everything queued on clear()', () => {
    const { channel, state, outbox } = setup();
    state('stable', { type: 'answer', sdp: sdp('a') });
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    outbox.clear();
    channel.setUp(true);
    outbox.flush(SESSION);
    expect(channel.sent).toEqual([]);
  });
});
