// Reads, from one getStats() report, how much the selected candidate pair has received so far.
// Pure, so the stall logic is tested on canned reports.

/** A snapshot of what arrived on the selected pair. */
export interface PathActivity {
  readonly pairId: string;
  /** Grows whenever anything arrives on the pair: media, data, or STUN checks and answers. */
  readonly received: number;
  /** Grows only with media and data (RTP, RTCP, SCTP), not with STUN. */
  readonly payload: number;
}

interface StatsLike {
  forEach(callback: (value: Record<string, unknown>) => void): void;
  get(id: string): unknown;
}

/** The selected pair's counters, or null when no pair is selected. */
export function selectedPathActivity(report: StatsLike): PathActivity | null {
  let pairId = null as string | null;
  report.forEach((stats) => {
    if (stats.type === 'transport' && typeof stats.selectedCandidatePairId === 'string') {
      pairId ??= stats.selectedCandidatePairId;
    }
  });
  if (pairId === null) {
    // Some browsers expose only `selected`/`nominated` on the pair instead of the transport link.
    report.forEach((stats) => {
      if (
        stats.type === 'candidate-pair' &&
        stats.selected === true &&
        typeof stats.id === 'string'
      ) {
        pairId ??= stats.id;
      }
    });
  }
  if (pairId === null) return null;
  const pair = report.get(pairId) as Record<string, unknown> | undefined;
  if (pair === undefined) return null;
  // bytesReceived excludes STUN (webrtc-stats §7.12); an idle data-only call receives nothing
  // but connectivity checks, so count those too or it would look stalled.
  const payload = count(pair.bytesReceived) + count(pair.packetsReceived);
  const received =
    count(pair.bytesReceived) +
    count(pair.packetsReceived) +
    count(pair.requestsReceived) +
    count(pair.responsesReceived);
  return { pairId, received, payload };
}

/** Whether anything arrived between two snapshots (a changed pair counts as news). */
export function hasNewActivity(before: PathActivity | null, after: PathActivity | null): boolean {
  if (after === null) return false;
  if (before?.pairId !== after.pairId) return after.received > 0;
  return after.received > before.received;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Whether media or data (not just STUN) arrived between two snapshots. */
export function hasNewPayload(before: PathActivity | null, after: PathActivity | null): boolean {
  if (after === null) return false;
  if (before?.pairId !== after.pairId) return after.payload > 0;
  return after.payload > before.payload;
}
