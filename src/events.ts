// The typed events a ResilientPeer emits; each carries one readonly payload object so fields can
// be added later without breaking listeners.

import type { RemoteTrack } from './connection.js';
import type { ResilientPeerError } from './errors.js';
import type { Rung } from './escalation.js';
import type { PathInfo } from './path-activity.js';
import type { Phase } from './phase.js';
import type { Trigger } from './policy.js';

/** Why the phase changed. */
export type PhaseCause =
  | 'native-state'
  | 'detected'
  | 'restart'
  | 'recovered'
  | 'gave-up'
  | 'remote-left'
  | 'replaced'
  | 'closed';

/** The phase changed (fired after internal state is committed). */
export interface PhaseChangeEvent {
  readonly from: Phase;
  readonly to: Phase;
  readonly cause: PhaseCause;
}

/** The next ICE-restart attempt will run in `delayMs`, unless the incident ends first. */
export interface RestartScheduledEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly trigger: Trigger;
}

/** An ICE-restart attempt started (`restartIce()`), or was covered by a remote restart. */
export interface RestartAttemptEvent {
  readonly attempt: number;
  readonly trigger: Trigger;
  /** `restart` (ICE restart), `relay` (the same through TURN only) or `replace`. */
  readonly rung: Rung;
  /**
   * What the attempt did: `restart` made a new ICE-restart offer (or asked the remote for one),
   * `resend` sent the last offer again (still unanswered: it may have gone into a dead socket),
   * `remote-restart` counted the remote's restart as this attempt (nothing sent), `replace` made
   * a new connection.
   */
  readonly action: RestartAction;
}

/** See `RestartAttemptEvent.action`. */
export type RestartAction = 'restart' | 'resend' | 'remote-restart' | 'replace';

/** The remote peer restarted ICE: its offer with new credentials was applied and answered. */
export interface RemoteRestartEvent {
  /** The remote's new ICE username fragment. */
  readonly remoteUfrag: string;
}

/** The call works again: connected, and new packets arrive. */
export interface RecoveredEvent {
  readonly trigger: Trigger;
  /** Attempts this incident took (0 when the path healed before any attempt). */
  readonly attempts: number;
  /** From the last sign of life to detection, in ms. */
  readonly detectMs: number;
  /** From the last sign of life to recovery, in ms. */
  readonly downtimeMs: number;
  /** The path the call recovered on, from the stats probe (null without it). */
  readonly path: PathInfo | null;
  /** The escalation rung that brought it back. */
  readonly rung: Rung;
}

/** The policy gave up; the phase is `failed` until `restart()` or the path heals. */
export interface GaveUpEvent {
  readonly attempts: number;
  readonly elapsedMs: number;
}

/** Why the channel's state, as the peer sees it, changed. */
export type SignalingCause =
  /** The transport reported up. */
  | 'channel-up'
  /** The transport reported down. */
  | 'channel-down'
  /** The remote stopped answering although the transport reported up. */
  | 'unanswered'
  /** The remote answered again. */
  | 'answered';

/** The signaling channel, as the peer sees it, went up or down. */
export interface SignalingChangeEvent {
  /** Messages sent now are expected to reach the remote. */
  readonly up: boolean;
  readonly cause: SignalingCause;
}

/** The remote peer left: it said so (`bye`) or its transport knows (`channel`). */
export interface RemoteLeftEvent {
  readonly how: 'bye' | 'channel';
}

/** Why the RTCPeerConnection was replaced by a new one. */
export type ReplaceReason =
  /** The remote came back with a new connection (a new page, or it replaced its own). */
  | 'remote-rejoined'
  /**
   * The browser closed this connection's DTLS or SCTP transport (Firefox on `failed`), or the
   * connection that replaced it did not come up.
   */
  | 'transport-failed';

/**
 * A new RTCPeerConnection replaced the old one, set up by `setup`. The old one is closed: its
 * data channels are closed, and messages still buffered on them (`bufferedAmount`) are lost.
 */
export interface ConnectionReplacedEvent {
  readonly pc: RTCPeerConnection;
  readonly previous: RTCPeerConnection;
  readonly reason: ReplaceReason;
}

/** A remote track arrived; a listener added later is told the live ones at once. */
export type TrackEvent = RemoteTrack;

/** Something went wrong that the app should know about; the peer carries on. */
export interface ErrorEvent {
  readonly error: ResilientPeerError;
}

/** Event map of ResilientPeer, for eventemitter3's typed `on`/`emit`. */
export interface ResilientPeerEvents {
  phaseChange: (event: PhaseChangeEvent) => void;
  restartScheduled: (event: RestartScheduledEvent) => void;
  restartAttempt: (event: RestartAttemptEvent) => void;
  remoteRestart: (event: RemoteRestartEvent) => void;
  recovered: (event: RecoveredEvent) => void;
  gaveUp: (event: GaveUpEvent) => void;
  signalingChange: (event: SignalingChangeEvent) => void;
  remoteLeft: (event: RemoteLeftEvent) => void;
  connectionReplaced: (event: ConnectionReplacedEvent) => void;
  track: (event: TrackEvent) => void;
  error: (event: ErrorEvent) => void;
}
