// Pure helpers for the TURN servers' credentials and the `RTCIceServer` entries pages use:
// time-limited REST credentials (the "TURN REST API" scheme coturn implements with
// use-auth-secret) and the URLs of each transport.

import { createHmac } from 'node:crypto';

/** How a client reaches a TURN server: UDP or TCP on the plain port, TLS on the TLS port. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** Time-limited credentials; `expiresAt` is `Date.now()` ms of the expiry coturn will check. */
export interface RestCredentials {
  readonly username: string;
  readonly credential: string;
  readonly expiresAt: number;
}

/** Options of `restCredentials`. */
export interface RestCredentialOptions {
  /** Seconds from `issuedAtMs` until the credentials expire. */
  readonly lifetimeS: number;
  /** The user id after the expiry. @default 'rpt' */
  readonly user?: string;
  /** When they were issued, `Date.now()` ms; earlier than now gives a page that has been open a while. @default Date.now() */
  readonly issuedAtMs?: number;
}

/**
 * REST credentials for `secret`: username `expiry:user` (expiry in Unix seconds), credential
 * base64(HMAC-SHA1(secret, username)), as coturn's README.turnserver ("TURN REST API") gives them.
 */
export function restCredentials(secret: string, options: RestCredentialOptions): RestCredentials {
  if (!(Number.isInteger(options.lifetimeS) && options.lifetimeS > 0)) {
    throw new TypeError(
      `Expected \`lifetimeS\` to be a positive integer, got ${options.lifetimeS}.`,
    );
  }
  const expiry = Math.floor((options.issuedAtMs ?? Date.now()) / 1000) + options.lifetimeS;
  const username = `${expiry}:${options.user ?? 'rpt'}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: expiry * 1000 };
}

/** The ports every TURN server of the harness listens on. */
export const TURN_PORTS = { plain: 3478, tls: 5349 } as const;

/** The `urls` of a TURN server at `address` for each of `transports`. */
export function turnUrls(address: string, transports: readonly TurnTransport[]): string[] {
  return transports.map((transport) =>
    transport === 'tls'
      ? `turns:${address}:${TURN_PORTS.tls}?transport=tcp`
      : `turn:${address}:${TURN_PORTS.plain}?transport=${transport}`,
  );
}

/** A STUN-only entry (Binding requests need no credentials). */
export function stunServer(address: string): RTCIceServer {
  return { urls: `stun:${address}:${TURN_PORTS.plain}` };
}
