// The error types resilient-peer reports: one base class with a string `code`, a few subclasses
// that narrow it and carry data. None is ever thrown out of a native event handler; they reach the
// app through the `error` event or a rejected promise.

import { describeValue } from './validate.js';

/** A string that names what went wrong, stable across versions. */
export type ErrorCode =
  | 'invalid-signal'
  | 'negotiation-failed'
  | 'policy-threw'
  | 'signaling-failed'
  | 'ice-servers-failed'
  | 'closed'
  | 'internal';

/** Base class of every error resilient-peer reports. */
export class ResilientPeerError extends Error {
  override readonly name: string = 'ResilientPeerError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A signaling message that could not be used; `data` is what arrived (truncated if long). */
export class InvalidSignalError extends ResilientPeerError {
  override readonly name = 'InvalidSignalError';
  declare readonly code: 'invalid-signal';
  readonly data: string;

  constructor(message: string, data: unknown, options?: { cause?: unknown }) {
    super('invalid-signal', `Invalid signaling message: ${message}`, options);
    this.data = preview(data);
  }
}

/** A method was called after `close()`. */
export class ClosedError extends ResilientPeerError {
  override readonly name = 'ClosedError';
  declare readonly code: 'closed';

  constructor(method: string) {
    super('closed', `Cannot call \`${method}()\`: the ResilientPeer is closed.`);
  }
}

const PREVIEW_CHARS = 120;

/** What arrived, as text, cut to a preview: enough to recognise it, never a megabyte in a log. */
function preview(data: unknown): string {
  let text: string;
  try {
    // JSON.stringify returns undefined for undefined and functions, whatever its typing says.
    const json: unknown = typeof data === 'string' ? data : JSON.stringify(data);
    text = typeof json === 'string' ? json : typeof data;
  } catch {
    text = typeof data; // a cycle or a BigInt
  }
  return text.length > PREVIEW_CHARS
    ? `${text.slice(0, PREVIEW_CHARS)}… (${text.length} chars)`
    : text;
}

/** `Name: message` of an Error, or a readable form of anything else thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
}
