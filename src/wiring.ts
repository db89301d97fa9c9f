// How the facade's parts talk to each other: the hooks of the recovery incident, of each
// connection and of the signaling link, and the page's events, each built from the facade's
// internal `PeerCore`. Only wiring lives here; every decision is in the module a hook calls.

import type { Connection, ConnectionHooks } from './connection.js';
import type { Env, PageEvents } from './env.js';
import type { ResilientPeerError } from './errors.js';
import type { PhaseCause, ReplaceReason, ResilientPeerEvents } from './events.js';
import type { Incident, IncidentHooks } from './incident.js';
import type { LinkHooks, SignalingLink } from './signaling/link.js';

/** The facade as its wiring sees it (resilient-peer.ts). */
export interface PeerCore {
  readonly env: Env;
  readonly connection: () => Connection;
  readonly incident: () => Incident;
  readonly link: () => SignalingLink;
  /** Closed, or the remote left: nothing to recover. */
  readonly idle: () => boolean;
  readonly remoteLeft: () => boolean;
  readonly setRemoteLeft: (left: boolean) => void;
  readonly replace: (reason: ReplaceReason) => void;
  readonly updatePhase: (cause: PhaseCause) => void;
  readonly emit: <E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ) => void;
  readonly log: (
    level: 'debug' | 'info' | 'warn',
    message: string,
    data?: Record<string, unknown>,
  ) => void;
  /** Logs a description sent or received, redacted unless `logSecrets`. */
  readonly logSdp: (what: string, sdp: string) => void;
  readonly report: (error: ResilientPeerError) => void;
  readonly policyFailed: (error: unknown) => void;
  readonly guard: (work: () => void) => void;
}

/** The recovery incident's hooks. */
export function incidentHooks(core: PeerCore): IncidentHooks {
  return {
    connection: core.connection,
    ignoring: core.idle,
    checkSignaling: () => {
      core.link().check();
    },
    pathBack: () => {
      core.link().pathBack();
    },
    resendOffer: () => {
      core.link().resend();
    },
    replaceConnection: () => {
      core.incident().replacing('self');
      core.replace('transport-failed');
    },
    emit: core.emit,
    updatePhase: core.updatePhase,
    log: core.log,
    policyFailed: core.policyFailed,
  };
}

/** A connection's hooks. */
export function connectionHooks(core: PeerCore): ConnectionHooks {
  const incident = core.incident;
  return {
    detect: (trigger) => {
      incident().detect(trigger);
    },
    transportFailed: () => {
      if (core.idle()) return;
      incident().replacing('self');
      core.replace('transport-failed');
    },
    evidence: (evidence) => {
      incident().evidence(evidence);
    },
    reconnected: () => {
      incident().reconnected();
    },
    recovering: () => incident().active,
    negotiator: {
      sendDescription: (description) => {
        core.logSdp(`sending ${description.type}`, description.sdp);
        core.link().send({ kind: 'description', description });
      },
      report: core.report,
      restartNegotiated: () => {
        incident().restartNegotiated();
      },
      remoteRestart: (remoteUfrag) => {
        core.connection().health.lastRemoteRestartAt = core.env.now();
        incident().remoteRestarted();
        core.emit('remoteRestart', { remoteUfrag });
      },
      beforeRestartAnswer: () => incident().answeringRestart(),
      askRemoteRestart: () => {
        core.link().requestRestart();
      },
      log: (message, data) => {
        core.log('debug', message, data);
      },
    },
    localCandidate: (candidate) => {
      core.link().send({ kind: 'candidate', candidate });
    },
    track: (track) => {
      core.emit('track', track);
    },
    stateChanged: () => {
      core.updatePhase('native-state');
    },
    guard: core.guard,
  };
}

/** The signaling link's hooks. */
export function linkHooks(core: PeerCore): LinkHooks {
  const { connection, incident } = core;
  return {
    negotiation: (message, raw) => {
      const { negotiator } = connection();
      if (message.kind === 'candidate') {
        void negotiator.handleCandidate(message.candidate, raw);
        return;
      }
      core.logSdp(`received ${message.description.type}`, message.description.sdp);
      void negotiator.handleDescription(message.description, raw);
    },
    newRemote: () => {
      const { pc, health } = connection();
      // A connection that negotiated with another remote cannot take the new one (a new DTLS
      // fingerprint, new m-lines): start afresh, as for a first connection.
      if (pc.remoteDescription !== null || health.everConnected) core.replace('remote-rejoined');
    },
    restartRequested: () => {
      const outcome = connection().negotiator.restartIce();
      core.log('info', 'the remote asked for an ICE restart', { outcome });
    },
    heard: () => {
      connection().negotiator.remoteHeard();
      if (!core.remoteLeft()) return;
      core.setRemoteLeft(false);
      core.updatePhase('native-state');
    },
    remoteLeft: (how) => {
      core.setRemoteLeft(true);
      incident().cancel();
      connection().monitor.adjustProbe();
      core.log('info', 'the remote left', { how });
      core.updatePhase('remote-left');
      core.emit('remoteLeft', { how });
    },
    stateChange: (up, cause) => {
      incident().signalingChanged(up);
      core.log('info', `signaling ${up ? 'up' : 'down'}`, { cause });
      core.emit('signalingChange', { up, cause });
    },
    restored: () => {
      // Back after an outage of its own: if the path is unwell, the remote may have missed our
      // restart or may be stuck too, so try at once rather than at the next scheduled time (an
      // open incident only if an attempt ran while the channel was down; recovery.ts).
      if (incident().active || connection().monitor.unhealthy) {
        incident().detect('signaling-restored');
      }
    },
    needed: () => incident().active,
    report: core.report,
    log: (message, data) => {
      core.log('debug', message, data);
    },
  };
}

/** What the page's events do. */
export function pageEvents(core: PeerCore): PageEvents {
  const { connection, incident } = core;
  const networkChanged = (): void => {
    core.link().check();
    const { monitor } = connection();
    if (incident().active || monitor.unhealthy) incident().detect('network-change');
    else monitor.sampleNow();
  };
  return {
    online: () => {
      incident().online();
      networkChanged();
    },
    // Every link is gone (Wi-Fi lost): the path is dead whatever ICE says yet. The incident opens
    // now; no attempt is spent until the browser is online again.
    offline: () => {
      if (connection().health.everConnected) incident().detect('network-change');
    },
    // A changed network may have killed the path before ICE notices.
    connectionChange: networkChanged,
    pagehide: () => {
      core.link().bye();
    },
  };
}
