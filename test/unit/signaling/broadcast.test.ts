// Tests of BroadcastChannelSignaling with Node's BroadcastChannel: instances in one process reach
// each other like tabs of one origin do.

import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastChannelSignaling } from '../../../src/signaling/broadcast.js';
import type { SignalingMessage } from '../../../src/signaling/messages.js';
import { recordSubscriber } from '../../support/recorder.js';
import { sleep, until } from '../../support/wait.js';

const MESSAGE: SignalingMessage = {
  kind: 'description',
  description: { type: 'offer', sdp: 'v=0\r\n' },
};

describe('BroadcastChannelSignaling', () => {
  const opened: BroadcastChannelSignaling[] = [];
  let room = 0;
  const channelName = (): string => `resilient-peer/test-${String(room)}`;

  function open(id?: string): BroadcastChannelSignaling {
    const signaling = new BroadcastChannelSignaling(`test-${String(room)}`, id ? { id } : {});
    opened.push(signaling);
    return signaling;
  }

  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    room += 1;
  });

  it('pairs two instances, delivers messages both ways, and goes down on close', async () => {
    const a = open('a');
    const atA = recordSubscriber(a);
    expect(a.isUp).toBe(false);
    const b = open('b');
    const atB = recordSubscriber(b);
    await until(() => a.isUp && b.isUp);
    a.send(MESSAGE);
    b.send({ ...MESSAGE, description: { type: 'answer', sdp: 'v=0\r\n' } });
    await until(() => atA.messages.length === 1 && atB.messages.length === 1);
    expect(atB.messages).toEqual([MESSAGE]);
    expect(atA.messages).toMatchObject([{ description: { type: 'answer' } }]);
    b.close();
    b.close();
    await until(() => !a.isUp);
    // b said bye: a hears that its peer left for good, not just that the channel went down.
    expect(atA.log).toEqual(['up', 'left', 'down']);
    expect(atB.log).toEqual(['up', 'down']);
    expect(b.isUp).toBe(false);
  });

  it('drops what is sent while no peer is there', async () => {
    const a = open('a');
    a.send(MESSAGE);
    const b = open('b');
    const atB = recordSubscriber(b);
    await until(() => a.isUp && b.isUp);
    await sleep(30);
    expect(atB.messages).toEqual([]);
  });

  it('gives every instance a random id unless one is given', () => {
    const a = open();
    const b = open();
    expect(a.id).toMatch(/^\d+-\d+$/);
    expect(a.id).not.toBe(b.id);
    expect(open('fixed').id).toBe('fixed');
  });

  it('leaves a third instance unpaired until one of the pair leaves', async () => {
    const a = open('a');
    const b = open('b');
    await until(() => a.isUp && b.isUp);
    const c = open('c');
    const atC = recordSubscriber(c);
    await sleep(50);
    expect(c.isUp).toBe(false);
    a.send(MESSAGE);
    await sleep(50);
    expect(atC.messages).toEqual([]);
    a.close();
    await until(() => c.isUp && b.isUp);
    expect(atC.log).toEqual(['up']);
  });

  it('ignores foreign traffic on the channel and its own frames', async () => {
    const a = open('a');
    const seen = recordSubscriber(a);
    const foreign = new BroadcastChannel(channelName());
    foreign.postMessage({ hello: 'world' });
    foreign.postMessage(null);
    foreign.postMessage({ rp: 1, type: 'signal', from: 'x', to: 'a', data: MESSAGE });
    foreign.postMessage({ rp: 1, type: 'here', from: 'x' });
    foreign.postMessage({ rp: 1, type: 'bye', from: 'x' });
    foreign.postMessage({ rp: 1, type: 'hello', from: 'a' });
    await sleep(50);
    foreign.close();
    expect(a.isUp).toBe(false);
    expect(seen.log).toEqual([]);
    expect(seen.messages).toEqual([]);
  });

  it('answers a hello from the peer it already has (a reload) and stays up', async () => {
    const a = open('a');
    const b = open('b');
    const atA = recordSubscriber(a);
    await until(() => a.isUp && b.isUp);
    const again = new BroadcastChannel(channelName());
    const replies: unknown[] = [];
    again.onmessage = (event: MessageEvent) => replies.push(event.data);
    again.postMessage({ rp: 1, type: 'hello', from: 'b' });
    await until(() => replies.length > 0);
    again.close();
    expect(replies).toEqual([expect.objectContaining({ rp: 1, type: 'here', from: 'a', to: 'b' })]);
    expect(atA.log).toEqual(['up']);
  });

  it('says bye on pagehide and greets again when the page returns from the cache', async () => {
    // Node has no page lifecycle; lend the global scope an EventTarget for this test.
    const page = new EventTarget();
    const host = globalThis as Partial<
      Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
    >;
    host.addEventListener = page.addEventListener.bind(page);
    host.removeEventListener = page.removeEventListener.bind(page);
    try {
      const a = open('a');
      const b = open('b');
      const atB = recordSubscriber(b);
      await until(() => a.isUp && b.isUp);
      page.dispatchEvent(new Event('pagehide'));
      // Both instances live in this "page": each said bye and each lost its peer.
      await until(() => !a.isUp && !b.isUp);
      expect(atB.log).toEqual(['up', 'down']);
      page.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
      await sleep(30);
      expect(a.isUp || b.isUp).toBe(false);
      page.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
      await until(() => a.isUp && b.isUp);
      a.close();
      b.close();
      // Closed instances stop listening to the page.
      page.dispatchEvent(new Event('pagehide'));
    } finally {
      delete host.addEventListener;
      delete host.removeEventListener;
    }
  });

  it('reports what a subscriber throws through reportError, and keeps delivering', async () => {
    const reported: unknown[] = [];
    const scope = globalThis as { reportError?: (error: unknown) => void };
    scope.reportError = (error) => reported.push(error);
    try {
      const a = open('a');
      const b = open('b');
      const failure = new Error('app bug');
      b.subscribe({
        message: () => {
          throw failure;
        },
        up: () => undefined,
        down: () => undefined,
      });
      const atB = recordSubscriber(b);
      await until(() => a.isUp && b.isUp);
      a.send(MESSAGE);
      await until(() => atB.messages.length === 1);
      expect(reported).toEqual([failure]);
    } finally {
      delete scope.reportError;
    }
  });

  it('names the argument that is wrong', () => {
    expect(() => new BroadcastChannelSignaling('')).toThrow(
      new TypeError('Expected `name` to be a non-empty string, got "".'),
    );
    expect(() => new BroadcastChannelSignaling('x', { id: '' })).toThrow(/`id`/);
    const typo = { ID: 'a' } as unknown as { id: string };
    expect(() => new BroadcastChannelSignaling('x', typo)).toThrow(
      'Unknown option `ID`; did you mean `id`?',
    );
  });
});
