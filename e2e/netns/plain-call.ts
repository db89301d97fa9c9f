// Drives pages/plain.html (a library-free call) in both harness pages: loads it with a fresh relay
// room and waits until the call is connected with its data channel open.

import { expect } from '@playwright/test';
import type { SequenceCheck } from '../pages/shared/sequence.js';
import type { AnyHarness, Peer } from './harness';
import { openCall } from './open-call';

/** What plain.html exposes on `window.rpt`; only what tests call is typed here. */
export interface PlainPeerState {
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly signalingState: RTCSignalingState;
  readonly channel: RTCDataChannelState | null;
  readonly sent: number;
  readonly receivedCount: number;
  readonly localUfrag: string | null;
  /** What the relay's welcome said; null before it arrived. */
  readonly relayPolite: boolean | null;
  /** Generation of the RTCPeerConnection: 0, then one more for every renew(). */
  readonly gen: number;
  /** Inbound video frames decoded by the current RTCPeerConnection (video=1 only). */
  readonly framesDecoded: number;
  /** When framesDecoded last grew, `Date.now()` ms; 0 before the first frame. */
  readonly lastFrameAt: number;
  /** This side's DTLS role after the first negotiation, as an a=setup value. */
  readonly establishedSetup: 'active' | 'passive' | null;
}

/** What the transports of the current RTCPeerConnection say (null where one does not exist). */
export interface TransportStates {
  readonly sctp: RTCSctpTransportState | null;
  readonly sctpDtls: RTCDtlsTransportState | null;
  readonly sctpIce: RTCIceTransportState | null;
  readonly senders: readonly (RTCDtlsTransportState | null)[];
  readonly channel: RTCDataChannelState | null;
}

/** One stats sample of the selected candidate pair (fields absent before a pair is selected). */
export interface PairSample {
  readonly t: number;
  readonly id?: string;
  readonly state?: RTCStatsIceCandidatePairState;
  readonly nominated?: boolean;
  readonly bytesReceived?: number;
  readonly packetsReceived?: number;
  readonly requestsReceived?: number;
  readonly responsesReceived?: number;
  readonly lastPacketReceivedTimestamp?: number;
  /** Frames decoded so far on the inbound video stream, if any. */
  readonly framesDecoded?: number;
}

/** One ICE candidate as getStats (or an icecandidate event) shows it. */
export interface CandidateInfo {
  readonly type: RTCIceCandidateType;
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
  /** How a relay candidate reaches its TURN server ('udp' | 'tcp' | 'tls'); null otherwise. */
  readonly relayProtocol: string | null;
  readonly url?: string | null;
}

/** One candidate pair from getStats. */
export interface PairInfo {
  readonly id: string;
  readonly state: RTCStatsIceCandidatePairState;
  readonly nominated: boolean;
  /** Whether it is its transport's selected pair. */
  readonly selected: boolean;
  readonly local: CandidateInfo | null;
  readonly remote: CandidateInfo | null;
}

/** An icecandidateerror event. */
export interface IceError {
  readonly url: string;
  readonly errorCode: number;
  readonly errorText: string;
}

/** What `gather` saw on a throw-away connection. */
export interface GatherResult {
  readonly candidates: readonly CandidateInfo[];
  readonly errors: readonly IceError[];
  /** Whether gathering completed before the timeout. */
  readonly complete: boolean;
  readonly ms: number;
}

interface PlainApi {
  state(): PlainPeerState;
  received(): [number, number][];
  sequenceCheck(): SequenceCheck;
  stopSending(): void;
  restartIce(): void;
  requestRestart(): void;
  setMunging(knobs: {
    readonly offerSetup?: 'local' | 'wire' | null;
    readonly answerSetup?: boolean;
  }): void;
  renew(): void;
  transportStates(): TransportStates;
  statsDump(): Promise<Record<string, unknown>[]>;
  selectedPair(): Promise<Omit<PairSample, 't'> | null>;
  sampleStats(durationMs: number, intervalMs: number): Promise<PairSample[]>;
  candidatePairs(): Promise<PairInfo[]>;
  selectedPath(): Promise<PairInfo | null>;
  iceErrors(): IceError[];
  gather(config: RTCConfiguration, timeoutMs: number): Promise<GatherResult>;
}

declare global {
  interface Window {
    rpt: PlainApi;
  }
}

