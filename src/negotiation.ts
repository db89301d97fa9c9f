// The perfect-negotiation loop (W3C webrtc-pc §10.7 "Perfect Negotiation Example"), with the
// spec's names kept so it can be read against the spec line by line, plus what the example
// leaves out: candidates that arrive before their description, stale candidates of an old ICE
// generation, duplicates of a description resent after a signaling outage, and ICE restarts that
// the browser silently drops.

import type { Env, Timer } from './env.js';
import { errorText, InvalidSignalError, ResilientPeerError } from './errors.js';
import { iceUfrag, isFirefoxSdp, sameDescription } from './sdp.js';
import type { CandidateMessage, DescriptionMessage } from './signaling/messages.js';

/** How long the polite side waits, once it hears the remote, before its first offer. */
export const FIRST_OFFER_YIELD_MS = 1000;
/** Most remote candidates held while waiting for their description. */
const MAX_HELD_CANDIDATES = 64;

type Description = DescriptionMessage['description'];
type Candidate = CandidateMessage['candidate'];

/** What the negotiator needs from its owner. */
export interface NegotiatorHooks {
  readonly sendDescription: (description: Description) => void;
  readonly report: (error: ResilientPeerError) => void;
  /** A requested ICE restart completed: offer and answer applied, local ufrag changed. */
  readonly restartNegotiated: () => void;
  /** Ask the remote to make the restart offer (see restartIce). */
  readonly askRemoteRestart: () => void;
  /** The remote peer sent an offer that restarts ICE; `ufrag` is its new one. */
  readonly remoteRestart: (ufrag: string) => void;
  /** Our answer to the remote's restart is about to gather anew: update what it gathers with. */
  readonly beforeRestartAnswer: () => Promise<void>;
  readonly log: (message: string, data?: Record<string, unknown>) => void;
}

/** Drives offer/answer for one RTCPeerConnection, glare-safe. */
export class Negotiator {
  readonly #pc: RTCPeerConnection;
  readonly #polite: boolean;
  readonly #env: Pick<Env, 'setTimeout' | 'clearTimeout'>;
  readonly #hooks: NegotiatorHooks;
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  /** Local ufrag when a restart was requested and not yet achieved. */
  #restartFrom: string | null = null;
  #held: Candidate[] = [];
  /** The last remote description applied, as it came (the browser may reformat its copy). */
  #lastRemoteSdp: string | null = null;
  readonly #oldRemoteUfrags = new Set<string>();
  /** Incoming messages are handled one at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** The remote side has been heard from on this connection. */
  #remoteHeard = false;
  /** The polite side's first offer waits for the remote (see onNegotiationNeeded). */
  #firstOffer: 'none' | 'deferred' | 'yielding' = 'none';
  #yieldTimer: Timer;

  constructor(
    pc: RTCPeerConnection,
    polite: boolean,
    env: Pick<Env, 'setTimeout' | 'clearTimeout'>,
    hooks: NegotiatorHooks,
  ) {
    this.#pc = pc;
    this.#polite = polite;
    this.#env = env;
    this.#hooks = hooks;
  }

  /**
   * Restarts ICE: the offer goes out through `negotiationneeded`. `nothing` when no negotiation
   * has completed yet (Chromium would fire `negotiationneeded` with nothing to negotiate, a WPT
   * test it fails). `asked-remote` when a Chromium side faces Firefox: any ICE-restart offer
   * Chromium makes breaks that call (Firefox answers with the other DTLS role, "Failed to set SSL
   * role", or media stops although both say connected; 0 of 6 each, measured), while Firefox's
   * own restart offers work every time, so Firefox is asked to make it.
   */
  restartIce(): 'offered' | 'asked-remote' | 'nothing' {
    const { localDescription, remoteDescription } = this.#pc;
    if (remoteDescription === null) return 'nothing';
    if (isFirefoxSdp(remoteDescription.sdp) && !isFirefoxSdp(localDescription?.sdp)) {
      this.#hooks.askRemoteRestart();
      return 'asked-remote';
    }
    this.#restartFrom ??= iceUfrag(localDescription?.sdp) ?? '';
    this.#pc.restartIce();
    return 'offered';
  }

