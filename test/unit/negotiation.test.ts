import { describe, expect, it } from 'vitest';
import { InvalidSignalError, type ResilientPeerError } from '../../src/errors.js';
import { FIRST_OFFER_YIELD_MS, Negotiator } from '../../src/negotiation.js';
import type { CandidateMessage, DescriptionMessage } from '../../src/signaling/messages.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';
import { hostCandidate, ufragOf } from '../support/sdp.js';

type Description = DescriptionMessage['description'];
type Candidate = CandidateMessage['candidate'];

/** One side: a negotiator on a fake connection, as Connection wires it. */
function side(env: FakeEnv, polite: boolean) {
  const pc = new FakePeerConnection();
  const sent: Description[] = [];
  const errors: ResilientPeerError[] = [];
  const remoteRestarts: string[] = [];
  let restartsNegotiated = 0;
  let restartsAsked = 0;
  /** Resolves `beforeRestartAnswer`; a test may hold it. */
  const answering = { calls: 0, hold: null as Promise<void> | null };
  const negotiator = new Negotiator(pc.native, polite, env, {
    sendDescription: (description) => {
      sent.push(description);
    },
    report: (error) => {
      errors.push(error);
    },
    restartNegotiated: () => {
      restartsNegotiated += 1;
    },
    askRemoteRestart: () => {
      restartsAsked += 1;
    },
    remoteRestart: (ufrag) => {
      remoteRestarts.push(ufrag);
    },
    beforeRestartAnswer: () => {
      answering.calls += 1;
      return answering.hold ?? Promise.resolve();
    },
    log: () => undefined,
  });
  pc.addEventListener('negotiationneeded', () => {
    void negotiator.onNegotiationNeeded();
  });
  return {
    pc,
    negotiator,
    sent,
    errors,
    remoteRestarts,
    answering,
    restartsNegotiated: () => restartsNegotiated,
    restartsAsked: () => restartsAsked,
    offers: () => sent.filter((description) => description.type === 'offer'),
  };
}

type Side = ReturnType<typeof side>;

/** An impolite `a` and a polite `b`; messages cross only when the test delivers them. */
function setup() {
  const env = new FakeEnv();
  const a = side(env, false);
  const b = side(env, true);
  const cursor = new Map<Side, number>([
    [a, 0],
    [b, 0],
  ]);
  /** Hands `to` everything `from` sent since the last delivery. */
  const deliver = async (from: Side, to: Side): Promise<void> => {
    const start = cursor.get(from) ?? 0;
    cursor.set(from, from.sent.length);
    for (const description of from.sent.slice(start)) {
      void to.negotiator.handleDescription(description, description);
    }
    await settle();
  };
  /** Delivers both ways until neither side has anything new to say. */
  const converge = async (): Promise<void> => {
    await settle();
    for (let round = 0; round < 20; round++) {
      if (a.sent.length === cursor.get(a) && b.sent.length === cursor.get(b)) return;
      await deliver(a, b);
      await deliver(b, a);
    }
    throw new Error('negotiation did not converge');
  };
  return { env, a, b, deliver, converge };
}

/** A candidate of `from`'s current local ICE generation. */
function candidateOf(from: Side, n: number): Candidate {
  return {
    candidate: hostCandidate(n),
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: from.pc.localUfrag,
  };
}

/** a and b negotiated a data channel of a's. */
async function negotiated() {
  const made = setup();
  made.a.pc.addMedia('application');
  await made.converge();
  return made;
}

