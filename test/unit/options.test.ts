import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  MIN_STALL_TIMEOUT_MS,
  validateOptions,
  type Options,
} from '../../src/options.js';
import { FakeChannel } from '../support/fake-channel.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';

function valid(): Record<string, unknown> {
  return { polite: true, signaling: new FakeChannel() };
}

function message(options: Record<string, unknown>): string {
  try {
    validateOptions(options);
  } catch (error) {
    if (error instanceof TypeError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('validateOptions', () => {
  it('accepts the two required options alone, and every option set right', () => {
    expect(message(valid())).toBe('accepted');
    const pc = new FakePeerConnection();
    const full: Options = {
      polite: false,
      signaling: new FakeChannel({ reconnect: true }),
      setup: () => undefined,
      rtcConfig: { iceServers: [] },
      pc: pc.native,
      policy: () => null,
      disconnectedGraceMs: 0,
      stallTimeoutMs: 0,
      signal: new AbortController().signal,
      logger: {},
      logSecrets: true,
      kickKeyframes: false,
      getIceServers: () => [],
      relayAfterRestarts: 0,
    };
    expect(message({ ...full })).toBe('accepted');
    expect(message({ ...valid(), stallTimeoutMs: MIN_STALL_TIMEOUT_MS })).toBe('accepted');
  });

  it('requires polite and signaling', () => {
    expect(message({ signaling: new FakeChannel() })).toBe(
      'Expected `polite` to be a boolean (true on exactly one side), got undefined.',
    );
    expect(message({ polite: true })).toBe(
      'Expected `signaling` to be a SignalingChannel (`isUp`, `send()`, `subscribe()`, optional `reconnect()`), got undefined.',
    );
  });

  it.each([
    [
      'signaling',
      { isUp: 'yes', send: () => undefined, subscribe: () => undefined },
      '`signaling`',
    ],
    [
      'signaling',
      { isUp: true, send: () => undefined, subscribe: () => undefined, reconnect: 1 },
      '`signaling`',
    ],
    ['setup', 'fn', 'Expected `setup` to be a function (pc) => void, got "fn".'],
    ['rtcConfig', [], 'Expected `rtcConfig` to be an RTCConfiguration object, got a 0-item array.'],
    ['policy', 5, 'Expected `policy` to be a function (context) => delayMs | null, got 5.'],
    [
      'disconnectedGraceMs',
      -1,
      'Expected `disconnectedGraceMs` to be a non-negative finite number of milliseconds, got -1.',
    ],
    [
      'stallTimeoutMs',
      MIN_STALL_TIMEOUT_MS - 1,
      `Expected \`stallTimeoutMs\` to be 0 (off) or at least ${MIN_STALL_TIMEOUT_MS} (ms), got ${MIN_STALL_TIMEOUT_MS - 1}.`,
    ],
    ['signal', {}, 'Expected `signal` to be an AbortSignal, got an object.'],
    ['logger', 'console', '`logger`'],
    ['logSecrets', 1, 'Expected `logSecrets` to be a boolean, got 1.'],
    ['kickKeyframes', 'yes', 'Expected `kickKeyframes` to be a boolean, got "yes".'],
    [
      'getIceServers',
      [],
      'Expected `getIceServers` to be a function () => RTCIceServer[] | Promise<RTCIceServer[]>, got a 0-item array.',
    ],
    [
      'relayAfterRestarts',
      1.5,
      'Expected `relayAfterRestarts` to be a non-negative integer, got 1.5.',
    ],
    [
      'relayAfterRestarts',
      -1,
      'Expected `relayAfterRestarts` to be a non-negative integer, got -1.',
    ],
  ])('rejects a wrong %s and names it', (key, value, expected) => {
    expect(message({ ...valid(), [key]: value })).toContain(expected);
  });

  it('accepts a duck-typed connection to adopt, but not a closed one', () => {
    const pc = new FakePeerConnection();
    expect(message({ ...valid(), pc: pc.native })).toBe('accepted');
    pc.close();
    expect(message({ ...valid(), pc: pc.native })).toBe(
      'Expected `pc` to be an open RTCPeerConnection, got an object.',
    );
    expect(message({ ...valid(), pc: { setLocalDescription: () => undefined } })).toContain('`pc`');
  });

  it('rejects an unknown option and suggests the one meant', () => {
    expect(message({ ...valid(), stallTimeout: 1000 })).toBe(
      'Unknown option `stallTimeout`; did you mean `stallTimeoutMs`?',
    );
    expect(message({ ...valid(), onRecovered: () => undefined })).toBe(
      'Unknown option `onRecovered`.',
    );
  });
});

describe('DEFAULTS', () => {
  it('holds the documented defaults, frozen', () => {
    expect(DEFAULTS).toEqual({
      disconnectedGraceMs: 1000,
      stallTimeoutMs: 1500,
      logSecrets: false,
      kickKeyframes: true,
      relayAfterRestarts: 2,
    });
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });
});