/** Options for one plain call. */
export interface PlainCallOptions {
  /** Both peers send the fake camera. @default false */
  readonly video?: boolean;
  /** Peer A sends a numbered message every this many ms; 0 = idle channel. @default 0 */
  readonly seqMs?: number;
  /** Both peers' RTCConfiguration.iceServers. @default [] */
  readonly iceServers?: readonly RTCIceServer[];
  /** @default 'all' */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** The peer that makes the first offer (and so takes the DTLS role the answer leaves it). @default 'a' */
  readonly offerer?: Peer;
}

let rooms = 0;

/** Loads plain.html in both pages (A impolite, B polite) and waits for a connected call. */
export async function openPlainCall(
  harness: AnyHarness,
  options: PlainCallOptions = {},
  timeoutMs = 20_000,
): Promise<void> {
  const room = `rpt-${process.pid}-${++rooms}`;
  const query = (peer: Peer): string =>
    new URLSearchParams({
      peer,
      room,
      video: options.video ? '1' : '0',
      seqMs: String(options.seqMs ?? 0),
      ...(options.iceServers || options.iceTransportPolicy
        ? {
            ice: JSON.stringify({
              iceServers: options.iceServers ?? [],
              iceTransportPolicy: options.iceTransportPolicy ?? 'all',
            }),
          }
        : {}),
      offerer: options.offerer ?? 'a',
    }).toString();
  await openCall(harness, {
    url: (peer) => `${harness.routerUrl}/e2e/netns/pages/plain.html?${query(peer)}`,
    joined: () => 'rpt' in window && window.rpt.state().relayPolite !== null,
    state: (page) => page.evaluate(() => window.rpt.state()),
    up: (s) => s.connectionState === 'connected' && s.channel === 'open',
    joinTimeoutMs: timeoutMs,
    upTimeoutMs: timeoutMs,
    explain: () => `${harness.timeline.format()}\n${harness.timeline.console.join('\n')}`,
  });
}

/** The state of `peer`'s plain call. */
export function plainState(harness: AnyHarness, peer: Peer): Promise<PlainPeerState> {
  return harness.peers[peer].evaluate(() => window.rpt.state());
}

/** Loads plain.html in `peer`'s page alone, in a room of its own (e.g. for `plainGather`). */
export async function openPlainPage(harness: AnyHarness, peer: Peer): Promise<void> {
  const query = new URLSearchParams({ peer, room: `rpt-${process.pid}-${++rooms}-alone` });
  await harness.peers[peer].goto(
    `${harness.routerUrl}/e2e/netns/pages/plain.html?${query.toString()}`,
  );
  await harness.peers[peer].waitForFunction(() => 'rpt' in window, null);
}

/** `peer`'s selected candidate pair, or null before one is selected. */
export function plainSelectedPath(harness: AnyHarness, peer: Peer): Promise<PairInfo | null> {
  return harness.peers[peer].evaluate(() => window.rpt.selectedPath());
}

/** Every candidate pair of `peer`'s call. */
export function plainCandidatePairs(harness: AnyHarness, peer: Peer): Promise<PairInfo[]> {
  return harness.peers[peer].evaluate(() => window.rpt.candidatePairs());
}

/** Gathers with `config` on a throw-away connection in `peer`'s page. */
export function plainGather(
  harness: AnyHarness,
  peer: Peer,
  config: RTCConfiguration,
  timeoutMs = 5000,
): Promise<GatherResult> {
  return harness.peers[peer].evaluate(
    ([c, ms]: readonly [RTCConfiguration, number]) => window.rpt.gather(c, ms),
    [config, timeoutMs] as const,
  );
}

/** What `peer` received of the numbered sequence (e2e/pages/shared/sequence.js), per channel. */
export function plainSequence(harness: AnyHarness, peer: Peer): Promise<SequenceCheck> {
  return harness.peers[peer].evaluate(() => window.rpt.sequenceCheck());
}

/** `peer` received one sequence, nothing missing, repeated or reordered (sequence.js). */
export async function expectPlainSequenceIntact(harness: AnyHarness, peer: Peer): Promise<void> {
  const s = await plainSequence(harness, peer);
  expect(s, `${peer}: one sequence, intact (received ${s.received})`).toMatchObject({
    channels: 1,
    missing: 0,
    duplicates: 0,
    outOfOrder: 0,
    invalid: 0,
  });
}

/** [seq, Date.now()] for every message `peer` received so far. */
export function plainReceived(harness: AnyHarness, peer: Peer): Promise<[number, number][]> {
  return harness.peers[peer].evaluate(() => window.rpt.received());
}
