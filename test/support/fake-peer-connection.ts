// Owns the scripted RTCPeerConnection of the unit tests: offer/answer state (implicit offer and
// answer, rollback, an operations chain), ICE credentials that change on restartIce() once the
// restart is negotiated, `negotiationneeded` when local changes or a restart wait for an offer,
// remote candidates checked against the remote ufrag, a getStats() report whose counters grow
// while traffic flows, its configuration, its DTLS/SCTP transports' states, senders with
// settable parameters, and helpers that set the native states and fire the events a browser would.

import { watchListeners, type ListenerWatch } from './listeners.js';
import { hostCandidate, mediaOf, sdpText, ufragOf } from './sdp.js';

/** A session description as a browser returns it. */
export interface FakeDescription {
  readonly type: RTCSdpType;
  readonly sdp: string;
  toJSON(): RTCSessionDescriptionInit;
}

/** What flows into the connection while the test says so: sampled at each getStats(). */
export type Traffic = 'payload' | 'stun' | 'none';

/** The selected path, as the report's candidates describe it. */
export interface FakePath {
  readonly local: string;
  readonly remote: string;
  readonly protocol: string;
  readonly relayProtocol?: string;
}

/** A remote track. */
export class FakeTrack {
  static #next = 1;
  readonly id = `track-${FakeTrack.#next++}`;
  readonly kind: string;
  readyState: MediaStreamTrackState = 'live';

  constructor(kind: string) {
    this.kind = kind;
  }

  stop(): void {
    this.readyState = 'ended';
  }
}

/** An RTCRtpSender whose parameters the test can read back. */
export class FakeSender {
  readonly track: { readonly kind: string } | null;
  /** Its DTLS transport; `failed` or `closed` once the browser gave the transport up. */
  transport: { state: RTCDtlsTransportState } | null = { state: 'connected' };
  /** `encodings[0].active` after every setParameters(), in order. */
  readonly activeHistory: (boolean | undefined)[] = [];
  /** setParameters() rejects with this, when set. */
  failWith: Error | null = null;
  #encodings: RTCRtpEncodingParameters[];

  constructor(kind: string | null, encodings: RTCRtpEncodingParameters[] = [{ active: true }]) {
    this.track = kind === null ? null : { kind };
    this.#encodings = encodings;
  }

  /** A fresh copy each call, as browsers return. */
  getParameters(): RTCRtpSendParameters {
    return {
      transactionId: 'tx',
      encodings: this.#encodings.map((encoding) => ({ ...encoding })),
      codecs: [],
      headerExtensions: [],
      rtcp: {},
    };
  }

  setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    if (this.failWith !== null) return Promise.reject(this.failWith);
    this.#encodings = parameters.encodings.map((encoding) => ({ ...encoding }));
    this.activeHistory.push(this.#encodings[0]?.active);
    return Promise.resolve();
  }
}

interface PairCounters {
  bytesReceived: number;
  packetsReceived: number;
  requestsReceived: number;
  responsesReceived: number;
}

let nextId = 1;

/** See the file comment. */
export class FakePeerConnection extends EventTarget {
  /** The fake behind an RTCPeerConnection the library hands out (`peer.pc`, say). */
  static of(pc: RTCPeerConnection): FakePeerConnection {
    if (pc instanceof FakePeerConnection) return pc;
    throw new TypeError('not a FakePeerConnection');
  }

  readonly id = nextId++;
  readonly listeners: ListenerWatch = watchListeners(this);
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  localDescription: FakeDescription | null = null;
  remoteDescription: FakeDescription | null = null;
  /** Remote candidates applied, in order. */
  readonly candidates: RTCIceCandidateInit[] = [];
  readonly senders: FakeSender[] = [];
  /** What each getStats() finds arrived since the last one. */
  traffic: Traffic = 'none';
  path: FakePath = { local: 'host', remote: 'host', protocol: 'udp' };
  /** How many of the next restartIce() calls are silently dropped, as some browsers do. */
  dropRestarts = 0;
  /** The next setLocalDescription() rejects with this, when set. */
  failNextLocal: Error | null = null;
  /** Remote candidates whose line matches are rejected, as a browser rejects a bad candidate. */
  rejectCandidates: RegExp | null = null;
  /** While set, getStats() answers only when `releaseStats()` is called. */
  holdStats = false;
  /** setConfiguration() throws this, when set. */
  failConfiguration: Error | null = null;
  /** Whether this side is Firefox: its descriptions carry Firefox's origin line. */
  firefox = false;
  /** The SCTP association of its data channels, with its DTLS transport; null without one. */
  sctp: { state: RTCSctpTransportState; transport: { state: RTCDtlsTransportState } } | null = null;
  statsCalls = 0;
  closed = false;
  #chain: Promise<unknown> = Promise.resolve();
  #ufragGeneration = 0;
  #ufrag = `u${this.id}g0`;
  #pendingUfrag: string | null = null;
  #restartWanted = false;
  #localMedia: string[] = [];
  #negotiatedLocal = 0;
  #offeredLocal = 0;
  #session: string[] = [];
  #version = 0;
  #stableLocal: FakeDescription | null = null;
  #stableRemote: FakeDescription | null = null;
  #negotiationNeededQueued = false;
  /** Operations queued and not finished; negotiationneeded waits for none (webrtc-pc §4.7.3). */
  #pendingOps = 0;
  #negotiationNeededWaiting = false;
  readonly #pairs = new Map<string, PairCounters>();
  #selectedPair: string | null = null;
  #pairGeneration = 0;
  readonly #heldStats: (() => void)[] = [];
  #configuration: RTCConfiguration;

