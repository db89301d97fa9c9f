// The escalation ladder, for when an ICE restart alone does not bring the call back: restart ICE
// (the first rung); when restarts keep completing without recovery while signaling works, restart
// through TURN only (`iceTransportPolicy: 'relay'`, if a TURN server is configured); when the
// transport itself is gone (the browser closed DTLS or the data channels on `failed`, as Firefox
// does), replace the connection. Also the app's ICE-servers provider (TURN credentials expire),
// asked before each restart and before answering the remote's. The decisions are pure; applying
// them is one call each.

import type { Env } from './env.js';
import { errorText, ResilientPeerError } from './errors.js';

/** Where an incident is on the ladder. */
export type Rung = 'restart' | 'relay' | 'replace';

/** How long the ICE-servers provider may take before the restart goes on without it. */
export const ICE_SERVERS_TIMEOUT_MS = 3000;

/** Everything the next rung depends on. */
export interface RungInput {
  readonly rung: Rung;
  /** Restarts of this incident that were negotiated and did not bring the path back. */
  readonly restartsWithoutRecovery: number;
  /** Option `relayAfterRestarts`; 0 turns the relay rung off. */
  readonly relayAfterRestarts: number;
  /** A TURN server is configured. */
  readonly relayAvailable: boolean;
}

/** The rung the next attempt uses; pure. */
export function nextRung(input: RungInput): Rung {
  if (input.rung !== 'restart') return input.rung;
  const relayDue =
    input.relayAfterRestarts > 0 && input.restartsWithoutRecovery >= input.relayAfterRestarts;
  return relayDue && input.relayAvailable ? 'relay' : 'restart';
}

/** Whether `servers` name a TURN server (a relay is possible). */
export function hasTurnServer(servers: readonly RTCIceServer[] | undefined): boolean {
  return (servers ?? []).some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/i.test(url)),
  );
}

/** What `transportGone` reads of a connection. */
export interface TransportLike {
  readonly sctp: { readonly state: string; readonly transport: { readonly state: string } } | null;
  getSenders(): readonly { readonly transport: { readonly state: string } | null }[];
}

/**
 * Whether the DTLS transport (or the SCTP association over it) is closed or failed: an ICE restart
 * cannot bring that back. Firefox closes both when it reaches `failed` (~28 s after a cut);
 * Chromium keeps them through any ICE outage.
 */
export function transportGone(pc: TransportLike): boolean {
  const dead = (state: string | undefined): boolean => state === 'failed' || state === 'closed';
  if (pc.sctp !== null && (dead(pc.sctp.state) || dead(pc.sctp.transport.state))) return true;
  return pc.getSenders().some((sender) => dead(sender.transport?.state));
}

/** The app's source of fresh ICE servers. */
export type IceServersProvider = () => readonly RTCIceServer[] | Promise<readonly RTCIceServer[]>;

/** Asks the provider before a restart; on a throw or a hang, reports and keeps the last good. */
export class IceServers {
  readonly #provider: IceServersProvider | undefined;
  readonly #env: Pick<Env, 'setTimeout' | 'clearTimeout'>;
  readonly #report: (error: ResilientPeerError) => void;
  #latest: readonly RTCIceServer[] | undefined;

  constructor(
    provider: IceServersProvider | undefined,
    initial: readonly RTCIceServer[] | undefined,
    env: Pick<Env, 'setTimeout' | 'clearTimeout'>,
    report: (error: ResilientPeerError) => void,
  ) {
    this.#provider = provider;
    this.#latest = initial;
    this.#env = env;
    this.#report = report;
  }

  /** The app gave a provider. */
  get hasProvider(): boolean {
    return this.#provider !== undefined;
  }

  /** The last servers the provider gave (or the configured ones). */
  get latest(): readonly RTCIceServer[] | undefined {
    return this.#latest;
  }

  /** Asks the provider, at most ICE_SERVERS_TIMEOUT_MS; resolves with the servers to use. */
  async refresh(): Promise<readonly RTCIceServer[] | undefined> {
    const provider = this.#provider;
    if (provider === undefined) return this.#latest;
    let timer: unknown;
    try {
      const servers = await Promise.race([
        Promise.resolve().then(provider),
        new Promise<never>((_, reject) => {
          timer = this.#env.setTimeout(() => {
            reject(new Error(`no answer within ${ICE_SERVERS_TIMEOUT_MS} ms`));
          }, ICE_SERVERS_TIMEOUT_MS);
        }),
      ]);
      if (!Array.isArray(servers)) throw new TypeError('expected an array of RTCIceServer');
      this.#latest = servers;
    } catch (cause) {
      this.#report(
        new ResilientPeerError(
          'ice-servers-failed',
          `the ICE-servers provider failed, restarting with the last good servers: ${errorText(cause)}`,
          { cause },
        ),
      );
    } finally {
      this.#env.clearTimeout(timer);
    }
    return this.#latest;
  }
}

/** The transport policy of a restart on `rung`: the app's own, or TURN only on the relay rung. */
export function transportPolicy(rung: Rung, own: RTCIceTransportPolicy): RTCIceTransportPolicy {
  return rung === 'relay' ? 'relay' : own;
}

/** Applies the servers and transport policy for the next restart to a live connection. */
export function configure(
  pc: RTCPeerConnection,
  servers: readonly RTCIceServer[] | undefined,
  iceTransportPolicy: RTCIceTransportPolicy,
): void {
  const current = pc.getConfiguration();
  const iceServers = servers === undefined ? current.iceServers : [...servers];
  if (current.iceTransportPolicy === iceTransportPolicy && iceServers === current.iceServers)
    return;
  pc.setConfiguration({ ...current, iceServers, iceTransportPolicy });
}
