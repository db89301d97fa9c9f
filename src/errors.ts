// The error types resilient-peer reports: one base class with a string `code`, a few subclasses
// that carry data. None is ever thrown out of a native event handler; they reach the app through
// the `error` event or a rejected promise.

/** A string that names what went wrong, stable across versions. */
export type ErrorCode =
  | 'invalid-signal'
  | 'negotiation-failed'
  | 'policy-threw'
  | 'signaling-failed'
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
  readonly data: string;

  constructor(message: string, data: unknown, options?: { cause?: unknown }) {
    super('invalid-signal', `Invalid signaling message: ${message}`, options);
    this.data = preview(data);
  }
}

/** A method was called after `close()`. */
export class ClosedError extends ResilientPeerError {
  override readonly name = 'ClosedError';

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
  return error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
}

/**
 * A short text for a value of unknown type, for error messages: what it is, never its whole
 * content (`"offer"`, `a 300-character string`, `1.5`, `a 2-item array`, `null`).
 */
export function describe(value: unknown): string {
  const type = typeof value;
  if (type === 'string') {
    const text = value as string;
    return text.length > 40 ? `a ${text.length}-character string` : JSON.stringify(text);
  }
  if (Array.isArray(value)) return `a ${value.length}-item array`;
  if (value === null || type !== 'object')
    return type === 'function' ? 'a function' : String(value);
  return 'an object';
}

/** Throws the TypeError for a wrong option unless `ok`: names it, what was expected and got. */
export function expectOption(ok: boolean, name: string, expected: string, value: unknown): void {
  if (!ok) throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${describe(value)}.`);
}
