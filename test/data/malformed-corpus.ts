// Malformed signaling messages, as plain data: the unit tests feed them to parseSignal, and the
// browser suite delivers them to a live call, which must report each one and carry on.

import { MAX_SIGNAL_CHARS } from '../../src/signaling/messages.js';

/** One malformed message and what is wrong with it. */
export interface MalformedSignal {
  /** Unique, human-readable name of the case. */
  readonly label: string;
  /** What arrives from the channel: a JSON string or an already-parsed value. */
  readonly data: unknown;
  /**
   * parseSignal accepts its shape; only a real RTCPeerConnection can reject it (bad SDP body,
   * unknown m-line, a description the signaling state does not allow).
   */
  readonly needsBrowser: boolean;
  /** A distinctive part of parseSignal's error message; absent when `needsBrowser`. */
  readonly rejection?: string;
  /** How many times in a row to deliver it (a duplicate offer is delivered twice). @default 1 */
  readonly times?: number;
}

const CRLF = '\r\n';

/** A Chromium-style data-channel-only offer; not from any real call. */
export const CORPUS_OFFER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:corp',
  'a=ice-pwd:corpuspasswordcorpuspass',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 ' +
    '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:83:1F:2E:4B:9A:10:5E:6B:0E:1D:7C',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join(CRLF);

/** The matching answer shape (setup:active). */
export const CORPUS_ANSWER_SDP = CORPUS_OFFER_SDP.replace('a=setup:actpass', 'a=setup:active');

const HOST_CANDIDATE = 'candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0';

const baseCandidate: Record<string, unknown> = {
  candidate: HOST_CANDIDATE,
  sdpMid: '0',
  sdpMLineIndex: 0,
};

function description(type: unknown, sdp: unknown): Record<string, unknown> {
  return { kind: 'description', description: { type, sdp } };
}

function candidate(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'candidate',
    candidate: { ...baseCandidate, ...fields },
  };
}

