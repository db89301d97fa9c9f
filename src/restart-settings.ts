// What each ICE restart gathers with: the rung the escalation ladder is on, fresh ICE servers
// from the app's provider (TURN credentials expire), and the transport policy of that rung,
// applied with setConfiguration before restartIce() — or before answering the remote's restart.

import type { Connection } from './connection.js';
import { errorText } from './errors.js';
import {
  configure,
  hasTurnServer,
  nextRung,
  transportPolicy,
  type IceServers,
  type Rung,
} from './escalation.js';

/** How restarts are configured. */
export interface RestartSettingsConfig {
  /** Completed restarts without recovery before the relay rung; 0: never. */
  readonly relayAfterRestarts: number;
  readonly iceServers: IceServers;
  /** The app's own transport policy, which every rung but the relay one restarts with. */
  readonly iceTransportPolicy: RTCIceTransportPolicy;
}

/** See the file comment. */
export class RestartSettings {
  readonly #config: RestartSettingsConfig;
  readonly #warn: (message: string, data: Record<string, unknown>) => void;

  constructor(
    config: RestartSettingsConfig,
    warn: (message: string, data: Record<string, unknown>) => void,
  ) {
    this.#config = config;
    this.#warn = warn;
  }

  /** The rung after `rung`, given the restarts that completed without bringing the call back. */
  nextRung(pc: RTCPeerConnection, rung: Rung, restartsWithoutRecovery: number): Rung {
    return nextRung({
      rung,
      restartsWithoutRecovery,
      relayAfterRestarts: this.#config.relayAfterRestarts,
      relayAvailable: hasTurnServer(
        this.#config.iceServers.latest ?? pc.getConfiguration().iceServers,
      ),
    });
  }

  /**
   * Fresh servers and the transport policy of `rung` for our restart on `connection`. Each
   * incident starts on the app's own policy again, also after one that recovered through TURN;
   * an app that asked for TURN only keeps it on every rung (its addresses stay hidden). False
   * when `current()` says the restart is no longer wanted once the provider answered.
   */
  async forRestart(connection: Connection, rung: Rung, current: () => boolean): Promise<boolean> {
    const servers = await this.#config.iceServers.refresh();
    if (!current()) return false;
    this.#apply(connection.pc, servers, transportPolicy(rung, this.#config.iceTransportPolicy));
    return true;
  }

  /**
   * Fresh servers before our answer to the remote's restart gathers anew, as for our own
   * restarts: a side that only ever answers would otherwise gather with expired TURN credentials
   * (seen: 401, no new relay candidate, the call left on its old allocation). The transport
   * policy stays as it is.
   */
  async forAnswer(connection: Connection, current: () => boolean): Promise<void> {
    if (!this.#config.iceServers.hasProvider) return;
    const servers = await this.#config.iceServers.refresh();
    if (!current()) return;
    const { pc } = connection;
    this.#apply(
      pc,
      servers,
      pc.getConfiguration().iceTransportPolicy ?? this.#config.iceTransportPolicy,
    );
  }

  #apply(
    pc: RTCPeerConnection,
    servers: readonly RTCIceServer[] | undefined,
    policy: RTCIceTransportPolicy,
  ): void {
    try {
      configure(pc, servers, policy);
    } catch (error) {
      this.#warn('setConfiguration failed', { error: errorText(error) });
    }
  }
}
