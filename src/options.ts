// The one Options type, its defaults in one object, and validation at construction with messages
// that name the option and what was expected.

import { primitiveText } from './errors';
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

/** Throws a TypeError naming the first option that is wrong. */
export function validateOptions(options: unknown): asserts options is Options {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `Expected \`options\` to be an object, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  const o = options as Record<string, unknown>;
  if (typeof o.polite !== 'boolean') {
    throw new TypeError(
      `Expected \`polite\` to be a boolean (true on exactly one side), got ${show(o.polite)}.`,
    );
  }
  const signaling = o.signaling as Partial<SignalingChannel> | undefined;
  if (
    typeof signaling !== 'object' ||
    typeof signaling.send !== 'function' ||
    typeof signaling.subscribe !== 'function' ||
    typeof signaling.isUp !== 'boolean'
  ) {
    throw new TypeError(
      'Expected `signaling` to be a SignalingChannel: an object with `isUp` (boolean), `send(message)` and `subscribe(handlers)`.',
    );
  }
  if (o.rtcConfig !== undefined && (typeof o.rtcConfig !== 'object' || o.rtcConfig === null)) {
    throw new TypeError(
      `Expected \`rtcConfig\` to be an RTCConfiguration object, got ${show(o.rtcConfig)}.`,
    );
  }
  if (
    o.pc !== undefined &&
    !(typeof RTCPeerConnection === 'function' && o.pc instanceof RTCPeerConnection)
  ) {
    throw new TypeError(`Expected \`pc\` to be an RTCPeerConnection, got ${show(o.pc)}.`);
  }
  if (o.pc instanceof RTCPeerConnection && o.pc.connectionState === 'closed') {
    throw new TypeError('Expected `pc` to be an open RTCPeerConnection, but it is closed.');
  }
  if (o.policy !== undefined && typeof o.policy !== 'function') {
    throw new TypeError(
      `Expected \`policy\` to be a function (context) => delayMs | null, got ${show(o.policy)}.`,
    );
  }
  for (const name of ['disconnectedGraceMs', 'stallTimeoutMs'] as const) {
    const value = o[name];
    if (
      value !== undefined &&
      !(typeof value === 'number' && Number.isFinite(value) && value >= 0)
    ) {
      throw new TypeError(
        `Expected \`${name}\` to be a non-negative finite number of milliseconds, got ${show(value)}.`,
      );
    }
  }
  if (typeof o.stallTimeoutMs === 'number' && o.stallTimeoutMs > 0 && o.stallTimeoutMs < 200) {
    throw new TypeError(
      `Expected \`stallTimeoutMs\` to be 0 (off) or at least 200, got ${o.stallTimeoutMs}.`,
    );
  }
  if (
    o.signal !== undefined &&
    !(typeof AbortSignal === 'function' && o.signal instanceof AbortSignal)
  ) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${show(o.signal)}.`);
  }
  if (o.logger !== undefined && (typeof o.logger !== 'object' || o.logger === null)) {
    throw new TypeError(
      `Expected \`logger\` to be an object with optional debug/info/warn methods, got ${show(o.logger)}.`,
    );
  }
  for (const name of ['logSecrets', 'kickKeyframes'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') {
      throw new TypeError(`Expected \`${name}\` to be a boolean, got ${show(o[name])}.`);
    }
  }
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return primitiveText(value);
}