function withoutKey(
  record: Record<string, unknown>,
  key: 'candidate' | 'sdpMid' | 'sdpMLineIndex',
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

/** Generates the corpus: every entry is a distinct message with a distinct label. */
export function* malformedSignals(): Generator<MalformedSignal> {
  // Each parsed-value case is also sent as its JSON text, the way a WebSocket delivers it.
  function* bothForms(
    label: string,
    value: Record<string, unknown>,
    rejection: string,
  ): Generator<MalformedSignal> {
    yield { label: `${label} (object)`, data: value, needsBrowser: false, rejection };
    yield { label: `${label} (JSON)`, data: JSON.stringify(value), needsBrowser: false, rejection };
  }

  // Not JSON at all.
  const notJson: readonly (readonly [string, string])[] = [
    ['empty string', ''],
    ['whitespace only', '   '],
    ['unterminated object', '{'],
    ['unterminated string', '{"kind":"candidate'],
    ['truncated after key', '{"kind":'],
    ['single-quoted keys', "{'kind':'candidate'}"],
    ['unquoted keys', '{kind:"candidate"}'],
    ['trailing comma', '{"kind":"candidate",}'],
    ['bare word', 'hello'],
    ['undefined literal', 'undefined'],
    ['NaN literal', 'NaN'],
    ['Infinity literal', 'Infinity'],
    ['raw SDP text', 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n'],
    ['raw candidate line', HOST_CANDIDATE],
    ['two objects', '{"kind":"candidate"}{"kind":"candidate"}'],
    ['comment', '// {"kind":"candidate"}'],
    ['hex number', '0x10'],
    ['leading zero number', '012'],
    ['control character in string', '{"kind":"des\u0001cription"}'],
    ['lone surrogate escape cut short', '{"kind":"\\ud83"}'],
    ['XML', '<signal kind="description"/>'],
    ['byte-order mark prefix', '\uFEFF{"kind":"candidate"}'],
  ];
  for (const [label, data] of notJson) {
    yield { label: `not JSON: ${label}`, data, needsBrowser: false, rejection: 'not valid JSON' };
  }

  // JSON (or a parsed value) that is not an object.
  const notObjectText: readonly (readonly [string, string])[] = [
    ['null', 'null'],
    ['zero', '0'],
    ['number', '42'],
    ['negative number', '-1'],
    ['huge exponent', '1e400'],
    ['true', 'true'],
    ['false', 'false'],
    ['string', '"description"'],
    ['empty string', '""'],
    ['empty array', '[]'],
    ['array of a message', `[${JSON.stringify(candidate({}))}]`],
    ['nested array', '[[]]'],
  ];
  for (const [label, data] of notObjectText) {
    yield {
      label: `JSON not an object: ${label}`,
      data,
      needsBrowser: false,
      rejection: 'must be a JSON object',
    };
  }
  const notObjectValues: readonly (readonly [string, unknown])[] = [
    ['null', null],
    ['undefined', undefined],
    ['number', 7],
    ['NaN', Number.NaN],
    ['boolean', true],
    ['bigint', 10n],
    ['array', [candidate({})]],
    ['empty array', []],
  ];
  for (const [label, data] of notObjectValues) {
    yield {
      label: `value not an object: ${label}`,
      data,
      needsBrowser: false,
      rejection: 'must be a JSON object',
    };
  }

  // Unknown or missing kind.
  const kinds: readonly (readonly [string, unknown])[] = [
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['offer', 'offer'],
    ['answer', 'answer'],
    ['ice', 'ice'],
    ['capitalized', 'Description'],
    ['upper case', 'CANDIDATE'],
    ['padded', ' candidate'],
    ['number', 1],
    ['boolean', true],
    ['array', ['description']],
    ['object', { name: 'description' }],
  ];
  for (const [label, kind] of kinds) {
    const value: Record<string, unknown> =
      kind === undefined
        ? { description: { type: 'offer', sdp: CORPUS_OFFER_SDP } }
        : { kind, description: { type: 'offer', sdp: CORPUS_OFFER_SDP } };
    yield* bothForms(
      `kind ${label}`,
      value,
      '`kind` must be "description", "candidate", "ping", "pong" or "bye"',
    );
  }

  // Descriptions.
  const notDescriptionObjects: readonly (readonly [string, unknown])[] = [
    ['null', null],
    ['string', CORPUS_OFFER_SDP],
    ['number', 3],
    ['array', [{ type: 'offer', sdp: CORPUS_OFFER_SDP }]],
    ['boolean', false],
  ];
  for (const [label, value] of notDescriptionObjects) {
    yield* bothForms(
      `description is ${label}`,
      { kind: 'description', description: value },
      '`description` must be an object',
    );
  }
  yield* bothForms(
    'description missing',
    { kind: 'description' },
    '`description` must be an object',
  );
  const types: readonly (readonly [string, unknown])[] = [
    ['missing', undefined],
    ['null', null],
    ['pranswer', 'pranswer'],
    ['rollback', 'rollback'],
    ['capitalized', 'Offer'],
    ['empty', ''],
    ['number', 0],
    ['array', ['offer']],
  ];
  for (const [label, type] of types) {
    yield* bothForms(
      `description type ${label}`,
      description(type, CORPUS_OFFER_SDP),
      '`description.type` must be "offer" or "answer"',
    );
  }
  for (const type of ['offer', 'answer']) {
    const sdps: readonly (readonly [string, unknown])[] = [
      ['missing', undefined],
      ['null', null],
      ['number', 0],
      ['boolean', true],
      ['array', [CORPUS_OFFER_SDP]],
      ['object', { v: 0 }],
    ];
    for (const [label, sdp] of sdps) {
      yield* bothForms(
        `${type} sdp ${label}`,
        description(type, sdp),
        '`description.sdp` must be SDP text',
      );
    }
    const notSdp: readonly (readonly [string, string])[] = [
      ['empty', ''],
      ['prose', 'hello'],
      ['leading space', ` ${CORPUS_OFFER_SDP}`],
      ['leading newline', `\r\n${CORPUS_OFFER_SDP}`],
      ['upper-case version', CORPUS_OFFER_SDP.replace('v=0', 'V=0')],
      ['missing version line', CORPUS_OFFER_SDP.slice(CORPUS_OFFER_SDP.indexOf('o='))],
      ['version 1', CORPUS_OFFER_SDP.replace('v=0', 'v=1')],
      ['JSON inside', JSON.stringify({ type, sdp: CORPUS_OFFER_SDP })],
    ];
    for (const [label, sdp] of notSdp) {
      yield* bothForms(
        `${type} sdp ${label}`,
        description(type, sdp),
        '`description.sdp` must be SDP text',
      );
    }
    yield {
      label: `${type} sdp oversized (object)`,
      data: description(type, `v=0${CRLF}${'a=x'.padEnd(MAX_SIGNAL_CHARS, 'x')}`),
      needsBrowser: false,
      rejection: '`description.sdp` must be SDP text',
    };
  }

  // Candidates.
  const notCandidateObjects: readonly (readonly [string, unknown])[] = [
    ['missing', undefined],
    ['null', null],
    ['string', HOST_CANDIDATE],
    ['number', 1],
    ['array', [HOST_CANDIDATE]],
  ];
  for (const [label, value] of notCandidateObjects) {
    const message: Record<string, unknown> =
      value === undefined ? { kind: 'candidate' } : { kind: 'candidate', candidate: value };
    yield* bothForms(`candidate is ${label}`, message, '`candidate` must be an object');
  }
  const candidateLines: readonly (readonly [string, unknown])[] = [
    ['null', null],
    ['number', 1],
    ['boolean', true],
    ['object', { candidate: HOST_CANDIDATE }],
    ['array', [HOST_CANDIDATE]],
  ];
  for (const [label, line] of candidateLines) {
    yield* bothForms(
      `candidate line ${label}`,
      candidate({ candidate: line }),
      '`candidate.candidate` must be a "candidate:" line',
    );
  }
  yield* bothForms(
    'candidate line missing',
    { kind: 'candidate', candidate: withoutKey(baseCandidate, 'candidate') },
    '`candidate.candidate` must be a "candidate:" line',
  );
  yield* bothForms(
    'candidate line oversized',
    candidate({ candidate: `${HOST_CANDIDATE} `.padEnd(2049, 'x') }),
    '`candidate.candidate` must be a "candidate:" line',
  );
  const notCandidateLines: readonly (readonly [string, string])[] = [
    ['prose', 'hello'],
    ['leading space', ` ${HOST_CANDIDATE}`],
    ['capitalized', HOST_CANDIDATE.replace('candidate:', 'Candidate:')],
    ['missing colon', HOST_CANDIDATE.replace('candidate:', 'candidate ')],
    ['a= without candidate', 'a=end-of-candidates'],
    ['SDP line', 'v=0'],
    ['whitespace', ' '],
    ['newline prefix', `\n${HOST_CANDIDATE}`],
  ];
  for (const [label, line] of notCandidateLines) {
    yield* bothForms(
      `candidate line ${label}`,
      candidate({ candidate: line }),
      '`candidate.candidate` must be a "candidate:" line',
    );
  }
  const mids: readonly (readonly [string, unknown])[] = [
    ['number', 0],
    ['boolean', true],
    ['object', { mid: '0' }],
    ['array', ['0']],
    ['65 characters', 'm'.repeat(65)],
  ];
  for (const [label, sdpMid] of mids) {
    yield* bothForms(
      `candidate sdpMid ${label}`,
      candidate({ sdpMid }),
      '`candidate.sdpMid` must be a string of at most 64 characters, or null',
    );
  }
  const indexes: readonly (readonly [string, unknown])[] = [
    ['negative', -1],
    ['fractional', 0.5],
    ['string', '0'],
    ['boolean', false],
    ['1024', 1024],
    ['huge', 1e12],
    ['array', [0]],
    ['object', { index: 0 }],
  ];
  for (const [label, sdpMLineIndex] of indexes) {
    yield* bothForms(
      `candidate sdpMLineIndex ${label}`,
      candidate({ sdpMLineIndex }),
      '`candidate.sdpMLineIndex` must be an integer from 0 to 1023, or null',
    );
  }
  for (const [label, sdpMLineIndex] of [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ] as const) {
    yield {
      label: `candidate sdpMLineIndex ${label} (object)`,
      data: candidate({ sdpMLineIndex }),
      needsBrowser: false,
      rejection: '`candidate.sdpMLineIndex` must be an integer from 0 to 1023, or null',
    };
  }
  const placement: readonly (readonly [string, Record<string, unknown>])[] = [
    ['both missing', withoutKey(withoutKey(baseCandidate, 'sdpMid'), 'sdpMLineIndex')],
    ['both null', { ...baseCandidate, sdpMid: null, sdpMLineIndex: null }],
    ['mid missing, index null', { ...withoutKey(baseCandidate, 'sdpMid'), sdpMLineIndex: null }],
    ['mid null, index missing', { ...withoutKey(baseCandidate, 'sdpMLineIndex'), sdpMid: null }],
  ];
  for (const [label, fields] of placement) {
    yield* bothForms(
      `candidate placement ${label}`,
      { kind: 'candidate', candidate: fields },
      '`candidate.sdpMid` must be a string when `sdpMLineIndex` is null',
    );
  }
  const ufrags: readonly (readonly [string, unknown])[] = [
    ['number', 1234],
    ['boolean', true],
    ['object', { ufrag: 'abcd' }],
    ['257 characters', 'u'.repeat(257)],
  ];
  for (const [label, usernameFragment] of ufrags) {
    yield* bothForms(
      `candidate usernameFragment ${label}`,
      candidate({ usernameFragment }),
      '`candidate.usernameFragment` must be a string of at most 256 characters, or null',
    );
  }

  // Too large to parse at all, whatever is inside.
  const huge = (kind: string, padding: number): string =>
    JSON.stringify({ kind, padding: 'p'.repeat(padding) });
  yield {
    label: 'huge message: one character over the limit',
    data: `${' '.repeat(MAX_SIGNAL_CHARS - 1)}{}`,
    needsBrowser: false,
    rejection: `the message must be at most ${MAX_SIGNAL_CHARS} characters`,
  };
  yield {
    label: 'huge message: padded candidate',
    data: huge('candidate', MAX_SIGNAL_CHARS),
    needsBrowser: false,
    rejection: `the message must be at most ${MAX_SIGNAL_CHARS} characters`,
  };
  yield {
    label: 'huge message: padded description',
    data: huge('description', MAX_SIGNAL_CHARS * 2),
    needsBrowser: false,
    rejection: `the message must be at most ${MAX_SIGNAL_CHARS} characters`,
  };
  yield {
    label: 'huge message: oversized SDP as JSON',
    data: JSON.stringify(description('offer', `v=0${CRLF}`.padEnd(MAX_SIGNAL_CHARS + 1, 'a'))),
    needsBrowser: false,
    rejection: `the message must be at most ${MAX_SIGNAL_CHARS} characters`,
  };

  // Valid shape, but only the browser can tell it is wrong.
  const badBodies: readonly (readonly [string, string])[] = [
    ['nonsense body', `v=0${CRLF}nonsense`],
    ['version line only', `v=0${CRLF}`],
    ['version without line end', 'v=0'],
    ['truncated', CORPUS_OFFER_SDP.slice(0, CORPUS_OFFER_SDP.length / 2)],
    ['no fingerprint', CORPUS_OFFER_SDP.replace(/^a=fingerprint:.*\r\n/m, '')],
    ['no ICE credentials', CORPUS_OFFER_SDP.replace(/^a=ice-(ufrag|pwd):.*\r\n/gm, '')],
    ['bad m-line', CORPUS_OFFER_SDP.replace('m=application 9', 'm=application x')],
    ['binary garbage', `v=0${CRLF}\u0000\u0001\u0002${CRLF}`],
  ];
  for (const type of ['offer', 'answer'] as const) {
    for (const [label, sdp] of badBodies) {
      yield {
        label: `browser: ${type} with ${label}`,
        data: JSON.stringify(description(type, sdp)),
        needsBrowser: true,
      };
    }
  }
  yield {
    label: 'browser: answer while stable',
    data: JSON.stringify(description('answer', CORPUS_ANSWER_SDP)),
    needsBrowser: true,
  };
  yield {
    label: 'browser: duplicate offer',
    data: JSON.stringify(description('offer', CORPUS_OFFER_SDP)),
    needsBrowser: true,
    times: 2,
  };
  const browserCandidates: readonly (readonly [string, Record<string, unknown>])[] = [
    ['sdpMid of an unknown m-line', { sdpMid: '99', sdpMLineIndex: null }],
    ['sdpMLineIndex of an unknown m-line', { sdpMid: null, sdpMLineIndex: 99 }],
    ['unknown mid and index', { sdpMid: 'nope', sdpMLineIndex: 7 }],
    ['garbage after prefix', { candidate: 'candidate:garbage' }],
    ['bad address', { candidate: HOST_CANDIDATE.replace('192.0.2.10', '999.1.1.1') }],
    ['port out of range', { candidate: HOST_CANDIDATE.replace('50000', '70000') }],
    ['unknown transport', { candidate: HOST_CANDIDATE.replace(' udp ', ' sctp ') }],
    ['unknown type', { candidate: HOST_CANDIDATE.replace('typ host', 'typ bogus') }],
    ['unknown usernameFragment', { usernameFragment: 'neverseen' }],
  ];
  for (const [label, fields] of browserCandidates) {
    yield {
      label: `browser: candidate with ${label}`,
      data: JSON.stringify(candidate(fields)),
      needsBrowser: true,
    };
  }
}
