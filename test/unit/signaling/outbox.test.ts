import { describe, expect, it } from 'vitest';
import type { SignalingChannel } from './channel';
import type { CandidateMessage, DescriptionMessage, SignalingMessage } from './messages';
import { Outbox } from './outbox';

class FakeChannel implements SignalingChannel {
  isUp = false;
  readonly sent: SignalingMessage[] = [];
  /** send() throws this many more times. */
  failures = 0;

  send(message: SignalingMessage): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('socket closed');
    }
    this.sent.push(message);
  }

  subscribe(): () => void {
    return () => undefined;
  }
}

/** The two fields of RTCPeerConnection the outbox reads. */
interface FakePc {
  signalingState: RTCSignalingState;
  localDescription: { type: RTCSdpType; sdp: string } | null;
}

function sdp(ufrag: string, version = 1): string {
  return `v=0\r\no=- 1 ${version} IN IP4 127.0.0.1\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:pwpwpwpwpwpwpwpwpwpwpwpw\r\n`;
}

function offer(sdpText: string): DescriptionMessage {
  return { kind: 'description', description: { type: 'offer', sdp: sdpText } };
}

function answer(sdpText: string): DescriptionMessage {
  return { kind: 'description', description: { type: 'answer', sdp: sdpText } };
}

function candidate(id: number, usernameFragment: string | null): CandidateMessage {
  return {
    kind: 'candidate',
    candidate: {
      candidate: `candidate:${id} 1 udp 2122260223 192.0.2.1 ${5000 + id} typ host`,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment,
    },
  };
}

function setup(pc: FakePc = { signalingState: 'stable', localDescription: null }) {
  const channel = new FakeChannel();
  const errors: unknown[] = [];
  const outbox = new Outbox(channel, pc as unknown as RTCPeerConnection, (error) => {
    errors.push(error);
  });
  return { channel, pc, errors, outbox };
}

describe('Outbox', () => {
  it('sends at once while the channel is up', () => {
    const { channel, outbox } = setup();
    channel.isUp = true;
    outbox.send(candidate(1, null));
    outbox.send(offer(sdp('a')));
    expect(channel.sent).toEqual([candidate(1, null), offer(sdp('a'))]);
  });

  it('queues while the channel is down and sends on flush', () => {
    const { channel, pc, outbox } = setup();
    pc.localDescription = { type: 'answer', sdp: sdp('a') };
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, null));
    expect(channel.sent).toEqual([]);
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([answer(sdp('a')), candidate(1, 'a'), candidate(2, null)]);
  });

  it('sends nothing twice: a second flush finds the queue empty', () => {
    const { channel, pc, outbox } = setup();
    pc.localDescription = { type: 'answer', sdp: sdp('a') };
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    channel.isUp = true;
    outbox.flush();
    outbox.flush();
    expect(channel.sent).toHaveLength(2);
  });

  it('keeps only the latest description', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(answer(sdp('a', 1)));
    outbox.send(answer(sdp('a', 2)));
    pc.localDescription = { type: 'answer', sdp: sdp('a', 2) };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([answer(sdp('a', 2))]);
  });

  it('resends the pending offer on flush even if it went out before', () => {
    const { channel, pc, outbox } = setup();
    channel.isUp = true;
    outbox.send(offer(sdp('b')));
    pc.signalingState = 'have-local-offer';
    pc.localDescription = { type: 'offer', sdp: sdp('b') };
    outbox.flush();
    expect(channel.sent).toEqual([offer(sdp('b')), offer(sdp('b'))]);
  });

  it('sends the current local offer instead of a queued older one', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(offer(sdp('a')));
    pc.signalingState = 'have-local-offer';
    pc.localDescription = { type: 'offer', sdp: sdp('b') };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([offer(sdp('b'))]);
  });

  it('drops a queued offer that is no longer pending', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(offer(sdp('a')));
    pc.signalingState = 'stable';
    pc.localDescription = { type: 'answer', sdp: sdp('c') };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([]);
  });

  it('drops a queued answer that is not the current local description', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(answer(sdp('a', 1)));
    pc.localDescription = { type: 'answer', sdp: sdp('a', 2) };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([]);
  });

  it('drops a queued answer once a new offer of ours is pending, and sends that offer', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(answer(sdp('a')));
    pc.signalingState = 'have-local-offer';
    pc.localDescription = { type: 'offer', sdp: sdp('b') };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([offer(sdp('b'))]);
  });

  it('drops candidates of a replaced ICE generation and keeps the current ones in order', () => {
    const { channel, pc, outbox } = setup();
    outbox.send(candidate(1, 'old'));
    outbox.send(candidate(2, 'new'));
    outbox.send(candidate(3, null));
    outbox.send(candidate(4, 'old'));
    outbox.send(candidate(5, 'new'));
    pc.signalingState = 'have-local-offer';
    pc.localDescription = { type: 'offer', sdp: sdp('new') };
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([
      offer(sdp('new')),
      candidate(2, 'new'),
      candidate(3, null),
      candidate(5, 'new'),
    ]);
  });

  it('drops candidates tagged with a ufrag when there is no local description', () => {
    const { channel, outbox } = setup();
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, null));
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([candidate(2, null)]);
  });

  it('keeps at most 200 candidates, dropping the oldest', () => {
    const { channel, outbox } = setup();
    for (let id = 0; id < 205; id++) outbox.send(candidate(id, null));
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toHaveLength(200);
    expect(channel.sent[0]).toEqual(candidate(5, null));
    expect(channel.sent.at(-1)).toEqual(candidate(204, null));
  });

  it('reports a throwing send() and keeps the message for the next flush', () => {
    const { channel, pc, errors, outbox } = setup();
    pc.localDescription = { type: 'answer', sdp: sdp('a') };
    channel.isUp = true;
    channel.failures = 1;
    outbox.send(candidate(1, 'a'));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('socket closed');
    expect(channel.sent).toEqual([]);
    outbox.flush();
    expect(channel.sent).toEqual([candidate(1, 'a')]);
  });

  it('reports a throwing send() during flush and still sends the rest', () => {
    const { channel, pc, errors, outbox } = setup();
    pc.signalingState = 'have-local-offer';
    pc.localDescription = { type: 'offer', sdp: sdp('a') };
    outbox.send(candidate(1, 'a'));
    outbox.send(candidate(2, 'a'));
    channel.isUp = true;
    channel.failures = 1;
    outbox.flush();
    expect(errors).toHaveLength(1);
    expect(channel.sent).toEqual([candidate(1, 'a'), candidate(2, 'a')]);
  });

  it('forgets everything queued on clear()', () => {
    const { channel, pc, outbox } = setup();
    pc.localDescription = { type: 'answer', sdp: sdp('a') };
    outbox.send(answer(sdp('a')));
    outbox.send(candidate(1, 'a'));
    outbox.clear();
    channel.isUp = true;
    outbox.flush();
    expect(channel.sent).toEqual([]);
  });
});
