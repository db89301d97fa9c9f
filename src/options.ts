// The one Options type, its defaults in one object, and validation at construction with messages
// that name the option and what was expected (unknown keys too, with a suggestion).

import type { IceServersProvider } from './escalation.js';
import type { Policy } from './policy.js';
import type { SignalingChannel } from './signaling/channel.js';
import { isBoolean, isFunction, isMs, isRecord, validateObject, type Rule } from './validate.js';

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
  /**
   * Sets up each RTCPeerConnection the peer creates (the first, unless `pc` is given, and every
   * replacement): add tracks and data channels here, so every connection is set up the same way.
   */
  readonly setup?: (pc: RTCPeerConnection) => void;
  /** Configuration for each RTCPeerConnection the peer creates. @default {} */
  readonly rtcConfig?: RTCConfiguration;
  /** An RTCPeerConnection to adopt as the first connection instead of creating one. */
  readonly pc?: RTCPeerConnection;
  /** Decides the delay before each restart attempt, or null to give up. @default exponentialBackoff() */
  readonly policy?: Policy;
  /** How long `disconnected` may last before recovery starts. @default 1000 */
  readonly disconnectedGraceMs?: number;
  /** Recovery starts when the connection received nothing for this long; 0 turns the stats probe off. @default 1500 */
  readonly stallTimeoutMs?: number;
  /** Aborting it closes the peer. */
  readonly signal?: AbortSignal;
  /** Receives debug lines; ICE passwords and full SDP are redacted unless `logSecrets`. @default silent */
  readonly logger?: Logger;
  /** Log ICE passwords and full SDP too. @default false */
  readonly logSecrets?: boolean;
  /** Toggle video senders after recovery so the receiver gets a keyframe at once. @default true */
  readonly kickKeyframes?: boolean;
  /**
   * Fresh ICE servers, asked before each restart, before answering the remote's restart, and
   * before each new connection (TURN credentials expire); a throw or no answer within 3 s is an
   * `error` event and the last good ones are used.
   */
  readonly getIceServers?: IceServersProvider;
  /**
   * Restarts that complete without bringing the call back before the next ones go through TURN
   * only (`iceTransportPolicy: 'relay'`), if a TURN server is configured; 0 never does. @default 2
   */
  readonly relayAfterRestarts?: number;
}

/** Defaults of every optional number or flag, merged once. */
export const DEFAULTS = Object.freeze({
  disconnectedGraceMs: 1000,
  stallTimeoutMs: 1500,
  logSecrets: false,
  kickKeyframes: true,
  relayAfterRestarts: 2,
});

/** Below 200 ms the probe would spend the call's CPU on getStats(). */
export const MIN_STALL_TIMEOUT_MS = 200;

const RULES: Readonly<Record<keyof Options, Rule>> = {
  polite: [isBoolean, 'a boolean (true on exactly one side)'],
  signaling: [
    (value) =>
      isRecord(value) &&
      isFunction(value.send) &&
      isFunction(value.subscribe) &&
      isBoolean(value.isUp) &&
      (value.reconnect === undefined || isFunction(value.reconnect)),
    'a SignalingChannel (`isUp`, `send()`, `subscribe()`, optional `reconnect()`)',
  ],
  setup: [isFunction, 'a function (pc) => void'],
  rtcConfig: [isRecord, 'an RTCConfiguration object'],
  pc: [
    // Duck-typed: a wrapped or polyfilled RTCPeerConnection is as good as the native one.
    (value) =>
      isRecord(value) &&
      isFunction(value.setLocalDescription) &&
      isFunction(value.restartIce) &&
      value.connectionState !== 'closed',
    'an open RTCPeerConnection',
  ],
  policy: [isFunction, 'a function (context) => delayMs | null'],
  disconnectedGraceMs: [isMs, 'a non-negative finite number of milliseconds'],
  stallTimeoutMs: [
    (value) => isMs(value) && (value === 0 || value >= MIN_STALL_TIMEOUT_MS),
    `0 (off) or at least ${MIN_STALL_TIMEOUT_MS} (ms)`,
  ],
  signal: [(value) => value instanceof AbortSignal, 'an AbortSignal'],
  logger: [isRecord, 'an object with optional debug/info/warn methods'],
  logSecrets: [isBoolean, 'a boolean'],
  kickKeyframes: [isBoolean, 'a boolean'],
  getIceServers: [isFunction, 'a function () => RTCIceServer[] | Promise<RTCIceServer[]>'],
  relayAfterRestarts: [
    (value) => typeof value === 'number' && Number.isInteger(value) && value >= 0,
    'a non-negative integer',
  ],
};

/** Throws a TypeError naming the first option that is wrong (or unknown) and what it expected. */
export function validateOptions(options: unknown): asserts options is Options {
  validateObject(options, 'options', RULES, ['polite', 'signaling']);
}