describe('Negotiator', () => {
  it('offers on negotiationneeded and applies the answer', async () => {
    const { a, b, converge } = setup();
    a.pc.addMedia('application');
    await converge();
    expect([a.pc.signalingState, b.pc.signalingState]).toEqual(['stable', 'stable']);
    expect(b.pc.negotiatedMedia).toEqual(['application']);
    expect(a.sent.map((d) => d.type)).toEqual(['offer']);
    expect(b.sent.map((d) => d.type)).toEqual(['answer']);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('defers the polite first offer until the remote is heard, then yields a moment', async () => {
    const { env, b } = setup();
    b.pc.addMedia('video');
    await env.pass(10_000);
    expect(b.sent).toEqual([]);
    b.negotiator.remoteHeard();
    await env.pass(FIRST_OFFER_YIELD_MS - 1);
    expect(b.sent).toEqual([]);
    await env.pass(1);
    expect(b.offers()).toHaveLength(1);
  });

  it('yields then offers when the remote was heard before negotiationneeded', async () => {
    const { env, b } = setup();
    b.negotiator.remoteHeard();
    b.pc.addMedia('video');
    await env.pass(FIRST_OFFER_YIELD_MS);
    expect(b.offers()).toHaveLength(1);
  });

  it('makes no first offer of the polite side once the remote offered first', async () => {
    const { env, a, b, deliver, converge } = setup();
    b.pc.addMedia('video');
    b.negotiator.remoteHeard();
    a.pc.addMedia('application');
    await settle();
    await deliver(a, b);
    await env.pass(FIRST_OFFER_YIELD_MS);
    await converge();
    // b answered, then offered its own video once (through negotiationneeded): no collision.
    expect(b.sent.map((d) => d.type)).toEqual(['answer', 'offer']);
    expect(a.pc.negotiatedMedia).toEqual(['application', 'video']);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('offers once for changes made while its first offer waits for the remote', async () => {
    const { env, b } = setup();
    b.pc.addMedia('video');
    await settle();
    b.pc.addMedia('audio');
    await settle();
    b.negotiator.remoteHeard();
    await env.pass(FIRST_OFFER_YIELD_MS);
    expect(b.offers()).toHaveLength(1);
    expect(b.offers()[0]?.sdp).toMatch(/m=video[\s\S]*m=audio/);
  });

  it('resolves glare: the impolite side ignores the colliding offer, the polite side rolls back', async () => {
    const { a, b, deliver, converge } = await negotiated();
    a.pc.addMedia('audio');
    b.pc.addMedia('video');
    await settle();
    expect([a.pc.signalingState, b.pc.signalingState]).toEqual([
      'have-local-offer',
      'have-local-offer',
    ]);
    const aRemoteBefore = a.pc.remoteDescription;
    await deliver(b, a);
    // Impolite: the colliding offer is ignored; a keeps waiting for the answer to its own offer.
    expect(a.pc.signalingState).toBe('have-local-offer');
    expect(a.pc.remoteDescription).toBe(aRemoteBefore);
    await deliver(a, b);
    // Polite: b rolled back its offer, answered a's, and offered its own change again.
    expect(b.sent.map((d) => d.type)).toEqual(['answer', 'offer', 'answer', 'offer']);
    await converge();
    expect([a.pc.signalingState, b.pc.signalingState]).toEqual(['stable', 'stable']);
    // b's own change was offered again after the rollback, and both agree on every m-line.
    expect(a.pc.negotiatedMedia).toEqual(['application', 'audio', 'video']);
    expect(b.pc.negotiatedMedia).toEqual(['application', 'audio', 'video']);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('holds candidates that arrive before their description, then adds them', async () => {
    const { a, b, deliver } = setup();
    a.pc.addMedia('application');
    await settle();
    const early = candidateOf(a, 1);
    await b.negotiator.handleCandidate(early, early);
    expect(b.pc.candidates).toEqual([]);
    await deliver(a, b);
    expect(b.pc.candidates).toEqual([early]);
    expect(b.errors).toEqual([]);
  });

  it('adds a candidate at once once its description is applied', async () => {
    const { a, b } = await negotiated();
    const candidate = candidateOf(a, 2);
    await b.negotiator.handleCandidate(candidate, candidate);
    expect(b.pc.candidates).toEqual([candidate]);
  });

  it('holds at most 64 candidates, dropping the oldest', async () => {
    const { a, b, deliver } = setup();
    a.pc.addMedia('application');
    await settle();
    const candidates = Array.from({ length: 70 }, (_, n) => candidateOf(a, n));
    for (const candidate of candidates) void b.negotiator.handleCandidate(candidate, candidate);
    await settle();
    await deliver(a, b);
    expect(b.pc.candidates).toEqual(candidates.slice(6));
  });

  it('restarts ICE: a new ufrag is offered, answered, and reported negotiated', async () => {
    const { a, b, converge } = await negotiated();
    const before = a.pc.localUfrag;
    expect(a.negotiator.restartIce()).toBe('offered');
    await converge();
    expect(a.pc.localUfrag).not.toBe(before);
    expect(a.restartsNegotiated()).toBe(1);
    expect(b.remoteRestarts).toEqual([a.pc.localUfrag]);
    expect(b.restartsNegotiated()).toBe(0);
  });

  it('lets its owner update the ICE servers before answering a restart, and only then', async () => {
    const { a, b, converge } = await negotiated();
    expect(b.answering.calls).toBe(0);
    let release = (): void => undefined;
    b.answering.hold = new Promise((resolve) => {
      release = resolve;
    });
    a.negotiator.restartIce();
    await converge();
    expect(b.answering.calls).toBe(1);
    expect(b.pc.signalingState).toBe('have-remote-offer');
    expect(b.sent.filter((description) => description.type === 'answer')).toHaveLength(1);
    release();
    await converge();
    expect(b.sent.filter((description) => description.type === 'answer')).toHaveLength(2);
    expect(a.restartsNegotiated()).toBe(1);
    // A renegotiation that restarts nothing does not ask.
    a.pc.addMedia('video');
    await converge();
    expect(b.answering.calls).toBe(1);
  });

  it('asks a Firefox remote to make the restart offer when it is not Firefox itself', async () => {
    const made = setup();
    made.b.pc.firefox = true;
    made.a.pc.addMedia('application');
    await made.converge();
    const { a, b, converge } = made;
    const offers = a.offers().length;
    expect(a.negotiator.restartIce()).toBe('asked-remote');
    await converge();
    expect(a.restartsAsked()).toBe(1);
    expect(a.offers()).toHaveLength(offers);
    // Firefox makes the restart offer itself.
    const ufrag = b.pc.localUfrag;
    expect(b.negotiator.restartIce()).toBe('offered');
    await converge();
    expect(b.pc.localUfrag).not.toBe(ufrag);
    expect(b.restartsNegotiated()).toBe(1);
    expect(a.remoteRestarts).toEqual([b.pc.localUfrag]);
  });

  it('restarts by itself between two Firefox sides', async () => {
    const made = setup();
    made.a.pc.firefox = true;
    made.b.pc.firefox = true;
    made.a.pc.addMedia('application');
    await made.converge();
    expect(made.a.negotiator.restartIce()).toBe('offered');
    await made.converge();
    expect(made.a.restartsNegotiated()).toBe(1);
    expect(made.a.restartsAsked()).toBe(0);
  });

  it('has nothing to restart before the first negotiation', async () => {
    const { env, a } = setup();
    expect(a.negotiator.restartIce()).toBe('nothing');
    await env.pass(1000);
    expect(a.sent).toEqual([]);
  });

  it('drops candidates of an ICE generation the remote replaced', async () => {
    const { a, b, converge } = await negotiated();
    const stale = candidateOf(a, 1);
    a.negotiator.restartIce();
    await converge();
    await b.negotiator.handleCandidate(stale, stale);
    expect(b.pc.candidates).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('holds a candidate of a newer generation until the offer that starts it', async () => {
    const { a, b, deliver, converge } = await negotiated();
    a.negotiator.restartIce();
    await settle();
    // The restart offer is out (a's pending ufrag), but b has not seen it yet.
    const pendingUfrag = ufragOf(a.offers().at(-1)?.sdp);
    const newer: Candidate = { ...candidateOf(a, 3), usernameFragment: pendingUfrag };
    await b.negotiator.handleCandidate(newer, newer);
    expect(b.pc.candidates).toEqual([]);
    await deliver(a, b);
    await converge();
    expect(b.pc.candidates).toEqual([newer]);
  });

  it('keeps holding a candidate of a generation it has not seen yet', async () => {
    const { a, b, converge } = await negotiated();
    const unseen: Candidate = { ...candidateOf(a, 4), usernameFragment: 'unseen' };
    await b.negotiator.handleCandidate(unseen, unseen);
    a.negotiator.restartIce();
    await converge();
    expect(b.remoteRestarts).toHaveLength(1);
    expect(b.pc.candidates).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('asks again when the browser dropped a restart and the ufrag did not change', async () => {
    const { a, b, converge } = await negotiated();
    a.pc.dropRestarts = 1;
    const before = a.pc.localUfrag;
    expect(a.negotiator.restartIce()).toBe('offered');
    await converge();
    expect(a.offers()).toHaveLength(1);
    // The next negotiation to complete (b's offer here) shows the ufrag unchanged: ask again.
    b.pc.addMedia('video');
    await converge();
    expect(a.pc.localUfrag).not.toBe(before);
    expect(a.restartsNegotiated()).toBe(1);
    expect(b.remoteRestarts).toEqual([a.pc.localUfrag]);
  });

  it('answers a duplicate offer again and ignores a duplicate answer', async () => {
    const { a, b, converge } = await negotiated();
    const offer = a.sent[0];
    const answer = b.sent[0];
    if (offer === undefined || answer === undefined) throw new Error('not negotiated');
    await b.negotiator.handleDescription(offer, offer);
    expect(b.sent).toEqual([answer, answer]);
    await a.negotiator.handleDescription(answer, answer);
    await converge();
    expect([a.pc.signalingState, b.pc.signalingState]).toEqual(['stable', 'stable']);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('reports an answer when no offer of ours is pending', async () => {
    const { a, b } = await negotiated();
    const answer = b.sent[0];
    if (answer === undefined) throw new Error('not negotiated');
    // Not a resend of the answer already applied (that would be dropped silently): another one.
    const other = { ...answer, sdp: answer.sdp.replace(/^a=ice-ufrag:(\S+)/m, 'a=ice-ufrag:$1x') };
    await a.negotiator.handleDescription(other, { raw: 'answer' });
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toBeInstanceOf(InvalidSignalError);
    expect(a.errors[0]?.message).toBe(
      'Invalid signaling message: got an answer in signaling state "stable" (no offer of ours is pending)',
    );
  });

  it('reports a description the browser rejects, and carries on', async () => {
    const { a, b, converge } = setup();
    await b.negotiator.handleDescription({ type: 'offer', sdp: 'v=0\r\nnonsense' }, 'raw');
    expect(b.errors.map((error) => [error.code, error.message])).toEqual([
      [
        'invalid-signal',
        'Invalid signaling message: the browser rejected the offer (OperationError: Failed to parse SessionDescription: no ICE ufrag)',
      ],
    ]);
    a.pc.addMedia('application');
    await converge();
    expect(b.pc.signalingState).toBe('stable');
    expect(b.pc.negotiatedMedia).toEqual(['application']);
  });

  it('reports a failure to answer as the browser rejecting the message', async () => {
    const { a, b, deliver } = setup();
    b.pc.failNextLocal = new DOMException('no codecs', 'OperationError');
    a.pc.addMedia('application');
    await settle();
    await deliver(a, b);
    expect(b.errors.map((error) => error.message)).toEqual([
      'Invalid signaling message: the browser rejected it (OperationError: no codecs)',
    ]);
  });

  it('reports a local offer that cannot be made', async () => {
    const { a } = setup();
    a.pc.failNextLocal = new DOMException('bad transceiver', 'InvalidModificationError');
    a.pc.addMedia('application');
    await settle();
    expect(a.errors.map((error) => [error.code, error.message])).toEqual([
      [
        'negotiation-failed',
        'could not create or apply a local offer: InvalidModificationError: bad transceiver',
      ],
    ]);
  });

  it('reports a candidate the browser rejects', async () => {
    const { a, b } = await negotiated();
    b.pc.rejectCandidates = /typ host/;
    const candidate = candidateOf(a, 1);
    await b.negotiator.handleCandidate(candidate, candidate);
    expect(b.errors.map((error) => error.message)).toEqual([
      'Invalid signaling message: the browser rejected the candidate (OperationError: Error processing ICE candidate)',
    ]);
  });

  it('reports a held candidate the browser rejects once its description arrives', async () => {
    const { a, b, deliver } = setup();
    a.pc.addMedia('application');
    await settle();
    b.pc.rejectCandidates = /typ host/;
    const early = candidateOf(a, 1);
    await b.negotiator.handleCandidate(early, early);
    await deliver(a, b);
    expect(b.errors.map((error) => [error.code, error.message])).toEqual([
      [
        'invalid-signal',
        'a held candidate was rejected by the browser: OperationError: Error processing ICE candidate',
      ],
    ]);
  });

  it('says nothing of candidates failing for an offer it ignored (§10.7)', async () => {
    const { a, b, deliver } = await negotiated();
    a.pc.addMedia('audio');
    b.pc.addMedia('video');
    await settle();
    await deliver(b, a);
    a.pc.rejectCandidates = /typ host/;
    const candidate = candidateOf(b, 1);
    await a.negotiator.handleCandidate(candidate, candidate);
    expect(a.errors).toEqual([]);
  });

  it('handles messages one at a time in arrival order', async () => {
    const { a, b } = setup();
    a.pc.addMedia('application');
    await settle();
    const offer = a.sent[0];
    if (offer === undefined) throw new Error('no offer');
    const candidates = [1, 2, 3].map((n) => candidateOf(a, n));
    void b.negotiator.handleDescription(offer, offer);
    for (const candidate of candidates) void b.negotiator.handleCandidate(candidate, candidate);
    await settle();
    expect(b.pc.candidates).toEqual(candidates);
    expect(b.errors).toEqual([]);
  });

  it('stops handling messages and offering once closed', async () => {
    const { env, a, b } = setup();
    b.pc.addMedia('video');
    b.negotiator.remoteHeard();
    b.negotiator.close();
    await env.pass(FIRST_OFFER_YIELD_MS * 2);
    expect(b.sent).toEqual([]);
    expect(env.pendingTimers).toBe(0);
    a.pc.addMedia('application');
    await settle();
    const offer = a.sent[0];
    if (offer === undefined) throw new Error('no offer');
    await b.negotiator.handleDescription(offer, offer);
    expect(b.pc.remoteDescription).toBeNull();
    expect(b.errors).toEqual([]);
  });

  it('reports nothing for a message whose handling fails after a close midway', async () => {
    const { a, b } = setup();
    a.pc.addMedia('application');
    await settle();
    const offer = a.sent[0];
    if (offer === undefined) throw new Error('no offer');
    b.pc.failNextLocal = new DOMException('closed meanwhile', 'InvalidStateError');
    // Closed while the offer is being applied, before the answer fails.
    b.pc.addEventListener('signalingstatechange', () => {
      b.negotiator.close();
    });
    await b.negotiator.handleDescription(offer, offer);
    expect(b.pc.signalingState).toBe('have-remote-offer');
    expect(b.errors).toEqual([]);
  });

  it('reports nothing for a local offer that fails after close', async () => {
    const { a } = setup();
    a.pc.failNextLocal = new DOMException('closed meanwhile', 'InvalidStateError');
    a.pc.addEventListener('negotiationneeded', () => {
      a.negotiator.close();
    });
    a.pc.addMedia('application');
    await settle();
    expect(a.errors).toEqual([]);
  });

  it('reports nothing for a message that fails after close', async () => {
    const { a, b } = setup();
    a.pc.addMedia('application');
    await settle();
    const offer = a.sent[0];
    if (offer === undefined) throw new Error('no offer');
    b.pc.failNextLocal = new DOMException('closed meanwhile', 'InvalidStateError');
    const handled = b.negotiator.handleDescription(offer, offer);
    b.negotiator.close();
    await handled;
    expect(b.errors).toEqual([]);
  });
});
