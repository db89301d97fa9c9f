// Owns building the wire messages tests send and expect: descriptions and trickled candidates.

import type { CandidateMessage, DescriptionMessage } from '../../src/signaling/messages.js';
import { hostCandidate } from './sdp.js';

/** A description message of `type` with `sdp`. */
export function descriptionMessage(type: 'offer' | 'answer', sdp: string): DescriptionMessage {
  return { kind: 'description', description: { type, sdp } };
}

/** The candidate message of host candidate `n`, of ICE generation `usernameFragment`. */
export function candidateMessage(
  n: number,
  usernameFragment: string | null = null,
): CandidateMessage {
  return {
    kind: 'candidate',
    candidate: { candidate: hostCandidate(n), sdpMid: '0', sdpMLineIndex: 0, usernameFragment },
  };
}
