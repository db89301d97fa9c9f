// @ts-check
// What "sequence intact" means on every test page (e2e, netns, bench): each data channel carries
// the numbers 1, 2, 3, … in the order they were sent, and its receiver counts the numbers missing
// below the highest one seen, the duplicates, and those that came after a higher one. A replaced
// connection brings a new channel whose numbering starts again at 1: a sequence of its own.

/**
 * What one channel's receiver saw. `missing` counts only numbers below `maxSeen`: the ones sent
 * after the last received may still be in flight.
 * @typedef {object} ChannelCheck
 * @property {number} sent numbers this end sent on the channel
 * @property {number} received messages received, duplicates and unreadable ones included
 * @property {number} maxSeen the highest number received; 0 before any
 * @property {number} missing numbers in 1..maxSeen never received
 * @property {number} duplicates messages whose number had been received before
 * @property {number} outOfOrder numbers received after a higher one (duplicates not included)
 * @property {number} invalid messages that were not a positive whole number
 */

/**
 * The sum over every channel a page had; `sent` and `maxSeen` are those of the current channel.
 * `channels`: how many channels (sequences) there were; `maxGapMs`: the longest time between two
 * messages received, across channels (0 with fewer than two); `lastAt`: when the last one came,
 * 0 before any.
 * @typedef {ChannelCheck & { channels: number, maxGapMs: number, lastAt: number }} SequenceCheck
 */

/** The numbered sequence of one data channel: its sending counter and its receiver's record. */
export class ChannelSequence {
  sent = 0;
  received = 0;
  maxSeen = 0;
  duplicates = 0;
  outOfOrder = 0;
  invalid = 0;
  /** @type {number[]} when each message arrived, oldest first (the clock the caller passes) */
  times = [];
  /** @type {Set<number>} */
  #seen = new Set();

  /** The number to send next. */
  next() {
    this.sent += 1;
    return this.sent;
  }

  /**
   * Records a received message (a number or its text) at time `at`; says what it was.
   * @param {unknown} data
   * @param {number} at
   * @returns {'next' | 'duplicate' | 'outOfOrder' | 'invalid'}
   */
  receive(data, at) {
    this.received += 1;
    this.times.push(at);
    const n = typeof data === 'number' ? data : Number(data);
    if (!Number.isInteger(n) || n < 1) {
      this.invalid += 1;
      return 'invalid';
    }
    if (this.#seen.has(n)) {
      this.duplicates += 1;
      return 'duplicate';
    }
    this.#seen.add(n);
    if (n < this.maxSeen) {
      this.outOfOrder += 1;
      return 'outOfOrder';
    }
    this.maxSeen = n;
    return 'next';
  }

  /** @returns {ChannelCheck} */
  check() {
    return {
      sent: this.sent,
      received: this.received,
      maxSeen: this.maxSeen,
      missing: this.maxSeen - this.#seen.size,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      invalid: this.invalid,
    };
  }
}

/** The sequences of every data channel a page (or one call in it) had, the current one last. */
export class Sequences {
  /** @type {ChannelSequence[]} */
  channels = [];

  /** Starts the sequence of a new channel; it is the current one from now on. */
  startChannel() {
    const sequence = new ChannelSequence();
    this.channels.push(sequence);
    return sequence;
  }

  /** The current channel's sequence, or null before the first channel. */
  get current() {
    return this.channels.at(-1) ?? null;
  }

  /** @returns {SequenceCheck} */
  check() {
    const checks = this.channels.map((c) => c.check());
    /** @param {'received' | 'missing' | 'duplicates' | 'outOfOrder' | 'invalid'} key */
    const sum = (key) => checks.reduce((total, c) => total + c[key], 0);
    const times = this.times();
    let maxGapMs = 0;
    for (let i = 1; i < times.length; i++) {
      maxGapMs = Math.max(maxGapMs, (times[i] ?? 0) - (times[i - 1] ?? 0));
    }
    return {
      channels: checks.length,
      sent: checks.at(-1)?.sent ?? 0,
      received: sum('received'),
      maxSeen: checks.at(-1)?.maxSeen ?? 0,
      missing: sum('missing'),
      duplicates: sum('duplicates'),
      outOfOrder: sum('outOfOrder'),
      invalid: sum('invalid'),
      maxGapMs,
      lastAt: times.at(-1) ?? 0,
    };
  }

