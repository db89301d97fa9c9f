// Owns the two-peer setup of the facade tests: two ResilientPeers on one FakeEnv, talking through
// linked FakeChannels with the real negotiation, each with its events recorded, and the steps
// that bring such a pair to a connected call.

import type { Options } from '../../src/options.js';
import { delayTable } from '../../src/policy.js';
import { ResilientPeer } from '../../src/resilient-peer.js';
import { FakeChannel } from './fake-channel.js';
import { FakeEnv } from './fake-env.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { recordPeer, type EventRecorder } from './recorder.js';
import type { ResilientPeerEvents } from '../../src/events.js';

/** One side of a pair. */
export interface Side {
  readonly peer: ResilientPeer;
  readonly channel: FakeChannel;
  readonly events: EventRecorder<ResilientPeerEvents>;
  /** Every connection `setup` was called with, in order. */
  readonly setups: RTCPeerConnection[];
  /** The fake behind the current `peer.pc`. */
  readonly fake: () => FakePeerConnection;
}

/** Options a test may set for one side. */
export type SideOptions = Partial<Omit<Options, 'polite' | 'signaling' | 'setup'>> & {
  /** What `setup` adds to each new connection. @default ['application'] for a, [] for b */
  readonly media?: readonly string[];
};

/** A fixed policy, so attempt times are exact: at once, then every second. */
export const TEST_POLICY = delayTable([0, 1000, 1000, 1000, 1000]);

/** Makes one peer on `channel`; `polite` picks the role. */
export function makeSide(
  env: FakeEnv,
  polite: boolean,
  channel: FakeChannel,
  options: SideOptions = {},
): Side {
  const { media = polite ? [] : ['application'], ...rest } = options;
  const setups: RTCPeerConnection[] = [];
  const peer = new ResilientPeer(
    {
      polite,
      signaling: channel,
      policy: TEST_POLICY,
      setup: (pc) => {
        setups.push(pc);
        for (const kind of media) FakePeerConnection.of(pc).addMedia(kind);
      },
      ...rest,
    },
    env,
  );
  return {
    peer,
    channel,
    events: recordPeer(peer),
    setups,
    fake: () => FakePeerConnection.of(peer.pc),
  };
}

/** An impolite `a` and a polite `b` on linked channels, not yet negotiated. */
export function makePair(
  options: { readonly env?: FakeEnv; readonly a?: SideOptions; readonly b?: SideOptions } = {},
): { readonly env: FakeEnv; readonly a: Side; readonly b: Side } {
  const env = options.env ?? new FakeEnv();
  const [channelA, channelB] = FakeChannel.pair();
  const a = makeSide(env, false, channelA, options.a);
  const b = makeSide(env, true, channelB, options.b);
  return { env, a, b };
}

/** Lets the pair negotiate, then connects both native states; traffic flows from then on. */
export async function connect(
  pair: { readonly env: FakeEnv; readonly a: Side; readonly b: Side },
  traffic: 'payload' | 'stun' = 'payload',
): Promise<void> {
  await pair.env.pass(0);
  for (const side of [pair.a, pair.b]) {
    const fake = side.fake();
    if (fake.signalingState !== 'stable' || fake.remoteDescription === null) {
      throw new Error(`side did not negotiate (${fake.signalingState})`);
    }
  }
  for (const side of [pair.a, pair.b]) {
    const fake = side.fake();
    fake.traffic = traffic;
    fake.connect();
  }
  await pair.env.pass(0);
}
