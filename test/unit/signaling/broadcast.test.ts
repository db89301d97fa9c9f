// Tests of BroadcastChannelSignaling with Node's BroadcastChannel: instances in one process reach
// each other like tabs of one origin do.

import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastChannelSignaling } from './broadcast';
import type { SignalingMessage } from './messages';

const MESSAGE: SignalingMessage = {
  kind: 'description',
  description: { type: 'offer', sdp: 'v=0\r\n' },
};

/** Resolves once `check` holds, polling; channel messages arrive asynchronously. */
async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Records up/down calls and messages as a subscriber sees them. */
function record(signaling: BroadcastChannelSignaling): { log: string[]; messages: unknown[] } {
  const log: string[] = [];
  const messages: unknown[] = [];
  signaling.subscribe({
    message: (data) => messages.push(data),
    up: () => log.push('up'),
    down: () => log.push('down'),
  });
  return { log, messages };
}

describe('BroadcastChannelSignaling', () => {
  const opened: BroadcastChannelSignaling[] = [];
  let room = 0;

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
    const atA = record(a);
    expect(a.isUp).toBe(false);
    const b = open('b');
    const atB = record(b);
    await until(() => a.isUp && b.isUp);
    a.send(MESSAGE);
    b.send({ ...MESSAGE, description: { type: 'answer', sdp: 'v=0\r\n' } });
    await until(() => atA.messages.length === 1 && atB.messages.length === 1);
    expect(atB.messages).toEqual([MESSAGE]);
    expect(atA.messages).toMatchObject([{ description: { type: 'answer' } }]);
    b.close();
    b.close();
    await until(() => !a.isUp);
    expect(atA.log).toEqual(['up', 'down']);
    expect(atB.log).toEqual(['up', 'down']);
    expect(b.isUp).toBe(false);
  });

  it('leaves a third instance unpaired until one of the pair leaves', async () => {
    const a = open('a');
    const b = open('b');
    await until(() => a.isUp && b.isUp);
    const c = open('c');
    const atC = record(c);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.isUp).toBe(false);
    a.send(MESSAGE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(atC.messages).toEqual([]);
    a.close();
    await until(() => c.isUp && b.isUp);
    expect(atC.log).toEqual(['up']);
  });

  it('ignores foreign traffic on the channel and its own frames', async () => {
    const a = open('a');
    const seen = record(a);
    const foreign = new BroadcastChannel(`resilient-peer/test-${String(room)}`);
    foreign.postMessage({ hello: 'world' });
    foreign.postMessage({ rp: 1, type: 'signal', from: 'x', to: 'a', data: MESSAGE });
    foreign.postMessage({ rp: 1, type: 'here', from: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    foreign.close();
    expect(a.isUp).toBe(false);
    expect(seen).toEqual({ log: [], messages: [] });
  });

  it('answers a hello from the peer it already has (a reload) and stays up', async () => {
    const a = open('a');
    const b = open('b');
    const atA = record(a);
    await until(() => a.isUp && b.isUp);
    const again = new BroadcastChannel(`resilient-peer/test-${String(room)}`);
    const replies: unknown[] = [];
    again.onmessage = (event: MessageEvent) => replies.push(event.data);
    again.postMessage({ rp: 1, type: 'hello', from: 'b' });
    await until(() => replies.length > 0);
    again.close();
    expect(replies).toEqual([expect.objectContaining({ rp: 1, type: 'here', from: 'a', to: 'b' })]);
    expect(atA.log).toEqual(['up']);
  });

  it('names the argument that is wrong', () => {
    expect(() => new BroadcastChannelSignaling('')).toThrow(/`name`/);
    expect(() => new BroadcastChannelSignaling('x', { id: '' })).toThrow(/`id`/);
  });
});