  constructor(configuration: RTCConfiguration = {}) {
    super();
    this.#configuration = { ...configuration };
  }

  /** This object as the library sees it. */
  get native(): RTCPeerConnection {
    return this as unknown as RTCPeerConnection;
  }

  /** The ICE ufrag of the local description, or null. */
  get localUfrag(): string | null {
    return ufragOf(this.localDescription?.sdp);
  }

  /** The ICE ufrag of the remote description, or null. */
  get remoteUfrag(): string | null {
    return ufragOf(this.remoteDescription?.sdp);
  }

  /** The m-lines both sides agreed on so far. */
  get negotiatedMedia(): readonly string[] {
    return this.#session;
  }

  /** The candidate pair in use, once connected. */
  get selectedPair(): string | null {
    return this.#selectedPair;
  }

  /** The app adds a transceiver or data channel of `kind`: an offer is needed. */
  addMedia(kind: string): void {
    this.#localMedia.push(kind);
    this.#queueNegotiationNeeded();
  }

  addSender(kind: string | null, encodings?: RTCRtpEncodingParameters[]): FakeSender {
    const sender = new FakeSender(kind, encodings);
    this.senders.push(sender);
    return sender;
  }

  getSenders(): FakeSender[] {
    return [...this.senders];
  }

  getConfiguration(): RTCConfiguration {
    return { ...this.#configuration };
  }

  setConfiguration(configuration: RTCConfiguration): void {
    if (this.closed) throw domError('InvalidStateError', 'The connection is closed.');
    if (this.failConfiguration !== null) throw this.failConfiguration;
    this.#configuration = { ...configuration };
  }

  /** The browser gives the DTLS transport up (Firefox does on `failed`). */
  loseTransport(): void {
    for (const sender of this.senders)
      if (sender.transport !== null) sender.transport.state = 'closed';
    if (this.sctp !== null) {
      this.sctp.state = 'closed';
      this.sctp.transport.state = 'closed';
    }
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    return this.#op(() => {
      this.#setLocal(description);
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.#op(() => {
      this.#setRemote(description);
    });
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    return this.#op(() => {
      if (this.closed) throw domError('InvalidStateError', 'The connection is closed.');
      const remote = this.remoteDescription;
      if (remote === null) throw domError('InvalidStateError', 'The remote description was null');
      if (candidate == null) return;
      const ufrag = candidate.usernameFragment ?? null;
      if (ufrag !== null && ufrag !== ufragOf(remote.sdp)) {
        throw domError('OperationError', `Unknown ufrag (${ufrag})`);
      }
      if (this.rejectCandidates?.test(candidate.candidate ?? '') === true) {
        throw domError('OperationError', 'Error processing ICE candidate');
      }
      this.candidates.push(candidate);
    });
  }

  restartIce(): void {
    if (this.closed) return;
    if (this.dropRestarts > 0) {
      this.dropRestarts -= 1;
      return;
    }
    this.#restartWanted = true;
    this.#queueNegotiationNeeded();
  }

  getStats(): Promise<RTCStatsReport> {
    this.statsCalls += 1;
    if (this.closed) return Promise.reject(domError('InvalidStateError', 'closed'));
    return new Promise((resolve) => {
      const answer = (): void => {
        resolve(this.#report());
      };
      if (this.holdStats) this.#heldStats.push(answer);
      else answer();
    });
  }

  /** Answers every getStats() held by `holdStats`. */
  releaseStats(): void {
    for (const answer of this.#heldStats.splice(0)) answer();
  }

  /** One arrival on the selected pair, outside the `traffic` setting. */
  receive(kind: Exclude<Traffic, 'none'>): void {
    const pair = this.#pairs.get(this.#selectedPair ?? '');
    if (pair === undefined) return;
    if (kind === 'payload') {
      pair.bytesReceived += 1000;
      pair.packetsReceived += 10;
    } else {
      pair.requestsReceived += 1;
    }
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    this.iceConnectionState = 'closed';
  }

  /** Sets the native states, firing a change event for each one that changed. */
  setStates(
    connectionState: RTCPeerConnectionState,
    iceConnectionState: RTCIceConnectionState,
  ): void {
    const iceChanged = iceConnectionState !== this.iceConnectionState;
    const connectionChanged = connectionState !== this.connectionState;
    this.iceConnectionState = iceConnectionState;
    this.connectionState = connectionState;
    if (iceChanged) this.dispatchEvent(new Event('iceconnectionstatechange'));
    if (connectionChanged) this.dispatchEvent(new Event('connectionstatechange'));
  }

  /** ICE and DTLS connect; a candidate pair is selected. */
  connect(): void {
    if (this.#selectedPair === null) this.#newPair();
    this.setStates('connected', 'connected');
  }

  disconnect(): void {
    this.setStates('disconnected', 'disconnected');
  }

  /** Chromium's failure: connectionState fails while ICE stays disconnected. */
  fail(): void {
    this.setStates('failed', 'disconnected');
  }

  /** Fires `icecandidate` with `candidate` (null: the end-of-candidates marker). */
  emitCandidate(candidate: RTCIceCandidateInit | null): void {
    const value =
      candidate === null
        ? null
        : {
            candidate: candidate.candidate ?? '',
            sdpMid: candidate.sdpMid ?? null,
            sdpMLineIndex: candidate.sdpMLineIndex ?? null,
            usernameFragment: candidate.usernameFragment ?? null,
          };
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: value }));
  }

  /** Gathers one host candidate of the current local ICE generation. */
  gather(n = 1): void {
    this.emitCandidate({
      candidate: hostCandidate(n),
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: this.localUfrag,
    });
  }

  /** A remote track arrives. */
  emitTrack(kind = 'video'): FakeTrack {
    const track = new FakeTrack(kind);
    this.dispatchEvent(
      Object.assign(new Event('track'), { track, streams: [], transceiver: { mid: '0' } }),
    );
    return track;
  }

  #op(work: () => void): Promise<void> {
    this.#pendingOps += 1;
    const result = this.#chain.then(work);
    this.#chain = result
      .catch(() => undefined)
      .then(() => {
        this.#pendingOps -= 1;
        if (this.#pendingOps === 0 && this.#negotiationNeededWaiting) {
          this.#negotiationNeededWaiting = false;
          this.#queueNegotiationNeeded();
        }
      });
    return result;
  }

  #setLocal(description: RTCLocalSessionDescriptionInit | undefined): void {
    if (this.closed) throw domError('InvalidStateError', 'The connection is closed.');
    const failure = this.failNextLocal;
    if (failure !== null) {
      this.failNextLocal = null;
      throw failure;
    }
    const state = this.signalingState;
    if (description?.type === 'rollback') {
      if (state === 'have-local-offer') {
        this.localDescription = this.#stableLocal;
        this.#pendingUfrag = null;
        this.#offeredLocal = this.#negotiatedLocal;
      } else if (state === 'have-remote-offer') {
        this.remoteDescription = this.#stableRemote;
      } else {
        throw domError('InvalidStateError', `Called in wrong state: ${state}`);
      }
      this.#setSignaling('stable');
      return;
    }
    if (state === 'have-remote-offer') {
      this.#answer();
      return;
    }
    if (description?.type === 'answer' || description?.type === 'pranswer') {
      throw domError('InvalidStateError', `Called in wrong state: ${state}`);
    }
    if (this.#restartWanted) this.#pendingUfrag ??= this.#newUfrag();
    this.#offeredLocal = this.#localMedia.length;
    const media = [...this.#session, ...this.#localMedia.slice(this.#negotiatedLocal)];
    this.localDescription = makeDescription(
      'offer',
      this.#sdp(this.#pendingUfrag ?? this.#ufrag, media),
    );
    this.#setSignaling('have-local-offer');
  }

  #answer(): void {
    const offer = this.remoteDescription;
    if (offer === null) throw domError('InvalidStateError', 'no remote offer');
    const previous = ufragOf(this.#stableRemote?.sdp);
    if (previous !== null && previous !== ufragOf(offer.sdp)) {
      // The remote restarted ICE: this side answers with new credentials too, which also
      // satisfies a restart of its own.
      this.#ufrag = this.#newUfrag();
      this.#restartWanted = false;
      this.#pendingUfrag = null;
      this.#newPair();
    }
    this.#session = mediaOf(offer.sdp);
    const answer = makeDescription('answer', this.#sdp(this.#ufrag, this.#session, 'active'));
    this.localDescription = answer;
    this.#stableLocal = answer;
    this.#stableRemote = offer;
    this.#setSignaling('stable');
  }

  #setRemote(description: RTCSessionDescriptionInit): void {
    if (this.closed) throw domError('InvalidStateError', 'The connection is closed.');
    const sdp = description.sdp ?? '';
    if (ufragOf(sdp) === null) {
      throw domError('OperationError', 'Failed to parse SessionDescription: no ICE ufrag');
    }
    const state = this.signalingState;
    if (description.type === 'offer') {
      if (state === 'have-local-offer') {
        // Implicit rollback (webrtc-pc §4.4.1.5).
        this.localDescription = this.#stableLocal;
        this.#pendingUfrag = null;
        this.#offeredLocal = this.#negotiatedLocal;
      }
      this.remoteDescription = makeDescription('offer', sdp);
      this.#setSignaling('have-remote-offer');
      return;
    }
    if (description.type !== 'answer' || state !== 'have-local-offer') {
      throw domError(
        'InvalidStateError',
        `Failed to set remote ${description.type}: Called in wrong state: ${state}`,
      );
    }
    const local = this.localDescription;
    this.remoteDescription = makeDescription('answer', sdp);
    this.#stableRemote = this.remoteDescription;
    this.#stableLocal = local;
    this.#session = mediaOf(local?.sdp ?? '');
    this.#negotiatedLocal = this.#offeredLocal;
    if (this.#pendingUfrag !== null) {
      this.#ufrag = this.#pendingUfrag;
      this.#pendingUfrag = null;
      this.#restartWanted = false;
      this.#newPair();
    }
    this.#setSignaling('stable');
  }

  #setSignaling(state: RTCSignalingState): void {
    if (state === this.signalingState) return;
    this.signalingState = state;
    this.dispatchEvent(new Event('signalingstatechange'));
    if (state === 'stable') this.#queueNegotiationNeeded();
  }

  #queueNegotiationNeeded(): void {
    if (this.#negotiationNeededQueued) return;
    this.#negotiationNeededQueued = true;
    queueMicrotask(() => {
      this.#negotiationNeededQueued = false;
      if (this.#pendingOps > 0) {
        this.#negotiationNeededWaiting = true;
        return;
      }
      const needed = this.#negotiatedLocal < this.#localMedia.length || this.#restartWanted;
      if (!this.closed && this.signalingState === 'stable' && needed) {
        this.dispatchEvent(new Event('negotiationneeded'));
      }
    });
  }

  #newUfrag(): string {
    this.#ufragGeneration += 1;
    return `u${this.id}g${this.#ufragGeneration}`;
  }

  #sdp(ufrag: string, media: readonly string[], setup: 'actpass' | 'active' = 'actpass'): string {
    this.#version += 1;
    return sdpText({
      ufrag,
      version: this.#version,
      media,
      setup,
      origin: this.id,
      firefox: this.firefox,
    });
  }

  /** A new ICE generation: a new pair is selected, its counters starting from zero. */
  #newPair(): void {
    this.#pairGeneration += 1;
    const id = `CP${this.id}-${this.#pairGeneration}`;
    this.#pairs.set(id, {
      bytesReceived: 0,
      packetsReceived: 0,
      requestsReceived: 0,
      responsesReceived: 0,
    });
    this.#selectedPair = id;
  }

  #report(): Map<string, Record<string, unknown>> {
    if (this.traffic !== 'none') this.receive(this.traffic);
    const report = new Map<string, Record<string, unknown>>();
    if (this.#selectedPair !== null) {
      report.set('T01', {
        id: 'T01',
        type: 'transport',
        selectedCandidatePairId: this.#selectedPair,
      });
    }
    const { local, remote, protocol, relayProtocol } = this.path;
    for (const [id, counters] of this.#pairs) {
      report.set(id, {
        id,
        type: 'candidate-pair',
        localCandidateId: `L-${id}`,
        remoteCandidateId: `R-${id}`,
        ...counters,
      });
      report.set(`L-${id}`, {
        id: `L-${id}`,
        type: 'local-candidate',
        candidateType: local,
        protocol,
        relayProtocol,
      });
      report.set(`R-${id}`, { id: `R-${id}`, type: 'remote-candidate', candidateType: remote });
    }
    return report;
  }
}

function makeDescription(type: RTCSdpType, sdp: string): FakeDescription {
  return { type, sdp, toJSON: () => ({ type, sdp }) };
}

function domError(name: string, message: string): DOMException {
  return new DOMException(message, name);
}
