// The peer's emitter, through ResilientPeer (PeerEmitter is its base class): late `track`
// listeners, `once`, frozen payloads, and app listeners that throw.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemoteTrack } from '../../src/connection.js';
import type { PhaseChangeEvent } from '../../src/events.js';
import { ResilientPeer } from '../../src/resilient-peer.js';
import { FakeChannel } from '../support/fake-channel.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';
import { captureRethrows, type RethrowCapture } from '../support/rethrows.js';

function setup() {
  const env = new FakeEnv();
  const peer = new ResilientPeer({ polite: false, signaling: new FakeChannel() }, env);
  return { env, peer, fake: FakePeerConnection.of(peer.pc) };
}

describe('the peer emitter', () => {
  let rethrows: RethrowCapture;

  beforeEach(() => {
    rethrows = captureRethrows();
  });

  afterEach(() => {
    rethrows.restore();
  });

  it('tells a track listener added late about the live remote tracks, not the ended ones', async () => {
    const { peer, fake } = setup();
    const video = fake.emitTrack('video');
    const audio = fake.emitTrack('audio');
    const ended = fake.emitTrack('video');
    ended.stop();
    const seen: RemoteTrack[] = [];
    peer.on('track', (track) => seen.push(track));
    expect(seen).toEqual([]);
    await settle();
    expect(seen.map((remote) => remote.track)).toEqual([video, audio]);
    expect(seen[0]?.pc).toBe(peer.pc);
  });

  it('replays to addListener as to on, with the context given', async () => {
    const { peer, fake } = setup();
    fake.emitTrack();
    const context = { seen: 0 };
    peer.addListener(
      'track',
      function (this: typeof context) {
        this.seen += 1;
      },
      context,
    );
    await settle();
    expect(context.seen).toBe(1);
  });

  it('calls a once track listener with the first live track only', async () => {
    const { peer, fake } = setup();
    const first = fake.emitTrack('video');
    fake.emitTrack('audio');
    const seen: RemoteTrack[] = [];
    peer.once('track', (track) => seen.push(track));
    await settle();
    fake.emitTrack('video');
    expect(seen.map((remote) => remote.track)).toEqual([first]);
    expect(peer.listenerCount('track')).toBe(0);
  });

  it('calls a once track listener once when a real track event comes before the replay', async () => {
    const { peer, fake } = setup();
    fake.emitTrack('video');
    const seen: RemoteTrack[] = [];
    peer.once('track', (track) => seen.push(track));
    const live = fake.emitTrack('audio');
    await settle();
    expect(seen.map((remote) => remote.track)).toEqual([live]);
  });

  it('replays nothing to a listener removed before the replay, nor when no track is live', async () => {
    const { peer, fake } = setup();
    const seen: RemoteTrack[] = [];
    const listener = (track: RemoteTrack): void => {
      seen.push(track);
    };
    peer.on('track', listener);
    await settle();
    expect(seen).toEqual([]);
    fake.emitTrack();
    expect(seen).toHaveLength(1);
    const late = (track: RemoteTrack): void => {
      seen.push(track);
    };
    peer.on('track', late);
    peer.off('track', late);
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('does not replay to listeners of other events', async () => {
    const { peer, fake } = setup();
    fake.emitTrack();
    const phases: PhaseChangeEvent[] = [];
    peer.on('phaseChange', (event) => phases.push(event));
    peer.once('phaseChange', (event) => phases.push(event));
    await settle();
    expect(phases).toEqual([]);
  });

  it('emits frozen payloads, after the state they announce is committed', () => {
    const { peer } = setup();
    const seen: [PhaseChangeEvent, string][] = [];
    peer.on('phaseChange', (event) => seen.push([event, peer.phase]));
    peer.close();
    expect(seen).toEqual([[{ from: 'new', to: 'closed', cause: 'closed' }, 'closed']]);
    expect(Object.isFrozen(seen[0]?.[0])).toBe(true);
  });

  it('rethrows what an app listener throws outside the peer, and keeps working', async () => {
    const { peer, fake } = setup();
    const failure = new Error('app bug');
    peer.on('track', () => {
      throw failure;
    });
    fake.emitTrack();
    fake.emitTrack();
    await settle();
    // Both tracks were announced (the peer's own flow went on), and both throws surfaced.
    expect(rethrows.errors).toEqual([failure, failure]);
    const replayed: unknown[] = [];
    peer.on('track', () => {
      replayed.push('late');
      throw failure;
    });
    await settle();
    expect(replayed).toEqual(['late', 'late']);
    expect(rethrows.errors).toHaveLength(4);
  });

  // A broken analytics hook must not hide `phaseChange` from the UI.
  it('still tells the other listeners when one listener throws', () => {
    const { peer } = setup();
    peer.on('phaseChange', () => {
      throw new Error('app bug');
    });
    const seen: PhaseChangeEvent[] = [];
    peer.on('phaseChange', (event) => seen.push(event));
    peer.close();
    expect(seen).toEqual([{ from: 'new', to: 'closed', cause: 'closed' }]);
  });
});