  /** The remote side was heard from: a deferred first offer of the polite side may go ahead. */
  remoteHeard(): void {
    this.#remoteHeard = true;
    if (this.#firstOffer === 'deferred') this.#yieldThenOffer();
  }

  /** Handles `negotiationneeded`: make an offer and send it. */
  async onNegotiationNeeded(): Promise<void> {
    if (this.#polite && this.#isFresh()) {
      // Chromium bug: when the polite side rolls back its very first offer (the one that created
      // the ICE transport), that connection never gathers a candidate again, not even after ICE
      // restarts; the call stays `new` for good. So on a fresh connection the polite side leaves
      // the first offer to the other side: it waits until it hears the remote, then a moment
      // more; negotiationneeded fires again afterwards if its own changes still need an offer.
      if (this.#firstOffer !== 'none') return;
      if (this.#remoteHeard) this.#yieldThenOffer();
      else this.#firstOffer = 'deferred';
      return;
    }
    await this.#offer();
  }

  /** Queues one validated incoming description; never rejects. */
  handleDescription(description: Description, raw: unknown): Promise<void> {
    return this.#enqueue(() => this.#onDescription(description, raw), raw);
  }

  /** Queues one validated incoming candidate; never rejects. */
  handleCandidate(candidate: Candidate, raw: unknown): Promise<void> {
    return this.#enqueue(() => this.#onCandidate(candidate, raw), raw);
  }

  /** Stops handling messages. */
  close(): void {
    this.#closed = true;
    this.#held = [];
    this.#env.clearTimeout(this.#yieldTimer);
  }

  #yieldThenOffer(): void {
    this.#firstOffer = 'yielding';
    this.#yieldTimer = this.#env.setTimeout(() => {
      this.#firstOffer = 'none';
      if (!this.#isClosed() && this.#isFresh()) void this.#offer();
    }, FIRST_OFFER_YIELD_MS);
  }

  async #offer(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      this.#sendLocalDescription();
    } catch (cause) {
      this.#report('negotiation-failed', 'could not create or apply a local offer', cause);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** No negotiation has happened yet (a method: TypeScript would narrow across an await). */
  #isFresh(): boolean {
    return (
      this.#pc.signalingState === 'stable' &&
      this.#pc.localDescription === null &&
      this.#pc.remoteDescription === null
    );
  }

