// Outgoing negotiation messages while the channel comes and goes: they wait while it is down (or
// while it looks up but the remote stopped answering), and when it returns only what is still
// current goes out. A description superseded meanwhile is dropped, and so are candidates of an
// ICE generation that was replaced.

import { iceUfrag } from '../sdp.js';
import type { SignalingChannel } from './channel.js';
import type { CandidateMessage, DescriptionMessage } from './messages.js';

/** Most candidates kept while the channel is down. */
const MAX_QUEUED_CANDIDATES = 200;

/** A negotiation message: what the outbox holds. */
export type NegotiationMessage = DescriptionMessage | CandidateMessage;

/** Buffers negotiation messages for a channel that may be down. */
export class Outbox {
  readonly #channel: SignalingChannel;
  readonly #pc: () => RTCPeerConnection;
  readonly #onSendError: (error: unknown) => void;
  #description: DescriptionMessage | null = null;
  #candidates: CandidateMessage[] = [];
  /** Set while the remote stopped answering: nothing is written into a channel we cannot confirm. */
  holding = false;

  constructor(
    channel: SignalingChannel,
    pc: () => RTCPeerConnection,
    onSendError: (error: unknown) => void,
  ) {
    this.#channel = channel;
    this.#pc = pc;
    this.#onSendError = onSendError;
  }

  /** Sends now if the channel is up, else keeps the message for `flush`. */
  send(message: NegotiationMessage): void {
    if (this.#channel.isUp && !this.holding && this.#trySend(message)) return;
    if (message.kind === 'description') {
      this.#description = message;
    } else {
      if (this.#candidates.length >= MAX_QUEUED_CANDIDATES) this.#candidates.shift();
      this.#candidates.push(message);
    }
  }

  /**
   * The channel works again: finish a half-done negotiation, then send what is still current.
   * An offer still awaiting its answer is sent again even if it went out before, because it may
   * have gone into a socket that was already dead without knowing it. `session` stamps a resent
   * offer the same way as new messages.
   */
  flush(session: string): void {
    if (!this.#channel.isUp || this.holding) return;
    const pc = this.#pc();
    const local = pc.localDescription;
    const queued = this.#description;
    this.#description = null;
    if (pc.signalingState === 'have-local-offer' && local?.type === 'offer') {
      this.#trySend({
        kind: 'description',
        session,
        description: { type: 'offer', sdp: local.sdp },
      });
    } else if (
      queued?.description.type === 'answer' &&
      local?.type === 'answer' &&
      local.sdp === queued.description.sdp
    ) {
      this.#trySend(queued);
    }
    const ufrag = iceUfrag(local?.sdp);
    const candidates = this.#candidates;
    this.#candidates = [];
    for (const message of candidates) {
      const generation = message.candidate.usernameFragment;
      if (generation === null || generation === ufrag) this.#trySend(message);
    }
  }

  /** Forgets everything queued. */
  clear(): void {
    this.#description = null;
    this.#candidates = [];
  }

  #trySend(message: NegotiationMessage): boolean {
    try {
      this.#channel.send(message);
      return true;
    } catch (error) {
      this.#onSendError(error);
      return false;
    }
  }
}
