// The one Options type, its defaults in one object, and validation at construction with messages
// that name the option and what was expected.

import { expectOption } from './errors';
import type { Policy } from './policy';
import type { SignalingChannel } from './signaling/channel';

/** Where log lines go; every method optional. Silent by default. */
export interface Logger {
  readonly debug?: (message: string, data?: Readonly<Record<string, unknown>>) => void;
  readonly info?: (message: string, data?: Readonly<Record<string, unknown>>) => void;
  readonly warn?: (message: string, data?: Readonly<Record<string, unknown>>) => void;
}

/** Options of `new ResilientPeer()`. */
export interface Options {
  /** Whether this side yields in an offer collision (perfect negotiation); the other side must pass the opposite. */
  readonly polite: boolean;
  /** The channel to the remote peer. */
  readonly signaling: SignalingChannel;
  /** Configuration for a new RTCPeerConnection; ignored when `pc` is given. @default {} */
  readonly rtcConfig?: RTCConfiguration;
  /** An RTCPeerConnection to adopt instead of creating one. */
  readonly pc?: RTCPeerConnection;
  /** Decides the delay before each restart attempt, or null to give up. @default exponentialBackoff() */
  readonly policy?: Policy;
  /** How long `disconnected` may last before recovery starts. @default 1000 */
  readonly disconnectedGraceMs?: number;
  /** Recovery starts when the selected candidate pair received nothing for this long; 0 turns the stats probe off. @default 1500 */
  readonly stallTimeoutMs?: number;
  /** Aborting it closes the peer. */
  readonly signal?: AbortSignal;
  /** Receives debug lines; ICE passwords and full SDP are redacted unless `logSecrets`. @default silent */
  readonly logger?: Logger;
  /** Log ICE passwords and full SDP too. @default false */
  readonly logSecrets?: boolean;
  /** Toggle video senders after recovery so the receiver gets a keyframe at once. @default true */
  readonly kickKeyframes?: boolean;
}

/** Defaults of every optional number or flag, merged once. */
export const DEFAULTS = Object.freeze({
  disconnectedGraceMs: 1000,
  stallTimeoutMs: 1500,
  logSecrets: false,
  kickKeyframes: true,
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';
const isMs = (value: unknown): value is number =>
  typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY;

/** Every option in the order it is checked: name, test, what was expected. */
const RULES: readonly (readonly [keyof Options, (value: unknown) => boolean, string])[] = [
  ['polite', isBoolean, 'a boolean (true on exactly one side)'],
  [
    'signaling',
    (value) =>
      isObject(value) &&
      typeof value.send === 'function' &&
      typeof value.subscribe === 'function' &&
      typeof value.isUp === 'boolean',
    'a SignalingChannel (`isUp`, `send()`, `subscribe()`)',
  ],
  ['rtcConfig', isObject, 'an RTCConfiguration object'],
  [
    'pc',
    (value) => value instanceof RTCPeerConnection && value.connectionState !== 'closed',
    'an open RTCPeerConnection',
  ],
  ['policy', (value) => typeof value === 'function', 'a function (context) => delayMs | null'],
  ['disconnectedGraceMs', isMs, 'a non-negative finite number of milliseconds'],
  // Below 200 ms the probe would spend the call's CPU on getStats().
  [
    'stallTimeoutMs',
    (value) => isMs(value) && (value === 0 || value >= 200),
    '0 (off) or at least 200 (ms)',
  ],
  ['signal', (value) => value instanceof AbortSignal, 'an AbortSignal'],
  ['logger', isObject, 'an object with optional debug/info/warn methods'],
  ['logSecrets', isBoolean, 'a boolean'],
  ['kickKeyframes', isBoolean, 'a boolean'],
];

/** Throws a TypeError naming the first option that is wrong and what it expected. */
export function validateOptions(options: unknown): asserts options is Options {
  expectOption(isObject(options), 'options', 'an object', options);
  const o = options as Record<string, unknown>;
  for (const [name, test, expected] of RULES) {
    const value = o[name];
    const required = name === 'polite' || name === 'signaling';
    expectOption((value === undefined && !required) || test(value), name, expected, value);
  }
}
