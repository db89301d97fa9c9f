// Key numbers from pc.getStats(), once per second: round-trip time, bitrates in and out, and the
// selected candidate pair. Bitrates are the byte-count deltas between two samples of the transport's
// counters (or the RTP streams'), which survive an ICE restart's switch to a new candidate pair;
// the selected pair's own counters start again from zero on every new pair.

import type { Stats } from './state';

interface Totals {
  readonly at: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Samples `pc` every second and hands each summary to `report` until stopped. */
export function watchStats(pc: RTCPeerConnection, report: (stats: Stats) => void): () => void {
  let previous: Totals | null = null;
  let stopped = false;
  const sample = async (): Promise<void> => {
    if (pc.connectionState === 'closed') return;
    const reports = await pc.getStats();
    if (stopped) return;
    const { stats, totals } = summarize(reports, previous);
    previous = totals;
    report(stats);
  };
  const timer = setInterval(() => {
    sample().catch(() => {
      // getStats rejects only once the connection is closed; the next stop() ends the loop.
    });
  }, 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function summarize(
  reports: RTCStatsReport,
  previous: Totals | null,
): { stats: Stats; totals: Totals } {
  const byId = new Map<string, Record<string, unknown>>();
  reports.forEach((report: Record<string, unknown>) => {
    byId.set(String(report.id), report);
  });
  const all = [...byId.values()];
  const transport = all.find((r) => r.type === 'transport');
  const pair =
    (typeof transport?.selectedCandidatePairId === 'string'
      ? byId.get(transport.selectedCandidatePairId)
      : undefined) ?? all.find((r) => r.type === 'candidate-pair' && r.nominated === true);
  const local = pair ? byId.get(String(pair.localCandidateId)) : undefined;
  const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;

  const at = performance.now();
  const sum = (type: string, key: string): number =>
    all.filter((r) => r.type === type).reduce((total, r) => total + (num(r[key]) ?? 0), 0);
  const totals: Totals = {
    at,
    bytesIn: num(transport?.bytesReceived) ?? sum('inbound-rtp', 'bytesReceived'),
    bytesOut: num(transport?.bytesSent) ?? sum('outbound-rtp', 'bytesSent'),
  };
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const rate = (now: number, before: number | undefined): number | null =>
    before === undefined || seconds <= 0 || now < before
      ? null
      : Math.round(((now - before) * 8) / 1000 / seconds);

  const video = all.find((r) => r.type === 'inbound-rtp' && r.kind === 'video');
  const rtt = num(pair?.currentRoundTripTime);
  return {
    totals,
    stats: {
      rttMs: rtt === undefined ? null : Math.round(rtt * 1000),
      inKbps: rate(totals.bytesIn, previous?.bytesIn),
      outKbps: rate(totals.bytesOut, previous?.bytesOut),
      receiving: previous !== null && totals.bytesIn > previous.bytesIn,
      pair: local && remote ? `${candidate(local)} ↔ ${str(remote.candidateType)}` : null,
      localAddress: local ? address(local) : null,
      remoteAddress: remote ? address(remote) : null,
      video:
        video && num(video.frameWidth) !== undefined
          ? `${str(video.frameWidth)}×${str(video.frameHeight)} @ ${Math.round(num(video.framesPerSecond) ?? 0)} fps`
          : null,
    },
  };
}

/** A local candidate's type; for a relay, also how this browser reaches its TURN server. */
function candidate(local: Record<string, unknown>): string {
  const type = str(local.candidateType);
  return typeof local.relayProtocol === 'string'
    ? `${type} (${local.relayProtocol} to TURN)`
    : type;
}

function address(candidate: Record<string, unknown>): string {
  const host = str(candidate.address ?? candidate.ip);
  const port = str(candidate.port);
  const protocol = str(candidate.protocol);
  return `${host.includes(':') ? `[${host}]` : host}:${port} ${protocol}`;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}
