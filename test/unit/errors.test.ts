import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  errorText,
  InvalidSignalError,
  ResilientPeerError,
} from '../../src/errors.js';

describe('ResilientPeerError', () => {
  it('carries a string code and the native cause', () => {
    const cause = new Error('root');
    const error = new ResilientPeerError('internal', 'it broke', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ResilientPeerError');
    expect(error.code).toBe('internal');
    expect(error.message).toBe('it broke');
    expect(error.cause).toBe(cause);
  });
});

describe('InvalidSignalError', () => {
  it('is a ResilientPeerError with code invalid-signal and the data that arrived', () => {
    const error = new InvalidSignalError('`kind` is wrong', { kind: 'x' });
    expect(error).toBeInstanceOf(ResilientPeerError);
    expect(error.name).toBe('InvalidSignalError');
    expect(error.code).toBe('invalid-signal');
    expect(error.message).toBe('Invalid signaling message: `kind` is wrong');
    expect(error.data).toBe('{"kind":"x"}');
  });

  it('keeps a string as it came and cuts a long one to a preview', () => {
    expect(new InvalidSignalError('m', 'raw text').data).toBe('raw text');
    const long = new InvalidSignalError('m', 'y'.repeat(500)).data;
    expect(long).toBe(`${'y'.repeat(120)}… (500 chars)`);
  });

  it('previews what JSON cannot show by its type', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(new InvalidSignalError('m', cycle).data).toBe('object');
    expect(new InvalidSignalError('m', 10n).data).toBe('bigint');
    expect(new InvalidSignalError('m', undefined).data).toBe('undefined');
    expect(new InvalidSignalError('m', () => 1).data).toBe('function');
  });
});

describe('ClosedError', () => {
  it('names the method called after close()', () => {
    const error = new ClosedError('restart');
    expect(error).toBeInstanceOf(ResilientPeerError);
    expect(error.name).toBe('ClosedError');
    expect(error.code).toBe('closed');
    expect(error.message).toBe('Cannot call `restart()`: the ResilientPeer is closed.');
  });
});

describe('errorText', () => {
  it('gives name and message of an Error, and a readable form of anything else', () => {
    expect(errorText(new TypeError('bad'))).toBe('TypeError: bad');
    expect(errorText('oops')).toBe('"oops"');
    expect(errorText({ code: 1 })).toBe('an object');
  });
});
