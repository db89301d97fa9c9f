// The signaling wire format and its validation. Everything from the network is `unknown` until
// `parseSignal` says otherwise; a bad message becomes an InvalidSignalError naming the problem.

import { InvalidSignalError, primitiveText } from '../errors';

/** A session description as sent on the wire. */
export interface DescriptionMessage {
  readonly kind: 'description';
  readonly description: { readonly type: 'offer' | 'answer'; readonly sdp: string };
}

/** One trickled ICE candidate as sent on the wire. */
export interface CandidateMessage {
  readonly kind: 'candidate';
  readonly candidate: {
    readonly candidate: string;
    readonly sdpMid: string | null;
    readonly sdpMLineIndex: number | null;
    readonly usernameFragment: string | null;
  };
}

/** Every message resilient-peer sends to, and accepts from, the remote peer. */
export type SignalingMessage = DescriptionMessage | CandidateMessage;

/** Longest message accepted, in characters; an SDP with many m-lines stays far below it. */
export const MAX_SIGNAL_CHARS = 256 * 1024;
const MAX_SDP_MID_CHARS = 64;

/** Parses and validates one incoming message; throws InvalidSignalError naming the problem. */
export function parseSignal(data: unknown): SignalingMessage {
  let value = data;
  if (typeof data === 'string') {
    if (data.length > MAX_SIGNAL_CHARS) {
      throw new InvalidSignalError(
        `message is ${data.length} characters, over the limit of ${MAX_SIGNAL_CHARS}`,
        data,
      );
    }
    try {
      value = JSON.parse(data) as unknown;
    } catch (cause) {
      throw new InvalidSignalError('not valid JSON', data, { cause });
    }
  }
  if (!isRecord(value)) {
    throw new InvalidSignalError(`expected a JSON object, got ${describe(value)}`, data);
  }
  switch (value.kind) {
    case 'description':
      return { kind: 'description', description: parseDescription(value.description, data) };
    case 'candidate':
      return { kind: 'candidate', candidate: parseCandidate(value.candidate, data) };
    default:
      throw new InvalidSignalError(
        `unknown \`kind\` ${describe(value.kind)} (expected "description" or "candidate")`,
        data,
      );
  }
}

function parseDescription(value: unknown, data: unknown): DescriptionMessage['description'] {
  if (!isRecord(value)) {
    throw new InvalidSignalError(`\`description\` must be an object, got ${describe(value)}`, data);
  }
  const { type, sdp } = value;
  if (type !== 'offer' && type !== 'answer') {
    throw new InvalidSignalError(
      `\`description.type\` must be "offer" or "answer", got ${describe(type)}`,
      data,
    );
  }
  if (typeof sdp !== 'string') {
    throw new InvalidSignalError(
      `\`description.sdp\` must be a string, got ${describe(sdp)}`,
      data,
    );
  }
  if (sdp.length > MAX_SIGNAL_CHARS) {
    throw new InvalidSignalError(
      `\`description.sdp\` is over ${MAX_SIGNAL_CHARS} characters`,
      data,
    );
  }
  // RFC 8866 §5: a session description starts with the version line.
  if (!sdp.startsWith('v=0')) {
    throw new InvalidSignalError('`description.sdp` is not SDP (it must start with "v=0")', data);
  }
  return { type, sdp };
}

function parseCandidate(value: unknown, data: unknown): CandidateMessage['candidate'] {
  if (!isRecord(value)) {
    throw new InvalidSignalError(`\`candidate\` must be an object, got ${describe(value)}`, data);
  }
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = value;
  if (typeof candidate !== 'string') {
    throw new InvalidSignalError(
      `\`candidate.candidate\` must be a string, got ${describe(candidate)}`,
      data,
    );
  }
  if (candidate.length > 2048) {
    throw new InvalidSignalError('`candidate.candidate` is over 2048 characters', data);
  }
  // RFC 8839 §5.1: an empty string signals end-of-candidates; anything else is a candidate line.
  if (candidate !== '' && !/^(a=)?candidate:/.test(candidate)) {
    throw new InvalidSignalError('`candidate.candidate` does not start with "candidate:"', data);
  }
  const mid = sdpMid ?? null;
  if (mid !== null && (typeof mid !== 'string' || mid.length > MAX_SDP_MID_CHARS)) {
    throw new InvalidSignalError(
      `\`candidate.sdpMid\` must be a short string or null, got ${describe(mid)}`,
      data,
    );
  }
  const index = sdpMLineIndex ?? null;
  if (
    index !== null &&
    !(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < 1024)
  ) {
    throw new InvalidSignalError(
      `\`candidate.sdpMLineIndex\` must be a non-negative integer or null, got ${describe(index)}`,
      data,
    );
  }
  if (mid === null && index === null) {
    throw new InvalidSignalError('`candidate` needs `sdpMid` or `sdpMLineIndex`', data);
  }
  const ufrag = usernameFragment ?? null;
  if (ufrag !== null && (typeof ufrag !== 'string' || ufrag.length > 256)) {
    throw new InvalidSignalError(
      `\`candidate.usernameFragment\` must be a string or null, got ${describe(ufrag)}`,
      data,
    );
  }
  return { candidate, sdpMid: mid, sdpMLineIndex: index, usernameFragment: ufrag };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${primitiveText(value)}`;
}
