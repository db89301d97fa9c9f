import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  carrySequence,
  ChannelSequence,
  firstAfterGap,
  firstAtOrAfter,
  Sequences,
} from '../../../e2e/pages/shared/sequence.js';

/** Feeds `numbers` to a fresh channel sequence, one ms apart from t = 0. */
function received(numbers: readonly unknown[]): ChannelSequence {
  const sequence = new ChannelSequence();
  numbers.forEach((n, i) => sequence.receive(n, i));
  return sequence;
}

describe('ChannelSequence', () => {
  it('counts an intact sequence as nothing missing, repeated or reordered', () => {
    expect(received([1, 2, 3, 4]).check()).toEqual({
      sent: 0,
      received: 4,
      maxSeen: 4,
      missing: 0,
      duplicates: 0,
      outOfOrder: 0,
      invalid: 0,
    });
  });

  it('counts numbers below the highest seen that never came as missing', () => {
    expect(received([1, 2, 5]).check()).toMatchObject({ maxSeen: 5, missing: 2 });
    // Numbers past the highest seen may still be in flight: not missing.
    expect(received([]).check()).toMatchObject({ maxSeen: 0, missing: 0 });
  });

  it('counts a late number as out of order and no longer missing', () => {
    const sequence = received([1, 3, 2, 4]);
    expect(sequence.check()).toMatchObject({ missing: 0, duplicates: 0, outOfOrder: 1 });
  });

  it('counts every number that came after a higher one, not only after its neighbour', () => {
    // 2 and 3 both arrive after 4.
    expect(received([1, 4, 2, 3]).check()).toMatchObject({ outOfOrder: 2, missing: 0 });
  });

  it('counts a repeat as a duplicate only, whatever came before it', () => {
    expect(received([1, 2, 2, 3, 1]).check()).toMatchObject({
      received: 5,
      duplicates: 2,
      outOfOrder: 0,
      missing: 0,
    });
  });

  it('says what each message was', () => {
    const sequence = new ChannelSequence();
    expect(['1', '3', '2', '3', 'x', '0'].map((n, i) => sequence.receive(n, i))).toEqual([
      'next',
      'next',
      'outOfOrder',
      'duplicate',
      'invalid',
      'invalid',
    ]);
    expect(sequence.check()).toMatchObject({ received: 6, invalid: 2, maxSeen: 3, missing: 0 });
  });

  it('numbers what it sends from 1', () => {
    const sequence = new ChannelSequence();
    expect([sequence.next(), sequence.next(), sequence.next()]).toEqual([1, 2, 3]);
    expect(sequence.check().sent).toBe(3);
  });
});

describe('Sequences', () => {
  it('keeps one sequence per channel: a new channel numbers from 1 again', () => {
    const sequences = new Sequences();
    const first = sequences.startChannel();
    [1, 2, 3].forEach((n) => first.receive(n, n * 10));
    const second = sequences.startChannel();
    [1, 2].forEach((n) => second.receive(n, 100 + n * 10));
    second.next();
    expect(sequences.current).toBe(second);
    expect(sequences.check()).toEqual({
      channels: 2,
      sent: 1,
      received: 5,
      maxSeen: 2,
      missing: 0,
      duplicates: 0,
      outOfOrder: 0,
      invalid: 0,
      maxGapMs: 80,
      lastAt: 120,
    });
  });

  it('adds up what each channel missed, repeated and reordered', () => {
    const sequences = new Sequences();
    const first = sequences.startChannel();
    [1, 3, 3].forEach((n, i) => first.receive(n, i));
    const second = sequences.startChannel();
    [2, 1, 4].forEach((n, i) => second.receive(n, 10 + i));
    expect(sequences.check()).toMatchObject({ missing: 2, duplicates: 1, outOfOrder: 1 });
  });

  it('finds messages in a window and the first one after an instant, across channels', () => {
    const sequences = new Sequences();
    expect(sequences.current).toBeNull();
    expect(sequences.firstReceivedAt(0)).toBeNull();
    const first = sequences.startChannel();
    [1, 2].forEach((n) => first.receive(n, n * 100));
    const second = sequences.startChannel();
    second.receive(1, 500);
    expect(sequences.receivedBetween(100, 500)).toBe(2);
    expect(sequences.firstReceivedAt(201)).toBe(500);
    expect(sequences.firstReceivedAt(200)).toBe(200);
    expect(sequences.firstReceivedAt(501)).toBeNull();
  });
});

describe('firstAtOrAfter', () => {
  it('finds the first time at or after an instant in an ascending list', () => {
    expect(firstAtOrAfter([1, 5, 5, 9], 5)).toBe(5);
    expect(firstAtOrAfter([1, 5, 9], 6)).toBe(9);
    expect(firstAtOrAfter([1, 5, 9], 10)).toBeNull();
    expect(firstAtOrAfter([], 0)).toBeNull();
  });
});

describe('firstAfterGap', () => {
  it('finds where a flow resumed after a pause, skipping what was still in flight', () => {
    // 100 and 110 arrived just after the instant, before the pause; 900 is the resumption.
    const times = [0, 50, 100, 110, 900, 950];
    expect(firstAfterGap(times, 60, 500)).toBe(900);
    expect(firstAfterGap(times, 901, 500)).toBeNull();
    expect(firstAfterGap([300, 1000], 0, 500)).toBe(300);
    expect(firstAfterGap([], 0, 500)).toBeNull();
  });
});

/** A data channel stand-in: the events carrySequence listens to, and what was sent. */
class FakeChannel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
  close(): void {
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
  message(data: string): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
}

describe('carrySequence', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the next number every interval from open to close and records what arrives', () => {
    const channel = new FakeChannel();
    const sequence = new ChannelSequence();
    const results: string[] = [];
    carrySequence(channel, sequence, {
      everyMs: 20,
      now: () => 42,
      onReceive: ({ n, result }) => results.push(`${n} ${result}`),
    });
    channel.message('1');
    channel.message('1');
    expect(results).toEqual(['1 next', '1 duplicate']);
    expect(sequence.times).toEqual([42, 42]);
    vi.advanceTimersByTime(100);
    expect(channel.sent).toEqual([]);
    channel.open();
    vi.advanceTimersByTime(60);
    expect(channel.sent).toEqual(['1', '2', '3']);
    channel.close();
    vi.advanceTimersByTime(100);
    expect(channel.sent).toEqual(['1', '2', '3']);
  });

  it('starts at once on an open channel, stops on request, and sends nothing without an interval', () => {
    const sender = new FakeChannel();
    sender.open();
    const stop = carrySequence(sender, new ChannelSequence(), { everyMs: 10, receive: false });
    sender.message('1');
    vi.advanceTimersByTime(20);
    stop();
    vi.advanceTimersByTime(100);
    expect(sender.sent).toEqual(['1', '2']);
    const idle = new FakeChannel();
    idle.open();
    const sequence = new ChannelSequence();
    carrySequence(idle, sequence);
    idle.message('1');
    vi.advanceTimersByTime(100);
    expect(idle.sent).toEqual([]);
    expect(sequence.check()).toMatchObject({ received: 1, maxSeen: 1 });
  });
});