  // A method, not the field: TypeScript would narrow the field across an await.
  #isClosed(): boolean {
    return this.#closed;
  }

  #enqueue(work: () => Promise<void>, raw: unknown): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        await work();
      } catch (cause) {
        if (this.#isClosed()) return;
        this.#hooks.report(
          cause instanceof ResilientPeerError
            ? cause
            : new InvalidSignalError(`the browser rejected it (${errorText(cause)})`, raw, {
                cause,
              }),
        );
      }
    });
    return this.#queue;
  }

  async #onDescription(description: Description, raw: unknown): Promise<void> {
    const pc = this.#pc;
    // Resent after a signaling outage although it had arrived: already applied, nothing to do
    // but repeat our answer, which may be what got lost.
    const last = this.#lastRemoteSdp;
    if (pc.signalingState === 'stable' && last !== null && sameDescription(last, description.sdp)) {
      if (description.type === 'offer') this.#sendLocalDescription();
      return;
    }
    // §10.7: an offer collides unless we are stable (or about to be, applying an answer).
    const readyForOffer =
      !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#polite && offerCollision;
    if (this.#ignoreOffer) {
      this.#hooks.log('ignored a colliding offer (impolite)');
      return;
    }
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') {
      throw new InvalidSignalError(
        `got an answer in signaling state "${pc.signalingState}" (no offer of ours is pending)`,
        raw,
      );
    }
    const previousRemoteUfrag = iceUfrag(pc.remoteDescription?.sdp);
    const remoteUfrag = iceUfrag(description.sdp);
    this.#isSettingRemoteAnswerPending = description.type === 'answer';
    try {
      if (offerCollision) {
        // The polite side yields with an explicit rollback. Chromium's implicit rollback inside
        // setRemoteDescription rejects the offer when both sides added different media on the
        // same MID ("RTP extension ID reassignment not supported"), leaving both sides stuck.
        // Both calls are queued together so no negotiationneeded offer slips in between.
        await Promise.all([
          pc.setLocalDescription({ type: 'rollback' }),
          pc.setRemoteDescription(description),
        ]);
      } else {
        await pc.setRemoteDescription(description);
      }
    } catch (cause) {
      throw new InvalidSignalError(
        `the browser rejected the ${description.type} (${errorText(cause)})`,
        raw,
        { cause },
      );
    } finally {
      this.#isSettingRemoteAnswerPending = false;
    }
    this.#lastRemoteSdp = description.sdp;
    if (previousRemoteUfrag !== null && remoteUfrag !== previousRemoteUfrag) {
      this.#oldRemoteUfrags.add(previousRemoteUfrag);
      if (description.type === 'offer' && remoteUfrag !== null) {
        this.#hooks.remoteRestart(remoteUfrag);
        await this.#hooks.beforeRestartAnswer();
      }
    }
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this.#sendLocalDescription();
    }
    await this.#flushHeld();
    this.#checkRestart();
  }

  async #onCandidate(candidate: Candidate, raw: unknown): Promise<void> {
    const pc = this.#pc;
    const ufrag = candidate.usernameFragment;
    if (ufrag !== null && this.#oldRemoteUfrags.has(ufrag)) return; // stale generation: drop
    const currentUfrag = iceUfrag(pc.remoteDescription?.sdp);
    // Held until its description is applied: addIceCandidate() without one throws, and a
    // candidate of a newer generation would be rejected by the current one.
    if (pc.remoteDescription === null || (ufrag !== null && ufrag !== currentUfrag)) {
      this.#hooks.log('holding a candidate for its description', { ufrag });
      if (this.#held.length >= MAX_HELD_CANDIDATES) this.#held.shift();
      this.#held.push(candidate);
      return;
    }
    try {
      await pc.addIceCandidate(candidate);
      this.#hooks.log('added a remote candidate', { ufrag });
    } catch (cause) {
      // §10.7: candidates of an offer we ignored fail; that is expected, not an error.
      if (this.#ignoreOffer) return;
      throw new InvalidSignalError(
        `the browser rejected the candidate (${errorText(cause)})`,
        raw,
        { cause },
      );
    }
  }

  async #flushHeld(): Promise<void> {
    const currentUfrag = iceUfrag(this.#pc.remoteDescription?.sdp);
    const held = this.#held;
    this.#held = [];
    for (const candidate of held) {
      const ufrag = candidate.usernameFragment;
      if (ufrag !== null && this.#oldRemoteUfrags.has(ufrag)) continue;
      if (ufrag !== null && ufrag !== currentUfrag) {
        this.#held.push(candidate);
        continue;
      }
      try {
        await this.#pc.addIceCandidate(candidate);
      } catch (cause) {
        this.#report('invalid-signal', 'a held candidate was rejected by the browser', cause);
      }
    }
  }

  /**
   * Called whenever a negotiation completes. `restartIce()` is meant to survive rollbacks and
   * incoming offers until an answer without the old credentials is applied (webrtc-pc §4.4.1.6),
   * but not every browser keeps it; if the ufrag did not change, ask again.
   */
  #checkRestart(): void {
    if (this.#restartFrom === null || this.#pc.signalingState !== 'stable') return;
    const ufrag = iceUfrag(this.#pc.localDescription?.sdp);
    if (ufrag !== null && ufrag !== this.#restartFrom) {
      this.#restartFrom = null;
      this.#hooks.restartNegotiated();
      return;
    }
    this.#hooks.log('ICE restart not applied yet; asking again');
    this.#pc.restartIce();
  }

  #sendLocalDescription(): void {
    const local = this.#pc.localDescription;
    if (local === null || (local.type !== 'offer' && local.type !== 'answer')) return;
    this.#hooks.sendDescription({ type: local.type, sdp: local.sdp });
  }

  #report(code: 'negotiation-failed' | 'invalid-signal', message: string, cause: unknown): void {
    if (this.#isClosed()) return;
    this.#hooks.report(new ResilientPeerError(code, `${message}: ${errorText(cause)}`, { cause }));
  }
}
