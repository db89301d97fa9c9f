import { describe, expect, it } from 'vitest';
import { InvalidSignalError } from '../errors';
import { CORPUS_ANSWER_SDP, CORPUS_OFFER_SDP, malformedSignals } from './malformed-corpus';
import { MAX_SIGNAL_CHARS, parseSignal } from './messages';

const CANDIDATE = 'candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0';

function rejection(data: unknown): InvalidSignalError {
  try {
    parseSignal(data);
  } catch (error) {
    if (error instanceof InvalidSignalError) return error;
    throw error;
  }
  throw new Error('parseSignal accepted the message');
}

/** A key that tells apart every value the corpus holds, including NaN, bigint and undefined. */
function dataKey(data: unknown): string {
  if (typeof data === 'string') return `string:${data}`;
  if (data === undefined) return 'undefined';
  const json = JSON.stringify(data, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `bigint:${value.toString()}`;
    if (typeof value === 'number' && !Number.isFinite(value)) return `number:${String(value)}`;
    return value;
  });
  return `value:${typeof data}:${json}`;
}

describe('parseSignal', () => {
  it('accepts an offer as JSON text', () => {
    const message = parseSignal(
      JSON.stringify({
        kind: 'description',
        description: { type: 'offer', sdp: CORPUS_OFFER_SDP },
      }),
    );
    expect(message).toEqual({
      kind: 'description',
      description: { type: 'offer', sdp: CORPUS_OFFER_SDP },
    });
  });

  it('accepts an answer as a parsed object and drops unknown fields', () => {
    const message = parseSignal({
      kind: 'description',
      extra: 1,
      description: { type: 'answer', sdp: CORPUS_ANSWER_SDP, extra: 2 },
    });
    expect(message).toEqual({
      kind: 'description',
      description: { type: 'answer', sdp: CORPUS_ANSWER_SDP },
    });
  });

  it('accepts a candidate and fills missing optional fields with null', () => {
    const message = parseSignal(
      JSON.stringify({ kind: 'candidate', candidate: { candidate: CANDIDATE, sdpMid: '0' } }),
    );
    expect(message).toEqual({
      kind: 'candidate',
      candidate: { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: null, usernameFragment: null },
    });
  });

  it('accepts a candidate placed by sdpMLineIndex only, with its usernameFragment', () => {
    const message = parseSignal({
      kind: 'candidate',
      candidate: { candidate: `a=${CANDIDATE}`, sdpMLineIndex: 1023, usernameFragment: 'abcd' },
    });
    expect(message).toEqual({
      kind: 'candidate',
      candidate: {
        candidate: `a=${CANDIDATE}`,
        sdpMid: null,
        sdpMLineIndex: 1023,
        usernameFragment: 'abcd',
      },
    });
  });

  it('accepts the empty end-of-candidates candidate', () => {
    const message = parseSignal({ kind: 'candidate', candidate: { candidate: '', sdpMid: '0' } });
    expect(message.kind).toBe('candidate');
  });

  it('accepts a message exactly at MAX_SIGNAL_CHARS', () => {
    const body = JSON.stringify({ kind: 'candidate', candidate: { candidate: '', sdpMid: '0' } });
    const data = body.padEnd(MAX_SIGNAL_CHARS, ' ');
    expect(data).toHaveLength(MAX_SIGNAL_CHARS);
    expect(parseSignal(data).kind).toBe('candidate');
  });

  it('rejects text that is not JSON and keeps the parse error as cause', () => {
    const error = rejection('{"kind":');
    expect(error.message).toContain('not valid JSON');
    expect(error.code).toBe('invalid-signal');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['null', 'null', 'got null'],
    ['a number', '42', 'got 42'],
    ['an array', '[]', 'got a 0-item array'],
    ['a string', '"offer"', 'got "offer"'],
  ])('rejects JSON that is %s', (_name, data, detail) => {
    const error = rejection(data);
    expect(error.message).toContain('the message must be a JSON object, got');
    expect(error.message).toContain(detail);
  });

  it('rejects an unknown kind and names it', () => {
    expect(rejection({ kind: 'offer' }).message).toContain(
      '`kind` must be "description" or "candidate", got "offer"',
    );
  });

  it('rejects a description whose sdp does not start with v=0', () => {
    const error = rejection({ kind: 'description', description: { type: 'offer', sdp: 'o=-' } });
    expect(error.message).toContain('`description.sdp` must be SDP text (starting "v=0"');
  });

  it('rejects a fractional sdpMLineIndex and names the value', () => {
    const error = rejection({
      kind: 'candidate',
      candidate: { candidate: CANDIDATE, sdpMLineIndex: 1.5 },
    });
    expect(error.message).toContain('`candidate.sdpMLineIndex`');
    expect(error.message).toContain('got 1.5');
  });

  it('rejects a message over MAX_SIGNAL_CHARS before parsing it', () => {
    const data = `${'x'.repeat(MAX_SIGNAL_CHARS)}{`;
    const error = rejection(data);
    expect(error.message).toContain(
      `at most ${MAX_SIGNAL_CHARS} characters, got a ${MAX_SIGNAL_CHARS + 1}-character string`,
    );
    expect(error.cause).toBeUndefined();
  });

  it('keeps only a short preview of rejected data', () => {
    const error = rejection(`${'x'.repeat(MAX_SIGNAL_CHARS)}{`);
    expect(error.data.length).toBeLessThan(200);
    expect(error.data).toContain(`(${MAX_SIGNAL_CHARS + 1} chars)`);
  });

  it('describes a long string value by its length instead of quoting it', () => {
    const error = rejection({ kind: 'x'.repeat(41) });
    expect(error.message).toContain('a 41-character string');
  });
});

describe('the malformed corpus', () => {
  const corpus = [...malformedSignals()];
  const local = corpus.filter((entry) => !entry.needsBrowser);
  const browserOnly = corpus.filter((entry) => entry.needsBrowser);

  it('holds at least 200 distinct messages with distinct labels', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.map((entry) => entry.label)).size).toBe(corpus.length);
    expect(new Set(corpus.map((entry) => dataKey(entry.data))).size).toBe(corpus.length);
  });

  it('includes cases only a browser can reject', () => {
    const labels = browserOnly.map((entry) => entry.label).join('\n');
    expect(labels).toContain('nonsense body');
    expect(labels).toContain('unknown m-line');
    expect(labels).toContain('answer while stable');
    expect(labels).toContain('duplicate offer');
    expect(browserOnly.find((entry) => entry.label.includes('duplicate offer'))?.times).toBe(2);
  });

  it('is the same every time it is generated', () => {
    expect([...malformedSignals()].map((entry) => entry.label)).toEqual(
      corpus.map((entry) => entry.label),
    );
  });

  it.each(local.map((entry) => [entry.label, entry] as const))(
    'rejects %s with a message naming the problem',
    (_label, entry) => {
      expect(entry.rejection).toBeTypeOf('string');
      const error = rejection(entry.data);
      expect(error).toBeInstanceOf(InvalidSignalError);
      expect(error.message).toContain(entry.rejection);
    },
  );

  it.each(browserOnly.map((entry) => [entry.label, entry] as const))(
    'passes %s on to the browser',
    (_label, entry) => {
      expect(entry.rejection).toBeUndefined();
      expect(() => parseSignal(entry.data)).not.toThrow();
    },
  );
});
