// Reads, from getStats() reports, whether anything new arrived on the connection and which path
// it uses. Pure, so the stall logic is tested on canned reports.
//
// Activity is counted per candidate pair, over every pair, and compared pair by pair: Chromium
// often keeps an old-generation pair "selected" after an ICE restart while media flows on
// another one, and when the remote goes away it may switch the selected pair to an older one
// whose cumulative counters are non-zero. Neither may look like silence or like news.

/** What arrived on one candidate pair so far. */
export interface PairCounters {
  /** Grows whenever anything arrives: media, data, or STUN checks and answers. */
  readonly received: number;
  /** Grows only with media and data (RTP, RTCP, SCTP), not with STUN. */
  readonly payload: number;
}

/** Every pair's counters at one moment. */
export type PathSnapshot = ReadonlyMap<string, PairCounters>;

/** What one report says about the path. */
export interface StatsLike {
  forEach(callback: (value: Record<string, unknown>) => void): void;
  get(id: string): unknown;
}

/** The counters of every candidate pair in `report`. */
export function readPathSnapshot(report: StatsLike): PathSnapshot {
  const pairs = new Map<string, PairCounters>();
  report.forEach((stats) => {
    if (stats.type !== 'candidate-pair' || typeof stats.id !== 'string') return;
    // bytesReceived excludes STUN (webrtc-stats §7.12); an idle data-only call receives nothing
    // but connectivity checks, so those count too or it would look stalled. Firefox has no STUN
    // counters but moves lastPacketReceivedTimestamp with every packet.
    const payload = count(stats.bytesReceived) + count(stats.packetsReceived);
    const received =
      payload +
      count(stats.requestsReceived) +
      count(stats.responsesReceived) +
      count(stats.lastPacketReceivedTimestamp);
    pairs.set(stats.id, { received, payload });
  });
  return pairs;
}

/** What changed between two snapshots. */
export interface ActivityDelta {
  /** Anything arrived (media, data or STUN). */
  readonly fresh: boolean;
  /** Media or data arrived. */
  readonly freshPayload: boolean;
}

/**
 * Compares pair by pair. A pair missing from `before` is new since then (a new ICE generation),
 * so whatever it received is news; with no `before` at all, any traffic is.
 */
export function compareSnapshots(before: PathSnapshot | null, after: PathSnapshot): ActivityDelta {
  let fresh = false;
  let freshPayload = false;
  for (const [id, now] of after) {
    const then = before?.get(id) ?? { received: 0, payload: 0 };
    if (now.received > then.received) fresh = true;
    if (now.payload > then.payload) freshPayload = true;
  }
  return { fresh, freshPayload };
}

/**
 * The pair whose media and data grew most between the snapshots, or null when none grew: the
 * pair the call really runs on, which after a restart may not be the one Chromium calls selected.
 */
export function busiestPayloadPair(
  before: PathSnapshot | null,
  after: PathSnapshot,
): string | null {
  let busiest: string | null = null;
  let most = 0;
  for (const [id, now] of after) {
    const grown = now.payload - (before?.get(id)?.payload ?? 0);
    if (grown > most) {
      most = grown;
      busiest = id;
    }
  }
  return busiest;
}

/** A candidate's type as webrtc-stats names it. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** The path a call uses: both ends' candidate types and the transport protocol. */
export interface PathInfo {
  readonly local: CandidateType;
  readonly remote: CandidateType;
  /** Between this browser and the first hop (the TURN server, on a relayed path). */
  readonly protocol: 'udp' | 'tcp';
  /** How this browser reaches its TURN server, on a relayed path. */
  readonly relayProtocol?: 'udp' | 'tcp' | 'tls';
}

/** The selected pair's path, or null when no pair is selected. */
export function selectedPath(report: StatsLike): PathInfo | null {
  // Firefox marks the pair instead of linking it from the transport.
  const pairId =
    find(report, (stats) =>
      stats.type === 'transport' ? stats.selectedCandidatePairId : undefined,
    ) ??
    find(report, (stats) =>
      stats.type === 'candidate-pair' && stats.selected === true ? stats.id : undefined,
    );
  return pairId === undefined ? null : pairPath(report, pairId);
}

/** The path of the candidate pair `pairId`, or null when the report cannot say. */
export function pairPath(report: StatsLike, pairId: string): PathInfo | null {
  const pair = record(report.get(pairId));
  const local = record(report.get(String(pair?.localCandidateId)));
  const remote = record(report.get(String(pair?.remoteCandidateId)));
  const localType = candidateType(local?.candidateType);
  const remoteType = candidateType(remote?.candidateType);
  const protocol = local?.protocol;
  if (localType === null || remoteType === null || (protocol !== 'udp' && protocol !== 'tcp')) {
    return null;
  }
  const relayProtocol = local?.relayProtocol;
  return relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls'
    ? { local: localType, remote: remoteType, protocol, relayProtocol }
    : { local: localType, remote: remoteType, protocol };
}

/** The first string `pick` returns for a stats object of `report`. */
function find(
  report: StatsLike,
  pick: (stats: Record<string, unknown>) => unknown,
): string | undefined {
  let found: string | undefined;
  report.forEach((stats) => {
    const value = pick(stats);
    if (found === undefined && typeof value === 'string') found = value;
  });
  return found;
}

function candidateType(value: unknown): CandidateType | null {
  return value === 'host' || value === 'srflx' || value === 'prflx' || value === 'relay'
    ? value
    : null;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