  /**
   * Messages received in [from, to), on any channel.
   * @param {number} from
   * @param {number} to
   */
  receivedBetween(from, to) {
    return this.times().filter((t) => t >= from && t < to).length;
  }

  /**
   * When the first message at or after `since` arrived, on any channel; null if none did.
   * @param {number} since
   */
  firstReceivedAt(since) {
    let first = null;
    for (const channel of this.channels) {
      const t = firstAtOrAfter(channel.times, since);
      if (t !== null && (first === null || t < first)) first = t;
    }
    return first;
  }

  /** Every channel's arrival times in one ascending list. */
  times() {
    return this.channels.flatMap((c) => c.times).sort((x, y) => x - y);
  }
}

/**
 * The first value in ascending `times` at or after `since`, or null.
 * @param {readonly number[]} times
 * @param {number} since
 */
export function firstAtOrAfter(times, since) {
  return times[firstIndexAtOrAfter(times, since)] ?? null;
}

/**
 * The index of the first value in ascending `times` at or after `since` (its length if none).
 * @param {readonly number[]} times
 * @param {number} since
 */
function firstIndexAtOrAfter(times, since) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] ?? 0) < since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first value in ascending `times` at or after `since` that came at least `gapMs` after the
 * value before it (the very first value counts as after a gap), or null: where a flow resumed.
 * @param {readonly number[]} times
 * @param {number} since
 * @param {number} gapMs
 */
export function firstAfterGap(times, since, gapMs) {
  const start = firstIndexAtOrAfter(times, since);
  for (let i = start; i < times.length; i++) {
    const t = times[i] ?? 0;
    if (i === 0 || t - (times[i - 1] ?? 0) >= gapMs) return t;
  }
  return null;
}

/**
 * @typedef {object} CarryOptions
 * @property {number} [everyMs] send the next number this often while the channel is open; 0
 *   sends nothing (the channel's other end sends). Default 0.
 * @property {boolean} [receive] record the numbers that arrive on the channel. Default true.
 * @property {() => number} [now] the clock of the arrival times. Default Date.now.
 * @property {(message: { n: number, result: ReturnType<ChannelSequence['receive']>, at: number }) => void} [onReceive]
 *   called after each message is recorded; `n` is its number (NaN when it was none)
 */

/**
 * What carrySequence uses of an RTCDataChannel.
 * @typedef {object} SequenceChannel
 * @property {RTCDataChannelState} readyState
 * @property {(data: string) => void} send
 * @property {EventTarget['addEventListener']} addEventListener
 */

/**
 * Carries `sequence` on `channel`: sends from its open to its close, records what arrives.
 * Returns a function that stops sending.
 * @param {SequenceChannel} channel
 * @param {ChannelSequence} sequence
 * @param {CarryOptions} [options]
 */
export function carrySequence(channel, sequence, options = {}) {
  const { everyMs = 0, receive = true, now = Date.now, onReceive } = options;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let timer;
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const start = () => {
    if (everyMs <= 0 || timer !== undefined) return;
    timer = setInterval(() => {
      if (channel.readyState === 'open') channel.send(String(sequence.next()));
    }, everyMs);
  };
  if (receive) {
    channel.addEventListener('message', (event) => {
      const at = now();
      const { data } = /** @type {MessageEvent} */ (event);
      const result = sequence.receive(data, at);
      onReceive?.({ n: Number(data), result, at });
    });
  }
  channel.addEventListener('open', start);
  channel.addEventListener('close', stop);
  if (channel.readyState === 'open') start();
  return stop;
}
