// The signaling wire format and its validation. Everything from the network is `unknown` until
// `parseSignal` says otherwise; a bad message becomes an InvalidSignalError naming the problem.
// Every message may carry `session`, the id of the sender's current RTCPeerConnection, so a
// reloaded or replaced remote is told apart from the one this connection negotiated with.

import { InvalidSignalError } from '../errors.js';
import { describeValue, isRecord } from '../validate.js';

/** What every message may carry. */
interface Envelope {
  /** The sender's connection: 1-64 characters of A-Za-z0-9_-. */
  readonly session?: string;
}

/** A session description as sent on the wire. */
export interface DescriptionMessage extends Envelope {
  readonly kind: 'description';
  readonly description: { readonly type: 'offer' | 'answer'; readonly sdp: string };
}

/** One trickled ICE candidate as sent on the wire. */
export interface CandidateMessage extends Envelope {
  readonly kind: 'candidate';
  readonly candidate: {
    readonly candidate: string;
    readonly sdpMid: string | null;
    readonly sdpMLineIndex: number | null;
    readonly usernameFragment: string | null;
  };
}

/** A liveness check: the remote answers with a `pong` carrying the same `id`. */
export interface PingMessage extends Envelope {
  readonly kind: 'ping';
  readonly id: number;
}

/** The answer to a `ping`. */
export interface PongMessage extends Envelope {
  readonly kind: 'pong';
  readonly id: number;
}

/** The sender closed its connection for good (hung up, closed the page). */
export interface ByeMessage extends Envelope {
  readonly kind: 'bye';
}

/** Every message resilient-peer sends to, and accepts from, the remote peer. */
export type SignalingMessage =
  DescriptionMessage | CandidateMessage | PingMessage | PongMessage | ByeMessage;

/** Longest message accepted, in characters; an SDP with many m-lines stays far below it. */
export const MAX_SIGNAL_CHARS = 256 * 1024;
const LIMIT = `at most ${MAX_SIGNAL_CHARS} characters`;
/** A session id. */
export const SESSION_PATTERN = /^[\w-]{1,64}$/;

/** Parses and validates one incoming message; throws InvalidSignalError naming the problem. */
export function parseSignal(data: unknown): SignalingMessage {
  let message = data;
  if (typeof data === 'string') {
    check(data.length <= MAX_SIGNAL_CHARS, data, 'the message', LIMIT, data);
    try {
      message = JSON.parse(data) as unknown;
    } catch (cause) {
      throw new InvalidSignalError('not valid JSON', data, { cause });
    }
  }
  check(isRecord(message), data, 'the message', 'a JSON object', message);
  const { kind, session } = message;
  check(
    session === undefined || (typeof session === 'string' && SESSION_PATTERN.test(session)),
    data,
    '`session`',
    '1-64 characters of A-Za-z0-9_-',
    session,
  );
  const envelope = session === undefined ? {} : { session };
  switch (kind) {
    case 'description':
      return { kind, ...envelope, description: parseDescription(message.description, data) };
    case 'candidate':
      return { kind, ...envelope, candidate: parseCandidate(message.candidate, data) };
    case 'ping':
    case 'pong': {
      const { id } = message;
      check(
        typeof id === 'number' && Number.isSafeInteger(id) && id >= 0,
        data,
        '`id`',
        'a non-negative integer',
        id,
      );
      return { kind, ...envelope, id };
    }
    case 'bye':
      return { kind, ...envelope };
  }
  return fail(data, '`kind`', '"description", "candidate", "ping", "pong" or "bye"', kind);
}

function parseDescription(description: unknown, data: unknown): DescriptionMessage['description'] {
  check(isRecord(description), data, '`description`', 'an object', description);
  const { type, sdp } = description;
  check(
    type === 'offer' || type === 'answer',
    data,
    '`description.type`',
    '"offer" or "answer"',
    type,
  );
  // RFC 8866 §5: a session description starts with the version line.
  check(
    typeof sdp === 'string' && sdp.length <= MAX_SIGNAL_CHARS && sdp.startsWith('v=0'),
    data,
    '`description.sdp`',
    `SDP text (starting "v=0", ${LIMIT})`,
    sdp,
  );
  return { type, sdp };
}

function parseCandidate(candidate: unknown, data: unknown): CandidateMessage['candidate'] {
  check(isRecord(candidate), data, '`candidate`', 'an object', candidate);
  const {
    candidate: line,
    sdpMid = null,
    sdpMLineIndex = null,
    usernameFragment = null,
  } = candidate;
  // RFC 8839 §5.1: an empty string signals end-of-candidates; anything else is a candidate line.
  check(
    typeof line === 'string' &&
      line.length <= 2048 &&
      (line === '' || /^(a=)?candidate:/.test(line)),
    data,
    '`candidate.candidate`',
    'a "candidate:" line of at most 2048 characters, or ""',
    line,
  );
  check(
    isShortString(sdpMid, 64),
    data,
    '`candidate.sdpMid`',
    'a string of at most 64 characters, or null',
    sdpMid,
  );
  check(
    sdpMLineIndex === null ||
      (typeof sdpMLineIndex === 'number' &&
        Number.isInteger(sdpMLineIndex) &&
        sdpMLineIndex >= 0 &&
        sdpMLineIndex < 1024),
    data,
    '`candidate.sdpMLineIndex`',
    'an integer from 0 to 1023, or null',
    sdpMLineIndex,
  );
  check(
    sdpMid !== null || sdpMLineIndex !== null,
    data,
    '`candidate.sdpMid`',
    'a string when `sdpMLineIndex` is null',
    sdpMid,
  );
  check(
    isShortString(usernameFragment, 256),
    data,
    '`candidate.usernameFragment`',
    'a string of at most 256 characters, or null',
    usernameFragment,
  );
  return { candidate: line, sdpMid, sdpMLineIndex, usernameFragment };
}

/** Throws the InvalidSignalError for `data` unless `ok`: what is wrong, expected and got. */
function check(
  ok: boolean,
  data: unknown,
  what: string,
  expected: string,
  value: unknown,
): asserts ok {
  if (!ok) fail(data, what, expected, value);
}

function fail(data: unknown, what: string, expected: string, value: unknown): never {
  throw new InvalidSignalError(`${what} must be ${expected}, got ${describeValue(value)}`, data);
}

function isShortString(value: unknown, maxChars: number): value is string | null {
  return value === null || (typeof value === 'string' && value.length <= maxChars);
}
