// The figures of one incident, from what a bench page recorded of one call (bench/pages/bench.js)
// on both sides: pure functions of the pages' events and stamps and the incident's window, so
// they are the same for a single call and for each pair of an N-call page.

import type { SequenceCheck } from '../e2e/pages/shared/sequence.js';
import type { CutWindow, Peer } from '../e2e/netns/harness';
import { PEERS } from '../e2e/netns/topology';

/** One event a bench page logged: `t` is Date.now(), the same clock in every namespace. */
export interface PageEvent {
  readonly t: number;
  readonly event: string;
  readonly [key: string]: unknown;
}

/** What a bench page returns of one call (window.bench.read). */
export interface CallRead {
  /** Events from the instant asked for on. */
  readonly events: readonly PageEvent[];
  /** Whether the call counted as connected at that instant. */
  readonly connectedBefore: boolean;
  readonly connectionState: RTCPeerConnectionState | null;
  readonly sequence: SequenceCheck;
  readonly messageAt: number | null;
  readonly frameAt: number | null;
}

/**
 * `outage`: a cut restored at `restoredAt` (a call that stayed connected through it counts as
 * connected at the restore). `event`: something with no restore (an address change, a restart),
 * at `restoredAt`: connected counts from the first time the call left connected after it.
 */
export type IncidentMode = 'outage' | 'event';

/** The figures of one incident; null = did not happen within the observation window. */
export interface Figures {
  /** First recovery action (restartIce() call, or phase 'recovering') on either peer, from the cut. */
  readonly cutToRecoveryStarted: number | null;
  /** Restore → both peers connected (0 when neither ever left connected). */
  readonly restoreToConnected: number | null;
  /** Restore → the first message received after restore, the later of the two directions. */
  readonly restoreToMessage: number | null;
  /** Restore → the first newly decoded video frame, the later of the two directions. */
  readonly restoreToFrame: number | null;
  /** Connected, messages and frames both ways within `observeMs` of restore. */
  readonly recovered: boolean;
  /** Offers sent to the relay by both peers from the cut to the end of the run. */
  readonly offers: number;
}

/** What one peer showed during one incident. */
export interface PeerFigures {
  readonly recoveryStartedAt: number | null;
  /** True when the peer stayed connected through the whole incident. */
  readonly neverLeftConnected: boolean;
  readonly connectedAt: number | null;
  readonly messageAt: number | null;
  readonly frameAt: number | null;
  readonly offers: number;
  readonly restartCalls: number;
  readonly gaveUp: boolean;
  /** The data channels' sequence check (e2e/pages/shared/sequence.js): expected all 0. */
  readonly sequenceMissing: number;
  readonly sequenceDuplicates: number;
  readonly sequenceOutOfOrder: number;
  /** The page's events from just before the cut on, `t` in ms from the cut: the evidence. */
  readonly events: readonly {
    readonly t: number;
    readonly event: string;
    readonly detail?: string;
  }[];
}

/** Events too frequent or too dull to keep as evidence. */
const NOISE = new Set(['statsError']);

/** One peer's figures of window `w`. */
export function readPeer(call: CallRead, w: CutWindow, mode: IncidentMode): PeerFigures {
  const { events } = call;
  const after = (t0: number): PageEvent[] => events.filter((e) => e.t >= t0);
  const recoveryStart = after(w.cutBeganAt).find(
    (e) => e.event === 'restartIce' || (e.event === 'phase' && e.to === 'recovering'),
  );
  const transitions = events.filter((e) => e.event === 'connected' || e.event === 'notConnected');
  const connectedAfter = (t0: number): PageEvent | undefined =>
    transitions.find((e) => e.t >= t0 && e.event === 'connected');
  let neverLeft: boolean;
  let connectedAt: number | null;
  if (mode === 'outage') {
    // Connected-ness at restore: the last transition before the restore began.
    const beforeRestore = transitions.filter((e) => e.t < w.restoreBeganAt).at(-1);
    const connectedAtRestore =
      beforeRestore === undefined ? call.connectedBefore : beforeRestore.event === 'connected';
    const lostDuringCut = transitions.some(
      (e) => e.event === 'notConnected' && e.t >= w.cutBeganAt && e.t < w.restoreBeganAt,
    );
    neverLeft = connectedAtRestore && !lostDuringCut;
    connectedAt = neverLeft ? w.restoredAt : (connectedAfter(w.restoreBeganAt)?.t ?? null);
  } else {
    const left = transitions.find((e) => e.event === 'notConnected' && e.t >= w.cutBeganAt);
    neverLeft = left === undefined && call.connectedBefore;
    connectedAt = neverLeft ? w.restoredAt : (connectedAfter(left?.t ?? w.cutBeganAt)?.t ?? null);
  }
  return {
    recoveryStartedAt: recoveryStart?.t ?? null,
    neverLeftConnected: neverLeft,
    connectedAt,
    messageAt: call.messageAt,
    frameAt: call.frameAt,
    offers: after(w.cutBeganAt).filter((e) => e.event === 'offerSent').length,
    restartCalls: after(w.cutBeganAt).filter(
      (e) => e.event === 'restartIce' || e.event === 'restartAttempt',
    ).length,
    gaveUp: after(w.cutBeganAt).some((e) => e.event === 'gaveUp'),
    sequenceMissing: call.sequence.missing,
    sequenceDuplicates: call.sequence.duplicates,
    sequenceOutOfOrder: call.sequence.outOfOrder,
    events: events
      .filter((e) => e.t >= w.cutBeganAt - 1_000 && !NOISE.has(e.event))
      .slice(0, 300)
      .map(({ t, event, ...data }) => {
        const detail = JSON.stringify(data);
        return detail === '{}' ? { t: t - w.cutAt, event } : { t: t - w.cutAt, event, detail };
      }),
  };
}

/** Whether both peers are back: connected, with messages and frames. */
export function complete(peers: Readonly<Record<Peer, PeerFigures>>): boolean {
  return PEERS.every((p) => {
    const f = peers[p];
    return f.connectedAt !== null && f.messageAt !== null && f.frameAt !== null;
  });
}

/** Both directions must be back, so each restore figure is the later of the two peers. */
export function combine(
  peers: Readonly<Record<Peer, PeerFigures>>,
  w: CutWindow,
  observeMs: number,
): Figures {
  const later = (pick: (f: PeerFigures) => number | null): number | null => {
    const values = PEERS.map((p) => pick(peers[p]));
    if (values.some((v) => v === null)) return null;
    // The path reopened somewhere in (restoreBeganAt, restoredAt]; an event inside that window
    // counts as 0 ms.
    return Math.max(0, Math.max(...(values as number[])) - w.restoredAt);
  };
  const starts = PEERS.map((p) => peers[p].recoveryStartedAt).filter(
    (t): t is number => t !== null,
  );
  const restoreToConnected = later((f) => f.connectedAt);
  const restoreToMessage = later((f) => f.messageAt);
  const restoreToFrame = later((f) => f.frameAt);
  const within = (v: number | null): boolean => v !== null && v <= observeMs;
  return {
    cutToRecoveryStarted: starts.length > 0 ? Math.max(0, Math.min(...starts) - w.cutAt) : null,
    restoreToConnected,
    restoreToMessage,
    restoreToFrame,
    recovered: within(restoreToConnected) && within(restoreToMessage) && within(restoreToFrame),
    offers: peers.a.offers + peers.b.offers,
  };
}
